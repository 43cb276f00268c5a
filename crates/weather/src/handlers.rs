//! `GET /weather/{location}` and `GET /weather/_stats`.

use std::convert::Infallible;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use chrono::Utc;
use groundwork_platform::ApiError;
use groundwork_platform::http::client_ip::ClientIp;
use groundwork_platform::http::compress::Accepted;
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
    client: ClientHeaders,
) -> Result<Response, ApiError> {
    let api_key = client.api_key.as_ref().and_then(|v| v.to_str().ok());
    weather.admit(api_key, ip).await?;
    let query = WeatherQuery::parse(&location, &params)?;
    let served = weather.report(&query).await?;
    Ok(respond(&served, client.accepted))
}

/// The two request headers the handler needs, read without copying the header map.
pub struct ClientHeaders {
    api_key: Option<HeaderValue>,
    accepted: Accepted,
}

impl<S: Send + Sync> FromRequestParts<S> for ClientHeaders {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(Self {
            api_key: parts.headers.get("x-api-key").cloned(),
            accepted: Accepted::from_headers(&parts.headers),
        })
    }
}

/// A hit is sent as its entry holds it, compressed once for every client that accepts the
/// same encoding; a miss or a stale report gets its own flags and is compressed (when big
/// enough) by the pipeline.
fn respond(served: &Served, accepted: Accepted) -> Response {
    let entry = &served.entry;
    // Headers go straight into the response's own map: no second map to merge on a hit.
    let mut response = Response::new(Body::empty());
    let headers = response.headers_mut();
    let body = if served.cached && !served.stale {
        entry.hit.select(accepted, headers)
    } else {
        entry.body(served.cached, served.stale).into()
    };
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    let fresh_for = (entry.expires_at - Utc::now()).num_seconds().max(0);
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_str(&format!("public, max-age={fresh_for}"))
            .unwrap_or(HeaderValue::from_static("no-cache")),
    );
    let cache_state = match (served.stale, served.cached) {
        (true, _) => "STALE",
        (false, true) => "HIT",
        (false, false) => "MISS",
    };
    headers.insert(
        header::HeaderName::from_static("x-cache"),
        HeaderValue::from_static(cache_state),
    );
    *response.body_mut() = Body::from(body);
    response
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
