//! [`Weather`]: cache first; on a miss one provider call per key, shared by concurrent
//! requests in this process ([`Flights`]) and, with Redis, across instances (a short lock
//! per key: the holder asks the provider, the others poll the cache, and take over if the
//! holder fails or dies); a stale report stands in if the provider fails.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use groundwork_platform::ratelimit::{Quota, RateLimiter};
use groundwork_platform::system::BoxError;
use groundwork_platform::{ApiError, Platform};
use sha2::{Digest, Sha256};

use crate::cache::{Entry, Lock, Store};
use crate::flight::Flights;
use crate::providers::{self, Provider, ProviderError};
use crate::query::WeatherQuery;
use crate::settings::WeatherSettings;
use crate::stats::{Stats, StatsSnapshot};

/// How often an instance waiting for another's refresh looks at the cache.
const POLL: Duration = Duration::from_millis(50);

/// A report as served.
#[derive(Clone)]
pub struct Served {
    /// The report and its times.
    pub entry: Arc<Entry>,
    /// From the cache (not fetched for this request or its concurrent twins).
    pub cached: bool,
    /// Expired, served because the provider failed.
    pub stale: bool,
}

/// Shared state; see the module docs.
pub struct Weather {
    settings: WeatherSettings,
    provider: Arc<dyn Provider>,
    store: Store,
    flights: Flights<Result<Arc<Entry>, ProviderError>>,
    stats: Arc<Stats>,
    limiter: Arc<dyn RateLimiter>,
    limits_enabled: bool,
    /// SHA-256 of each configured client key.
    client_keys: Vec<[u8; 32]>,
}

impl Weather {
    /// Reads the settings and connects the parts.
    pub fn new(platform: &Platform) -> Result<Self, BoxError> {
        let settings: WeatherSettings = platform.config().section("weather")?;
        settings.check()?;
        let stats = Arc::new(Stats::registered());
        Ok(Self {
            provider: providers::from_settings(&settings, stats.clone())?,
            store: Store::new(
                platform.redis().cloned(),
                &platform.settings().redis.key_prefix,
                settings.cache_memory_mb.saturating_mul(1024 * 1024),
            ),
            flights: Flights::default(),
            stats,
            limiter: platform.rate_limiter().clone(),
            limits_enabled: platform.settings().rate_limit.enabled,
            client_keys: settings.api_keys.iter().map(|k| digest(k)).collect(),
            settings,
        })
    }

    /// The report for `query`; see the module docs.
    pub async fn report(&self, query: &WeatherQuery) -> Result<Served, ApiError> {
        let key = query.cache_key();
        let known = self.store.get(&key).await;
        if let Some(entry) = known.as_ref().filter(|e| e.is_fresh(Utc::now())) {
            self.stats.hit();
            return Ok(Served {
                entry: entry.clone(),
                cached: true,
                stale: false,
            });
        }
        self.stats.miss();
        let outcome = self.flights.run(&key, || self.refresh(query, &key)).await;
        match outcome {
            Ok(entry) => Ok(Served {
                entry,
                cached: false,
                stale: false,
            }),
            Err(error) => match known {
                Some(entry) if error.allows_stale() => {
                    tracing::warn!(%error, key, "weather provider failed; serving a stale report");
                    self.stats.stale();
                    Ok(Served {
                        entry,
                        cached: true,
                        stale: true,
                    })
                }
                _ => Err(error.into()),
            },
        }
    }

    /// One refresh of `key`, coordinated with other instances through the lock.
    async fn refresh(&self, query: &WeatherQuery, key: &str) -> Result<Arc<Entry>, ProviderError> {
        let lock_ttl = Duration::from_millis(self.settings.lock_ttl_ms);
        let deadline = Instant::now() + lock_ttl;
        let mut lock = self.store.lock(key, lock_ttl).await;
        while matches!(lock, Lock::Busy) {
            if let Some(entry) = self.store.get(key).await.filter(|e| e.is_fresh(Utc::now())) {
                return Ok(entry);
            }
            if Instant::now() >= deadline {
                // The holder is stuck or gone: ask the provider ourselves.
                lock = Lock::None;
                break;
            }
            tokio::time::sleep(POLL).await;
            lock = self.store.lock(key, lock_ttl).await;
        }
        // The holder we waited for may have stored the report just before releasing the
        // lock we then took: look once more before asking the provider.
        let fresh = self.store.get(key).await.filter(|e| e.is_fresh(Utc::now()));
        let outcome = match fresh {
            Some(entry) => Ok(entry),
            None => self.fetch(query, key).await,
        };
        if let Lock::Held(token) = lock {
            self.store.unlock(key, &token).await;
        }
        outcome
    }

    async fn fetch(&self, query: &WeatherQuery, key: &str) -> Result<Arc<Entry>, ProviderError> {
        let report = self.provider.fetch(query).await?;
        let body = serde_json::to_vec(&report)
            .map_err(|e| ProviderError::BadResponse(format!("unserialisable report: {e}")))?;
        let entry = Arc::new(Entry::new(
            &body,
            Duration::from_secs(self.settings.cache_ttl_secs),
            Duration::from_secs(self.settings.stale_grace_secs),
        ));
        self.store.put(key, entry.clone()).await;
        Ok(entry)
    }

    /// Checks the client's key (when keys are configured) and counts the request against
    /// its per-minute quota: by key, else by address (failing open like every platform
    /// limit).
    pub async fn admit(&self, api_key: Option<&str>, ip: IpAddr) -> Result<(), ApiError> {
        let client_key = if self.client_keys.is_empty() {
            None
        } else {
            let Some(sent) = api_key.map(digest) else {
                return Err(ApiError::unauthorized(
                    "api_key_required",
                    "send your API key in the X-Api-Key header",
                ));
            };
            if !self.client_keys.contains(&sent) {
                return Err(ApiError::unauthorized(
                    "api_key_invalid",
                    "the X-Api-Key header holds no valid key",
                ));
            }
            Some(sent)
        };
        if !self.limits_enabled {
            return Ok(());
        }
        // The limiter's key is only built when a limit is counted.
        let key = match client_key {
            Some(sent) => format!("weather:key:{}", hex8(&sent)),
            None => format!(
                "weather:ip:{}",
                groundwork_platform::http::client_ip::limit_prefix(ip)
            ),
        };
        let quota = Quota::per_window(self.settings.requests_per_minute, Duration::from_secs(60));
        groundwork_platform::ratelimit::enforce(self.limiter.as_ref(), &key, quota).await
    }

    /// This instance's counters.
    pub fn stats(&self) -> StatsSnapshot {
        self.stats.snapshot(self.store.kind(), self.provider.name())
    }
}

/// Keys are compared by digest: equal-length values, and no key kept in memory as text.
fn digest(key: &str) -> [u8; 32] {
    Sha256::digest(key.as_bytes()).into()
}

fn hex8(digest: &[u8; 32]) -> String {
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}
