//! The roadmap spec, endpoint by endpoint: paths, bodies, messages and status codes.

use reqwest::Method;
use serde_json::json;

use crate::support::{app, assert_message, call, create, register};

#[tokio::test]
async fn register_and_login_answer_with_a_token_that_authorizes_requests() {
    let app = app().await;
    let body = json!({"name": "John Doe", "email": "john@doe.com", "password": "password"});
    let registered = call(&app, Method::POST, "/register", None, Some(body)).await;
    assert_eq!(registered.status, 201, "{}", registered.text());
    assert!(
        registered.json()["token"]
            .as_str()
            .is_some_and(|t| t.len() > 20)
    );

    let login = json!({"email": "john@doe.com", "password": "password"});
    let logged_in = call(&app, Method::POST, "/login", None, Some(login)).await;
    assert_eq!(logged_in.status, 200, "{}", logged_in.text());
    let token = logged_in.json()["token"].as_str().unwrap().to_owned();
    let item = create(
        &app,
        &token,
        json!({"title": "Buy groceries", "description": "Buy milk, eggs, and bread"}),
    )
    .await;
    assert_eq!(item["title"], "Buy groceries");

    let again = json!({"name": "Jane", "email": "JOHN@doe.com", "password": "password"});
    let duplicate = call(&app, Method::POST, "/register", None, Some(again)).await;
    assert_eq!(
        duplicate.status, 409,
        "the email is unique, whatever its case"
    );
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_401() {
    let app = app().await;
    let token = register(&app).await;
    assert!(!token.is_empty());
    let wrong = call(
        &app,
        Method::POST,
        "/login",
        None,
        Some(json!({"email": "nobody@doe.com", "password": "password123"})),
    )
    .await;
    let body = assert_message(&wrong, 401, "Invalid email or password");
    assert!(body.get("token").is_none());
}

#[tokio::test]
async fn creating_without_a_valid_token_is_the_specs_401() {
    let app = app().await;
    let item = json!({"title": "Buy groceries", "description": "Buy milk, eggs, and bread"});
    let missing = call(&app, Method::POST, "/todos", None, Some(item.clone())).await;
    assert_eq!(missing.status, 401);
    assert_eq!(missing.json(), json!({"message": "Unauthorized"}));
    let forged = call(
        &app,
        Method::POST,
        "/todos",
        Some("not.a.token"),
        Some(item.clone()),
    )
    .await;
    assert_eq!(forged.status, 401);
    assert_eq!(forged.json(), json!({"message": "Unauthorized"}));
    let listed = call(&app, Method::GET, "/todos?page=1&limit=10", None, None).await;
    assert_eq!(listed.json(), json!({"message": "Unauthorized"}));
}

#[tokio::test]
async fn the_token_works_as_the_bare_authorization_header_value_too() {
    let app = app().await;
    let token = register(&app).await;
    let request = app
        .request(Method::POST, "/todo/todos")
        .header("authorization", &token)
        .json(&json!({"title": "Pay bills", "description": "Electricity"}));
    let response = app.send(request).await;
    assert_eq!(response.status, 201, "{}", response.text());
}

#[tokio::test]
async fn create_returns_the_item_with_its_id_title_and_description() {
    let app = app().await;
    let token = register(&app).await;
    let item = create(
        &app,
        &token,
        json!({"title": "Buy groceries", "description": "Buy milk, eggs, and bread"}),
    )
    .await;
    assert!(item["id"].as_i64().is_some_and(|id| id > 0));
    assert_eq!(item["title"], "Buy groceries");
    assert_eq!(item["description"], "Buy milk, eggs, and bread");
    assert_eq!(item["status"], "todo");
    assert_eq!(item["priority"], "medium");
    assert_eq!(item["dueDate"], serde_json::Value::Null);
}

#[tokio::test]
async fn update_replaces_the_item_and_someone_elses_is_forbidden() {
    let app = app().await;
    let owner = register(&app).await;
    let other = register(&app).await;
    let item = create(
        &app,
        &owner,
        json!({"title": "Buy groceries", "description": "Buy milk, eggs, bread"}),
    )
    .await;
    let path = format!("/todos/{}", item["id"]);
    let change =
        json!({"title": "Buy groceries", "description": "Buy milk, eggs, bread, and cheese"});

    let forbidden = call(&app, Method::PUT, &path, Some(&other), Some(change.clone())).await;
    assert_eq!(forbidden.status, 403);
    assert_eq!(
        forbidden.json(),
        json!({"message": "Forbidden"}),
        "nothing about the item"
    );

    let updated = call(&app, Method::PUT, &path, Some(&owner), Some(change)).await;
    assert_eq!(updated.status, 200, "{}", updated.text());
    let updated = updated.json();
    assert_eq!(updated["id"], item["id"]);
    assert_eq!(updated["description"], "Buy milk, eggs, bread, and cheese");
    assert_eq!(updated["createdAt"], item["createdAt"]);

    let read = call(&app, Method::GET, &path, Some(&owner), None)
        .await
        .json();
    assert_eq!(
        read, updated,
        "the change is stored, and reads back identically"
    );
}

#[tokio::test]
async fn delete_is_204_for_the_owner_and_403_for_anyone_else() {
    let app = app().await;
    let owner = register(&app).await;
    let other = register(&app).await;
    let item = create(
        &app,
        &owner,
        json!({"title": "Pay bills", "description": ""}),
    )
    .await;
    let path = format!("/todos/{}", item["id"]);

    let forbidden = call(&app, Method::DELETE, &path, Some(&other), None).await;
    assert_message(&forbidden, 403, "Forbidden");
    assert_eq!(
        call(&app, Method::GET, &path, Some(&owner), None)
            .await
            .status,
        200,
        "still there"
    );

    let deleted = call(&app, Method::DELETE, &path, Some(&owner), None).await;
    assert_eq!(deleted.status, 204);
    assert!(deleted.body.is_empty());
    assert_message(
        &call(&app, Method::GET, &path, Some(&owner), None).await,
        404,
        "Not Found",
    );
    assert_message(
        &call(&app, Method::DELETE, &path, Some(&owner), None).await,
        404,
        "Not Found",
    );
}

#[tokio::test]
async fn the_list_is_paginated_with_data_page_limit_and_total_and_holds_only_the_callers_items() {
    let app = app().await;
    let me = register(&app).await;
    let someone = register(&app).await;
    for n in 0..12 {
        create(
            &app,
            &me,
            json!({"title": format!("Mine {n}"), "description": "x"}),
        )
        .await;
    }
    create(
        &app,
        &someone,
        json!({"title": "Theirs", "description": "x"}),
    )
    .await;

    let first = call(&app, Method::GET, "/todos?page=1&limit=10", Some(&me), None).await;
    assert_eq!(first.status, 200, "{}", first.text());
    let first = first.json();
    assert_eq!(first["page"], 1);
    assert_eq!(first["limit"], 10);
    assert_eq!(first["total"], 12);
    let titles: Vec<&str> = first["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles.len(), 10);
    assert_eq!(titles[0], "Mine 0", "oldest first, as the spec's example");
    assert!(titles.iter().all(|t| t.starts_with("Mine")));
    let keys: Vec<&String> = first["data"][0].as_object().unwrap().keys().collect();
    for key in ["id", "title", "description"] {
        assert!(keys.iter().any(|k| *k == key), "{key} in {keys:?}");
    }

    let second = call(&app, Method::GET, "/todos?page=2&limit=10", Some(&me), None)
        .await
        .json();
    assert_eq!(second["data"].as_array().unwrap().len(), 2);
    assert_eq!(second["data"][1]["title"], "Mine 11");
    let beyond = call(&app, Method::GET, "/todos?page=9&limit=10", Some(&me), None)
        .await
        .json();
    assert_eq!(beyond["data"], json!([]));
    assert_eq!(beyond["total"], 12);
}
