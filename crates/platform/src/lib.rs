//! The shared kernel of Groundwork. Every system crate builds on it; it depends on none
//! of them.
//!
//! - [`config`]: typed settings from defaults, `groundwork.toml` and the environment;
//! - [`telemetry`]: logging, and the per-request span;
//! - [`error`]: [`ApiError`], rendered as RFC 9457 problem+json;
//! - [`db`]: the SeaORM pool (SQLite by default, PostgreSQL by URL) and per-system migrations;
//! - [`auth`]: users, passwords, JWT access tokens, rotating refresh tokens, roles, `/auth`;
//! - [`http`]: the middleware stack and the problem-aware extractors;
//! - [`ratelimit`]: GCRA limiters, in-process and on Redis;
//! - [`pubsub`]: fan-out between instances, in-process, on Redis or on NATS;
//! - [`jobs`]: background jobs: a durable queue in the database, workers, cron schedules;
//! - [`storage`]: blobs in a local directory or an S3-compatible bucket;
//! - [`ws`]: WebSocket sessions (heartbeats, bounded queues, limits, close on shutdown);
//! - [`system`]: the contract each system crate implements, and [`app`] which mounts them;
//! - [`server`]: serving with graceful shutdown;
//! - `testing` (feature): `TestApp`, the harness every integration test uses.

pub mod app;
pub mod auth;
pub mod builtin;
pub mod config;
pub mod db;
pub mod error;
pub mod hex;
pub mod http;
pub mod jobs;
pub mod openapi;
pub mod pagination;
mod platform;
pub mod pubsub;
pub mod ratelimit;
pub mod server;
pub mod storage;
pub mod system;
pub mod telemetry;
#[cfg(feature = "testing")]
pub mod testing;
pub mod ws;

pub use error::{ApiError, ApiResult, FieldError, FieldErrors};
pub use platform::{Platform, PlatformError};
pub use system::{BackgroundTask, Mount, System};
