//! Open-Meteo: the geocoding API resolves a name or postal code
//! (`GET /v1/search?name=&count=1&language=&format=json`), the forecast API answers for
//! the coordinates (`GET /v1/forecast?latitude=&longitude=&current=&hourly=&daily=
//! &timezone=auto&forecast_days=&forecast_hours=&temperature_unit=&wind_speed_unit=
//! &precipitation_unit=`). No key. Errors come as `{"error": true, "reason": "..."}`.

use axum::http::StatusCode;
use serde_json::Value;
use url::Url;

use super::client::{Answer, Upstream};
use super::{Provider, ProviderError, conditions};
use crate::query::{Location, Units, WeatherQuery};
use crate::report::{Current, Day, Hour, Report, ResolvedLocation, UnitLabels, hours_for};
use crate::settings::WeatherSettings;

const CURRENT: &str = "temperature_2m,relative_humidity_2m,apparent_temperature,precipitation,weather_code,cloud_cover,pressure_msl,wind_speed_10m,wind_direction_10m";
const HOURLY: &str = "temperature_2m,apparent_temperature,relative_humidity_2m,precipitation_probability,precipitation,weather_code,wind_speed_10m";
const DAILY: &str = "weather_code,temperature_2m_max,temperature_2m_min,precipitation_sum,precipitation_probability_max,wind_speed_10m_max,sunrise,sunset";

/// See the module docs.
pub struct OpenMeteo {
    forecast: Url,
    geocoding: Url,
    http: Upstream,
}

impl OpenMeteo {
    /// The provider at the settings' URLs.
    pub fn new(settings: &WeatherSettings, http: Upstream) -> Result<Self, String> {
        let parse = |url: &str| Url::parse(url).map_err(|e| format!("{url:?}: {e}"));
        Ok(Self {
            forecast: parse(&settings.open_meteo_forecast_url)?,
            geocoding: parse(&settings.open_meteo_geocoding_url)?,
            http,
        })
    }

    /// The best match of a name or postal code.
    async fn geocode(&self, place: &str, lang: &str) -> Result<ResolvedLocation, ProviderError> {
        let mut url = self.geocoding.clone();
        url.query_pairs_mut()
            .append_pair("name", place)
            .append_pair("count", "1")
            .append_pair("language", lang)
            .append_pair("format", "json");
        let body = checked(self.http.get(url, "open-meteo geocoding").await?)?;
        let Some(best) = body["results"].as_array().and_then(|r| r.first()) else {
            return Err(ProviderError::NotFound(place.to_owned()));
        };
        let text = |key: &str| best[key].as_str().map(str::to_owned);
        let (Some(latitude), Some(longitude)) =
            (best["latitude"].as_f64(), best["longitude"].as_f64())
        else {
            return Err(ProviderError::BadResponse(
                "a geocoding result without coordinates".into(),
            ));
        };
        Ok(ResolvedLocation {
            query: place.to_owned(),
            name: text("name").unwrap_or_else(|| place.to_owned()),
            region: text("admin1"),
            country: text("country"),
            latitude,
            longitude,
            timezone: text("timezone"),
        })
    }
}

#[async_trait::async_trait]
impl Provider for OpenMeteo {
    fn name(&self) -> &'static str {
        "open-meteo"
    }

    async fn fetch(&self, query: &WeatherQuery) -> Result<Report, ProviderError> {
        let mut location = match &query.location {
            Location::Place(place) => self.geocode(place, &query.lang).await?,
            Location::Coordinates {
                latitude,
                longitude,
            } => ResolvedLocation {
                query: format!("{latitude},{longitude}"),
                name: format!("{latitude},{longitude}"),
                region: None,
                country: None,
                latitude: *latitude,
                longitude: *longitude,
                timezone: None,
            },
        };
        let (temperature, wind, precipitation) = match query.units {
            Units::Metric => ("celsius", "kmh", "mm"),
            Units::Us => ("fahrenheit", "mph", "inch"),
            Units::Uk => ("celsius", "mph", "mm"),
        };
        let mut url = self.forecast.clone();
        url.query_pairs_mut()
            .append_pair("latitude", &location.latitude.to_string())
            .append_pair("longitude", &location.longitude.to_string())
            .append_pair("current", CURRENT)
            .append_pair("hourly", HOURLY)
            .append_pair("daily", DAILY)
            .append_pair("timezone", "auto")
            .append_pair("forecast_days", &query.days.to_string())
            .append_pair("forecast_hours", &hours_for(query.days).to_string())
            .append_pair("temperature_unit", temperature)
            .append_pair("wind_speed_unit", wind)
            .append_pair("precipitation_unit", precipitation);
        let body = checked(self.http.get(url, "open-meteo forecast").await?)?;
        if let Some(zone) = body["timezone"].as_str() {
            location.timezone = Some(zone.to_owned());
        }
        Ok(Report {
            location,
            units: UnitLabels::of(query.units),
            current: current(&body["current"]),
            daily: daily(&body["daily"]),
            hourly: hourly(&body["hourly"]),
            source: self.name().into(),
        })
    }
}

/// The JSON of a successful answer, or the error it stands for.
fn checked(answer: Answer) -> Result<Value, ProviderError> {
    if answer.status == StatusCode::TOO_MANY_REQUESTS {
        return Err(ProviderError::Quota {
            retry_after_secs: answer.retry_after().unwrap_or(60),
        });
    }
    let body: Value = serde_json::from_slice(&answer.body).map_err(|_| {
        ProviderError::BadResponse(format!("HTTP {}: not JSON", answer.status.as_u16()))
    })?;
    if !answer.status.is_success() || body["error"] == Value::Bool(true) {
        let reason = body["reason"].as_str().unwrap_or("no reason given");
        return Err(ProviderError::Failed(format!(
            "HTTP {}: {reason}",
            answer.status.as_u16()
        )));
    }
    Ok(body)
}

fn current(block: &Value) -> Option<Current> {
    let number = |key: &str| block[key].as_f64();
    Some(Current {
        time: block["time"].as_str()?.to_owned(),
        temperature: number("temperature_2m"),
        feels_like: number("apparent_temperature"),
        humidity: number("relative_humidity_2m"),
        precipitation: number("precipitation"),
        wind_speed: number("wind_speed_10m"),
        wind_direction: number("wind_direction_10m"),
        cloud_cover: number("cloud_cover"),
        pressure: number("pressure_msl"),
        conditions: block["weather_code"]
            .as_i64()
            .map(|c| conditions::describe(c).into()),
    })
}

/// Open-Meteo's column-wise arrays: `{"time": [...], "temperature_2m": [...], ...}`.
struct Columns<'a>(&'a Value);

impl Columns<'_> {
    fn times(&self) -> Vec<String> {
        self.0["time"]
            .as_array()
            .map(|t| {
                t.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn number(&self, key: &str, row: usize) -> Option<f64> {
        self.0[key].get(row)?.as_f64()
    }

    fn text(&self, key: &str, row: usize) -> Option<String> {
        self.0[key].get(row)?.as_str().map(str::to_owned)
    }

    fn conditions(&self, row: usize) -> Option<String> {
        let code = self.0["weather_code"].get(row)?.as_i64()?;
        Some(conditions::describe(code).into())
    }
}

fn daily(block: &Value) -> Vec<Day> {
    let columns = Columns(block);
    columns
        .times()
        .into_iter()
        .enumerate()
        .map(|(row, date)| Day {
            date,
            temperature_max: columns.number("temperature_2m_max", row),
            temperature_min: columns.number("temperature_2m_min", row),
            precipitation: columns.number("precipitation_sum", row),
            precipitation_probability: columns.number("precipitation_probability_max", row),
            wind_speed_max: columns.number("wind_speed_10m_max", row),
            conditions: columns.conditions(row),
            sunrise: columns.text("sunrise", row),
            sunset: columns.text("sunset", row),
        })
        .collect()
}

fn hourly(block: &Value) -> Vec<Hour> {
    let columns = Columns(block);
    columns
        .times()
        .into_iter()
        .enumerate()
        .map(|(row, time)| Hour {
            time,
            temperature: columns.number("temperature_2m", row),
            feels_like: columns.number("apparent_temperature", row),
            humidity: columns.number("relative_humidity_2m", row),
            precipitation: columns.number("precipitation", row),
            precipitation_probability: columns.number("precipitation_probability", row),
            wind_speed: columns.number("wind_speed_10m", row),
            conditions: columns.conditions(row),
        })
        .collect()
}
