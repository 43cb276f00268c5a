//! Shared arrangements: an app with the notes system, notes made over HTTP, counts of
//! what is stored.

use groundwork_notes::NotesSystem;
use groundwork_notes::entities::{blobs, notes};
use groundwork_platform::auth::AuthSystem;
use groundwork_platform::testing::{TestApp, TestResponse, TestUser};
use reqwest::Method;
use reqwest::multipart::{Form, Part};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};

pub async fn app() -> TestApp {
    TestApp::builder()
        .system(AuthSystem)
        .system(NotesSystem)
        .spawn()
        .await
}

pub async fn app_with(key: &str, value: impl serde::Serialize) -> TestApp {
    TestApp::builder()
        .system(AuthSystem)
        .system(NotesSystem)
        .config(key, value)
        .spawn()
        .await
}

/// Saves a note from JSON; returns its response body (asserting 201).
pub async fn create(app: &TestApp, user: &TestUser, markdown: &str) -> Value {
    let response = app
        .json_authed(
            Method::POST,
            "/notes",
            &user.access_token,
            &json!({ "markdown": markdown }),
        )
        .await;
    assert_eq!(response.status, 201, "{}", response.text());
    response.json()
}

/// Uploads files (name, bytes) as one multipart request.
pub async fn upload(app: &TestApp, user: &TestUser, files: &[(&str, &[u8])]) -> TestResponse {
    let mut form = Form::new();
    for (name, bytes) in files {
        form = form.part(
            "file",
            Part::bytes(bytes.to_vec()).file_name((*name).to_owned()),
        );
    }
    app.send(
        app.request(Method::POST, "/notes")
            .bearer_auth(&user.access_token)
            .multipart(form),
    )
    .await
}

/// (note rows, blob rows, stored objects).
pub async fn stored(app: &TestApp) -> (u64, u64, usize) {
    let db = app.platform.db();
    let notes = notes::Entity::find().count(db).await.unwrap();
    let blobs = blobs::Entity::find().count(db).await.unwrap();
    let objects = app.platform.blobs().list("notes").await.unwrap().len();
    (notes, blobs, objects)
}

pub fn id_of(note: &Value) -> String {
    note["id"].as_str().unwrap().to_owned()
}
