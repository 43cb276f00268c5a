//! The roadmap spec, request by request, and the spec's paths at the root mount.

use chrono::{DateTime, Utc};
use groundwork_platform::auth::AuthSystem;
use groundwork_platform::testing::TestApp;
use groundwork_shortener::ShortenerSystem;
use reqwest::Method;
use serde_json::json;

use crate::support::{access_count, app, call, shorten};

#[tokio::test]
async fn the_roadmap_api_works_as_its_page_describes() {
    let app = app().await;
    let created = call(
        &app,
        Method::POST,
        "/shorten",
        None,
        Some(json!({"url": "https://www.example.com/some/long/url"})),
    )
    .await;
    assert_eq!(created.status, 201);
    let link = created.json();
    assert!(
        link["id"].is_string(),
        "the spec shows the id as a string: {link}"
    );
    assert_eq!(link["url"], "https://www.example.com/some/long/url");
    let code = link["shortCode"].as_str().unwrap().to_owned();
    assert_eq!(code.len(), 7);
    assert!(code.bytes().all(|b| b.is_ascii_alphanumeric()));
    assert_eq!(link["createdAt"], link["updatedAt"]);

    let read = call(&app, Method::GET, &format!("/shorten/{code}"), None, None).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.json()["id"], link["id"]);
    assert_eq!(read.json()["url"], link["url"]);

    let updated = call(
        &app,
        Method::PUT,
        &format!("/shorten/{code}"),
        None,
        Some(json!({"url": "https://www.example.com/some/updated/url"})),
    )
    .await;
    assert_eq!(updated.status, 200);
    let updated = updated.json();
    assert_eq!(updated["url"], "https://www.example.com/some/updated/url");
    assert_eq!(updated["createdAt"], link["createdAt"]);
    let created_at: DateTime<Utc> = link["createdAt"].as_str().unwrap().parse().unwrap();
    let updated_at: DateTime<Utc> = updated["updatedAt"].as_str().unwrap().parse().unwrap();
    assert!(updated_at > created_at);

    // One GET so far counted as an access; two more.
    for _ in 0..2 {
        call(&app, Method::GET, &format!("/shorten/{code}"), None, None).await;
    }
    let stats = call(
        &app,
        Method::GET,
        &format!("/shorten/{code}/stats"),
        None,
        None,
    )
    .await;
    assert_eq!(stats.status, 200);
    let stats = stats.json();
    assert_eq!(stats["accessCount"], 3);
    assert_eq!(stats["url"], "https://www.example.com/some/updated/url");
    assert_eq!(stats["shortCode"], code.as_str());

    let deleted = call(
        &app,
        Method::DELETE,
        &format!("/shorten/{code}"),
        None,
        None,
    )
    .await;
    assert_eq!(deleted.status, 204);
    assert!(deleted.body.is_empty());
    for method in [Method::GET, Method::DELETE] {
        let gone = call(&app, method, &format!("/shorten/{code}"), None, None).await;
        gone.assert_problem(404, "not_found");
    }
    let stats = call(
        &app,
        Method::GET,
        &format!("/shorten/{code}/stats"),
        None,
        None,
    )
    .await;
    stats.assert_problem(404, "not_found");
    let put = call(
        &app,
        Method::PUT,
        &format!("/shorten/{code}"),
        None,
        Some(json!({"url": "https://example.com"})),
    )
    .await;
    put.assert_problem(404, "not_found");
}

#[tokio::test]
async fn at_the_root_mount_the_paths_are_the_specs() {
    let app = TestApp::builder()
        .system(AuthSystem)
        .system_at(ShortenerSystem::default(), "/")
        .spawn()
        .await;
    let created = app
        .post("/shorten", &json!({"url": "https://example.com/rooted"}))
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let link = created.json();
    let code = link["shortCode"].as_str().unwrap();
    assert_eq!(
        link["shortUrl"],
        format!("http://{}/{code}", app.address).as_str()
    );
    let redirect = app.get(&format!("/{code}")).await;
    assert_eq!(redirect.status, 302);
    assert_eq!(
        redirect.header("location"),
        Some("https://example.com/rooted")
    );
    assert_eq!(app.get(&format!("/shorten/{code}/stats")).await.status, 200);
    // The platform's own routes are not taken for codes.
    assert_eq!(app.get("/hello").await.status, 200);
    assert_eq!(app.get("/healthz").await.status, 200);
    assert_eq!(app.get("/openapi.json").await.status, 200);
    let home = app.get("/").await;
    assert_eq!(home.status, 200);
    assert!(home.text().contains("<form method=\"post\""));
}

#[tokio::test]
async fn concurrent_creations_never_share_a_code() {
    let app = crate::support::builder()
        .config("shortener.anonymous_creates_per_minute", 1000)
        .config("shortener.user_creates_per_minute", 1000)
        .spawn()
        .await;
    let creations = (0..40).map(|n| {
        let app = &app;
        async move { shorten(app, &format!("https://example.com/{n}")).await }
    });
    let links = futures_util::future::join_all(creations).await;
    let mut codes: Vec<&str> = links
        .iter()
        .map(|l| l["shortCode"].as_str().unwrap())
        .collect();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), 40);
    assert_eq!(access_count(&app, codes[0]).await, 0);
}

#[tokio::test]
async fn the_same_alias_asked_for_at_once_goes_to_exactly_one() {
    let app = app().await;
    let attempts = (0..8).map(|n| {
        let app = &app;
        async move {
            call(
                app,
                Method::POST,
                "/shorten",
                None,
                Some(json!({"url": format!("https://example.com/{n}"), "alias": "launch-day"})),
            )
            .await
        }
    });
    let responses = futures_util::future::join_all(attempts).await;
    let won = responses.iter().filter(|r| r.status == 201).count();
    let lost = responses.iter().filter(|r| r.status == 409).count();
    assert_eq!((won, lost), (1, 7));
    responses
        .iter()
        .find(|r| r.status == 409)
        .unwrap()
        .assert_problem(409, "alias_taken");
}

#[tokio::test]
async fn the_html_form_shortens_a_link_without_javascript() {
    let app = app().await;
    let form = app.get("/shortener").await;
    assert_eq!(form.status, 200);
    assert!(
        form.header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    assert!(!form.text().contains("<script"));

    let posted = app
        .send(
            app.request(Method::POST, "/shortener")
                .header("content-type", "application/x-www-form-urlencoded")
                .body("url=https%3A%2F%2Fexample.com%2Fform&alias=from-form"),
        )
        .await;
    assert_eq!(posted.status, 201, "{}", posted.text());
    let short = format!("http://{}/shortener/from-form", app.address);
    assert!(posted.text().contains(&short), "{}", posted.text());
    let redirect = app.get("/shortener/from-form").await;
    assert_eq!(
        redirect.header("location"),
        Some("https://example.com/form")
    );

    let refused = app
        .send(
            app.request(Method::POST, "/shortener")
                .header("content-type", "application/x-www-form-urlencoded")
                .body("url=javascript%3Aalert(1)"),
        )
        .await;
    assert_eq!(refused.status, 400);
    let page = refused.text();
    assert!(
        page.contains("javascript: URLs cannot be shortened"),
        "{page}"
    );
    // What the user typed comes back escaped, never as markup.
    assert!(page.contains("value=\"javascript:alert(1)\""), "{page}");
}
