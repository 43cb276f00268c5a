//! Fixtures shared by the expense tests.

use chrono::{Days, NaiveDate, Utc};
use groundwork_expenses::ExpensesSystem;
use groundwork_platform::auth::AuthSystem;
use groundwork_platform::testing::{TestApp, TestAppBuilder, TestResponse};
use reqwest::Method;
use serde_json::Value;

/// A builder with auth and expenses mounted.
pub fn builder() -> TestAppBuilder {
    TestApp::builder().system(AuthSystem).system(ExpensesSystem)
}

/// `method /expenses{path}` with a token and an optional JSON body.
pub async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Option<&Value>,
) -> TestResponse {
    let mut request = app
        .request(method, &format!("/expenses{path}"))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(body);
    }
    app.send(request).await
}

/// Records an expense; returns it.
pub async fn record(app: &TestApp, token: &str, body: &Value) -> Value {
    let response = call(app, Method::POST, "", token, Some(body)).await;
    assert_eq!(response.status, 201, "{}", response.text());
    response.json()
}

/// `GET /expenses{query}`, expecting 200.
pub async fn get(app: &TestApp, token: &str, path: &str) -> Value {
    let response = call(app, Method::GET, path, token, None).await;
    assert_eq!(response.status, 200, "{path}: {}", response.text());
    response.json()
}

/// Today in UTC minus `days`, as `YYYY-MM-DD`.
pub fn days_ago(days: u64) -> String {
    let today: NaiveDate = Utc::now().date_naive();
    today.checked_sub_days(Days::new(days)).unwrap().to_string()
}
