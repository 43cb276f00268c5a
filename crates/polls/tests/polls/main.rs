//! The polls API over real HTTP and WebSocket, on SQLite or PostgreSQL (and, for the
//! cross-instance test, Redis and NATS) when their URLs are set.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;
mod live;
mod rest;
