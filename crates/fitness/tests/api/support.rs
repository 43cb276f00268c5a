//! Fixtures shared by the fitness tests.

use groundwork_fitness::FitnessSystem;
use groundwork_platform::auth::AuthSystem;
use groundwork_platform::testing::{TestApp, TestResponse};
use reqwest::Method;
use serde_json::Value;

/// An app with auth and fitness mounted.
pub async fn app() -> TestApp {
    TestApp::builder()
        .system(AuthSystem)
        .system(FitnessSystem)
        .spawn()
        .await
}

/// `method /fitness{path}` with an optional token and JSON body.
pub async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> TestResponse {
    let mut request = app.request(method, &format!("/fitness{path}"));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(body);
    }
    app.send(request).await
}

/// The id of a catalogue exercise by name.
pub async fn exercise_id(app: &TestApp, name: &str) -> i64 {
    let query = format!("/exercises?q={}", name.replace(' ', "%20"));
    let page = call(app, Method::GET, &query, None, None).await.json();
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == name)
        .unwrap_or_else(|| panic!("{name} in the catalogue"))["id"]
        .as_i64()
        .unwrap()
}
