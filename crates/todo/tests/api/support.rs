//! Fixtures shared by the to-do tests.

use groundwork_platform::auth::AuthSystem;
use groundwork_platform::testing::{TestApp, TestAppBuilder, TestResponse};
use groundwork_todo::TodoSystem;
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

/// A builder with auth and the to-do system mounted.
pub fn builder() -> TestAppBuilder {
    TestApp::builder().system(AuthSystem).system(TodoSystem)
}

/// An app with default settings.
pub async fn app() -> TestApp {
    builder().spawn().await
}

/// Sends `method /todo{path}` with `Authorization: Bearer <token>` and a JSON body.
pub async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> TestResponse {
    app.call(method, &format!("/todo{path}"), token, body).await
}

/// Registers a new account through `POST /todo/register`; returns its token.
pub async fn register(app: &TestApp) -> String {
    let email = format!("todo-{}@example.com", Uuid::now_v7().simple());
    let body = json!({"name": "John Doe", "email": email, "password": "password123"});
    let response = call(app, Method::POST, "/register", None, Some(body)).await;
    assert_eq!(response.status, 201, "{}", response.text());
    response.json()["token"].as_str().unwrap().to_owned()
}

/// Creates an item; returns its JSON.
pub async fn create(app: &TestApp, token: &str, body: Value) -> Value {
    let response = call(app, Method::POST, "/todos", Some(token), Some(body)).await;
    assert_eq!(response.status, 201, "{}", response.text());
    response.json()
}

/// Asserts the face's error: the status and the exact message.
#[track_caller]
pub fn assert_message(response: &TestResponse, status: u16, message: &str) -> Value {
    assert_eq!(response.status.as_u16(), status, "{}", response.text());
    let body = response.json();
    assert_eq!(body["message"], message, "{body}");
    body
}

/// Asserts a 400 that names these fields (in any order).
#[track_caller]
pub fn assert_invalid(response: &TestResponse, fields: &[&str]) {
    let body = assert_message(response, 400, "Validation failed");
    let mut named: Vec<&str> = body["errors"]
        .as_array()
        .expect("an errors list")
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    named.sort_unstable();
    let mut expected = fields.to_vec();
    expected.sort_unstable();
    assert_eq!(named, expected, "{body}");
}
