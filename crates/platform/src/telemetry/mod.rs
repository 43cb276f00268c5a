//! Logging setup: `RUST_LOG` picks what is logged, `LOG_FORMAT=json` switches to one JSON
//! object per line for log shippers. Logs go to stderr; stdout stays free for data.
//!
//! Lines are handed to a background thread that writes them in batches, so a slow or
//! blocked stderr (a full pipe, a stalled log collector) never stalls request handling;
//! if the backlog ever exceeds 128k lines, new lines are dropped rather than blocking.
//! Keep the returned [`LogGuard`] alive until exit: dropping it flushes the backlog.
//!
//! The per-request span (request id, method, matched route) is created by the HTTP
//! pipeline in [`crate::http`]. Its access-log event (status, latency) is off by default:
//! at tens of thousands of requests per second a line per request is a cost and a flood;
//! metrics count every request anyway. Turn it on with `RUST_LOG=info,access=info`.

mod fields;

use std::io::{BufWriter, IsTerminal};

use tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::prelude::*;
use tracing_subscriber::{EnvFilter, Layer, Registry};

pub use fields::PlainFields;

/// What to log when `RUST_LOG` is unset: our own events at info, the per-request access
/// log off, noisy dependencies at warn.
pub const DEFAULT_FILTER: &str =
    "info,access=off,sqlx=warn,sea_orm=warn,sea_orm_migration=warn,hyper=warn";

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

/// Flushes buffered log lines when dropped.
#[must_use = "logs written after this is dropped may be lost"]
pub struct LogGuard {
    _worker: Option<WorkerGuard>,
}

type BoxedFilter = Box<dyn Layer<Registry> + Send + Sync>;

/// The filter from `RUST_LOG` (or the default). Plain `target=level` lists, by far the
/// common case, use the static `Targets` filter; `EnvFilter`, needed only for span-based
/// directives (`[request{route=/x}]=debug`), takes a lock on every span enter and exit,
/// which on a per-request span is a measurable cost.
fn filter() -> BoxedFilter {
    let directives = std::env::var("RUST_LOG").unwrap_or_else(|_| DEFAULT_FILTER.to_owned());
    match directives.parse::<Targets>() {
        Ok(targets) => Box::new(targets),
        Err(_) => Box::new(
            EnvFilter::try_new(&directives).unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER)),
        ),
    }
}

/// Installs the global subscriber. Later calls do nothing (and return an empty guard),
/// so tests and tools can call it freely.
pub fn init(format: LogFormat) -> LogGuard {
    let (writer, guard) = NonBlockingBuilder::default()
        .thread_name("log-writer")
        .finish(BufWriter::new(std::io::stderr()));
    let registry = tracing_subscriber::registry().with(filter());
    let installed = match format {
        LogFormat::Json => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .json()
                    .with_current_span(true)
                    .with_span_list(false)
                    .with_writer(writer),
            )
            .try_init(),
        LogFormat::Text => {
            let ansi = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            registry
                .with(
                    tracing_subscriber::fmt::layer()
                        .fmt_fields(PlainFields)
                        .with_ansi(ansi)
                        .with_writer(writer),
                )
                .try_init()
        }
    };
    if installed.is_ok() {
        // Panics go through the log like everything else (in JSON when that is the
        // format), once, with their location and the current request's span.
        std::panic::set_hook(Box::new(|info| tracing::error!(target: "panic", "{info}")));
    }
    LogGuard {
        _worker: installed.is_ok().then_some(guard),
    }
}

/// For tests: human-readable logs through libtest's capture, so a passing test stays
/// quiet and a failing one shows what the server logged.
pub fn init_for_tests() {
    let _ = tracing_subscriber::registry()
        .with(filter())
        .with(
            tracing_subscriber::fmt::layer()
                .fmt_fields(PlainFields)
                .with_ansi(false)
                .with_test_writer(),
        )
        .try_init();
}
