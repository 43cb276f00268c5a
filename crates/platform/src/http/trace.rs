//! The per-request span: method, matched route, request id, then status and latency when
//! the response is ready. Everything logged while handling a request (including the one
//! log line of a 5xx's cause) carries these fields. The completion event goes to the
//! `access` target at INFO, so `RUST_LOG=info,access=off` silences the access log alone.

use std::time::Duration;

use axum::extract::MatchedPath;
use axum::http::{Request, Response};
use tracing::Span;

/// Creates the span for a request.
pub fn make_span<B>(request: &Request<B>) -> Span {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str);
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    tracing::info_span!(
        "request",
        method = %request.method(),
        route,
        request_id,
        status = tracing::field::Empty,
        latency_ms = tracing::field::Empty,
    )
}

/// Records the outcome on the span and emits the access-log event.
pub fn on_response<B>(response: &Response<B>, latency: Duration, span: &Span) {
    // Microsecond precision is plenty, and keeps log lines short.
    let latency_ms = (latency.as_micros() as f64) / 1000.0;
    span.record("status", response.status().as_u16());
    span.record("latency_ms", latency_ms);
    tracing::info!(target: "access", "request completed");
}
