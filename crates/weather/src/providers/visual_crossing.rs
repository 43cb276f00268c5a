//! Visual Crossing's Timeline API: `GET {base}/{location}?key=&unitGroup=&lang=
//! &include=days,hours,current&contentType=json`. Without dates it answers the next 15
//! days for one record of quota however many are used, so the request asks for no dates
//! and the report keeps the days asked for. Errors are plain text: 400 "Bad API
//! Request:Invalid location parameter value." for an unknown place, 401 for a bad key,
//! 429 (and sometimes 400) "Maximum daily cost exceeded" when the quota is used up.

use axum::http::StatusCode;
use serde_json::Value;
use url::Url;

use super::client::{Answer, Upstream};
use super::{Provider, ProviderError};
use crate::query::{Location, WeatherQuery};
use crate::report::{Current, Day, Hour, Report, ResolvedLocation, UnitLabels, hours_for};
use crate::settings::WeatherSettings;

/// See the module docs.
pub struct VisualCrossing {
    base: Url,
    key: String,
    http: Upstream,
}

impl VisualCrossing {
    /// The provider at the settings' URL, with their key.
    pub fn new(settings: &WeatherSettings, http: Upstream) -> Result<Self, String> {
        let base = Url::parse(&settings.visual_crossing_url)
            .map_err(|e| format!("weather.visual_crossing_url: {e}"))?;
        if base.cannot_be_a_base() {
            return Err("weather.visual_crossing_url cannot take a path".into());
        }
        let key = settings
            .visual_crossing_key
            .clone()
            .filter(|key| !key.is_empty())
            .ok_or("weather.visual_crossing_key is not set")?;
        Ok(Self { base, key, http })
    }
}

#[async_trait::async_trait]
impl Provider for VisualCrossing {
    fn name(&self) -> &'static str {
        "visual-crossing"
    }

    async fn fetch(&self, query: &WeatherQuery) -> Result<Report, ProviderError> {
        let place = match &query.location {
            Location::Coordinates {
                latitude,
                longitude,
            } => format!("{latitude},{longitude}"),
            Location::Place(place) => place.clone(),
        };
        let mut url = self.base.clone();
        url.path_segments_mut()
            .map_err(|()| ProviderError::Failed("bad base URL".into()))?
            .pop_if_empty()
            .push(&place);
        url.query_pairs_mut()
            .append_pair("unitGroup", query.units.as_str())
            .append_pair("lang", &query.lang)
            .append_pair("include", "days,hours,current")
            .append_pair("contentType", "json")
            .append_pair("key", &self.key);
        let answer = self.http.get(url, "visual-crossing timeline").await?;
        let body = checked(answer, &place)?;
        let text = |v: &Value| v.as_str().map(str::to_owned);
        let (Some(latitude), Some(longitude)) =
            (body["latitude"].as_f64(), body["longitude"].as_f64())
        else {
            return Err(ProviderError::BadResponse(
                "no coordinates in the answer".into(),
            ));
        };
        let resolved = text(&body["resolvedAddress"]).unwrap_or_else(|| place.clone());
        let days: Vec<&Value> = body["days"]
            .as_array()
            .map(|days| days.iter().take(usize::from(query.days)).collect())
            .unwrap_or_default();
        let today = days
            .first()
            .and_then(|d| d["datetime"].as_str())
            .unwrap_or("");
        Ok(Report {
            location: ResolvedLocation {
                query: place.clone(),
                name: resolved,
                region: None,
                country: None,
                latitude,
                longitude,
                timezone: text(&body["timezone"]),
            },
            units: UnitLabels::of(query.units),
            current: current(&body["currentConditions"], today),
            daily: days.iter().map(|d| day(d)).collect(),
            hourly: hourly(&days, &body["currentConditions"], hours_for(query.days)),
            source: self.name().into(),
        })
    }
}

/// The JSON of a successful answer, or the error its status and text stand for.
fn checked(answer: Answer, place: &str) -> Result<Value, ProviderError> {
    let text = answer.text();
    let lower = text.to_lowercase();
    let quota = || ProviderError::Quota {
        retry_after_secs: answer.retry_after().unwrap_or(60),
    };
    match answer.status {
        status if status.is_success() => serde_json::from_slice(&answer.body)
            .map_err(|e| ProviderError::BadResponse(format!("not JSON: {e}"))),
        StatusCode::TOO_MANY_REQUESTS => Err(quota()),
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Err(ProviderError::BadKey(format!(
            "HTTP {}",
            answer.status.as_u16()
        ))),
        _ if lower.contains("maximum daily cost") || lower.contains("maximum concurrency") => {
            Err(quota())
        }
        StatusCode::BAD_REQUEST if lower.contains("location") => {
            Err(ProviderError::NotFound(place.to_owned()))
        }
        status => Err(ProviderError::Failed(format!(
            "HTTP {}: {text}",
            status.as_u16()
        ))),
    }
}

fn number(v: &Value, key: &str) -> Option<f64> {
    v[key].as_f64()
}

/// "HH:mm:ss" → "HH:mm".
fn minutes(time: &str) -> &str {
    time.get(..5).unwrap_or(time)
}

fn current(block: &Value, today: &str) -> Option<Current> {
    let time = block["datetime"].as_str()?;
    Some(Current {
        time: format!("{today}T{}", minutes(time)),
        temperature: number(block, "temp"),
        feels_like: number(block, "feelslike"),
        humidity: number(block, "humidity"),
        precipitation: number(block, "precip"),
        wind_speed: number(block, "windspeed"),
        wind_direction: number(block, "winddir"),
        cloud_cover: number(block, "cloudcover"),
        pressure: number(block, "pressure"),
        conditions: block["conditions"].as_str().map(str::to_owned),
    })
}

fn day(block: &Value) -> Day {
    let date = block["datetime"].as_str().unwrap_or_default();
    let clock = |key: &str| {
        block[key]
            .as_str()
            .map(|t| format!("{date}T{}", minutes(t)))
    };
    Day {
        date: date.to_owned(),
        temperature_max: number(block, "tempmax"),
        temperature_min: number(block, "tempmin"),
        precipitation: number(block, "precip"),
        precipitation_probability: number(block, "precipprob"),
        wind_speed_max: number(block, "windspeed"),
        conditions: block["conditions"].as_str().map(str::to_owned),
        sunrise: clock("sunrise"),
        sunset: clock("sunset"),
    }
}

/// `limit` hours from the current one on (all of the first day's if there is no
/// current time).
fn hourly(days: &[&Value], current: &Value, limit: usize) -> Vec<Hour> {
    let from = current["datetimeEpoch"]
        .as_i64()
        .map_or(i64::MIN, |now| now - 3599);
    days.iter()
        .flat_map(|day| {
            let date = day["datetime"].as_str().unwrap_or_default();
            day["hours"]
                .as_array()
                .into_iter()
                .flatten()
                .map(move |hour| (date, hour))
        })
        .filter(|(_, hour)| hour["datetimeEpoch"].as_i64().is_none_or(|t| t >= from))
        .take(limit)
        .map(|(date, hour)| Hour {
            time: format!(
                "{date}T{}",
                minutes(hour["datetime"].as_str().unwrap_or_default())
            ),
            temperature: number(hour, "temp"),
            feels_like: number(hour, "feelslike"),
            humidity: number(hour, "humidity"),
            precipitation: number(hour, "precip"),
            precipitation_probability: number(hour, "precipprob"),
            wind_speed: number(hour, "windspeed"),
            conditions: hour["conditions"].as_str().map(str::to_owned),
        })
        .collect()
}
