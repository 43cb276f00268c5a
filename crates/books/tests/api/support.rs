//! Fixtures shared by the books tests.

use groundwork_books::BooksSystem;
use groundwork_platform::auth::AuthSystem;
use groundwork_platform::testing::{TestApp, TestAppBuilder, TestResponse};
use reqwest::Method;
use serde_json::Value;

/// A builder with auth and books mounted.
pub fn builder() -> TestAppBuilder {
    TestApp::builder().system(AuthSystem).system(BooksSystem)
}

/// `method /books{path}` with an optional token and JSON body.
pub async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> TestResponse {
    let mut request = app.request(method, &format!("/books{path}"));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(body);
    }
    app.send(request).await
}

/// Adds a book; returns it.
pub async fn add(app: &TestApp, token: &str, body: &Value) -> Value {
    let response = call(app, Method::POST, "", Some(token), Some(body)).await;
    assert_eq!(response.status, 201, "{}", response.text());
    response.json()
}
