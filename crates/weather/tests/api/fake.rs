//! A local stand-in for the providers: an axum server answering Open-Meteo's geocoding
//! and forecast paths and Visual Crossing's timeline path with bodies shaped like their
//! documented formats, counting every request, and told by the test how to misbehave.

use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

/// How the fake answers.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
pub enum Mode {
    /// Answers normally (the state a fake starts in).
    #[allow(dead_code)]
    Ok = 0,
    /// 500 every time.
    Fail = 1,
    /// Longer than any client timeout in the tests.
    Hang = 2,
    /// 429 (quota).
    Quota = 3,
    /// 401 (bad key).
    BadKey = 4,
}

#[derive(Default)]
pub struct FakeState {
    mode: AtomicU8,
    /// Delay before each answer, milliseconds.
    delay_ms: AtomicU64,
    pub requests: AtomicU64,
    /// Query strings received, in order.
    pub queries: Mutex<Vec<String>>,
}

pub struct Fake {
    pub base: String,
    pub state: Arc<FakeState>,
}

impl Fake {
    pub async fn start() -> Self {
        let state = Arc::new(FakeState::default());
        let app = Router::new()
            .route("/v1/search", get(search))
            .route("/v1/forecast", get(forecast))
            .route("/timeline/{location}", get(timeline))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { base, state }
    }

    pub fn set_mode(&self, mode: Mode) {
        self.state.mode.store(mode as u8, Ordering::SeqCst);
    }

    pub fn set_delay(&self, delay: Duration) {
        self.state
            .delay_ms
            .store(delay.as_millis() as u64, Ordering::SeqCst);
    }

    pub fn requests(&self) -> u64 {
        self.state.requests.load(Ordering::SeqCst)
    }

    pub fn last_query(&self) -> String {
        self.state
            .queries
            .lock()
            .unwrap()
            .last()
            .cloned()
            .unwrap_or_default()
    }
}

/// Counts the request, waits and misbehaves as told; `None` means answer normally.
async fn misbehave(state: &FakeState, query: String, error_body: &str) -> Option<Response> {
    state.requests.fetch_add(1, Ordering::SeqCst);
    state.queries.lock().unwrap().push(query);
    tokio::time::sleep(Duration::from_millis(state.delay_ms.load(Ordering::SeqCst))).await;
    let status = match state.mode.load(Ordering::SeqCst) {
        1 => StatusCode::INTERNAL_SERVER_ERROR,
        2 => {
            tokio::time::sleep(Duration::from_secs(30)).await;
            StatusCode::INTERNAL_SERVER_ERROR
        }
        3 => StatusCode::TOO_MANY_REQUESTS,
        4 => StatusCode::UNAUTHORIZED,
        _ => return None,
    };
    Some((status, error_body.to_owned()).into_response())
}

fn query_string(params: &[(String, String)]) -> String {
    params
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

async fn search(
    State(state): State<Arc<FakeState>>,
    Query(params): Query<Vec<(String, String)>>,
) -> Response {
    let error =
        r#"{"error":true,"reason":"Daily API request limit exceeded. Please try again tomorrow."}"#;
    if let Some(response) = misbehave(&state, query_string(&params), error).await {
        return response;
    }
    let name = params
        .iter()
        .find(|(k, _)| k == "name")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    if name.to_lowercase().starts_with("nowhere") {
        return axum::Json(json!({"generationtime_ms": 0.5})).into_response();
    }
    axum::Json(json!({
        "results": [{
            "id": 2643743, "name": name, "latitude": 51.50853, "longitude": -0.12574,
            "elevation": 25.0, "feature_code": "PPLC", "country_code": "GB",
            "timezone": "Europe/London", "population": 8961989,
            "country": "United Kingdom", "admin1": "England"
        }],
        "generationtime_ms": 0.9
    }))
    .into_response()
}

async fn forecast(
    State(state): State<Arc<FakeState>>,
    Query(params): Query<Vec<(String, String)>>,
) -> Response {
    let error = r#"{"error":true,"reason":"Too many concurrent requests"}"#;
    if let Some(response) = misbehave(&state, query_string(&params), error).await {
        return response;
    }
    let get = |key: &str| {
        params
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    };
    let days: usize = get("forecast_days")
        .and_then(|d| d.parse().ok())
        .unwrap_or(7);
    let hours: usize = get("forecast_hours")
        .and_then(|d| d.parse().ok())
        .unwrap_or(24);
    let dates: Vec<String> = (0..days)
        .map(|d| format!("2026-11-{:02}", 21 + d % 9))
        .collect();
    let times: Vec<String> = (0..hours)
        .map(|h| format!("2026-11-{:02}T{:02}:00", 21 + h / 24, h % 24))
        .collect();
    let series = |n: usize, base: f64| (0..n).map(|i| base + i as f64).collect::<Vec<_>>();
    axum::Json(json!({
        "latitude": 51.5, "longitude": -0.12, "generationtime_ms": 0.1,
        "utc_offset_seconds": 0, "timezone": "Europe/London", "timezone_abbreviation": "GMT",
        "elevation": 23.0,
        "current_units": {"temperature_2m": "°C"},
        "current": {
            "time": "2026-11-21T10:00", "interval": 900, "temperature_2m": 8.5,
            "relative_humidity_2m": 81, "apparent_temperature": 6.1, "precipitation": 0.0,
            "weather_code": 3, "cloud_cover": 100, "pressure_msl": 1012.3,
            "wind_speed_10m": 14.2, "wind_direction_10m": 240
        },
        "hourly": {
            "time": times, "temperature_2m": series(hours, 5.0),
            "apparent_temperature": series(hours, 3.0), "relative_humidity_2m": series(hours, 60.0),
            "precipitation_probability": series(hours, 0.0), "precipitation": series(hours, 0.0),
            "weather_code": vec![61; hours], "wind_speed_10m": series(hours, 10.0)
        },
        "daily": {
            "time": dates, "weather_code": vec![2; days],
            "temperature_2m_max": series(days, 10.0), "temperature_2m_min": series(days, 2.0),
            "precipitation_sum": series(days, 0.0), "precipitation_probability_max": series(days, 5.0),
            "wind_speed_10m_max": series(days, 20.0),
            "sunrise": vec!["2026-11-21T07:25"; days], "sunset": vec!["2026-11-21T16:05"; days]
        }
    }))
    .into_response()
}

async fn timeline(
    State(state): State<Arc<FakeState>>,
    Path(location): Path<String>,
    Query(params): Query<Vec<(String, String)>>,
    _headers: HeaderMap,
) -> Response {
    let error = if state.mode.load(Ordering::SeqCst) == Mode::BadKey as u8 {
        "No account found with API key 'secret'"
    } else {
        "Maximum daily cost exceeded"
    };
    if let Some(response) = misbehave(
        &state,
        format!("{location}?{}", query_string(&params)),
        error,
    )
    .await
    {
        return response;
    }
    if location.to_lowercase().starts_with("nowhere") {
        return (
            StatusCode::BAD_REQUEST,
            "Bad API Request:Invalid location parameter value.",
        )
            .into_response();
    }
    let hours = |day: i64| -> Vec<Value> {
        (0..24)
            .map(|h| {
                json!({"datetime": format!("{h:02}:00:00"),
                "datetimeEpoch": 1_763_683_200 + day * 86_400 + h * 3600,
                "temp": 5.0 + h as f64, "feelslike": 3.0, "humidity": 70.0, "precip": 0.0,
                "precipprob": 10.0, "windspeed": 12.0, "conditions": "Overcast"})
            })
            .collect()
    };
    let days: Vec<Value> = (0..15)
        .map(|d| json!({"datetime": format!("2026-11-{:02}", 21 + d % 9), "datetimeEpoch": 1_763_683_200 + d * 86_400,
            "tempmax": 11.0, "tempmin": 4.0, "temp": 7.5, "precip": 1.2, "precipprob": 40.0,
            "windspeed": 22.0, "conditions": "Rain, Overcast", "sunrise": "07:25:10",
            "sunset": "16:05:44", "hours": hours(d)}))
        .collect();
    axum::Json(json!({
        "queryCost": 1, "latitude": 51.5064, "longitude": -0.12721,
        "resolvedAddress": "London, England, United Kingdom", "address": location,
        "timezone": "Europe/London", "tzoffset": 0.0, "days": days,
        "currentConditions": {"datetime": "10:00:00", "datetimeEpoch": 1_763_719_200,
            "temp": 8.5, "feelslike": 6.0, "humidity": 81.0, "precip": 0.0, "windspeed": 14.0,
            "winddir": 240.0, "cloudcover": 100.0, "pressure": 1012.0, "conditions": "Overcast"}
    }))
    .into_response()
}
