//! Bad requests get a clear 400 (the spec's status) and change nothing.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{access_count, app, builder, call, create, shorten};

async fn refused(
    app: &groundwork_platform::testing::TestApp,
    body: Value,
    field: &str,
    code: &str,
) {
    let response = call(app, Method::POST, "/shorten", None, Some(body.clone())).await;
    let problem = response.assert_problem(400, "validation_failed");
    let errors = problem["errors"].as_array().unwrap();
    assert!(
        errors
            .iter()
            .any(|e| e["field"] == field && e["code"] == code),
        "{body} → {problem}"
    );
}

#[tokio::test]
async fn invalid_urls_are_refused_with_the_reason() {
    let app = app().await;
    let long = format!("https://example.com/{}", "a".repeat(2048));
    let cases = [
        (json!({}), "url", "required"),
        (json!({"url": ""}), "url", "required"),
        (json!({"url": "example.com/page"}), "url", "invalid"),
        (
            json!({"url": "javascript:alert(document.cookie)"}),
            "url",
            "scheme",
        ),
        (
            json!({"url": "data:text/html;base64,PHNjcmlwdD4="}),
            "url",
            "scheme",
        ),
        (json!({"url": "ftp://example.com/f"}), "url", "scheme"),
        (json!({"url": long}), "url", "too_long"),
        (
            json!({"url": "https://paypal.com@evil.example/"}),
            "url",
            "credentials",
        ),
        (
            json!({"url": format!("http://127.0.0.1:1/x")}),
            "url",
            "self_link",
        ),
        (
            json!({"url": "https://example.com", "alias": "a b"}),
            "alias",
            "characters",
        ),
        (
            json!({"url": "https://example.com", "alias": "docs"}),
            "alias",
            "reserved",
        ),
        (
            json!({"url": "https://example.com", "alias": "x"}),
            "alias",
            "length",
        ),
        (
            json!({"url": "https://example.com", "redirectType": 200}),
            "redirectType",
            "invalid",
        ),
        (
            json!({"url": "https://example.com", "maxClicks": 0}),
            "maxClicks",
            "out_of_range",
        ),
        (
            json!({"url": "https://example.com", "expiresAt": "2000-01-01T00:00:00Z"}),
            "expiresAt",
            "in_past",
        ),
    ];
    for (body, field, code) in cases {
        refused(&app, body, field, code).await;
    }
    // Every bad field is reported at once.
    let response = call(
        &app,
        Method::POST,
        "/shorten",
        None,
        Some(json!({"url": "javascript:x", "alias": "!", "maxClicks": -1})),
    )
    .await;
    assert_eq!(response.json()["errors"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn malformed_bodies_are_400_not_422() {
    let app = app().await;
    let malformed = app
        .send(
            app.request(Method::POST, "/shortener/shorten")
                .header("content-type", "application/json")
                .body("{\"url\": "),
        )
        .await;
    malformed.assert_problem(400, "malformed_json");
    let wrong_type = call(
        &app,
        Method::POST,
        "/shorten",
        None,
        Some(json!({"url": 5})),
    )
    .await;
    wrong_type.assert_problem(400, "validation_failed");
    let unknown = call(
        &app,
        Method::POST,
        "/shorten",
        None,
        Some(json!({"url": "https://e.com", "colour": 1})),
    )
    .await;
    unknown.assert_problem(400, "validation_failed");
    let huge = app
        .send(
            app.request(Method::POST, "/shortener/shorten")
                .header("content-type", "application/json")
                .body(format!(
                    "{{\"url\": \"https://e.com/{}\"}}",
                    "a".repeat(3 * 1024 * 1024)
                )),
        )
        .await;
    assert_eq!(huge.status, 413);
}

#[tokio::test]
async fn a_bad_update_changes_nothing() {
    let app = app().await;
    let link = shorten(&app, "https://example.com/keep").await;
    let path = format!("/shorten/{}", link["shortCode"].as_str().unwrap());
    for body in [
        json!({}),
        json!({"url": "javascript:alert(1)"}),
        json!({"url": "https://example.com", "maxClicks": 0}),
    ] {
        let response = call(&app, Method::PUT, &path, None, Some(body)).await;
        response.assert_problem(400, "validation_failed");
    }
    let read = call(&app, Method::GET, &path, None, None).await.json();
    assert_eq!(read["url"], "https://example.com/keep");
    assert_eq!(read["updatedAt"], link["updatedAt"]);
    // Codes that cannot exist are plain 404s.
    for code in ["no.dots", "x%20y", &"a".repeat(65)] {
        let response = call(&app, Method::GET, &format!("/shorten/{code}"), None, None).await;
        response.assert_problem(404, "not_found");
    }
}

#[tokio::test]
async fn blocked_hosts_are_refused_with_their_subdomains() {
    let app = builder()
        .config("shortener.blocked_hosts", vec!["malware.example"])
        .spawn()
        .await;
    for url in ["https://malware.example/x", "http://cdn.MALWARE.example/y"] {
        refused(&app, json!({"url": url}), "url", "blocked").await;
    }
    shorten(&app, "https://notmalware.example/").await;
}

#[tokio::test]
async fn a_flood_of_creations_is_limited_and_loses_nothing_already_made() {
    let app = builder()
        .config("shortener.anonymous_creates_per_minute", 3)
        .config("shortener.user_creates_per_minute", 5)
        .spawn()
        .await;
    let mut made = Vec::new();
    for n in 0..3 {
        made.push(shorten(&app, &format!("https://example.com/{n}")).await);
    }
    let limited = call(
        &app,
        Method::POST,
        "/shorten",
        None,
        Some(json!({"url": "https://example.com/4"})),
    )
    .await;
    limited.assert_problem(429, "rate_limited");
    let retry: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    // A signed-in user has the account's own, larger quota (the address's share is
    // what is left of the account-sized one).
    let user = app.register_user().await;
    create(
        &app,
        Some(&user.access_token),
        json!({"url": "https://example.com/member"}),
    )
    .await;
    // What was made before the limit is intact.
    for link in made {
        assert_eq!(
            access_count(&app, link["shortCode"].as_str().unwrap()).await,
            0
        );
    }
}
