//! Bad input: malformed, oversized, missing, out of range, not a number, someone else's.
//! Every one is a clear 4xx in the face's `{"message"}` shape, and nothing is stored.

use reqwest::Method;
use serde_json::json;

use crate::support::{app, assert_invalid, assert_message, builder, call, create, register};

#[tokio::test]
async fn malformed_bodies_are_400_and_store_nothing() {
    let app = app().await;
    let token = register(&app).await;
    let broken = app
        .request(Method::POST, "/todo/todos")
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{\"title\": ");
    let response = app.send(broken).await;
    assert_eq!(response.status, 400, "{}", response.text());
    assert!(
        response.json()["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
    );

    let not_utf8 = app
        .request(Method::POST, "/todo/todos")
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(vec![b'{', 0xff, 0xfe, b'}']);
    assert_eq!(app.send(not_utf8).await.status, 400);

    let wrong_type = call(
        &app,
        Method::POST,
        "/todos",
        Some(&token),
        Some(json!({"title": 5})),
    )
    .await;
    assert_invalid(&wrong_type, &["title"]);
    let missing = call(
        &app,
        Method::POST,
        "/todos",
        Some(&token),
        Some(json!({"description": "no title"})),
    )
    .await;
    assert_invalid(&missing, &["title"]);
    let unknown = call(
        &app,
        Method::POST,
        "/todos",
        Some(&token),
        Some(json!({"title": "x", "stauts": "done"})),
    )
    .await;
    assert_eq!(unknown.status, 400);
    assert!(unknown.text().contains("stauts"), "{}", unknown.text());

    let text = app
        .request(Method::POST, "/todo/todos")
        .bearer_auth(&token)
        .header("content-type", "text/plain")
        .body("title=x");
    assert_eq!(app.send(text).await.status, 415);

    let listed = call(&app, Method::GET, "/todos", Some(&token), None)
        .await
        .json();
    assert_eq!(listed["total"], 0, "nothing was stored");
}

#[tokio::test]
async fn every_invalid_field_is_named_at_once() {
    let app = app().await;
    let token = register(&app).await;
    let body = json!({
        "title": "   ",
        "description": "x".repeat(10_001),
        "status": "finished",
        "priority": "urgent",
        "dueDate": "2026-02-30",
    });
    let response = call(&app, Method::POST, "/todos", Some(&token), Some(body)).await;
    assert_invalid(
        &response,
        &["title", "description", "status", "priority", "dueDate"],
    );
    let long = call(
        &app,
        Method::POST,
        "/todos",
        Some(&token),
        Some(json!({"title": "x".repeat(201)})),
    )
    .await;
    assert_invalid(&long, &["title"]);
    let empty_patch = call(
        &app,
        Method::PATCH,
        "/todos/1",
        Some(&token),
        Some(json!({})),
    )
    .await;
    assert_eq!(empty_patch.status, 400);
}

#[tokio::test]
async fn registration_checks_every_field() {
    let app = app().await;
    let body = json!({"name": "", "email": "not-an-email", "password": "short"});
    let response = call(&app, Method::POST, "/register", None, Some(body)).await;
    assert_invalid(&response, &["name", "email", "password"]);
    let missing = call(
        &app,
        Method::POST,
        "/register",
        None,
        Some(json!({"email": "a@b.co", "password": "password123"})),
    )
    .await;
    assert_invalid(&missing, &["name"]);
}

#[tokio::test]
async fn bodies_over_the_limit_are_413() {
    let app = builder()
        .config("server.body_limit_bytes", 4096)
        .spawn()
        .await;
    let token = register(&app).await;
    let body = json!({"title": "big", "description": "x".repeat(8192)});
    let response = call(&app, Method::POST, "/todos", Some(&token), Some(body)).await;
    assert_eq!(response.status, 413, "{}", response.text());
}

#[tokio::test]
async fn ids_that_are_not_positive_numbers_name_no_item() {
    let app = app().await;
    let token = register(&app).await;
    for id in ["abc", "0", "-1", "1.5", "99999999999999999999999", "%20"] {
        let response = call(
            &app,
            Method::GET,
            &format!("/todos/{id}"),
            Some(&token),
            None,
        )
        .await;
        assert_message(&response, 404, "Not Found");
        let patch = call(
            &app,
            Method::PATCH,
            &format!("/todos/{id}"),
            Some(&token),
            Some(json!({"status": "done"})),
        )
        .await;
        assert_eq!(patch.status, 404, "{id}");
    }
}

#[tokio::test]
async fn someone_elses_item_is_403_for_every_verb_and_stays_unchanged() {
    let app = app().await;
    let owner = register(&app).await;
    let intruder = register(&app).await;
    let item = create(
        &app,
        &owner,
        json!({"title": "private", "description": "secret plans"}),
    )
    .await;
    let path = format!("/todos/{}", item["id"]);
    for (method, body) in [
        (Method::GET, None),
        (
            Method::PUT,
            Some(json!({"title": "pwned", "description": ""})),
        ),
        (Method::PATCH, Some(json!({"status": "done"}))),
        (Method::DELETE, None),
    ] {
        let response = call(&app, method.clone(), &path, Some(&intruder), body).await;
        assert_eq!(response.status, 403, "{method}");
        assert_eq!(
            response.json(),
            json!({"message": "Forbidden"}),
            "{method}: nothing about the item"
        );
    }
    let read = call(&app, Method::GET, &path, Some(&owner), None)
        .await
        .json();
    assert_eq!(read, item, "unchanged");
    let theirs = call(&app, Method::GET, "/todos?q=secret", Some(&intruder), None)
        .await
        .json();
    assert_eq!(theirs["total"], 0);
}

#[tokio::test]
async fn bad_list_parameters_are_named() {
    let app = app().await;
    let token = register(&app).await;
    let cases: [(&str, &[&str]); 7] = [
        ("page=0&limit=1000", &["page", "limit"]),
        ("status=finished", &["status"]),
        ("sort=title", &["sort"]),
        ("order=sideways", &["order"]),
        ("dueBefore=tomorrow", &["dueBefore"]),
        ("dueAfter=2026-05-01&dueBefore=2026-04-01", &["dueAfter"]),
        ("q=", &[]),
    ];
    for (query, fields) in cases {
        let response = call(
            &app,
            Method::GET,
            &format!("/todos?{query}"),
            Some(&token),
            None,
        )
        .await;
        if fields.is_empty() {
            assert_eq!(
                response.status, 200,
                "{query}: an empty search is no filter"
            );
        } else {
            assert_invalid(&response, fields);
        }
    }
    let long = call(
        &app,
        Method::GET,
        &format!("/todos?q={}", "x".repeat(201)),
        Some(&token),
        None,
    )
    .await;
    assert_invalid(&long, &["q"]);
    let not_a_number = call(&app, Method::GET, "/todos?limit=ten", Some(&token), None).await;
    assert_eq!(not_a_number.status, 400, "{}", not_a_number.text());
    let unknown = call(&app, Method::GET, "/todos?stauts=done", Some(&token), None).await;
    assert_eq!(unknown.status, 400, "typos are not silently ignored");
}

#[tokio::test]
async fn concurrent_updates_of_one_item_all_succeed_and_the_last_one_wins_whole() {
    let app = app().await;
    let token = register(&app).await;
    let item = create(&app, &token, json!({"title": "start"})).await;
    let path = format!("/todos/{}", item["id"]);
    let writes = (0..8).map(|n| {
        call(
            &app,
            Method::PUT,
            &path,
            Some(&token),
            Some(json!({"title": format!("t{n}"), "description": format!("d{n}")})),
        )
    });
    let responses = futures_util::future::join_all(writes).await;
    assert!(responses.iter().all(|r| r.status == 200));
    let read = call(&app, Method::GET, &path, Some(&token), None)
        .await
        .json();
    let n = read["title"].as_str().unwrap().trim_start_matches('t');
    assert_eq!(
        read["description"],
        format!("d{n}"),
        "title and description from the same write"
    );
}
