//! `GET /weather/{location}` and `GET /weather/_stats`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, SecondsFormat, Utc};
use groundwork_platform::ApiError;
use groundwork_platform::http::client_ip::ClientIp;
use groundwork_platform::http::extract::{Json, Path, Query};

use crate::query::{RawParams, WeatherQuery};
use crate::report::Report;
use crate::service::{Served, Weather};
use crate::stats::StatsSnapshot;

/// Current conditions and the forecast for a place: a city name, a postal code or
/// "lat,lon". `units` = `metric` (default), `us` or `uk`; `days` = 1..15 (default 7);
/// `lang` = two letters (default `en`). Answered from the cache when it can be (`cached`),
/// with a stale report (`stale`) if the provider fails after the report expired.
///
/// `curl 'localhost:8080/weather/London?units=uk&days=3'`
#[utoipa::path(
    get,
    path = "/{location}",
    params(
        ("location" = String, Path, description = "City name, postal code or \"lat,lon\""),
        ("units" = Option<String>, Query, description = "metric (default), us or uk"),
        ("days" = Option<u8>, Query, description = "Forecast days, 1 to 15 (default 7)"),
        ("lang" = Option<String>, Query, description = "ISO 639-1 language (default en)"),
        ("X-Api-Key" = Option<String>, Header, description = "Required when weather.api_keys is set"),
    ),
    responses(
        (status = 200, description = "The report, plus `cached`, `stale`, `fetchedAt` and `expiresAt`", body = Report),
        (status = 400, description = "Bad location, units, days or lang (no provider call made)"),
        (status = 401, description = "Missing or unknown API key (when keys are configured)"),
        (status = 404, description = "The provider knows no such place"),
        (status = 429, description = "Too many requests from this client; see Retry-After"),
        (status = 502, description = "The provider failed or refused our key"),
        (status = 503, description = "The provider's quota is used up; see Retry-After"),
        (status = 504, description = "The provider did not answer in time"),
    )
)]
pub async fn get_weather(
    State(weather): State<Arc<Weather>>,
    Path(location): Path<String>,
    Query(params): Query<RawParams>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let api_key = headers.get("x-api-key").and_then(|v| v.to_str().ok());
    weather.admit(api_key, ip).await?;
    let query = WeatherQuery::parse(&location, &params)?;
    let served = weather.report(&query).await?;
    Ok(respond(&served))
}

/// The cached report with the cache's fields spliced in front of its own: bytes copied,
/// no JSON built on a hit.
fn respond(served: &Served) -> Response {
    let entry = &served.entry;
    let stamp = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
    let head = format!(
        "{{\"cached\":{},\"stale\":{},\"fetchedAt\":\"{}\",\"expiresAt\":\"{}\",",
        served.cached,
        served.stale,
        stamp(entry.fetched_at),
        stamp(entry.expires_at)
    );
    let mut body = Vec::with_capacity(head.len() + entry.body.len());
    body.extend_from_slice(head.as_bytes());
    body.extend_from_slice(entry.body.get(1..).unwrap_or_default());
    let fresh_for = (entry.expires_at - Utc::now()).num_seconds().max(0);
    let cache_state = match (served.stale, served.cached) {
        (true, _) => "STALE",
        (false, true) => "HIT",
        (false, false) => "MISS",
    };
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_str(&format!("public, max-age={fresh_for}"))
                    .unwrap_or(HeaderValue::from_static("no-cache")),
            ),
            (
                header::HeaderName::from_static("x-cache"),
                HeaderValue::from_static(cache_state),
            ),
        ],
        body,
    )
        .into_response()
}

/// This instance's cache and provider counters (also in `/metrics`).
///
/// `curl localhost:8080/weather/_stats`
#[utoipa::path(
    get,
    path = "/_stats",
    responses((status = 200, description = "Counters since this instance started", body = StatsSnapshot))
)]
pub async fn get_stats(State(weather): State<Arc<Weather>>) -> Json<StatsSnapshot> {
    Json(weather.stats())
}
