//! The weather API wrapper (roadmap project "Weather API"), under `/weather`:
//! `GET /weather/{location}` answers current conditions and a forecast in one normalised
//! document, from Open-Meteo (no key: works with zero configuration) or Visual Crossing,
//! cached for 12 hours in process or in Redis, with one provider call per key however
//! many ask at once, stale reports when the provider fails, and per-client rate limits.
//! See docs/systems/weather.md.

pub mod cache;
pub mod flight;
pub mod handlers;
pub mod providers;
pub mod query;
pub mod report;
pub mod service;
pub mod settings;
pub mod stats;

use std::sync::Arc;

use groundwork_platform::Platform;
use groundwork_platform::system::{BoxError, System};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use service::Weather;
pub use settings::WeatherSettings;

/// The weather system, mounted at `/weather`.
pub struct WeatherSystem;

impl System for WeatherSystem {
    fn name(&self) -> &'static str {
        "weather"
    }

    fn default_mount(&self) -> &'static str {
        "/weather"
    }

    fn description(&self) -> &'static str {
        "Weather API wrapper: Open-Meteo or Visual Crossing, normalised, cached, single-flight, rate limited."
    }

    fn router(&self, platform: &Platform) -> Result<OpenApiRouter, BoxError> {
        let weather = Arc::new(Weather::new(platform)?);
        Ok(OpenApiRouter::new()
            .routes(routes!(handlers::get_stats))
            .routes(routes!(handlers::get_weather))
            .with_state(weather))
    }
}
