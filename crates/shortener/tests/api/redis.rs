//! The shortener on a real Redis: the shared creation limit and the shared link cache.
//! Skipped without `GROUNDWORK_TEST_REDIS_URL`.

use groundwork_platform::testing::{TestApp, redis_url, unique_prefix};
use reqwest::Method;
use serde_json::json;

use crate::support::{FIREFOX, builder, call, shorten, visit};

async fn on_redis(url: &str, prefix: &str, anonymous_limit: u32) -> TestApp {
    builder()
        .config("redis.url", url)
        .config("redis.key_prefix", prefix)
        .config("shortener.anonymous_creates_per_minute", anonymous_limit)
        .spawn()
        .await
}

async fn redis_get(url: &str, key: &str) -> Option<String> {
    let client = redis::Client::open(url).unwrap();
    let mut connection = client.get_multiplexed_async_connection().await.unwrap();
    redis::cmd("GET")
        .arg(key)
        .query_async(&mut connection)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_creation_limit_is_shared_by_every_instance() {
    let Some(url) = redis_url() else {
        eprintln!("skipped: GROUNDWORK_TEST_REDIS_URL is not set");
        return;
    };
    let prefix = unique_prefix("shortener-limit");
    let first = on_redis(&url, &prefix, 2).await;
    let second = on_redis(&url, &prefix, 2).await;
    shorten(&first, "https://example.com/1").await;
    shorten(&second, "https://example.com/2").await;
    let third = call(
        &first,
        Method::POST,
        "/shorten",
        None,
        Some(json!({"url": "https://example.com/3"})),
    )
    .await;
    third.assert_problem(429, "rate_limited");
    let fourth = call(
        &second,
        Method::POST,
        "/shorten",
        None,
        Some(json!({"url": "https://example.com/4"})),
    )
    .await;
    fourth.assert_problem(429, "rate_limited");
}

#[tokio::test]
async fn links_are_cached_in_redis_and_rewritten_on_change() {
    let Some(url) = redis_url() else {
        eprintln!("skipped: GROUNDWORK_TEST_REDIS_URL is not set");
        return;
    };
    let prefix = unique_prefix("shortener-cache");
    let app = on_redis(&url, &prefix, 100).await;
    let link = shorten(&app, "https://example.com/cached").await;
    let code = link["shortCode"].as_str().unwrap();
    let key = format!("{prefix}sh:link:{code}");
    // The writer stores the new state at once.
    let stored = redis_get(&url, &key).await.expect("cached on creation");
    assert!(stored.contains("https://example.com/cached"), "{stored}");
    assert_eq!(visit(&app, code, FIREFOX, None).await.status, 302);

    call(
        &app,
        Method::PUT,
        &format!("/shorten/{code}"),
        None,
        Some(json!({"url": "https://example.com/changed"})),
    )
    .await;
    let stored = redis_get(&url, &key).await.unwrap();
    assert!(stored.contains("https://example.com/changed"), "{stored}");
    let response = visit(&app, code, FIREFOX, None).await;
    assert_eq!(
        response.header("location"),
        Some("https://example.com/changed")
    );

    call(
        &app,
        Method::DELETE,
        &format!("/shorten/{code}"),
        None,
        None,
    )
    .await;
    assert_eq!(
        redis_get(&url, &key).await.as_deref(),
        Some("-"),
        "a tombstone, so no reader resurrects it"
    );
    assert_eq!(visit(&app, code, FIREFOX, None).await.status, 404);
}
