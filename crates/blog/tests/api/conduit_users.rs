//! RealWorld users and profiles.

use reqwest::Method;
use serde_json::json;

use super::support::{app, assert_conduit_error, conduit, register};

#[tokio::test]
async fn registration_returns_201_with_the_user_envelope() {
    let app = app().await;
    let body =
        json!({"user": {"username": "Jacob", "email": "jake@jake.jake", "password": "jakejake"}});
    let response = conduit(&app, Method::POST, "/users", None, Some(body)).await;
    assert_eq!(response.status, 201, "{}", response.text());
    let user = &response.json()["user"];
    assert_eq!(user["email"], "jake@jake.jake");
    assert_eq!(user["username"], "Jacob");
    assert!(
        user["bio"].is_null() && user.get("bio").is_some(),
        "bio is present as null"
    );
    assert!(user["image"].is_null() && user.get("image").is_some());
    assert_eq!(user["token"].as_str().unwrap().split('.').count(), 3);
    assert_eq!(
        user.as_object().unwrap().len(),
        5,
        "exactly the spec's fields: {user}"
    );
}

#[tokio::test]
async fn duplicates_and_bad_fields_are_422_naming_the_field() {
    let app = app().await;
    register(&app, "taken").await;
    let same_name = json!({"user": {"username": "TAKEN", "email": "other@example.com", "password": "password123"}});
    let body = assert_conduit_error(
        &conduit(&app, Method::POST, "/users", None, Some(same_name)).await,
        422,
        "username",
    );
    assert_eq!(body["errors"]["username"][0], "has already been taken");
    let same_email = json!({"user": {"username": "other", "email": "Taken@Example.com", "password": "password123"}});
    assert_conduit_error(
        &conduit(&app, Method::POST, "/users", None, Some(same_email)).await,
        422,
        "email",
    );
    let bad = json!({"user": {"username": "has space", "email": "nope", "password": "short"}});
    let body = assert_conduit_error(
        &conduit(&app, Method::POST, "/users", None, Some(bad)).await,
        422,
        "username",
    );
    assert!(
        body["errors"]["email"].is_array() && body["errors"]["password"].is_array(),
        "{body}"
    );
    let missing = conduit(
        &app,
        Method::POST,
        "/users",
        None,
        Some(json!({"user": {"email": "a@b.co"}})),
    )
    .await;
    assert_conduit_error(&missing, 422, "username");
    let malformed = app
        .send(
            app.request(Method::POST, "/blog/api/users")
                .header("content-type", "application/json")
                .body("{"),
        )
        .await;
    assert_conduit_error(&malformed, 422, "body");
}

#[tokio::test]
async fn login_and_current_user_accept_token_and_bearer() {
    let app = app().await;
    register(&app, "jake").await;
    let login = conduit(
        &app,
        Method::POST,
        "/users/login",
        None,
        Some(json!({"user": {"email": "jake@example.com", "password": "password123"}})),
    )
    .await;
    assert_eq!(login.status, 200, "{}", login.text());
    let token = login.json()["user"]["token"].as_str().unwrap().to_owned();
    let me = conduit(&app, Method::GET, "/user", Some(&token), None).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.json()["user"]["username"], "jake");
    assert_eq!(me.json()["user"]["token"], token.as_str());
    assert_eq!(
        app.get_authed("/blog/api/user", &token).await.status,
        200,
        "Bearer works too"
    );

    let wrong = conduit(
        &app,
        Method::POST,
        "/users/login",
        None,
        Some(json!({"user": {"email": "jake@example.com", "password": "wrong password"}})),
    )
    .await;
    assert_conduit_error(&wrong, 401, "email or password");
    let missing = conduit(&app, Method::GET, "/user", None, None).await;
    let body = assert_conduit_error(&missing, 401, "token");
    assert_eq!(body["errors"]["token"][0], "is missing");
    assert_conduit_error(
        &conduit(&app, Method::GET, "/user", Some("not.a.jwt"), None).await,
        401,
        "token",
    );
}

#[tokio::test]
async fn updating_the_user_changes_profile_and_credentials() {
    let app = app().await;
    let token = register(&app, "jake").await;
    let update = json!({"user": {"bio": "I like to skateboard", "image": "https://i.example/jake.jpg", "username": "jacob"}});
    let response = conduit(&app, Method::PUT, "/user", Some(&token), Some(update)).await;
    assert_eq!(response.status, 200, "{}", response.text());
    let user = &response.json()["user"];
    assert_eq!(user["bio"], "I like to skateboard");
    assert_eq!(user["username"], "jacob");
    let cleared = conduit(
        &app,
        Method::PUT,
        "/user",
        Some(&token),
        Some(json!({"user": {"bio": null}})),
    )
    .await;
    assert!(cleared.json()["user"]["bio"].is_null());

    let credentials = json!({"user": {"email": "new@example.com", "password": "a new password"}});
    let changed = conduit(&app, Method::PUT, "/user", Some(&token), Some(credentials)).await;
    assert_eq!(changed.status, 200, "{}", changed.text());
    assert_eq!(changed.json()["user"]["email"], "new@example.com");
    let relogin = conduit(
        &app,
        Method::POST,
        "/users/login",
        None,
        Some(json!({"user": {"email": "new@example.com", "password": "a new password"}})),
    )
    .await;
    assert_eq!(relogin.status, 200);

    assert_conduit_error(
        &conduit(
            &app,
            Method::PUT,
            "/user",
            Some(&token),
            Some(json!({"user": {}})),
        )
        .await,
        422,
        "user",
    );
    let bad_image = conduit(
        &app,
        Method::PUT,
        "/user",
        Some(&token),
        Some(json!({"user": {"image": "javascript:alert(1)"}})),
    )
    .await;
    assert_conduit_error(&bad_image, 422, "image");
    register(&app, "other").await;
    let clash = conduit(
        &app,
        Method::PUT,
        "/user",
        Some(&token),
        Some(json!({"user": {"username": "OTHER"}})),
    )
    .await;
    assert_conduit_error(&clash, 422, "username");
}

#[tokio::test]
async fn platform_accounts_sign_in_on_the_conduit_face() {
    let app = app().await;
    let user = app.register_user().await;
    let login = conduit(
        &app,
        Method::POST,
        "/users/login",
        None,
        Some(json!({"user": {"email": user.email, "password": user.password}})),
    )
    .await;
    assert_eq!(login.status, 200, "{}", login.text());
    let username = login.json()["user"]["username"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        username.starts_with("user-"),
        "derived from the email: {username}"
    );
    let profile = conduit(
        &app,
        Method::GET,
        &format!("/profiles/{username}"),
        None,
        None,
    )
    .await;
    assert_eq!(profile.status, 200);
}

#[tokio::test]
async fn profiles_can_be_followed_and_unfollowed() {
    let app = app().await;
    let jake = register(&app, "jake").await;
    register(&app, "celeb").await;
    let anonymous = conduit(&app, Method::GET, "/profiles/celeb", None, None)
        .await
        .json();
    assert_eq!(
        anonymous,
        json!({"profile": {"username": "celeb", "bio": null, "image": null, "following": false}})
    );
    for _ in 0..2 {
        let followed = conduit(
            &app,
            Method::POST,
            "/profiles/celeb/follow",
            Some(&jake),
            None,
        )
        .await;
        assert_eq!(followed.status, 200);
        assert_eq!(followed.json()["profile"]["following"], true);
    }
    assert_eq!(
        conduit(&app, Method::GET, "/profiles/CELEB", Some(&jake), None)
            .await
            .json()["profile"]["following"],
        true
    );
    let unfollowed = conduit(
        &app,
        Method::DELETE,
        "/profiles/celeb/follow",
        Some(&jake),
        None,
    )
    .await;
    assert_eq!(unfollowed.json()["profile"]["following"], false);

    assert_conduit_error(
        &conduit(
            &app,
            Method::POST,
            "/profiles/jake/follow",
            Some(&jake),
            None,
        )
        .await,
        422,
        "username",
    );
    assert_conduit_error(
        &conduit(&app, Method::GET, "/profiles/nobody", None, None).await,
        404,
        "profile",
    );
    assert_conduit_error(
        &conduit(&app, Method::POST, "/profiles/celeb/follow", None, None).await,
        401,
        "token",
    );
}
