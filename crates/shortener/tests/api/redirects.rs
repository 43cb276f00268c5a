//! `GET /{code}`: redirects, dead links, click counting and its guarantees.

use std::time::Duration;

use chrono::Utc;
use reqwest::Method;
use serde_json::json;

use groundwork_platform::testing::TestApp;

use crate::support::{FIREFOX, access_count, app, builder, call, create, shorten, visit};

#[tokio::test]
async fn a_code_redirects_and_every_get_is_counted_but_head_is_not() {
    let app = app().await;
    let link = shorten(&app, "https://example.com/target?q=1").await;
    let code = link["shortCode"].as_str().unwrap();
    for _ in 0..5 {
        let response = visit(&app, code, FIREFOX, None).await;
        assert_eq!(response.status, 302);
        assert_eq!(
            response.header("location"),
            Some("https://example.com/target?q=1")
        );
        assert_eq!(response.header("cache-control"), Some("no-store"));
    }
    let head = app
        .send(app.request(Method::HEAD, &format!("/shortener/{code}")))
        .await;
    assert_eq!(head.status, 302);
    assert_eq!(
        head.header("location"),
        Some("https://example.com/target?q=1")
    );
    assert_eq!(access_count(&app, code).await, 5);
}

#[tokio::test]
async fn unknown_codes_get_a_friendly_page() {
    let app = app().await;
    for path in [
        "/shortener/nope123",
        "/shortener/no.such.thing",
        "/shortener/%E2%9C%93",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status, 404, "{path}");
        assert!(
            response
                .header("content-type")
                .unwrap()
                .starts_with("text/html")
        );
        assert!(response.text().contains("Link not found"));
        assert!(
            response.text().contains("href=\"/shortener/\""),
            "{}",
            response.text()
        );
    }
}

#[tokio::test]
async fn links_choose_their_redirect_status() {
    let app = app().await;
    let link = create(
        &app,
        None,
        json!({"url": "https://example.com/moved", "redirectType": 301}),
    )
    .await;
    let response = visit(&app, link["shortCode"].as_str().unwrap(), FIREFOX, None).await;
    assert_eq!(response.status, 301);
    assert_eq!(
        response.header("cache-control"),
        Some("private, max-age=86400")
    );
}

#[tokio::test]
async fn a_change_is_seen_by_the_next_redirect() {
    let app = app().await;
    let link = shorten(&app, "https://example.com/old").await;
    let code = link["shortCode"].as_str().unwrap();
    // Cached now.
    visit(&app, code, FIREFOX, None).await;
    call(
        &app,
        Method::PUT,
        &format!("/shorten/{code}"),
        None,
        Some(json!({"url": "https://example.com/new"})),
    )
    .await;
    let response = visit(&app, code, FIREFOX, None).await;
    assert_eq!(response.header("location"), Some("https://example.com/new"));
    call(
        &app,
        Method::DELETE,
        &format!("/shorten/{code}"),
        None,
        None,
    )
    .await;
    assert_eq!(visit(&app, code, FIREFOX, None).await.status, 404);
    // And a code remembered as unknown is found once it is created.
    assert_eq!(visit(&app, "brand-new", FIREFOX, None).await.status, 404);
    create(
        &app,
        None,
        json!({"url": "https://example.com/b", "alias": "brand-new"}),
    )
    .await;
    assert_eq!(visit(&app, "brand-new", FIREFOX, None).await.status, 302);
}

#[tokio::test]
async fn disabled_expired_and_used_up_links_are_gone() {
    let app = app().await;
    let disabled = create(
        &app,
        None,
        json!({"url": "https://example.com/d", "enabled": false}),
    )
    .await;
    let response = visit(&app, disabled["shortCode"].as_str().unwrap(), FIREFOX, None).await;
    assert_eq!(response.status, 410);
    assert!(response.text().contains("disabled"));

    let capped = create(
        &app,
        None,
        json!({"url": "https://example.com/c", "maxClicks": 2}),
    )
    .await;
    let code = capped["shortCode"].as_str().unwrap();
    let statuses = [
        visit(&app, code, FIREFOX, None).await.status,
        visit(&app, code, FIREFOX, None).await.status,
        visit(&app, code, FIREFOX, None).await.status,
    ];
    assert_eq!(statuses.map(|s| s.as_u16()), [302, 302, 410]);
    assert_eq!(access_count(&app, code).await, 2);
    // Raising the cap brings it back.
    call(
        &app,
        Method::PATCH,
        &format!("/shorten/{code}"),
        None,
        Some(json!({"maxClicks": 3})),
    )
    .await;
    assert_eq!(visit(&app, code, FIREFOX, None).await.status, 302);
    assert_eq!(visit(&app, code, FIREFOX, None).await.status, 410);

    let soon = Utc::now() + chrono::Duration::milliseconds(600);
    let expiring = create(
        &app,
        None,
        json!({"url": "https://example.com/e", "expiresAt": soon}),
    )
    .await;
    let code = expiring["shortCode"].as_str().unwrap();
    assert_eq!(visit(&app, code, FIREFOX, None).await.status, 302);
    tokio::time::sleep(Duration::from_millis(700)).await;
    let response = visit(&app, code, FIREFOX, None).await;
    assert_eq!(response.status, 410);
    assert!(response.text().contains("expired"));

    // Re-enabling a disabled link.
    let code = disabled["shortCode"].as_str().unwrap();
    call(
        &app,
        Method::PATCH,
        &format!("/shorten/{code}"),
        None,
        Some(json!({"enabled": true})),
    )
    .await;
    assert_eq!(visit(&app, code, FIREFOX, None).await.status, 302);
}

#[tokio::test]
async fn a_graceful_shutdown_writes_the_clicks_still_in_memory() {
    // A flush interval far beyond the test: only the shutdown can write these clicks.
    let mut app = builder()
        .config("shortener.flush_interval_ms", 3_600_000)
        .spawn()
        .await;
    let link = shorten(&app, "https://example.com/late").await;
    let code = link["shortCode"].as_str().unwrap().to_owned();
    for _ in 0..7 {
        visit(&app, &code, FIREFOX, None).await;
    }
    let id: i64 = link["id"].as_str().unwrap().parse().unwrap();
    assert_eq!(
        groundwork_shortener::links::repo::access_count(app.platform.db(), id)
            .await
            .unwrap(),
        0,
        "nothing is written before the flush"
    );
    app.shut_down().await;
    assert_eq!(
        groundwork_shortener::links::repo::access_count(app.platform.db(), id)
            .await
            .unwrap(),
        7
    );
}

/// Polls until `read` returns `wanted` (two seconds at most) and returns the last value.
async fn eventually<F: Future<Output = i64>>(wanted: i64, read: impl Fn() -> F) -> i64 {
    let mut value = read().await;
    for _ in 0..100 {
        if value == wanted {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        value = read().await;
    }
    value
}

/// Rows of the visitors table, read directly (the analytics endpoint would flush first).
async fn stored_visitors(app: &TestApp) -> i64 {
    use sea_orm::ConnectionTrait;
    let db = app.platform.db();
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM shortener_visitors_daily",
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get("", "n").unwrap()
}

#[tokio::test]
async fn a_full_batch_is_written_before_the_interval() {
    let app = builder()
        .config("shortener.flush_interval_ms", 3_600_000)
        .config("shortener.flush_max_events", 10)
        .spawn()
        .await;
    let link = shorten(&app, "https://example.com/busy").await;
    let code = link["shortCode"].as_str().unwrap();
    let id: i64 = link["id"].as_str().unwrap().parse().unwrap();
    let db = app.platform.db();
    let written = || async {
        groundwork_shortener::links::repo::access_count(db, id)
            .await
            .unwrap()
    };

    // Ten clicks by one visitor: the counts are due, the details (one visit) are not.
    for _ in 0..10 {
        visit(&app, code, FIREFOX, None).await;
    }
    assert_eq!(eventually(10, written).await, 10);
    assert_eq!(stored_visitors(&app).await, 0);

    // Nine more visitors, ten distinct visits waiting: the details are due too, well
    // before ten more clicks are.
    for n in 0..9 {
        visit(&app, code, &format!("agent-{n}"), None).await;
    }
    assert_eq!(eventually(10, || stored_visitors(&app)).await, 10);
    assert_eq!(written().await, 19);
}

#[tokio::test]
async fn concurrent_clicks_are_all_counted() {
    let app = app().await;
    let link = shorten(&app, "https://example.com/popular").await;
    let code = link["shortCode"].as_str().unwrap();
    let clicks = (0..200).map(|_| visit(&app, code, FIREFOX, None));
    let responses = futures_util::future::join_all(clicks).await;
    assert!(responses.iter().all(|r| r.status == 302));
    assert_eq!(access_count(&app, code).await, 200);
}
