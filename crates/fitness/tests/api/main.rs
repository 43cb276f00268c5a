//! The fitness tracker over real HTTP, on SQLite or (with GROUNDWORK_TEST_POSTGRES_URL)
//! PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod exercises;
mod reports;
mod schedules;
mod support;
mod workouts;
