//! The per-request span and the access log.
//!
//! The span carries the request id, method and matched route, so everything logged while
//! handling a request (including the one log line of a 5xx's cause) can be traced back to
//! it. When the response is ready, one event on the `access` target records status and
//! latency inside that span. It is off by default (see [`crate::telemetry`]); turn it on
//! with `RUST_LOG=info,access=info`.

use std::time::Duration;

use axum::http::{HeaderValue, Method, StatusCode};
use tracing::Span;

/// Creates the span for a request. The fields are plain strings, which the text format's
/// [`crate::telemetry::PlainFields`] writes without any formatting machinery.
pub fn request_span(method: &Method, route: &str, request_id: &HeaderValue) -> Span {
    let request_id = request_id.to_str().unwrap_or("");
    tracing::info_span!("request", request_id, method = method.as_str(), route)
}

/// The access-log event; call it inside the request span.
pub fn access(status: StatusCode, latency: Duration) {
    let latency_ms = (latency.as_micros() as f64) / 1000.0;
    tracing::info!(target: "access", status = status.as_u16(), latency_ms, "request completed");
}
