//! Tests of the `groundwork` binary as a user runs it: a real process, a fresh working
//! directory, zero configuration.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod books_crash;
mod commands;
mod harness;
mod jobs;
mod polls;
mod serve;
mod shortener;
