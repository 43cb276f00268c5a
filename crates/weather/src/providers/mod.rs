//! Weather providers behind one trait. Each turns a [`WeatherQuery`] into a [`Report`]
//! using exactly the documented paths and parameters of its public API, and maps the
//! provider's errors onto [`ProviderError`].

pub mod client;
pub mod conditions;
pub mod open_meteo;
pub mod visual_crossing;

use std::sync::Arc;

use axum::http::StatusCode;
use groundwork_platform::ApiError;

use crate::query::WeatherQuery;
use crate::report::Report;
use crate::settings::{ProviderName, WeatherSettings};
use crate::stats::Stats;

/// How a provider request failed.
#[derive(Debug, thiserror::Error, Clone)]
pub enum ProviderError {
    /// The provider knows no such place.
    #[error("no place matches {0:?}")]
    NotFound(String),
    /// The provider refused our key: an operator's problem, not the client's.
    #[error("the weather provider refused the configured API key ({0})")]
    BadKey(String),
    /// Our quota with the provider is used up.
    #[error("the weather provider's quota is exhausted; retry after {retry_after_secs} s")]
    Quota {
        /// Seconds until the quota is expected back.
        retry_after_secs: u64,
    },
    /// No answer in time, after the retries.
    #[error("the weather provider did not answer in time")]
    Timeout,
    /// A 5xx, a refused connection, or a request the provider rejected that we should
    /// not have sent.
    #[error("the weather provider failed: {0}")]
    Failed(String),
    /// An answer we could not read.
    #[error("the weather provider's answer could not be read: {0}")]
    BadResponse(String),
}

impl ProviderError {
    /// Whether a stale report may stand in (every failure but "no such place").
    pub fn allows_stale(&self) -> bool {
        !matches!(self, Self::NotFound(_))
    }
}

impl From<ProviderError> for ApiError {
    fn from(error: ProviderError) -> Self {
        match &error {
            ProviderError::NotFound(_) => ApiError::new(
                StatusCode::NOT_FOUND,
                "location_not_found",
                error.to_string(),
            ),
            ProviderError::BadKey(_) => ApiError::new(
                StatusCode::BAD_GATEWAY,
                "provider_key_rejected",
                "the weather provider refused this service's API key; the operator must check weather.visual_crossing_key",
            ),
            ProviderError::Quota { retry_after_secs } => {
                ApiError::unavailable(error.to_string(), *retry_after_secs)
            }
            ProviderError::Timeout => ApiError::new(
                StatusCode::GATEWAY_TIMEOUT,
                "provider_timeout",
                error.to_string(),
            ),
            ProviderError::Failed(_) | ProviderError::BadResponse(_) => ApiError::new(
                StatusCode::BAD_GATEWAY,
                "provider_failed",
                error.to_string(),
            ),
        }
    }
}

/// A source of weather reports.
#[async_trait::async_trait]
pub trait Provider: Send + Sync + 'static {
    /// The name in reports' `source`.
    fn name(&self) -> &'static str;

    /// Asks the provider.
    async fn fetch(&self, query: &WeatherQuery) -> Result<Report, ProviderError>;
}

/// The provider the settings choose.
pub fn from_settings(
    settings: &WeatherSettings,
    stats: Arc<Stats>,
) -> Result<Arc<dyn Provider>, String> {
    let http = client::Upstream::new(settings, stats)?;
    Ok(match settings.provider {
        ProviderName::OpenMeteo => Arc::new(open_meteo::OpenMeteo::new(settings, http)?),
        ProviderName::VisualCrossing => {
            Arc::new(visual_crossing::VisualCrossing::new(settings, http)?)
        }
    })
}
