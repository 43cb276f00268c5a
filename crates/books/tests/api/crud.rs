//! CRUD, search, paging, permissions and bad input over HTTP.

use reqwest::Method;
use serde_json::json;

use crate::support::{add, builder, call};

#[tokio::test]
async fn a_book_is_added_read_replaced_and_deleted() {
    let app = builder().spawn().await;
    let user = app.register_user().await;
    let token = &user.access_token;
    let body = json!({"title": "Dune", "authors": ["Frank Herbert"], "isbn": "978-0-441-17271-9", "publishedYear": 1965, "tags": ["sf", "classic", "sf"]});
    let book = add(&app, token, &body).await;
    assert_eq!(book["isbn"], "9780441172719", "stored as digits");
    assert_eq!(book["tags"], json!(["classic", "sf"]));
    assert_eq!(book["createdBy"], user.id.to_string());
    let path = format!("/{}", book["id"].as_str().unwrap());

    let read = call(&app, Method::GET, &path, None, None).await;
    assert_eq!(read.status, 200, "reads need no account");
    assert_eq!(read.json(), book);

    let change = json!({"title": "Dune", "authors": ["Frank Herbert"], "isbn": "9780441172719", "publishedYear": 1966});
    let replaced = call(&app, Method::PUT, &path, Some(token), Some(&change)).await;
    assert_eq!(replaced.status, 200, "{}", replaced.text());
    let replaced = replaced.json();
    assert_eq!(replaced["publishedYear"], 1966);
    assert_eq!(replaced["tags"], json!([]));
    assert_eq!(replaced["createdAt"], book["createdAt"]);

    assert_eq!(
        call(&app, Method::DELETE, &path, Some(token), None)
            .await
            .status,
        204
    );
    call(&app, Method::GET, &path, None, None)
        .await
        .assert_problem(404, "not_found");
    call(&app, Method::DELETE, &path, Some(token), None)
        .await
        .assert_problem(404, "not_found");
}

#[tokio::test]
async fn the_list_searches_filters_and_pages() {
    let app = builder().spawn().await;
    let token = app.register_user().await.access_token;
    add(&app, &token, &json!({"title": "Dune", "authors": ["Frank Herbert"], "publishedYear": 1965, "tags": ["sf"]})).await;
    add(
        &app,
        &token,
        &json!({"title": "Emma", "authors": ["Jane Austen"], "publishedYear": 1815}),
    )
    .await;
    add(&app, &token, &json!({"title": "Children of Dune", "authors": ["Frank Herbert"], "publishedYear": 1976, "tags": ["sf"], "isbn": "9780441104024"})).await;
    for n in 0..30 {
        add(
            &app,
            &token,
            &json!({"title": format!("Filler {n}"), "authors": ["Anon"]}),
        )
        .await;
    }
    let titles = |body: &serde_json::Value| -> Vec<String> {
        body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["title"].as_str().unwrap().to_owned())
            .collect()
    };
    let dune = call(&app, Method::GET, "?q=DUNE", None, None).await.json();
    assert_eq!(titles(&dune), ["Children of Dune", "Dune"], "newest first");
    assert_eq!(dune["total"], 2);
    let by_author = call(
        &app,
        Method::GET,
        "?author=frank%20herbert&order=asc",
        None,
        None,
    )
    .await
    .json();
    assert_eq!(titles(&by_author), ["Dune", "Children of Dune"]);
    assert_eq!(
        call(&app, Method::GET, "?q=9780441104024", None, None)
            .await
            .json()["total"],
        1
    );
    assert_eq!(
        call(&app, Method::GET, "?tag=sf&year=1965", None, None)
            .await
            .json()["total"],
        1
    );

    let first = call(&app, Method::GET, "?limit=10", None, None)
        .await
        .json();
    assert_eq!(first["total"], 33);
    assert_eq!(titles(&first)[0], "Filler 29");
    let last = call(&app, Method::GET, "?limit=10&page=4", None, None)
        .await
        .json();
    assert_eq!(titles(&last), ["Children of Dune", "Emma", "Dune"]);
    let fillers = call(&app, Method::GET, "?q=filler&limit=5&page=6", None, None)
        .await
        .json();
    assert_eq!(fillers["total"], 30);
    assert_eq!(
        titles(&fillers),
        ["Filler 4", "Filler 3", "Filler 2", "Filler 1", "Filler 0"]
    );
}

#[tokio::test]
async fn only_the_creator_or_an_admin_may_change_a_book() {
    let app = builder().spawn().await;
    let owner = app.register_user().await.access_token;
    let other = app.register_user().await.access_token;
    let admin = app.admin().await.access_token;
    let book = add(&app, &owner, &json!({"title": "Mine", "authors": ["Me"]})).await;
    let path = format!("/{}", book["id"].as_str().unwrap());
    let change = json!({"title": "Yours", "authors": ["You"]});
    call(&app, Method::PUT, &path, Some(&other), Some(&change))
        .await
        .assert_problem(403, "forbidden");
    call(&app, Method::DELETE, &path, Some(&other), None)
        .await
        .assert_problem(403, "forbidden");
    assert_eq!(
        call(&app, Method::GET, &path, None, None).await.json()["title"],
        "Mine"
    );
    assert_eq!(
        call(&app, Method::PUT, &path, Some(&admin), Some(&change))
            .await
            .status,
        200
    );
    call(&app, Method::POST, "", None, Some(&change))
        .await
        .assert_problem(401, "missing_token");
}

#[tokio::test]
async fn bad_books_are_refused_with_every_field_named_and_nothing_stored() {
    let app = builder().spawn().await;
    let token = app.register_user().await.access_token;
    let bad = json!({"title": "", "authors": [], "isbn": "978-0-306-40615-8", "publishedYear": 99999, "tags": ["x".repeat(65)]});
    let response = call(&app, Method::POST, "", Some(&token), Some(&bad)).await;
    let problem = response.assert_problem(422, "validation_failed");
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["title", "authors", "isbn", "publishedYear", "tags[0]"]
    );
    let wrong_type = json!({"title": "x", "authors": "Me"});
    call(&app, Method::POST, "", Some(&token), Some(&wrong_type))
        .await
        .assert_problem(422, "validation_failed");
    let unknown = json!({"title": "x", "authors": ["Me"], "isbn13": "9780306406157"});
    call(&app, Method::POST, "", Some(&token), Some(&unknown))
        .await
        .assert_problem(422, "validation_failed");
    let malformed = app
        .request(Method::POST, "/books")
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{");
    assert_eq!(app.send(malformed).await.status, 400);
    for id in ["nope", "123", "00000000-0000-0000-0000-000000000000"] {
        call(&app, Method::GET, &format!("/{id}"), None, None)
            .await
            .assert_problem(404, "not_found");
    }
    call(&app, Method::GET, "?limit=0&order=up", None, None)
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(
        call(&app, Method::GET, "", None, None).await.json()["total"],
        0
    );
}

#[tokio::test]
async fn isbns_are_unique_even_when_added_concurrently() {
    let app = builder().spawn().await;
    let token = app.register_user().await.access_token;
    let body = json!({"title": "Same", "authors": ["A"], "isbn": "9780306406157"});
    let attempts = (0..10).map(|_| call(&app, Method::POST, "", Some(&token), Some(&body)));
    let responses = futures_util::future::join_all(attempts).await;
    assert_eq!(responses.iter().filter(|r| r.status == 201).count(), 1);
    assert_eq!(responses.iter().filter(|r| r.status == 409).count(), 9);
    let other = add(&app, &token, &json!({"title": "Other", "authors": ["B"]})).await;
    let steal = json!({"title": "Other", "authors": ["B"], "isbn": "978-0-306-40615-7"});
    let path = format!("/{}", other["id"].as_str().unwrap());
    call(&app, Method::PUT, &path, Some(&token), Some(&steal))
        .await
        .assert_problem(409, "isbn_taken");
}

#[tokio::test]
async fn the_catalog_cap_is_enforced() {
    let app = builder().config("books.max_books", 2).spawn().await;
    let token = app.register_user().await.access_token;
    for n in 0..2 {
        add(
            &app,
            &token,
            &json!({"title": format!("b{n}"), "authors": ["A"]}),
        )
        .await;
    }
    let third = json!({"title": "b2", "authors": ["A"]});
    call(&app, Method::POST, "", Some(&token), Some(&third))
        .await
        .assert_problem(409, "catalog_full");
}
