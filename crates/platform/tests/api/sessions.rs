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
    let first = app.refresh(&user.refresh_token).await;
    assert_eq!(first.status, 200);
    let newer = first.json()["refresh_token"].as_str().unwrap().to_owned();

    // The old token again: someone copied it.
    app.refresh(&user.refresh_token)
        .await
        .assert_problem(401, "refresh_token_reused");
    // The legitimate newer token died with the family.
    app.refresh(&newer)
        .await
        .assert_problem(401, "invalid_refresh_token");
    // Other sessions of the same user are untouched.
    let other = app.login(&user.email, &user.password).await;
    assert_eq!(app.refresh(&other.refresh_token).await.status, 200);
}

#[tokio::test]
async fn concurrent_refreshes_of_one_token_let_one_through_then_revoke_the_session() {
    let app = TestApp::with_auth().await;
    let user = app.register_user().await;
    let body = json!({"refresh_token": user.refresh_token});
    let responses = app.post_concurrently("/auth/refresh", &body, 5).await;
    let winners: Vec<_> = responses.iter().filter(|r| r.status == 200).collect();
    assert_eq!(
        winners.len(),
        1,
        "{:?}",
        responses.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    // The first loser finds the token used and revokes the family; later ones find it
    // revoked.
    let codes: Vec<String> = responses
        .iter()
        .filter(|r| r.status != 200)
        .map(|r| {
            r.assert_problem(401, r.json()["code"].as_str().unwrap_or_default())["code"].to_string()
        })
        .collect();
    assert!(
        codes.iter().any(|c| c.contains("refresh_token_reused")),
        "{codes:?}"
    );
    assert!(
        codes
            .iter()
            .all(|c| c.contains("refresh_token_reused") || c.contains("invalid_refresh_token")),
        "{codes:?}"
    );
    // Presenting a used token revoked the family, the winner's new token included.
    let newest = winners[0].json()["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    app.refresh(&newest)
        .await
        .assert_problem(401, "invalid_refresh_token");
}

#[tokio::test]
async fn a_refresh_racing_a_logout_never_leaves_a_live_token() {
    let app = TestApp::with_auth().await;
    let user = app.register_user().await;
    for _ in 0..5 {
        let session = app.login(&user.email, &user.password).await;
        let body = json!({"refresh_token": session.refresh_token});
        let (refreshed, logged_out) = tokio::join!(
            app.post("/auth/refresh", &body),
            app.post("/auth/logout", &body)
        );
        assert_eq!(logged_out.status, 204);
        if refreshed.status == 200 {
            let newest = refreshed.json()["refresh_token"]
                .as_str()
                .unwrap()
                .to_owned();
            app.refresh(&newest)
                .await
                .assert_problem(401, "invalid_refresh_token");
        } else {
            refreshed.assert_problem(401, "invalid_refresh_token");
        }
    }
}

#[tokio::test]
async fn unknown_refresh_tokens_are_refused_and_logout_is_idempotent() {
    let app = TestApp::with_auth().await;
    app.refresh("gwr_made_up")
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
