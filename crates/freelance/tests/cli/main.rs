//! The `freelance` binary, run as a user runs it: a fresh data directory per test, a pinned
//! clock (`FREELANCE_NOW`) and zone (`TZ`), and snapshots of stdout, stderr and exit codes.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod bad_input;
mod entries;
mod interactive;
mod reports;
mod support;
mod tracking;
mod transfer;
