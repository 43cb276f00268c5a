//! The weather system over HTTP, against the fake provider in `fake.rs`: real client
//! code, real sockets, the provider's documented formats. Redis parts with
//! `GROUNDWORK_TEST_REDIS_URL`.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod fake;

use std::time::Duration;

use fake::{Fake, Mode};
use groundwork_platform::testing::{TestApp, TestAppBuilder, redis_url, unique_prefix};
use groundwork_weather::WeatherSystem;
use serde_json::Value;

fn builder(fake: &Fake) -> TestAppBuilder {
    TestApp::builder()
        .system(WeatherSystem)
        .config(
            "weather.open_meteo_forecast_url",
            format!("{}/v1/forecast", fake.base),
        )
        .config(
            "weather.open_meteo_geocoding_url",
            format!("{}/v1/search", fake.base),
        )
        .config(
            "weather.visual_crossing_url",
            format!("{}/timeline", fake.base),
        )
        .config("weather.upstream_timeout_ms", 500)
        .config("weather.upstream_retries", 1)
        .config("weather.retry_backoff_ms", 10)
        .config("weather.requests_per_minute", 1_000_000)
}

async fn app(fake: &Fake) -> TestApp {
    builder(fake).spawn().await
}

async fn stats(app: &TestApp) -> Value {
    app.get("/weather/_stats").await.json()
}

#[tokio::test]
async fn a_miss_then_a_hit_with_the_normalised_document() {
    let fake = Fake::start().await;
    let app = app(&fake).await;
    let first = app.get("/weather/London?days=3&units=us").await;
    assert_eq!(first.status, 200, "{}", first.text());
    assert_eq!(first.header("x-cache"), Some("MISS"));
    let report = first.json();
    assert_eq!(report["cached"], false);
    assert_eq!(report["stale"], false);
    assert_eq!(report["source"], "open-meteo");
    assert_eq!(report["location"]["name"], "London");
    assert_eq!(report["location"]["country"], "United Kingdom");
    assert_eq!(report["location"]["timezone"], "Europe/London");
    assert_eq!(report["units"]["temperature"], "°F");
    assert_eq!(report["current"]["temperature"], 8.5);
    assert_eq!(report["current"]["conditions"], "Overcast");
    assert_eq!(report["daily"].as_array().unwrap().len(), 3);
    assert_eq!(report["daily"][0]["conditions"], "Partly cloudy");
    assert_eq!(report["hourly"].as_array().unwrap().len(), 48);
    assert!(report["fetchedAt"].as_str().unwrap().ends_with('Z'));
    // The documented parameters, in the units asked for.
    let sent = fake.last_query();
    for part in [
        "forecast_days=3",
        "temperature_unit=fahrenheit",
        "wind_speed_unit=mph",
        "precipitation_unit=inch",
        "timezone=auto",
    ] {
        assert!(sent.contains(part), "{sent}");
    }
    assert_eq!(fake.requests(), 2, "geocoding and forecast");

    // Another spelling of the same request: from the cache, no provider call.
    let second = app.get("/weather/%20london%20?units=us&days=3").await;
    assert_eq!(second.status, 200);
    assert_eq!(second.header("x-cache"), Some("HIT"));
    assert_eq!(second.json()["cached"], true);
    assert_eq!(second.json()["expiresAt"], report["expiresAt"]);
    assert_eq!(fake.requests(), 2);
    let counters = stats(&app).await;
    assert_eq!(
        (counters["hits"].as_u64(), counters["misses"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(counters["upstreamCalls"], 2);
    assert_eq!(counters["cache"], "memory");
}

#[tokio::test]
async fn hits_are_compressed_once_for_clients_that_accept_it() {
    use std::io::Read as _;

    let fake = Fake::start().await;
    let app = app(&fake).await;
    let gzip_get = || {
        app.send(
            app.request(reqwest::Method::GET, "/weather/London")
                .header("accept-encoding", "gzip"),
        )
    };
    let miss = gzip_get().await;
    assert_eq!(miss.header("x-cache"), Some("MISS"));
    let plain = app.get("/weather/London").await;
    assert_eq!(plain.header("x-cache"), Some("HIT"));
    assert_eq!(plain.header("content-encoding"), None);
    assert_eq!(plain.header("vary"), Some("accept-encoding"));
    for _ in 0..2 {
        let hit = gzip_get().await;
        assert_eq!(hit.header("x-cache"), Some("HIT"));
        assert_eq!(hit.header("content-encoding"), Some("gzip"));
        assert_eq!(hit.header("vary"), Some("accept-encoding"));
        assert!(hit.body.len() < plain.body.len() / 3);
        let mut decoded = Vec::new();
        flate2::read::GzDecoder::new(&hit.body[..])
            .read_to_end(&mut decoded)
            .unwrap();
        assert_eq!(decoded, plain.body);
    }
    let hit: Value = serde_json::from_slice(&plain.body).unwrap();
    assert_eq!(hit["cached"], true);
    assert_eq!(hit["location"]["name"], "London");
}

#[tokio::test]
async fn coordinates_skip_geocoding() {
    let fake = Fake::start().await;
    let app = app(&fake).await;
    let response = app.get("/weather/51.5,-0.12?days=1").await;
    assert_eq!(response.status, 200, "{}", response.text());
    assert_eq!(fake.requests(), 1);
    assert!(fake.last_query().contains("latitude=51.5"));
    assert_eq!(response.json()["hourly"].as_array().unwrap().len(), 24);
}

#[tokio::test]
async fn reports_expire_after_the_ttl() {
    let fake = Fake::start().await;
    let app = builder(&fake)
        .config("weather.cache_ttl_secs", 1)
        .spawn()
        .await;
    assert_eq!(app.get("/weather/1,1").await.status, 200);
    assert_eq!(app.get("/weather/1,1").await.header("x-cache"), Some("HIT"));
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let again = app.get("/weather/1,1").await;
    assert_eq!(again.header("x-cache"), Some("MISS"));
    assert_eq!(fake.requests(), 2);
}

#[tokio::test]
async fn a_hundred_concurrent_misses_make_one_provider_call() {
    let fake = Fake::start().await;
    fake.set_delay(Duration::from_millis(200));
    let app = app(&fake).await;
    let requests = (0..100).map(|_| app.get("/weather/40.7,-74.0"));
    let responses = futures_util::future::join_all(requests).await;
    assert!(responses.iter().all(|r| r.status == 200));
    assert_eq!(fake.requests(), 1);
}

#[tokio::test]
async fn a_stale_report_stands_in_when_the_provider_fails() {
    let fake = Fake::start().await;
    let app = builder(&fake)
        .config("weather.cache_ttl_secs", 1)
        .config("weather.stale_grace_secs", 60)
        .spawn()
        .await;
    assert_eq!(app.get("/weather/2,2").await.status, 200);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    fake.set_mode(Mode::Fail);
    let stale = app.get("/weather/2,2").await;
    assert_eq!(stale.status, 200, "{}", stale.text());
    assert_eq!(stale.header("x-cache"), Some("STALE"));
    assert_eq!(
        (
            stale.json()["stale"].as_bool(),
            stale.json()["cached"].as_bool()
        ),
        (Some(true), Some(true))
    );
    // One try and one retry on a 500.
    assert_eq!(fake.requests(), 3);
    let counters = stats(&app).await;
    assert_eq!(counters["staleServed"], 1);
    assert_eq!(counters["upstreamErrors"], 1);
    // Nothing cached for another place: the error itself.
    app.get("/weather/3,3")
        .await
        .assert_problem(502, "provider_failed");
}

#[tokio::test]
async fn provider_errors_are_mapped() {
    let fake = Fake::start().await;
    let app = app(&fake).await;
    app.get("/weather/Nowhere%20Town")
        .await
        .assert_problem(404, "location_not_found");

    fake.set_mode(Mode::Quota);
    let quota = app.get("/weather/4,4").await;
    quota.assert_problem(503, "unavailable");
    assert_eq!(quota.header("retry-after"), Some("60"));

    fake.set_mode(Mode::Hang);
    let before = fake.requests();
    app.get("/weather/5,5")
        .await
        .assert_problem(504, "provider_timeout");
    assert_eq!(fake.requests() - before, 2, "a timeout is retried once");

    fake.set_mode(Mode::BadKey);
    let before = fake.requests();
    app.get("/weather/6,6")
        .await
        .assert_problem(502, "provider_failed");
    assert_eq!(fake.requests() - before, 1, "a 4xx is not retried");
}

#[tokio::test]
async fn an_unreachable_provider_is_a_502_that_says_why_and_never_shows_the_key() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = closed.local_addr().unwrap();
    drop(closed);
    let app = TestApp::builder()
        .system(WeatherSystem)
        .config("weather.provider", "visual-crossing")
        .config("weather.visual_crossing_key", "secret-key-456")
        .config(
            "weather.visual_crossing_url",
            format!("http://{address}/timeline"),
        )
        .config("weather.upstream_retries", 1)
        .config("weather.retry_backoff_ms", 10)
        .spawn()
        .await;
    let response = app.get("/weather/Paris").await;
    let problem = response.assert_problem(502, "provider_failed");
    let detail = problem["detail"].as_str().unwrap().to_lowercase();
    assert!(detail.contains("refused"), "{detail}");
    assert!(!response.text().contains("secret-key-456"));
    assert!(!response.text().contains(&address.to_string()));
}

#[tokio::test]
async fn visual_crossing_is_asked_its_own_way_and_its_errors_mapped() {
    let fake = Fake::start().await;
    use tracing_subscriber::prelude::*;
    let logs = groundwork_platform::testing::LogCapture::default();
    // At info: the database's spans (debug) cross threads this subscriber is not on.
    let subscriber = tracing_subscriber::registry()
        .with(
            "info"
                .parse::<tracing_subscriber::filter::Targets>()
                .unwrap(),
        )
        .with(
            tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(logs.clone()),
        );
    // This test's runtime runs on one thread, the server's tasks included.
    let _default = tracing::subscriber::set_default(subscriber);
    let app = builder(&fake)
        .config("weather.provider", "visual-crossing")
        .config("weather.visual_crossing_key", "secret-key-123")
        .spawn()
        .await;
    let response = app
        .get("/weather/London%2C%20UK?units=uk&days=2&lang=de")
        .await;
    assert_eq!(response.status, 200, "{}", response.text());
    let report = response.json();
    assert_eq!(report["source"], "visual-crossing");
    assert_eq!(
        report["location"]["name"],
        "London, England, United Kingdom"
    );
    assert_eq!(report["units"]["windSpeed"], "mph");
    assert_eq!(report["daily"].as_array().unwrap().len(), 2);
    assert_eq!(report["daily"][0]["sunrise"], "2026-11-21T07:25");
    assert_eq!(report["current"]["time"], "2026-11-21T10:00");
    // From the current hour on, 48 hours over the days asked for.
    assert_eq!(report["hourly"][0]["time"], "2026-11-21T10:00");
    assert_eq!(report["hourly"].as_array().unwrap().len(), 38);
    let sent = fake.last_query();
    assert!(sent.starts_with("London, UK?"), "{sent}");
    for part in [
        "unitGroup=uk",
        "lang=de",
        "include=days,hours,current",
        "contentType=json",
        "key=secret-key-123",
    ] {
        assert!(sent.contains(part), "{sent}");
    }
    assert!(!response.text().contains("secret-key-123"));

    app.get("/weather/Nowhere")
        .await
        .assert_problem(404, "location_not_found");
    fake.set_mode(Mode::BadKey);
    let bad_key = app.get("/weather/Paris").await;
    bad_key.assert_problem(502, "provider_key_rejected");
    assert!(!bad_key.text().contains("secret-key-123"));
    fake.set_mode(Mode::Quota);
    app.get("/weather/Rome")
        .await
        .assert_problem(503, "unavailable");
    let logged = logs.contents();
    assert!(
        logged.contains("status=502"),
        "requests are logged: {logged}"
    );
    assert!(!logged.contains("secret-key-123"), "{logged}");
}

#[tokio::test]
async fn bad_requests_are_400_and_never_reach_the_provider() {
    let fake = Fake::start().await;
    let app = app(&fake).await;
    let long = "a".repeat(500);
    for path in [
        "/weather/%20%20".to_owned(),
        format!("/weather/{long}"),
        "/weather/Lon%07don".to_owned(),
        "/weather/Lon%0Adon".to_owned(),
        "/weather/London?units=kelvin".to_owned(),
        "/weather/London?days=0".to_owned(),
        "/weather/London?days=999".to_owned(),
        "/weather/London?lang=klingon".to_owned(),
        "/weather/91,0".to_owned(),
    ] {
        let response = app.get(&path).await;
        assert_eq!(response.status, 400, "{path}: {}", response.text());
        assert!(
            !response.json()["errors"][0]["message"]
                .as_str()
                .unwrap()
                .is_empty()
        );
    }
    assert_eq!(fake.requests(), 0);
}

#[tokio::test]
async fn clients_are_rate_limited_and_keys_checked() {
    let fake = Fake::start().await;
    let app = builder(&fake)
        .config("weather.requests_per_minute", 2)
        .spawn()
        .await;
    assert_eq!(app.get("/weather/7,7").await.status, 200);
    assert_eq!(app.get("/weather/7,7").await.status, 200);
    let limited = app.get("/weather/7,7").await;
    limited.assert_problem(429, "rate_limited");
    assert!(limited.header("retry-after").is_some());

    let keyed = builder(&fake)
        .config("weather.api_keys", vec!["k1", "k2"])
        .config("weather.requests_per_minute", 1)
        .spawn()
        .await;
    keyed
        .get("/weather/7,7")
        .await
        .assert_problem(401, "api_key_required");
    let with_key = |key: &'static str| {
        keyed.send(
            keyed
                .request(reqwest::Method::GET, "/weather/7,7")
                .header("x-api-key", key),
        )
    };
    with_key("nope")
        .await
        .assert_problem(401, "api_key_invalid");
    assert_eq!(with_key("k1").await.status, 200);
    with_key("k1").await.assert_problem(429, "rate_limited");
    // Each key has its own quota.
    assert_eq!(with_key("k2").await.status, 200);
}

#[tokio::test]
async fn on_redis_instances_share_the_cache_and_one_provider_call() {
    let Some(url) = redis_url() else {
        eprintln!("skipped: GROUNDWORK_TEST_REDIS_URL is not set");
        return;
    };
    let fake = Fake::start().await;
    fake.set_delay(Duration::from_millis(300));
    let prefix = unique_prefix("weather");
    let on_redis = || {
        builder(&fake)
            .config("redis.url", url.clone())
            .config("redis.key_prefix", prefix.clone())
            .spawn()
    };
    let first = on_redis().await;
    let second = on_redis().await;
    assert_eq!(stats(&first).await["cache"], "redis");
    let requests = (0..50).flat_map(|_| [first.get("/weather/8,8"), second.get("/weather/8,8")]);
    let responses = futures_util::future::join_all(requests).await;
    assert!(
        responses.iter().all(|r| r.status == 200),
        "{}",
        responses[0].text()
    );
    assert_eq!(fake.requests(), 1, "one provider call for both instances");
    let hit = second.get("/weather/8,8").await;
    assert_eq!(hit.header("x-cache"), Some("HIT"));
}

#[tokio::test]
async fn on_redis_an_instance_serves_the_report_another_refreshed() {
    let Some(url) = redis_url() else {
        eprintln!("skipped: GROUNDWORK_TEST_REDIS_URL is not set");
        return;
    };
    let fake = Fake::start().await;
    let prefix = unique_prefix("weather-near");
    let on_redis = || {
        builder(&fake)
            .config("redis.url", url.clone())
            .config("redis.key_prefix", prefix.clone())
            .config("weather.cache_ttl_secs", 1)
            .spawn()
    };
    let first = on_redis().await;
    let second = on_redis().await;
    let fetched_at = |response: &groundwork_platform::testing::TestResponse| {
        response.json()["fetchedAt"].as_str().unwrap().to_owned()
    };
    let original = first.get("/weather/9,9").await;
    assert_eq!(original.header("x-cache"), Some("MISS"));
    // Read from Redis, then kept in the second instance's near cache.
    for _ in 0..2 {
        let hit = second.get("/weather/9,9").await;
        assert_eq!(hit.header("x-cache"), Some("HIT"));
        assert_eq!(fetched_at(&hit), fetched_at(&original));
    }
    assert_eq!(fake.requests(), 1);

    // Once it expires, the first instance refreshes it; the second must not keep serving
    // its own expired copy, nor ask the provider again: it reads the new one from Redis.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let refreshed = first.get("/weather/9,9").await;
    assert_eq!(refreshed.header("x-cache"), Some("MISS"));
    assert_ne!(fetched_at(&refreshed), fetched_at(&original));
    let seen = second.get("/weather/9,9").await;
    assert_eq!(seen.header("x-cache"), Some("HIT"));
    assert_eq!(fetched_at(&seen), fetched_at(&refreshed));
    assert_eq!(fake.requests(), 2);
}
