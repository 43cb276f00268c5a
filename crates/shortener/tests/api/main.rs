//! Integration tests of the shortener, against the real router and a fresh database
//! (SQLite, or PostgreSQL with `GROUNDWORK_TEST_POSTGRES_URL`; Redis parts with
//! `GROUNDWORK_TEST_REDIS_URL`).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod accounts;
mod analytics;
mod bad_input;
mod redirects;
mod redis;
mod spec;
mod support;
