//! `PATCH /auth/me`.

use groundwork_platform::testing::TestApp;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn the_name_can_be_set_and_cleared() {
    let app = TestApp::with_auth().await;
    let user = app.register_user().await;
    let set = app
        .json_authed(
            Method::PATCH,
            "/auth/me",
            &user.access_token,
            &json!({"name": "  Linus  "}),
        )
        .await;
    assert_eq!(set.status, 200, "{}", set.text());
    assert_eq!(set.json()["name"], "Linus");
    assert_ne!(set.json()["updatedAt"], set.json()["createdAt"]);
    let cleared = app
        .json_authed(
            Method::PATCH,
            "/auth/me",
            &user.access_token,
            &json!({"name": null}),
        )
        .await;
    assert_eq!(cleared.status, 200, "{}", cleared.text());
    assert_eq!(cleared.json()["name"], serde_json::Value::Null);
    let untouched = app
        .json_authed(Method::PATCH, "/auth/me", &user.access_token, &json!({}))
        .await;
    assert_eq!(untouched.status, 200);
}

#[tokio::test]
async fn changing_the_password_needs_the_current_one_and_ends_every_session() {
    let app = TestApp::with_auth().await;
    let user = app.register_user().await;
    let other_session = app.login(&user.email, &user.password).await;

    let body = app
        .json_authed(
            Method::PATCH,
            "/auth/me",
            &user.access_token,
            &json!({"newPassword": "brand new secret"}),
        )
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(body["errors"][0]["field"], "currentPassword");

    let body = app
        .json_authed(
            Method::PATCH,
            "/auth/me",
            &user.access_token,
            &json!({"currentPassword": "wrong guess!", "newPassword": "brand new secret"}),
        )
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(body["errors"][0]["code"], "incorrect");

    let changed = app
        .json_authed(
            Method::PATCH,
            "/auth/me",
            &user.access_token,
            &json!({"currentPassword": user.password, "newPassword": "brand new secret"}),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text());

    for refresh_token in [&user.refresh_token, &other_session.refresh_token] {
        app.refresh(refresh_token)
            .await
            .assert_problem(401, "invalid_refresh_token");
    }
    app.post(
        "/auth/login",
        &json!({"email": user.email, "password": user.password}),
    )
    .await
    .assert_problem(401, "invalid_credentials");
    app.login(&user.email, "brand new secret").await;
}

#[tokio::test]
async fn profile_updates_refuse_unknown_fields_and_bad_values() {
    let app = TestApp::with_auth().await;
    let user = app.register_user().await;
    let body = app
        .json_authed(
            Method::PATCH,
            "/auth/me",
            &user.access_token,
            &json!({"role": "admin"}),
        )
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(body["errors"][0]["code"], "unknown_field");
    app.json_authed(
        Method::PATCH,
        "/auth/me",
        &user.access_token,
        &json!({"name": "x".repeat(101)}),
    )
    .await
    .assert_problem(422, "validation_failed");
    app.json_authed(
        Method::PATCH,
        "/auth/me",
        &user.access_token,
        &json!({"name": 42}),
    )
    .await
    .assert_problem(422, "validation_failed");
    app.json(Method::PATCH, "/auth/me", &json!({"name": "anonymous"}))
        .await
        .assert_problem(401, "missing_token");
    let me = app.get_authed("/auth/me", &user.access_token).await.json();
    assert_eq!(me["role"], "user");
    assert_eq!(me["name"], serde_json::Value::Null);
}
