//! Request metrics (Prometheus): count by method, route and status; latency histogram by
//! method and route; requests in flight. Routes are the matched templates
//! (`/auth/users/{id}/role`), never raw paths, so the number of series stays bounded;
//! unmatched paths share one label and unusual methods share `OTHER`.
//!
//! The `metrics` macros build a key (allocating its labels) and look it up in the global
//! registry on every call; the handles are cached here per route instead, which keeps
//! the cost per request to one read-locked map lookup.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::Duration;

use axum::http::Method;
use metrics::{Counter, Gauge, Histogram};

/// Counter of finished requests.
pub const REQUESTS_TOTAL: &str = "http_requests_total";
/// Histogram of request latency in seconds.
pub const REQUEST_DURATION: &str = "http_request_duration_seconds";
/// Gauge of requests being handled.
pub const REQUESTS_IN_FLIGHT: &str = "http_requests_in_flight";

#[derive(Default)]
struct RouteHandles {
    durations: Vec<(&'static str, Histogram)>,
    counts: Vec<(&'static str, u16, Counter)>,
}

/// Cached metric handles for one app.
pub struct RequestMetrics {
    routes: RwLock<HashMap<Box<str>, RouteHandles>>,
    in_flight: Gauge,
}

impl Default for RequestMetrics {
    fn default() -> Self {
        Self {
            routes: RwLock::default(),
            in_flight: metrics::gauge!(REQUESTS_IN_FLIGHT),
        }
    }
}

/// Decrements the in-flight gauge when the request ends, even if it is cancelled.
pub struct InFlight<'a>(&'a Gauge);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.decrement(1.0);
    }
}

fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

impl RequestMetrics {
    /// Counts a request as started; drop the guard when it ends.
    pub fn start(&self) -> InFlight<'_> {
        self.in_flight.increment(1.0);
        InFlight(&self.in_flight)
    }

    /// Records a finished request.
    pub fn record(&self, method: &Method, route: &str, status: u16, elapsed: Duration) {
        let method = method_label(method);
        let seconds = elapsed.as_secs_f64();
        {
            let routes = self.routes.read().unwrap_or_else(|e| e.into_inner());
            if let Some((histogram, counter)) = lookup(&routes, route, method, status) {
                histogram.record(seconds);
                counter.increment(1);
                return;
            }
        }
        // First request with this route, method and status: register the series.
        let mut routes = self.routes.write().unwrap_or_else(|e| e.into_inner());
        let handles = routes.entry(route.into()).or_default();
        if !handles.durations.iter().any(|(m, _)| *m == method) {
            let histogram = metrics::histogram!(REQUEST_DURATION, "method" => method, "route" => route.to_owned());
            handles.durations.push((method, histogram));
        }
        if !handles
            .counts
            .iter()
            .any(|(m, s, _)| *m == method && *s == status)
        {
            let labels = [
                ("method", method.to_owned()),
                ("route", route.to_owned()),
                ("status", status.to_string()),
            ];
            handles
                .counts
                .push((method, status, metrics::counter!(REQUESTS_TOTAL, &labels)));
        }
        if let Some((histogram, counter)) = lookup(&routes, route, method, status) {
            histogram.record(seconds);
            counter.increment(1);
        }
    }
}

fn lookup<'a>(
    routes: &'a HashMap<Box<str>, RouteHandles>,
    route: &str,
    method: &str,
    status: u16,
) -> Option<(&'a Histogram, &'a Counter)> {
    let handles = routes.get(route)?;
    let (_, histogram) = handles.durations.iter().find(|(m, _)| *m == method)?;
    let (_, _, counter) = handles
        .counts
        .iter()
        .find(|(m, s, _)| *m == method && *s == status)?;
    Some((histogram, counter))
}
