//! Counters of this instance, served at `GET /weather/_stats` and, summed over instances
//! by whoever scrapes them, in `/metrics`.

use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;
use utoipa::ToSchema;

/// See the module docs.
#[derive(Default)]
pub struct Stats {
    hits: AtomicU64,
    misses: AtomicU64,
    stale_served: AtomicU64,
    upstream_calls: AtomicU64,
    upstream_errors: AtomicU64,
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

macro_rules! counter {
    ($method:ident, $field:ident, $metric:literal) => {
        #[doc = concat!("Counts one more (`", $metric, "` in `/metrics`).")]
        pub fn $method(&self) {
            self.$field.fetch_add(1, Ordering::Relaxed);
            metrics::counter!($metric).increment(1);
        }
    };
}

impl Stats {
    counter!(hit, hits, "weather_cache_hits_total");
    counter!(miss, misses, "weather_cache_misses_total");
    counter!(stale, stale_served, "weather_stale_served_total");
    counter!(
        upstream_call,
        upstream_calls,
        "weather_upstream_calls_total"
    );
    counter!(
        upstream_error,
        upstream_errors,
        "weather_upstream_errors_total"
    );

    /// The counters now.
    pub fn snapshot(&self, cache: &'static str, provider: &'static str) -> StatsSnapshot {
        let read = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        StatsSnapshot {
            hits: read(&self.hits),
            misses: read(&self.misses),
            stale_served: read(&self.stale_served),
            upstream_calls: read(&self.upstream_calls),
            upstream_errors: read(&self.upstream_errors),
            cache,
            provider,
        }
    }
}
