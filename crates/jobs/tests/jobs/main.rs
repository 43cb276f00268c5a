//! Integration tests of the jobs service over real HTTP, with a worker running in the
//! test process against the same database (SQLite, or PostgreSQL when configured).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod api;
mod common;
mod delivery;
