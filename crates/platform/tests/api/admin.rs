//! Admin-only user management.

use groundwork_platform::testing::TestApp;
use serde_json::json;

#[tokio::test]
async fn only_admins_list_users_and_pages_have_the_standard_shape() {
    let app = TestApp::with_auth().await;
    let admin = app.admin().await;
    let user = app.register_user().await;
    for _ in 0..3 {
        app.register_user().await;
    }
    app.get("/auth/users")
        .await
        .assert_problem(401, "missing_token");
    app.get_authed("/auth/users", &user.access_token)
        .await
        .assert_problem(403, "forbidden");

    let page = app
        .get_authed("/auth/users?page=2&limit=2", &admin.access_token)
        .await;
    assert_eq!(page.status, 200, "{}", page.text());
    let body = page.json();
    assert_eq!(body["page"], 2);
    assert_eq!(body["limit"], 2);
    assert_eq!(body["total"], 5);
    assert_eq!(body["data"].as_array().unwrap().len(), 2);
    let last = app
        .get_authed("/auth/users?page=3&limit=2", &admin.access_token)
        .await
        .json();
    assert_eq!(last["data"].as_array().unwrap().len(), 1);
    assert!(body["data"][0].get("passwordHash").is_none());
}

#[tokio::test]
async fn bad_paging_parameters_are_named() {
    let app = TestApp::with_auth().await;
    let admin = app.admin().await;
    let body = app
        .get_authed("/auth/users?limit=1000", &admin.access_token)
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(body["errors"][0]["field"], "limit");
    let body = app
        .get_authed("/auth/users?page=abc", &admin.access_token)
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(body["errors"][0]["field"], "page");
    app.get_authed("/auth/users?page=-1", &admin.access_token)
        .await
        .assert_problem(422, "validation_failed");
    app.get_authed("/auth/users?page=0", &admin.access_token)
        .await
        .assert_problem(422, "validation_failed");
}

#[tokio::test]
async fn a_promotion_applies_from_the_next_token_and_a_demotion_at_once() {
    let app = TestApp::with_auth().await;
    let admin = app.admin().await;
    let user = app.register_user().await;
    let role = |id: uuid::Uuid| format!("/auth/users/{id}/role");

    app.json_authed(
        reqwest::Method::POST,
        &role(user.id),
        &user.access_token,
        &json!({"role": "admin"}),
    )
    .await
    .assert_problem(403, "forbidden");
    let promoted = app
        .json_authed(
            reqwest::Method::POST,
            &role(user.id),
            &admin.access_token,
            &json!({"role": "admin"}),
        )
        .await;
    assert_eq!(promoted.status, 200, "{}", promoted.text());
    assert_eq!(promoted.json()["role"], "admin");

    // The old token still says "user": gaining a role takes a new token.
    app.get_authed("/auth/users", &user.access_token)
        .await
        .assert_problem(403, "forbidden");
    let fresh = app.login(&user.email, &user.password).await;
    assert_eq!(
        app.get_authed("/auth/users", &fresh.access_token)
            .await
            .status,
        200
    );

    // Losing it does not wait for the token to expire: admin routes check the database.
    let demoted = app
        .json_authed(
            reqwest::Method::POST,
            &role(admin.id),
            &fresh.access_token,
            &json!({"role": "user"}),
        )
        .await;
    assert_eq!(demoted.status, 200, "{}", demoted.text());
    app.get_authed("/auth/users", &admin.access_token)
        .await
        .assert_problem(403, "forbidden");
}

#[tokio::test]
async fn role_changes_reject_unknown_roles_and_accounts() {
    let app = TestApp::with_auth().await;
    let admin = app.admin().await;
    let user = app.register_user().await;
    let post = |path: String, role: &'static str| {
        let app = &app;
        let token = admin.access_token.clone();
        async move {
            app.json_authed(reqwest::Method::POST, &path, &token, &json!({"role": role}))
                .await
        }
    };
    post(format!("/auth/users/{}/role", user.id), "emperor")
        .await
        .assert_problem(422, "validation_failed");
    post(
        format!("/auth/users/{}/role", uuid::Uuid::now_v7()),
        "admin",
    )
    .await
    .assert_problem(404, "not_found");
    post("/auth/users/not-a-uuid/role".into(), "admin")
        .await
        .assert_problem(400, "invalid_path_parameter");
}

#[tokio::test]
async fn the_last_admin_cannot_be_demoted() {
    let app = TestApp::with_auth().await;
    let admin = app.admin().await;
    let path = format!("/auth/users/{}/role", admin.id);
    app.json_authed(
        reqwest::Method::POST,
        &path,
        &admin.access_token,
        &json!({"role": "user"}),
    )
    .await
    .assert_problem(409, "last_admin");

    let second = app.admin().await;
    let demoted = app
        .json_authed(
            reqwest::Method::POST,
            &path,
            &second.access_token,
            &json!({"role": "user"}),
        )
        .await;
    assert_eq!(demoted.status, 200);
}
