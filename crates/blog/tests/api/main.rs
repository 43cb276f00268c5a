//! The blog over real HTTP, on SQLite or (with GROUNDWORK_TEST_POSTGRES_URL) PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod conduit_articles;
mod conduit_comments;
mod conduit_users;
mod counts;
mod posts;
mod queries;
mod seed;
mod support;
