//! Registration and login.

use groundwork_platform::testing::TestApp;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn register_login_me_refresh_logout_works_end_to_end() {
    let app = TestApp::with_auth().await;

    let registered = app
        .post(
            "/auth/register",
            &json!({"email": "Ada@Example.com", "password": "analytical engine", "name": "Ada"}),
        )
        .await;
    assert_eq!(registered.status, 201, "{}", registered.text());
    let body = registered.json();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    assert_eq!(
        body["user"]["email"], "ada@example.com",
        "emails are normalised"
    );
    assert_eq!(body["user"]["role"], "user");
    assert!(body.get("password_hash").is_none() && body["user"].get("passwordHash").is_none());

    let login = app.login("ADA@example.com", "analytical engine").await;
    let me = app.get_authed("/auth/me", &login.access_token).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.json()["name"], "Ada");

    let refreshed = app.refresh(&login.refresh_token).await;
    assert_eq!(refreshed.status, 200, "{}", refreshed.text());
    let new_refresh = refreshed.json()["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(new_refresh, login.refresh_token, "refresh tokens rotate");
    let new_access = refreshed.json()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(app.get_authed("/auth/me", &new_access).await.status, 200);

    let logout = app
        .post("/auth/logout", &json!({"refresh_token": new_refresh}))
        .await;
    assert_eq!(logout.status, 204);
    app.refresh(&new_refresh)
        .await
        .assert_problem(401, "invalid_refresh_token");
}

#[tokio::test]
async fn a_duplicate_email_in_any_case_is_a_conflict() {
    let app = TestApp::with_auth().await;
    app.register("grace@example.com", "compiler pioneer").await;
    app.post(
        "/auth/register",
        &json!({"email": " GRACE@example.com ", "password": "another password"}),
    )
    .await
    .assert_problem(409, "email_taken");
}

#[tokio::test]
async fn concurrent_registrations_of_one_email_create_one_account() {
    let app = TestApp::with_auth().await;
    let body = json!({"email": "race@example.com", "password": "same password"});
    let statuses: Vec<u16> = app
        .post_concurrently("/auth/register", &body, 6)
        .await
        .iter()
        .map(|r| r.status.as_u16())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 201 || *s == 409),
        "{statuses:?}"
    );
}

#[tokio::test]
async fn registration_lists_every_invalid_field() {
    let app = TestApp::with_auth().await;
    let body = app
        .post(
            "/auth/register",
            &json!({"email": "not-an-email", "password": "short", "name": "  "}),
        )
        .await
        .assert_problem(422, "validation_failed");
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["email", "password", "name"]);
}

#[tokio::test]
async fn the_password_policy_is_enforced() {
    let app = TestApp::with_auth().await;
    for (password, code) in [
        ("1234567", "too_short"),
        ("aaaaaaaaaaaa", "too_weak"),
        (&"x".repeat(257)[..], "too_long"),
    ] {
        let body = app
            .post(
                "/auth/register",
                &json!({"email": "p@example.com", "password": password}),
            )
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(body["errors"][0]["code"], code, "{password}");
    }
}

#[tokio::test]
async fn registration_cannot_choose_its_own_role() {
    let app = TestApp::with_auth().await;
    let body = app
        .post("/auth/register", &json!({"email": "mallory@example.com", "password": "let me in please", "role": "admin"}))
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(body["errors"][0]["field"], "role");
    assert_eq!(body["errors"][0]["code"], "unknown_field");
    // Nothing was created: the email is still free.
    app.register("mallory@example.com", "let me in please")
        .await;
}

#[tokio::test]
async fn unknown_email_and_wrong_password_get_the_same_answer() {
    let app = TestApp::with_auth().await;
    let user = app.register_user().await;
    let wrong_password = app
        .post(
            "/auth/login",
            &json!({"email": user.email, "password": "not the password"}),
        )
        .await;
    let unknown_email = app
        .post(
            "/auth/login",
            &json!({"email": "nobody@example.com", "password": "not the password"}),
        )
        .await;
    let first = wrong_password.assert_problem(401, "invalid_credentials");
    let second = unknown_email.assert_problem(401, "invalid_credentials");
    assert_eq!(first, second);
    assert_eq!(wrong_password.header("www-authenticate"), Some("Bearer"));
}

#[tokio::test]
async fn a_malformed_email_at_login_is_a_validation_error() {
    let app = TestApp::with_auth().await;
    app.post(
        "/auth/login",
        &json!({"email": "nope", "password": "whatever1"}),
    )
    .await
    .assert_problem(422, "validation_failed");
    app.post("/auth/login", &json!({"email": "a@example.com"}))
        .await
        .assert_problem(422, "validation_failed");
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct OAuthTokenResponse {
    access_token: String,
    token_type: String,
    expires_in: u64,
    refresh_token: String,
    user: serde_json::Value,
}

#[tokio::test]
async fn the_token_response_follows_the_oauth_shape() {
    let app = TestApp::with_auth().await;
    let user = app.register_user().await;
    let response = app
        .json(
            Method::POST,
            "/auth/login",
            &json!({"email": user.email, "password": user.password}),
        )
        .await;
    let body: OAuthTokenResponse = response.json_as();
    assert_eq!(body.token_type, "Bearer");
    assert_eq!(body.expires_in, 900);
    assert!(body.access_token.split('.').count() == 3 && body.refresh_token.starts_with("gwr_"));
    assert_eq!(response.header("content-type"), Some("application/json"));
}
