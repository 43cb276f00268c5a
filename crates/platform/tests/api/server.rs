//! Built-in routes and the middleware stack.

use groundwork_platform::testing::{self, TestApp};
use reqwest::Method;

#[tokio::test]
async fn hello_returns_the_greeting() {
    let app = TestApp::builder().spawn().await;
    let response = app.get("/hello").await;
    assert_eq!(response.status, 200);
    assert_eq!(response.json()["message"], "Hello, world!");
    assert_eq!(response.header("content-type"), Some("application/json"));
}

#[tokio::test]
async fn health_and_readiness_report_the_database() {
    let app = TestApp::builder().spawn().await;
    assert_eq!(app.get("/healthz").await.json()["status"], "ok");
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status, 200);
    assert_eq!(ready.json()["checks"]["database"], "ok");
    assert!(
        ready.json()["checks"].get("redis").is_none(),
        "Redis is not configured"
    );

    app.platform.close().await;
    let unready = app.get("/readyz").await;
    assert_eq!(unready.status, 503);
    assert_eq!(unready.json()["checks"]["database"], "down");
    assert_eq!(
        app.get("/healthz").await.status,
        200,
        "liveness does not depend on the database"
    );
}

#[tokio::test]
async fn readiness_checks_redis_when_it_is_configured() {
    let Some(url) = testing::redis_url() else {
        eprintln!("skipped: GROUNDWORK_TEST_REDIS_URL is not set");
        return;
    };
    let app = TestApp::builder().config("redis.url", url).spawn().await;
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status, 200, "{}", ready.text());
    assert_eq!(ready.json()["checks"]["redis"], "ok");
}

fn counter(metrics: &str, route: &str, status: &str) -> f64 {
    metrics
        .lines()
        .filter(|line| line.starts_with("http_requests_total{"))
        .filter(|line| {
            line.contains(&format!("route=\"{route}\""))
                && line.contains(&format!("status=\"{status}\""))
        })
        .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status() {
    let app = TestApp::with_auth().await;
    let before = app.get("/metrics").await.text();
    for _ in 0..3 {
        app.get("/hello").await;
    }
    app.get("/auth/me").await;
    app.get("/no/such/path/3f2a").await;
    let after = app.get("/metrics").await;
    assert!(
        after
            .header("content-type")
            .unwrap()
            .starts_with("text/plain")
    );
    let after = after.text();
    // Other tests in this process also call /hello; the count grows by at least ours.
    assert!(
        counter(&after, "/hello", "200") >= counter(&before, "/hello", "200") + 3.0,
        "{after}"
    );
    assert!(counter(&after, "/auth/me", "401") >= counter(&before, "/auth/me", "401") + 1.0);
    assert!(after.contains("http_request_duration_seconds_bucket"));
    assert!(after.contains("db_pool_connections{state=\"open\"}"));
    // Unmatched paths share one label instead of creating a series each.
    assert!(counter(&after, "unmatched", "404") >= counter(&before, "unmatched", "404") + 1.0);
    assert!(!after.contains("3f2a"), "raw paths never become labels");
}

#[tokio::test]
async fn the_openapi_document_lists_every_route() {
    let app = TestApp::with_auth().await;
    let document = app.get("/openapi.json").await.json();
    assert_eq!(document["openapi"], "3.1.0");
    let paths = document["paths"].as_object().unwrap();
    for (path, method) in [
        ("/", "get"),
        ("/hello", "get"),
        ("/healthz", "get"),
        ("/readyz", "get"),
        ("/metrics", "get"),
        ("/openapi.json", "get"),
        ("/openapi/{system}", "get"),
        ("/docs", "get"),
        ("/auth/register", "post"),
        ("/auth/login", "post"),
        ("/auth/refresh", "post"),
        ("/auth/logout", "post"),
        ("/auth/me", "get"),
        ("/auth/me", "patch"),
        ("/auth/users", "get"),
        ("/auth/users/{id}/role", "post"),
    ] {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} missing"
        );
    }
    assert_eq!(
        paths.len(),
        15,
        "a route was added without updating this test: {:?}",
        paths.keys()
    );
    assert_eq!(paths["/auth/me"]["get"]["tags"][0], "auth");
    assert_eq!(
        paths["/auth/me"]["get"]["security"][0]["bearer"],
        serde_json::json!([])
    );
    assert!(document["components"]["securitySchemes"]["bearer"].is_object());
    assert!(document["components"]["schemas"]["Problem"].is_object());

    for (path, item) in paths {
        for (method, operation) in item.as_object().unwrap() {
            for (status, response) in operation["responses"].as_object().unwrap() {
                let described = response["description"]
                    .as_str()
                    .is_some_and(|d| !d.is_empty());
                assert!(
                    described,
                    "{method} {path} {status} needs a description (OpenAPI requires one)"
                );
            }
        }
    }

    let auth_only = app.get("/openapi/auth.json").await.json();
    assert!(
        auth_only["paths"]
            .as_object()
            .unwrap()
            .keys()
            .all(|p| p.starts_with("/auth/"))
    );
    app.get("/openapi/nope.json")
        .await
        .assert_problem(404, "not_found");
}

#[tokio::test]
async fn the_docs_page_loads_the_reference_for_our_document() {
    let app = TestApp::with_auth().await;
    let docs = app.get("/docs").await;
    assert_eq!(docs.status, 200);
    assert!(
        docs.header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    assert!(docs.text().contains(r#"data-url="/openapi.json""#));
    assert!(
        docs.header("content-security-policy")
            .unwrap()
            .contains("cdn.jsdelivr.net")
    );
}

#[tokio::test]
async fn the_landing_page_lists_mounted_systems_without_scripts() {
    let app = TestApp::with_auth().await;
    let page = app.get("/").await;
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(
        html.contains("<code>/auth</code>") && html.contains("/openapi/auth.json"),
        "{html}"
    );
    assert!(!html.contains("<script"));
    assert!(
        page.header("content-security-policy")
            .unwrap()
            .contains("default-src 'none'")
    );
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_security_headers() {
    let app = TestApp::builder().spawn().await;
    let generated = app.get("/hello").await;
    let id = generated.header("x-request-id").unwrap();
    assert_eq!(id.len(), 36, "a UUID: {id}");
    assert_eq!(generated.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(generated.header("referrer-policy"), Some("no-referrer"));
    assert_eq!(generated.header("x-frame-options"), Some("DENY"));
    assert!(
        generated.header("strict-transport-security").is_none(),
        "HSTS is off without TLS"
    );

    let given = app
        .send(
            app.request(Method::GET, "/hello")
                .header("x-request-id", "trace-me-123"),
        )
        .await;
    assert_eq!(given.header("x-request-id"), Some("trace-me-123"));
    let missing = app.get("/missing").await;
    assert!(
        missing.header("x-request-id").is_some(),
        "errors carry the id too"
    );
}

#[tokio::test]
async fn token_and_account_responses_are_never_cached() {
    let app = TestApp::with_auth().await;
    let registered = app
        .post(
            "/auth/register",
            &serde_json::json!({"email": "cache@example.com", "password": "long enough"}),
        )
        .await;
    assert_eq!(registered.header("cache-control"), Some("no-store"));
    assert_eq!(registered.header("pragma"), Some("no-cache"));
    let token = registered.json()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let refresh = registered.json()["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let login = app
        .post(
            "/auth/login",
            &serde_json::json!({"email": "cache@example.com", "password": "long enough"}),
        )
        .await;
    assert_eq!(login.header("cache-control"), Some("no-store"));
    let refreshed = app
        .post(
            "/auth/refresh",
            &serde_json::json!({"refresh_token": refresh}),
        )
        .await;
    assert_eq!(refreshed.header("cache-control"), Some("no-store"));
    assert_eq!(
        app.get_authed("/auth/me", &token)
            .await
            .header("cache-control"),
        Some("no-store")
    );
    assert!(app.get("/hello").await.header("cache-control").is_none());
}

#[tokio::test]
async fn hsts_is_sent_when_enabled() {
    let app = TestApp::builder().config("server.hsts", true).spawn().await;
    assert!(
        app.get("/hello")
            .await
            .header("strict-transport-security")
            .unwrap()
            .contains("max-age=")
    );
}

#[tokio::test]
async fn cors_preflights_are_answered() {
    let app = TestApp::with_auth().await;
    let preflight = app
        .send(
            app.request(Method::OPTIONS, "/auth/me")
                .header("origin", "https://app.example.com")
                .header("access-control-request-method", "GET")
                .header("access-control-request-headers", "authorization"),
        )
        .await;
    assert_eq!(preflight.status, 204);
    assert_eq!(preflight.header("access-control-allow-origin"), Some("*"));
    assert!(
        preflight
            .header("access-control-allow-headers")
            .unwrap()
            .contains("authorization")
    );
}

#[tokio::test]
async fn cors_can_be_restricted_to_listed_origins() {
    let app = TestApp::builder()
        .config("server.cors_allowed_origins", ["https://good.example"])
        .spawn()
        .await;
    let good = app
        .send(
            app.request(Method::GET, "/hello")
                .header("origin", "https://good.example"),
        )
        .await;
    assert_eq!(
        good.header("access-control-allow-origin"),
        Some("https://good.example")
    );
    let bad = app
        .send(
            app.request(Method::GET, "/hello")
                .header("origin", "https://evil.example"),
        )
        .await;
    assert!(bad.header("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn large_responses_are_compressed_when_the_client_accepts_it() {
    let app = TestApp::with_auth().await;
    let response = app
        .send(
            app.request(Method::GET, "/openapi.json")
                .header("accept-encoding", "gzip"),
        )
        .await;
    assert_eq!(response.status, 200);
    assert_eq!(response.header("content-encoding"), Some("gzip"));
}

#[tokio::test]
async fn a_request_slower_than_the_timeout_gets_a_problem() {
    // A slow body upload keeps the handler waiting: the pipeline's timeout covers the
    // whole handler, reading the body included.
    let app = TestApp::builder()
        .system(groundwork_platform::auth::AuthSystem)
        .config("server.request_timeout_secs", 1)
        .spawn()
        .await;
    let (sender, receiver) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(1);
    sender.send(Ok(b"{\"email\":".to_vec())).await.unwrap();
    let stream = futures_util::stream::unfold(receiver, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    let request = app
        .request(Method::POST, "/auth/login")
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(stream));
    let response = app.send(request).await;
    response.assert_problem(503, "timeout");
    drop(sender);
}

#[tokio::test]
async fn the_access_log_line_carries_the_whole_request_span() {
    use tracing_subscriber::prelude::*;
    let capture = testing::LogCapture::default();
    let subscriber = tracing_subscriber::registry()
        .with(
            "info"
                .parse::<tracing_subscriber::filter::Targets>()
                .unwrap(),
        )
        .with(
            tracing_subscriber::fmt::layer()
                .fmt_fields(groundwork_platform::telemetry::PlainFields)
                .with_ansi(false)
                .with_writer(capture.clone()),
        );
    // This test's runtime runs on one thread, the server's tasks included.
    let _default = tracing::subscriber::set_default(subscriber);
    let app = TestApp::builder().spawn().await;
    let response = app
        .send(
            app.request(Method::GET, "/hello")
                .header("x-request-id", "trace-42"),
        )
        .await;
    assert_eq!(response.status, 200);
    let logs = capture.contents();
    let line = logs
        .lines()
        .find(|l| l.contains("request completed"))
        .unwrap_or_else(|| panic!("{logs}"));
    assert!(
        line.contains("request{request_id=trace-42 method=GET route=/hello status=200 latency_ms="),
        "{line}"
    );
}
