//! The `[weather]` configuration section (`GROUNDWORK__WEATHER__*`).

use serde::Deserialize;

/// Which provider answers.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum ProviderName {
    /// Open-Meteo: geocoding and forecast, no key needed (the zero-configuration default).
    #[default]
    OpenMeteo,
    /// Visual Crossing's Timeline API (needs `visual_crossing_key`).
    VisualCrossing,
}

/// Weather settings; every field has a default, documented in docs/systems/weather.md.
#[derive(Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WeatherSettings {
    /// `open-meteo` or `visual-crossing`.
    pub provider: ProviderName,
    /// The Visual Crossing API key. Never logged, never in a response.
    pub visual_crossing_key: Option<String>,
    /// Open-Meteo's forecast endpoint.
    pub open_meteo_forecast_url: String,
    /// Open-Meteo's geocoding endpoint.
    pub open_meteo_geocoding_url: String,
    /// Visual Crossing's Timeline endpoint (the location and dates are appended).
    pub visual_crossing_url: String,
    /// How long a report is served from the cache (seconds); 12 hours by default.
    pub cache_ttl_secs: u64,
    /// How long past its expiry a report may still be served when the provider fails
    /// (seconds), flagged `stale: true`.
    pub stale_grace_secs: u64,
    /// Memory for reports in each instance (MiB): the whole cache without Redis, a near
    /// cache of fresh reports in front of it with Redis. About 15 KB a report (7 days).
    pub cache_memory_mb: u64,
    /// Time allowed for one provider request (milliseconds).
    pub upstream_timeout_ms: u64,
    /// Retries after a provider timeout or 5xx (never after a 4xx).
    pub upstream_retries: u32,
    /// First retry delay (milliseconds), doubled each retry, with jitter.
    pub retry_backoff_ms: u64,
    /// How long one instance holds the Redis lock of a key while it asks the provider
    /// (milliseconds); other instances wait that long for its result at most.
    pub lock_ttl_ms: u64,
    /// Requests per minute one client may make (by API key, else by address).
    pub requests_per_minute: u32,
    /// API keys clients must send in `X-Api-Key`; none configured: no key needed, and
    /// clients are told apart by address.
    pub api_keys: Vec<String>,
}

impl Default for WeatherSettings {
    fn default() -> Self {
        Self {
            provider: ProviderName::OpenMeteo,
            visual_crossing_key: None,
            open_meteo_forecast_url: "https://api.open-meteo.com/v1/forecast".into(),
            open_meteo_geocoding_url: "https://geocoding-api.open-meteo.com/v1/search".into(),
            visual_crossing_url:
                "https://weather.visualcrossing.com/VisualCrossingWebServices/rest/services/timeline"
                    .into(),
            cache_ttl_secs: 12 * 3600,
            stale_grace_secs: 24 * 3600,
            cache_memory_mb: 64,
            upstream_timeout_ms: 5_000,
            upstream_retries: 2,
            retry_backoff_ms: 200,
            lock_ttl_ms: 10_000,
            requests_per_minute: 60,
            api_keys: Vec::new(),
        }
    }
}

/// The key stays out of `{:?}` (and so out of logs).
impl std::fmt::Debug for WeatherSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WeatherSettings")
            .field("provider", &self.provider)
            .field(
                "visual_crossing_key",
                &self.visual_crossing_key.as_ref().map(|_| "<redacted>"),
            )
            .field("cache_ttl_secs", &self.cache_ttl_secs)
            .field("api_keys", &self.api_keys.len())
            .finish_non_exhaustive()
    }
}

impl WeatherSettings {
    /// Checks what would break the service, so a bad setting stops start-up.
    pub fn check(&self) -> Result<(), String> {
        if self.provider == ProviderName::VisualCrossing
            && self
                .visual_crossing_key
                .as_deref()
                .is_none_or(str::is_empty)
        {
            return Err(
                "weather.provider = visual-crossing needs weather.visual_crossing_key (GROUNDWORK__WEATHER__VISUAL_CROSSING_KEY)"
                    .into(),
            );
        }
        for (name, value) in [
            ("open_meteo_forecast_url", &self.open_meteo_forecast_url),
            ("open_meteo_geocoding_url", &self.open_meteo_geocoding_url),
            ("visual_crossing_url", &self.visual_crossing_url),
        ] {
            let url = url::Url::parse(value)
                .map_err(|e| format!("weather.{name} {value:?} is not a URL: {e}"))?;
            if !matches!(url.scheme(), "http" | "https") {
                return Err(format!("weather.{name} must be an http(s) URL"));
            }
        }
        if self.cache_ttl_secs == 0 || self.upstream_timeout_ms == 0 || self.lock_ttl_ms == 0 {
            return Err(
                "weather.cache_ttl_secs, upstream_timeout_ms and lock_ttl_ms must be positive"
                    .into(),
            );
        }
        if self.requests_per_minute == 0 {
            return Err("weather.requests_per_minute must be positive (set rate_limit.enabled = false to turn limits off)".into());
        }
        if self.cache_memory_mb == 0 {
            return Err("weather.cache_memory_mb must be positive".into());
        }
        Ok(())
    }
}
