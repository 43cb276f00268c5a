//! Helpers shared by the poll tests.

use axum::http::Method;
use groundwork_platform::auth::AuthSystem;
use groundwork_platform::testing::{TestApp, TestAppBuilder, TestResponse, TestUser};
use groundwork_polls::PollsSystem;
use groundwork_polls::api::response::PollResponse;
use serde_json::{Value, json};

pub fn builder() -> TestAppBuilder {
    TestApp::builder().system(AuthSystem).system(PollsSystem)
}

pub async fn app() -> TestApp {
    builder().spawn().await
}

/// Creates a poll as `owner` with `extra` fields merged into the body.
pub async fn create_poll(
    app: &TestApp,
    owner: &TestUser,
    options: &[&str],
    extra: Value,
) -> PollResponse {
    let mut body = json!({ "question": "Where do we eat?", "options": options });
    if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
        body.extend(extra.clone());
    }
    let response = app
        .json_authed(Method::POST, "/polls", &owner.access_token, &body)
        .await;
    assert_eq!(response.status, 201, "{}", response.text());
    response.json_as()
}

pub async fn voter_token(app: &TestApp) -> String {
    let response = app.post("/polls/voter-tokens", &json!({})).await;
    assert_eq!(response.status, 201, "{}", response.text());
    response.json()["voterToken"].as_str().unwrap().to_owned()
}

/// Votes with a voter token (`method` POST casts, PUT changes).
pub async fn vote_as(
    app: &TestApp,
    method: Method,
    poll: &PollResponse,
    token: &str,
    options: &[usize],
) -> TestResponse {
    let ids: Vec<_> = options.iter().map(|i| poll.options[*i].id).collect();
    app.send(
        app.request(method, &format!("/polls/{}/votes", poll.id))
            .header("x-voter-token", token)
            .json(&json!({ "optionIds": ids })),
    )
    .await
}

pub async fn get_poll(app: &TestApp, id: uuid::Uuid) -> PollResponse {
    let response = app.get(&format!("/polls/{id}")).await;
    assert_eq!(response.status, 200, "{}", response.text());
    response.json_as()
}

pub fn votes(poll: &PollResponse) -> Vec<u64> {
    poll.options.iter().map(|o| o.votes).collect()
}
