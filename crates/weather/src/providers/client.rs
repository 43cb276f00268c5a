//! The HTTP client of the providers: a timeout per attempt, retries with exponential
//! backoff and jitter on timeouts, refused connections and 5xx only (a 4xx will not get
//! better), a cap on the size of an answer, and the calls counted.

use std::sync::Arc;
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use url::Url;

use super::ProviderError;
use crate::settings::WeatherSettings;
use crate::stats::Stats;

/// Largest answer read from a provider: a 15-day hourly forecast is a few hundred KB.
const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// A provider's answer: status, headers and body.
pub struct Answer {
    /// HTTP status.
    pub status: StatusCode,
    /// Response headers.
    pub headers: HeaderMap,
    /// The body, whole.
    pub body: Vec<u8>,
}

impl Answer {
    /// The body as text, for error messages (cut short).
    pub fn text(&self) -> String {
        let text = String::from_utf8_lossy(&self.body);
        text.chars().take(300).collect()
    }

    /// `Retry-After` in seconds, if the provider sent one as a number.
    pub fn retry_after(&self) -> Option<u64> {
        self.headers
            .get(axum::http::header::RETRY_AFTER)?
            .to_str()
            .ok()?
            .trim()
            .parse()
            .ok()
    }
}

/// See the module docs.
#[derive(Clone)]
pub struct Upstream {
    http: reqwest::Client,
    retries: u32,
    backoff: Duration,
    stats: Arc<Stats>,
}

impl Upstream {
    /// A client with the settings' timeout and retries.
    pub fn new(settings: &WeatherSettings, stats: Arc<Stats>) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_millis(settings.upstream_timeout_ms))
            .connect_timeout(Duration::from_millis(
                settings.upstream_timeout_ms.min(3_000),
            ))
            .user_agent(concat!("groundwork-weather/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("weather HTTP client: {e}"))?;
        Ok(Self {
            http,
            retries: settings.upstream_retries,
            backoff: Duration::from_millis(settings.retry_backoff_ms),
            stats,
        })
    }

    /// GET `url`, retried as the module docs say. Errors only for failures that retries
    /// did not cure; any other status is the caller's to interpret. `url` is never logged
    /// (it may carry a key): `what` names the request instead.
    pub async fn get(&self, url: Url, what: &'static str) -> Result<Answer, ProviderError> {
        let mut attempt = 0;
        loop {
            let outcome = self.attempt(url.clone()).await;
            let retryable = match &outcome {
                Ok(answer) => answer.status.is_server_error(),
                Err(ProviderError::Timeout | ProviderError::Failed(_)) => true,
                Err(_) => false,
            };
            if !retryable || attempt >= self.retries {
                return match outcome {
                    Ok(answer) if answer.status.is_server_error() => {
                        self.stats.upstream_error();
                        Err(ProviderError::Failed(format!(
                            "{what}: HTTP {} {}",
                            answer.status.as_u16(),
                            answer.text()
                        )))
                    }
                    Ok(answer) => Ok(answer),
                    Err(error) => {
                        self.stats.upstream_error();
                        Err(error)
                    }
                };
            }
            attempt += 1;
            let delay = self.backoff * 2u32.saturating_pow(attempt - 1);
            let jitter = delay.mul_f64(rand_fraction() * 0.5);
            tracing::warn!(what, attempt, "weather provider failed; retrying");
            tokio::time::sleep(delay + jitter).await;
        }
    }

    async fn attempt(&self, url: Url) -> Result<Answer, ProviderError> {
        self.stats.upstream_call();
        let response = self.http.get(url).send().await.map_err(classify)?;
        let status = response.status();
        let headers = response.headers().clone();
        let mut body = Vec::new();
        let mut response = response;
        while let Some(chunk) = response.chunk().await.map_err(classify)? {
            if body.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(ProviderError::BadResponse("answer too large".into()));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Answer {
            status,
            headers,
            body,
        })
    }
}

/// A transport error as a provider error, without the URL (which may hold the key).
fn classify(error: reqwest::Error) -> ProviderError {
    if error.is_timeout() {
        ProviderError::Timeout
    } else {
        // reqwest's own message is generic ("error sending request"); the innermost cause
        // says what went wrong (a DNS failure, a refused connection). Neither holds the URL,
        // so never the key in its query string.
        let error = error.without_url();
        let mut root: &dyn std::error::Error = &error;
        while let Some(source) = root.source() {
            root = source;
        }
        let root = root.to_string();
        let summary = error.to_string();
        ProviderError::Failed(if root == summary {
            summary
        } else {
            format!("{summary}: {root}")
        })
    }
}

/// A number in [0, 1) for jitter.
fn rand_fraction() -> f64 {
    f64::from(getrandom::u32().unwrap_or(0)) / (f64::from(u32::MAX) + 1.0)
}
