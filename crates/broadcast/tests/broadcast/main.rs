//! The broadcast server over real sockets: standalone, mounted in the app (across
//! instances with Redis and NATS), and the `broadcast-server` binary's client.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod cli;
mod common;
mod mounted;
mod standalone;
