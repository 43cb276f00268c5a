//! Malformed requests get precise problem documents and change nothing.

use groundwork_platform::auth::entities::users;
use groundwork_platform::testing::{TestApp, TestResponse};
use reqwest::Method;
use sea_orm::{EntityTrait, PaginatorTrait};

async fn raw_register(app: &TestApp, content_type: Option<&str>, body: Vec<u8>) -> TestResponse {
    let mut request = app.request(Method::POST, "/auth/register").body(body);
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    app.send(request).await
}

async fn user_count(app: &TestApp) -> u64 {
    users::Entity::find()
        .count(app.platform.db())
        .await
        .unwrap()
}

#[tokio::test]
async fn malformed_json_is_a_400_with_the_location() {
    let app = TestApp::with_auth().await;
    let body = raw_register(
        &app,
        Some("application/json"),
        br#"{"email": "a@b.co", "password": "#.to_vec(),
    )
    .await
    .assert_problem(400, "malformed_json");
    assert!(
        body["detail"].as_str().unwrap().contains("line 1"),
        "{body}"
    );
    raw_register(&app, Some("application/json"), b"".to_vec())
        .await
        .assert_problem(400, "malformed_json");
    raw_register(&app, Some("application/json"), br#"{"email" "x"}"#.to_vec())
        .await
        .assert_problem(400, "malformed_json");
    assert_eq!(user_count(&app).await, 0);
}

#[tokio::test]
async fn the_wrong_content_type_is_a_415() {
    let app = TestApp::with_auth().await;
    let json = br#"{"email": "a@b.co", "password": "long enough"}"#.to_vec();
    raw_register(&app, None, json.clone())
        .await
        .assert_problem(415, "unsupported_media_type");
    raw_register(&app, Some("text/plain"), json.clone())
        .await
        .assert_problem(415, "unsupported_media_type");
    raw_register(
        &app,
        Some("application/x-www-form-urlencoded"),
        b"email=a".to_vec(),
    )
    .await
    .assert_problem(415, "unsupported_media_type");
    assert_eq!(user_count(&app).await, 0);
}

#[tokio::test]
async fn wrong_types_and_missing_fields_are_422_naming_the_field() {
    let app = TestApp::with_auth().await;
    let body = raw_register(
        &app,
        Some("application/json"),
        br#"{"email": ["x"], "password": "long enough"}"#.to_vec(),
    )
    .await
    .assert_problem(422, "validation_failed");
    assert_eq!(body["errors"][0]["field"], "email");
    assert_eq!(body["errors"][0]["code"], "invalid_type");
    let body = raw_register(
        &app,
        Some("application/json"),
        br#"{"password": "long enough"}"#.to_vec(),
    )
    .await
    .assert_problem(422, "validation_failed");
    assert_eq!(body["errors"][0]["field"], "email");
    assert_eq!(body["errors"][0]["code"], "required");
    raw_register(&app, Some("application/json"), b"42".to_vec())
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(user_count(&app).await, 0);
}

#[tokio::test]
async fn a_ten_megabyte_body_is_refused_with_413() {
    let app = TestApp::with_auth().await;
    let padding = "x".repeat(10 * 1024 * 1024);
    let body = format!(
        r#"{{"email": "big@example.com", "password": "long enough", "name": "{padding}"}}"#
    );
    raw_register(&app, Some("application/json"), body.into_bytes())
        .await
        .assert_problem(413, "payload_too_large");
    assert_eq!(user_count(&app).await, 0);
}

#[tokio::test]
async fn a_large_chunked_body_without_a_length_is_refused_too() {
    let app = TestApp::with_auth().await;
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        std::iter::repeat_with(|| Ok(vec![b' '; 64 * 1024]))
            .take(64)
            .collect();
    let stream = futures_util::stream::iter(chunks);
    let request = app
        .request(Method::POST, "/auth/register")
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(stream));
    app.send(request)
        .await
        .assert_problem(413, "payload_too_large");
}

#[tokio::test]
async fn invalid_utf8_is_malformed_json() {
    let app = TestApp::with_auth().await;
    let mut body = br#"{"email": "a@b.co", "password": "long enough", "name": ""#.to_vec();
    body.extend_from_slice(&[0xff, 0xfe, 0xfd]);
    body.extend_from_slice(br#""}"#);
    raw_register(&app, Some("application/json"), body)
        .await
        .assert_problem(400, "malformed_json");
    assert_eq!(user_count(&app).await, 0);
}

#[tokio::test]
async fn unknown_routes_and_methods_are_problems_too() {
    let app = TestApp::with_auth().await;
    app.get("/auth/nope")
        .await
        .assert_problem(404, "route_not_found");
    let wrong_method = app.send(app.request(Method::DELETE, "/auth/login")).await;
    wrong_method.assert_problem(405, "method_not_allowed");
    assert_eq!(wrong_method.header("allow"), Some("POST"));
}

#[tokio::test]
async fn oversized_path_parameters_and_query_values_are_client_errors() {
    let app = TestApp::with_auth().await;
    let admin = app.admin().await;
    let long = "a".repeat(5000);
    let path = format!("/auth/users/{long}/role");
    app.json_authed(
        Method::POST,
        &path,
        &admin.access_token,
        &serde_json::json!({"role": "user"}),
    )
    .await
    .assert_problem(400, "invalid_path_parameter");
    let digits = "9".repeat(5000);
    let body = app
        .get_authed(&format!("/auth/users?page={digits}"), &admin.access_token)
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(body["errors"][0]["field"], "page");
}
