//! Fixtures shared by the blog tests.

use groundwork_blog::BlogSystem;
use groundwork_platform::auth::AuthSystem;
use groundwork_platform::testing::{TestApp, TestAppBuilder, TestResponse};
use reqwest::Method;
use serde_json::{Value, json};

/// A builder with auth and the blog mounted.
pub fn builder() -> TestAppBuilder {
    TestApp::builder().system(AuthSystem).system(BlogSystem)
}

/// An app with auth and the blog mounted, default settings.
pub async fn app() -> TestApp {
    builder().spawn().await
}

/// Sends a request with `Authorization: Token <token>` as RealWorld clients do.
pub async fn conduit(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> TestResponse {
    let mut request = app.request(method, &format!("/blog/api{path}"));
    if let Some(token) = token {
        request = request.header("authorization", format!("Token {token}"));
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    app.send(request).await
}

/// Asserts a RealWorld error: the status and that `errors.<key>` has a message.
#[track_caller]
pub fn assert_conduit_error(response: &TestResponse, status: u16, key: &str) -> Value {
    assert_eq!(response.status.as_u16(), status, "{}", response.text());
    let body = response.json();
    assert!(
        body["errors"][key]
            .as_array()
            .is_some_and(|m| !m.is_empty()),
        "expected errors.{key}: {body}"
    );
    body
}

/// Registers through `POST /api/users`; returns the token.
pub async fn register(app: &TestApp, username: &str) -> String {
    let email = format!("{}@example.com", username.to_lowercase());
    let body = json!({"user": {"username": username, "email": email, "password": "password123"}});
    let response = conduit(app, Method::POST, "/users", None, Some(body)).await;
    assert_eq!(response.status, 201, "{}", response.text());
    response.json()["user"]["token"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Creates an article through the RealWorld face; returns its JSON.
pub async fn article(app: &TestApp, token: &str, title: &str, tags: &[&str]) -> Value {
    let body = json!({"article": {"title": title, "description": format!("about {title}"), "body": format!("The body of {title}."), "tagList": tags}});
    let response = conduit(app, Method::POST, "/articles", Some(token), Some(body)).await;
    assert_eq!(response.status, 201, "{}", response.text());
    response.json()["article"].clone()
}

/// Creates a roadmap post; returns its JSON.
pub async fn post(
    app: &TestApp,
    token: Option<&str>,
    title: &str,
    category: &str,
    tags: &[&str],
) -> Value {
    let mut request = app
        .request(Method::POST, "/blog/posts")
        .json(&json!({"title": title, "content": format!("Content of {title}"), "category": category, "tags": tags}));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = app.send(request).await;
    assert_eq!(response.status, 201, "{}", response.text());
    response.json()
}
