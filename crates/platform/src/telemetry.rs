//! Logging setup: `RUST_LOG` picks what is logged, `LOG_FORMAT=json` switches to one JSON
//! object per line for log shippers. Logs go to stderr; stdout stays free for data.
//!
//! The per-request span (method, matched route, request id, status, latency) is created by
//! the HTTP stack in [`crate::http`]; this module only installs the subscriber.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::FmtSpan;
use tracing_subscriber::prelude::*;

/// What to log when `RUST_LOG` is unset: our own events at info, noisy dependencies at warn.
pub const DEFAULT_FILTER: &str = "info,sqlx=warn,sea_orm=warn,sea_orm_migration=warn,hyper=warn";

/// Log line format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines (coloured on a terminal unless `NO_COLOR` is set).
    Text,
    /// One JSON object per line, with the current span's fields.
    Json,
}

impl LogFormat {
    /// Reads `LOG_FORMAT` (`json` or `text`; anything else means text).
    pub fn from_env() -> Self {
        match std::env::var("LOG_FORMAT") {
            Ok(value) if value.eq_ignore_ascii_case("json") => Self::Json,
            _ => Self::Text,
        }
    }
}

/// Installs the global subscriber. Safe to call more than once (later calls do nothing),
/// so tests and tools can call it freely.
pub fn init(format: LogFormat) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let registry = tracing_subscriber::registry().with(filter);
    let result = match format {
        LogFormat::Json => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .json()
                    .with_current_span(true)
                    .with_span_list(false)
                    .with_writer(std::io::stderr),
            )
            .try_init(),
        LogFormat::Text => {
            let ansi = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            registry
                .with(
                    tracing_subscriber::fmt::layer()
                        .with_ansi(ansi)
                        .with_span_events(FmtSpan::NONE)
                        .with_writer(std::io::stderr),
                )
                .try_init()
        }
    };
    // An error only means a subscriber is already installed (a second call in tests).
    let _ = result;
}
