//! Counters of this instance, served at `GET /weather/_stats` and, summed over instances
//! by whoever scrapes them, in `/metrics`.

use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;
use utoipa::ToSchema;

/// See the module docs.
pub struct Stats {
    hits: Count,
    misses: Count,
    stale_served: Count,
    upstream_calls: Count,
    upstream_errors: Count,
}

/// One counter: this instance's own total, and its `/metrics` handle, looked up once
/// rather than on every request.
struct Count {
    total: AtomicU64,
    metric: metrics::Counter,
}

impl Count {
    fn new(metric: &'static str) -> Self {
        Self {
            total: AtomicU64::new(0),
            metric: metrics::counter!(metric),
        }
    }

    fn add_one(&self) {
        self.total.fetch_add(1, Ordering::Relaxed);
        self.metric.increment(1);
    }

    fn read(&self) -> u64 {
        self.total.load(Ordering::Relaxed)
    }
}

/// The counters as `GET /weather/_stats` returns them.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StatsSnapshot {
    /// Requests answered from the cache.
    pub hits: u64,
    /// Requests that found no fresh report (each waited for one provider call, shared).
    pub misses: u64,
    /// Requests answered with an expired report because the provider failed.
    pub stale_served: u64,
    /// HTTP requests sent to the provider (retries included; Open-Meteo needs two for a
    /// place name: geocoding and forecast).
    pub upstream_calls: u64,
    /// Provider requests that failed after their retries.
    pub upstream_errors: u64,
    /// `memory` or `redis`.
    pub cache: &'static str,
    /// `open-meteo` or `visual-crossing`.
    pub provider: &'static str,
}

impl Stats {
    /// All zero, registered in `/metrics` (so the platform's recorder must be installed
    /// first, as `Platform::new` does).
    pub fn registered() -> Self {
        Self {
            hits: Count::new("weather_cache_hits_total"),
            misses: Count::new("weather_cache_misses_total"),
            stale_served: Count::new("weather_stale_served_total"),
            upstream_calls: Count::new("weather_upstream_calls_total"),
            upstream_errors: Count::new("weather_upstream_errors_total"),
        }
    }

    /// Counts a request answered from the cache.
    pub fn hit(&self) {
        self.hits.add_one();
    }

    /// Counts a request that found no fresh report.
    pub fn miss(&self) {
        self.misses.add_one();
    }

    /// Counts a request answered with an expired report.
    pub fn stale(&self) {
        self.stale_served.add_one();
    }

    /// Counts a request sent to the provider.
    pub fn upstream_call(&self) {
        self.upstream_calls.add_one();
    }

    /// Counts a provider request that failed after its retries.
    pub fn upstream_error(&self) {
        self.upstream_errors.add_one();
    }

    /// The counters now.
    pub fn snapshot(&self, cache: &'static str, provider: &'static str) -> StatsSnapshot {
        StatsSnapshot {
            hits: self.hits.read(),
            misses: self.misses.read(),
            stale_served: self.stale_served.read(),
            upstream_calls: self.upstream_calls.read(),
            upstream_errors: self.upstream_errors.read(),
            cache,
            provider,
        }
    }
}
