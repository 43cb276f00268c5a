//! Request metrics (Prometheus): count by method, route and status; latency histogram by
//! method and route; requests in flight. Routes are the matched templates (`/auth/users/{id}/role`),
//! never raw paths, so the number of series stays bounded; unmatched paths share one label.

use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;

/// Counter of finished requests.
pub const REQUESTS_TOTAL: &str = "http_requests_total";
/// Histogram of request latency in seconds.
pub const REQUEST_DURATION: &str = "http_request_duration_seconds";
/// Gauge of requests being handled.
pub const REQUESTS_IN_FLIGHT: &str = "http_requests_in_flight";

/// Middleware that records the metrics above.
pub async fn track(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned());
    let in_flight = metrics::gauge!(REQUESTS_IN_FLIGHT);
    in_flight.increment(1.0);
    let response = next.run(request).await;
    in_flight.decrement(1.0);
    let status = response.status().as_u16().to_string();
    metrics::histogram!(REQUEST_DURATION, "method" => method.clone(), "route" => route.clone())
        .record(started.elapsed().as_secs_f64());
    metrics::counter!(REQUESTS_TOTAL, "method" => method, "route" => route, "status" => status)
        .increment(1);
    response
}
