#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]
//! Integration tests of the notes app over real HTTP, on SQLite or PostgreSQL, with blobs
//! in a local directory or (with `GROUNDWORK_TEST_S3_URL`) an S3-compatible server.

mod bad_input;
mod grammar;
mod notes;
mod render;
mod spec_suites;
mod support;
