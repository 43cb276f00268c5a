//! Fixtures shared by the shortener tests.

use groundwork_platform::auth::AuthSystem;
use groundwork_platform::testing::{TestApp, TestAppBuilder, TestResponse};
use groundwork_shortener::ShortenerSystem;
use reqwest::Method;
use serde_json::{Value, json};

/// A builder with auth and the shortener (at `/shortener`).
pub fn builder() -> TestAppBuilder {
    TestApp::builder()
        .system(AuthSystem)
        .system(ShortenerSystem::default())
}

/// An app with default settings.
pub async fn app() -> TestApp {
    builder().spawn().await
}

/// Sends `method /shortener{path}`, with a bearer token and a JSON body if given.
pub async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> TestResponse {
    app.call(method, &format!("/shortener{path}"), token, body)
        .await
}

/// Creates a link to `url` anonymously; returns its JSON.
pub async fn shorten(app: &TestApp, url: &str) -> Value {
    create(app, None, json!({ "url": url })).await
}

/// Creates a link from `body`, asserting 201.
pub async fn create(app: &TestApp, token: Option<&str>, body: Value) -> Value {
    let response = call(app, Method::POST, "/shorten", token, Some(body)).await;
    assert_eq!(response.status, 201, "{}", response.text());
    response.json()
}

/// `GET /shortener/{code}` with a user agent and referrer, not following redirects.
pub async fn visit(app: &TestApp, code: &str, agent: &str, referer: Option<&str>) -> TestResponse {
    let mut request = app
        .request(Method::GET, &format!("/shortener/{code}"))
        .header("user-agent", agent);
    if let Some(referer) = referer {
        request = request.header("referer", referer);
    }
    app.send(request).await
}

/// The link's `accessCount` from `GET /shorten/{code}/stats`.
pub async fn access_count(app: &TestApp, code: &str) -> i64 {
    let stats = call(
        app,
        Method::GET,
        &format!("/shorten/{code}/stats"),
        None,
        None,
    )
    .await;
    assert_eq!(stats.status, 200, "{}", stats.text());
    stats.json()["accessCount"].as_i64().unwrap()
}

/// A desktop browser's user agent.
pub const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
/// A phone's.
pub const IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1";
/// A crawler's.
pub const GOOGLEBOT: &str =
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
