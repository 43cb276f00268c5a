//! Integration tests of the platform over real HTTP: every test starts the real
//! application on 127.0.0.1:0 with a fresh database (SQLite, or PostgreSQL when
//! GROUNDWORK_TEST_POSTGRES_URL is set).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod admin;
mod auth;
mod bad_input;
mod jobs;
mod jobs_throughput;
mod jobs_worker;
mod migrations;
mod profile;
mod pubsub;
mod ratelimit;
mod server;
mod sessions;
mod storage;
