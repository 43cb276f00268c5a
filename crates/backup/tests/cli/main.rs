//! `dbbackup` run as a user runs it, on real SQLite files (and PostgreSQL and MariaDB where their URLs are set).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod archive;
mod connection;
mod differential;
mod incremental;
mod mysql;
mod mysql_incremental;
mod mysql_support;
mod postgres;
mod postgres_support;
mod s3;
mod scenarios;
mod schedule;
mod sqlite;
mod support;
