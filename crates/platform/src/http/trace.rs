//! The per-request span and the access log.
//!
//! The span carries the request id, method and matched route from the start, so
//! everything logged while handling a request (including the one log line of a 5xx's
//! cause) can be traced back to it; status and latency are recorded on it when the
//! response is ready, for the access log: one event on the `access` target inside that
//! span. It is off by default (see [`crate::telemetry`]); `RUST_LOG=info` turns it on.

use std::time::Duration;

use axum::http::{HeaderValue, Method, StatusCode};
use tracing::Span;
use tracing::field::Empty;

/// Creates the span for a request. The fields are plain strings, which the text format's
/// [`crate::telemetry::PlainFields`] writes without any formatting machinery.
pub fn request_span(method: &Method, route: &str, request_id: &HeaderValue) -> Span {
    let request_id = request_id.to_str().unwrap_or("");
    tracing::info_span!(
        "request",
        request_id,
        method = method.as_str(),
        route,
        status = Empty,
        latency_ms = Empty
    )
}

/// Records the outcome on the current (request) span and emits the access-log event.
///
/// Only when the access log is on: it is the one line that shows a request's final
/// fields, and recording onto a span makes the formatter format again, which costs a
/// fifth of the whole pipeline for a result nobody would see.
pub fn finish(status: StatusCode, latency: Duration) {
    if !tracing::enabled!(target: "access", tracing::Level::INFO) {
        return;
    }
    let latency_ms = (latency.as_micros() as f64) / 1000.0;
    let span = Span::current();
    tracing::record_all!(span, status = status.as_u16(), latency_ms = latency_ms);
    tracing::info!(target: "access", "request completed");
}
