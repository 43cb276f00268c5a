//! Access tokens and refresh-token rotation.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use groundwork_platform::auth::tokens::Claims;
use groundwork_platform::testing::TestApp;
use jsonwebtoken::{EncodingKey, Header};
use serde_json::json;

#[tokio::test]
async fn a_refresh_token_used_twice_revokes_the_whole_session() {
    let app = TestApp::with_auth().await;
    let user = app.register_user().await;
    let first = app
        .post(
            "/auth/refresh",
            &json!({"refresh_token": user.refresh_token}),
        )
        .await;
    assert_eq!(first.status, 200);
    let newer = first.json()["refresh_token"].as_str().unwrap().to_owned();

    // The old token again: someone copied it.
    app.post(
        "/auth/refresh",
        &json!({"refresh_token": user.refresh_token}),
    )
    .await
    .assert_problem(401, "refresh_token_reused");
    // The legitimate newer token died with the family.
    app.post("/auth/refresh", &json!({"refresh_token": newer}))
        .await
        .assert_problem(401, "invalid_refresh_token");
    // Other sessions of the same user are untouched.
    let other = app.login(&user.email, &user.password).await;
    assert_eq!(
        app.post(
            "/auth/refresh",
            &json!({"refresh_token": other.refresh_token})
        )
        .await
        .status,
        200
    );
}

#[tokio::test]
async fn concurrent_refreshes_of_one_token_let_at_most_one_through() {
    let app = TestApp::with_auth().await;
    let user = app.register_user().await;
    let body = json!({"refresh_token": user.refresh_token});
    let attempts = (0..5).map(|_| app.post("/auth/refresh", &body));
    let statuses: Vec<u16> = futures_util::future::join_all(attempts)
        .await
        .iter()
        .map(|r| r.status.as_u16())
        .collect();
    assert!(
        statuses.iter().filter(|s| **s == 200).count() <= 1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 401),
        "{statuses:?}"
    );
}

#[tokio::test]
async fn unknown_refresh_tokens_are_refused_and_logout_is_idempotent() {
    let app = TestApp::with_auth().await;
    app.post("/auth/refresh", &json!({"refresh_token": "gwr_made_up"}))
        .await
        .assert_problem(401, "invalid_refresh_token");
    app.post("/auth/refresh", &json!({}))
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(
        app.post("/auth/logout", &json!({"refresh_token": "gwr_made_up"}))
            .await
            .status,
        204
    );
    let user = app.register_user().await;
    for _ in 0..2 {
        assert_eq!(
            app.post(
                "/auth/logout",
                &json!({"refresh_token": user.refresh_token})
            )
            .await
            .status,
            204
        );
    }
}

#[tokio::test]
async fn requests_without_a_valid_bearer_token_are_refused() {
    let app = TestApp::with_auth().await;
    let missing = app.get("/auth/me").await;
    missing.assert_problem(401, "missing_token");
    assert_eq!(missing.header("www-authenticate"), Some("Bearer"));

    let basic = app
        .send(
            app.request(reqwest::Method::GET, "/auth/me")
                .header("authorization", "Basic YTpi"),
        )
        .await;
    basic.assert_problem(401, "invalid_token");
    app.get_authed("/auth/me", "garbage")
        .await
        .assert_problem(401, "invalid_token");
}

#[tokio::test]
async fn a_tampered_token_is_refused() {
    let app = TestApp::with_auth().await;
    let user = app.register_user().await;
    let mut parts: Vec<String> = user.access_token.split('.').map(str::to_owned).collect();
    let mut claims: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&parts[1]).unwrap()).unwrap();
    claims["role"] = json!("admin");
    parts[1] = URL_SAFE_NO_PAD.encode(claims.to_string());
    let forged = parts.join(".");
    app.get_authed("/auth/me", &forged)
        .await
        .assert_problem(401, "invalid_token");
    app.get_authed("/auth/users", &forged)
        .await
        .assert_problem(401, "invalid_token");
}

fn sign(claims: &Claims, key: &[u8]) -> String {
    jsonwebtoken::encode(&Header::default(), claims, &EncodingKey::from_secret(key)).unwrap()
}

#[tokio::test]
async fn tokens_signed_with_another_key_or_expired_are_refused() {
    let secret = "test-secret-test-secret-test-secret!";
    let app = TestApp::builder()
        .system(groundwork_platform::auth::AuthSystem)
        .config("auth.jwt_secret", secret)
        .spawn()
        .await;
    let user = app.register_user().await;
    let now = jsonwebtoken::get_current_timestamp();
    let claims = Claims {
        sub: user.id,
        role: "user".into(),
        iat: now,
        exp: now + 600,
        iss: "groundwork".into(),
    };

    assert_eq!(
        app.get_authed("/auth/me", &sign(&claims, secret.as_bytes()))
            .await
            .status,
        200,
        "our own key works"
    );
    app.get_authed(
        "/auth/me",
        &sign(&claims, b"some-other-key-some-other-key-xx"),
    )
    .await
    .assert_problem(401, "invalid_token");
    let expired = Claims {
        iat: now - 3600,
        exp: now - 1800,
        ..claims.clone()
    };
    app.get_authed("/auth/me", &sign(&expired, secret.as_bytes()))
        .await
        .assert_problem(401, "token_expired");
    let wrong_issuer = Claims {
        iss: "someone-else".into(),
        ..claims
    };
    app.get_authed("/auth/me", &sign(&wrong_issuer, secret.as_bytes()))
        .await
        .assert_problem(401, "invalid_token");
}

#[tokio::test]
async fn tokens_survive_a_restart_with_the_generated_key() {
    // Two platforms on the same data directory share the generated key file.
    let dir = tempfile::tempdir().unwrap();
    let settings = groundwork_platform::config::AuthSettings::default();
    let first =
        groundwork_platform::auth::tokens::load_or_create_secret(&settings, dir.path()).unwrap();
    let tokens = groundwork_platform::auth::tokens::AccessTokens::new(&first, &settings);
    let token = tokens.issue(uuid::Uuid::now_v7(), "user").unwrap();
    let second =
        groundwork_platform::auth::tokens::load_or_create_secret(&settings, dir.path()).unwrap();
    let restarted = groundwork_platform::auth::tokens::AccessTokens::new(&second, &settings);
    assert!(restarted.verify(&token).is_ok());
}

#[tokio::test]
async fn a_deleted_account_cannot_use_its_token() {
    use sea_orm::EntityTrait;
    let app = TestApp::with_auth().await;
    let user = app.register_user().await;
    groundwork_platform::auth::entities::users::Entity::delete_by_id(user.id)
        .exec(app.platform.db())
        .await
        .unwrap();
    app.get_authed("/auth/me", &user.access_token)
        .await
        .assert_problem(401, "account_not_found");
    // Its refresh tokens went with it (foreign key cascade).
    app.post(
        "/auth/refresh",
        &serde_json::json!({"refresh_token": user.refresh_token}),
    )
    .await
    .assert_problem(401, "invalid_refresh_token");
}
