//! The `[shortener]` configuration section (`GROUNDWORK__SHORTENER__*`).

use serde::Deserialize;

/// Shortener settings; every field has a default, documented in docs/systems/shortener.md.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ShortenerSettings {
    /// Length of generated codes (base62). 7 gives 62^7 ≈ 3.5 × 10^12 codes.
    pub code_length: usize,
    /// The public base of short links (`https://sho.rt`), used in `shortUrl` and to refuse
    /// links to ourselves. Unset: the request's `Host` and the mount path.
    pub public_url: Option<String>,
    /// Hosts (and their subdomains) that may not be shortened.
    pub blocked_hosts: Vec<String>,
    /// Whether anyone may change or delete a link made without an account, as the roadmap
    /// spec has it (it has no accounts). `false`: such links are immutable except by admins.
    pub anonymous_links_editable: bool,
    /// Links one client address may create per minute without an account.
    pub anonymous_creates_per_minute: u32,
    /// Links one account may create per minute.
    pub user_creates_per_minute: u32,
    /// Links kept in each instance's in-process cache.
    pub cache_capacity: usize,
    /// How long a cached link may be served without re-reading it (seconds). Invalidation
    /// on change is immediate on every instance (through the pub/sub); this bounds staleness
    /// only if an invalidation is lost.
    pub cache_ttl_secs: u64,
    /// How long an unknown code is remembered as unknown (seconds), so floods of random
    /// codes do not all reach the database.
    pub negative_cache_ttl_secs: u64,
    /// How often counted clicks are written to the database (milliseconds).
    pub flush_interval_ms: u64,
    /// Clicks counted in memory that trigger a flush before the interval is up; also the
    /// distinct visits that trigger an early write of the analytics details.
    pub flush_max_events: u64,
    /// Days of analytics `GET /shorten/{code}/analytics` returns at most in one request.
    pub max_analytics_days: i64,
}

impl Default for ShortenerSettings {
    fn default() -> Self {
        Self {
            code_length: 7,
            public_url: None,
            blocked_hosts: Vec::new(),
            anonymous_links_editable: true,
            anonymous_creates_per_minute: 10,
            user_creates_per_minute: 60,
            cache_capacity: 1_000_000,
            cache_ttl_secs: 300,
            negative_cache_ttl_secs: 5,
            flush_interval_ms: 1000,
            flush_max_events: 50_000,
            max_analytics_days: 366,
        }
    }
}

impl ShortenerSettings {
    /// Checks ranges that would break the service.
    pub fn check(&self) -> Result<(), String> {
        if !(4..=32).contains(&self.code_length) {
            return Err("shortener.code_length must be between 4 and 32".into());
        }
        if self.flush_interval_ms == 0 || self.flush_max_events == 0 {
            return Err("shortener.flush_interval_ms and flush_max_events must be positive".into());
        }
        if self.anonymous_creates_per_minute == 0 || self.user_creates_per_minute == 0 {
            return Err("shortener creation limits must be positive (set rate_limit.enabled = false to turn limits off)".into());
        }
        if let Some(url) = &self.public_url {
            let parsed = url::Url::parse(url)
                .map_err(|e| format!("shortener.public_url {url:?} is not a URL: {e}"))?;
            if parsed.host_str().is_none() {
                return Err(format!("shortener.public_url {url:?} has no host"));
            }
        }
        Ok(())
    }
}
