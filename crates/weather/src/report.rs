//! The normalised weather document: the same shape whichever provider answered. Numbers
//! are in the units the request asked for (named in `units`); a value a provider does not
//! give is `null`. Times are the location's local time, ISO 8601 without offset
//! (`location.timezone` says which zone).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::query::Units;

/// What the provider reported, before the cache's fields are added.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// Where.
    pub location: ResolvedLocation,
    /// Units of the numbers.
    pub units: UnitLabels,
    /// Conditions now, if the provider gave them.
    pub current: Option<Current>,
    /// One entry per day asked for (fewer if the provider has fewer).
    pub daily: Vec<Day>,
    /// The next 48 hours (24 when one day is asked for), from the current hour on.
    pub hourly: Vec<Hour>,
    /// `open-meteo` or `visual-crossing`.
    pub source: String,
}

/// The place the provider resolved the request to.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResolvedLocation {
    /// What was asked for, normalised.
    pub query: String,
    /// The resolved name ("London", "Berlin, Deutschland").
    pub name: String,
    /// State, province or region.
    pub region: Option<String>,
    /// Country name.
    pub country: Option<String>,
    /// Degrees north.
    pub latitude: f64,
    /// Degrees east.
    pub longitude: f64,
    /// IANA zone of the local times, such as `Europe/London`.
    pub timezone: Option<String>,
}

/// The unit of each kind of number.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UnitLabels {
    /// `metric`, `us` or `uk`.
    pub system: String,
    /// Air temperature.
    pub temperature: String,
    /// Wind speed.
    pub wind_speed: String,
    /// Precipitation (the hour's, or the day's total).
    pub precipitation: String,
}

impl UnitLabels {
    /// The labels of a unit system.
    pub fn of(units: Units) -> Self {
        let (temperature, wind_speed, precipitation) = match units {
            Units::Metric => ("°C", "km/h", "mm"),
            Units::Us => ("°F", "mph", "in"),
            Units::Uk => ("°C", "mph", "mm"),
        };
        Self {
            system: units.as_str().into(),
            temperature: temperature.into(),
            wind_speed: wind_speed.into(),
            precipitation: precipitation.into(),
        }
    }
}

/// Conditions now.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Current {
    /// Local time, `YYYY-MM-DDTHH:MM`.
    pub time: String,
    /// Air temperature.
    pub temperature: Option<f64>,
    /// Apparent temperature.
    pub feels_like: Option<f64>,
    /// Relative humidity, %.
    pub humidity: Option<f64>,
    /// Precipitation (the hour's, or the day's total).
    pub precipitation: Option<f64>,
    /// Wind speed.
    pub wind_speed: Option<f64>,
    /// Degrees, where the wind comes from.
    pub wind_direction: Option<f64>,
    /// %.
    pub cloud_cover: Option<f64>,
    /// Sea-level pressure, hPa (mb).
    pub pressure: Option<f64>,
    /// "Partly cloudy", "Light rain", ...
    pub conditions: Option<String>,
}

/// One day of the forecast.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Day {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// Highest temperature of the day.
    pub temperature_max: Option<f64>,
    /// Lowest temperature of the day.
    pub temperature_min: Option<f64>,
    /// Precipitation (the hour's, or the day's total).
    pub precipitation: Option<f64>,
    /// %.
    pub precipitation_probability: Option<f64>,
    /// Strongest wind of the day.
    pub wind_speed_max: Option<f64>,
    /// In words: "Partly cloudy", "Light rain", ...
    pub conditions: Option<String>,
    /// Local time of sunrise.
    pub sunrise: Option<String>,
    /// Local time of sunset.
    pub sunset: Option<String>,
}

/// One hour of the forecast.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Hour {
    /// Local time, `YYYY-MM-DDTHH:MM`.
    pub time: String,
    /// Air temperature.
    pub temperature: Option<f64>,
    /// Apparent temperature.
    pub feels_like: Option<f64>,
    /// Relative humidity, %.
    pub humidity: Option<f64>,
    /// Precipitation (the hour's, or the day's total).
    pub precipitation: Option<f64>,
    /// Chance of precipitation, %.
    pub precipitation_probability: Option<f64>,
    /// Wind speed.
    pub wind_speed: Option<f64>,
    /// In words: "Partly cloudy", "Light rain", ...
    pub conditions: Option<String>,
}

/// Hours in `hourly` for a request of `days` days.
pub fn hours_for(days: u8) -> usize {
    if days == 1 { 24 } else { 48 }
}
