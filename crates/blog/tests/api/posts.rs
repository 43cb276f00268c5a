//! Face 1: the roadmap blogging API at `/blog/posts`.

use reqwest::Method;
use serde_json::json;

use super::support::{app, builder, post, register};

const FIRST: &str = r#"{"title": "My First Blog Post", "content": "This is the content of my first blog post.", "category": "Technology", "tags": ["Tech", "Programming"]}"#;

#[tokio::test]
async fn creating_a_post_returns_201_with_the_spec_fields() {
    let app = app().await;
    let request = app
        .request(Method::POST, "/blog/posts")
        .header("content-type", "application/json")
        .body(FIRST);
    let response = app.send(request).await;
    assert_eq!(response.status, 201, "{}", response.text());
    let body = response.json();
    assert!(body["id"].as_i64().is_some_and(|id| id > 0));
    assert_eq!(body["title"], "My First Blog Post");
    assert_eq!(
        body["content"],
        "This is the content of my first blog post."
    );
    assert_eq!(body["category"], "Technology");
    assert_eq!(body["tags"], json!(["Programming", "Tech"]));
    let created = body["createdAt"].as_str().unwrap();
    assert!(
        created.ends_with('Z') && chrono::DateTime::parse_from_rfc3339(created).is_ok(),
        "{created}"
    );
    assert_eq!(body["createdAt"], body["updatedAt"]);
    assert_eq!(
        body["author"], "editor",
        "anonymous posts belong to the default author"
    );
}

#[tokio::test]
async fn validation_errors_are_400_with_a_message_per_field() {
    let app = app().await;
    let body = app
        .post(
            "/blog/posts",
            &json!({"title": " ", "content": "", "category": "x".repeat(101), "tags": ["ok"]}),
        )
        .await
        .assert_problem(400, "validation_failed");
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["title", "content", "category"]);
    app.post(
        "/blog/posts",
        &json!({"title": "t", "content": "c", "category": "c", "tags": [1, 2]}),
    )
    .await
    .assert_problem(400, "validation_failed");
    app.post("/blog/posts", &json!({"title": "t", "content": "c"}))
        .await
        .assert_problem(400, "validation_failed");
    app.post(
        "/blog/posts",
        &json!({"title": "x".repeat(256), "content": "c", "category": "c"}),
    )
    .await
    .assert_problem(400, "validation_failed");
    let list = app.get("/blog/posts").await.json();
    assert_eq!(list, json!([]), "nothing was stored");
}

#[tokio::test]
async fn updating_changes_updated_at_but_not_created_at() {
    let app = app().await;
    let created = post(&app, None, "Draft title", "Tech", &["a"]).await;
    let id = created["id"].as_i64().unwrap();
    let update = json!({"title": "My Updated Blog Post", "content": "Updated.", "category": "Technology", "tags": ["Tech"]});
    let response = app
        .json(Method::PUT, &format!("/blog/posts/{id}"), &update)
        .await;
    assert_eq!(response.status, 200, "{}", response.text());
    let updated = response.json();
    assert_eq!(updated["title"], "My Updated Blog Post");
    assert_eq!(updated["tags"], json!(["Tech"]));
    assert_eq!(updated["createdAt"], created["createdAt"]);
    assert!(updated["updatedAt"].as_str().unwrap() > created["updatedAt"].as_str().unwrap());
    assert_eq!(
        app.get(&format!("/blog/posts/{id}")).await.json()["content"],
        "Updated."
    );
}

#[tokio::test]
async fn missing_posts_are_404_and_deletes_are_204() {
    let app = app().await;
    let update = json!({"title": "t", "content": "c", "category": "c"});
    app.get("/blog/posts/999")
        .await
        .assert_problem(404, "not_found");
    app.get("/blog/posts/not-a-number")
        .await
        .assert_problem(404, "not_found");
    app.json(Method::PUT, "/blog/posts/999", &update)
        .await
        .assert_problem(404, "not_found");
    app.send(app.request(Method::DELETE, "/blog/posts/999"))
        .await
        .assert_problem(404, "not_found");
    let id = post(&app, None, "Short lived", "Misc", &[]).await["id"]
        .as_i64()
        .unwrap();
    assert_eq!(
        app.send(app.request(Method::DELETE, &format!("/blog/posts/{id}")))
            .await
            .status,
        204
    );
    app.get(&format!("/blog/posts/{id}"))
        .await
        .assert_problem(404, "not_found");
}

#[tokio::test]
async fn the_list_is_a_bare_array_and_term_searches_title_content_and_category() {
    let app = app().await;
    post(&app, None, "Rust ownership", "Technology", &["rust"]).await;
    post(&app, None, "Sourdough", "Cooking", &["bread"]).await;
    post(&app, None, "Garden notes", "Life", &[]).await;
    let all = app.get("/blog/posts").await;
    assert_eq!(all.header("x-total-count"), Some("3"));
    let all = all.json();
    assert_eq!(all.as_array().unwrap().len(), 3);
    assert_eq!(all[0]["title"], "Garden notes", "newest first");

    let tech = app.get("/blog/posts?term=tech").await.json();
    assert_eq!(
        tech.as_array().unwrap().len(),
        1,
        "\"tech\" finds the category Technology: {tech}"
    );
    assert_eq!(tech[0]["title"], "Rust ownership");
    assert_eq!(
        app.get("/blog/posts?term=DOUGH")
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        app.get("/blog/posts?term=content%20of")
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert_eq!(
        app.get("/blog/posts?term=%25").await.json(),
        json!([]),
        "% is matched literally"
    );
}

#[tokio::test]
async fn filters_and_pages_keep_the_bare_array() {
    let app = app().await;
    for n in 0..5 {
        post(
            &app,
            None,
            &format!("Post {n}"),
            if n % 2 == 0 { "Even" } else { "Odd" },
            &[if n < 2 { "early" } else { "late" }],
        )
        .await;
    }
    assert_eq!(
        app.get("/blog/posts?tag=early")
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        app.get("/blog/posts?category=even")
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        3
    );
    let page = app.get("/blog/posts?page=2&limit=2").await;
    assert_eq!(page.header("x-total-count"), Some("5"));
    let page = page.json();
    assert_eq!(page.as_array().unwrap().len(), 2);
    assert_eq!(page[0]["title"], "Post 2");
    let today = chrono::Utc::now().date_naive();
    assert_eq!(
        app.get(&format!("/blog/posts?from={today}&to={today}"))
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        5
    );
    assert_eq!(app.get("/blog/posts?to=2000-01-01").await.json(), json!([]));
    app.get("/blog/posts?from=yesterday")
        .await
        .assert_problem(400, "validation_failed");
    app.get("/blog/posts?limit=0")
        .await
        .assert_problem(400, "validation_failed");
    app.get("/blog/posts?page=abc")
        .await
        .assert_problem(400, "validation_failed");
}

#[tokio::test]
async fn a_token_makes_the_caller_the_author_and_protects_the_post() {
    let app = app().await;
    let owner = app.register_user().await;
    let stranger = app.register_user().await;
    let created = post(&app, Some(&owner.access_token), "Mine", "Me", &[]).await;
    assert_ne!(created["author"], "editor");
    let id = created["id"].as_i64().unwrap();
    let path = format!("/blog/posts/{id}");
    let update = json!({"title": "Hijacked", "content": "x", "category": "x"});
    app.json(Method::PUT, &path, &update)
        .await
        .assert_problem(401, "missing_token");
    app.json_authed(Method::PUT, &path, &stranger.access_token, &update)
        .await
        .assert_problem(403, "forbidden");
    app.send(
        app.request(Method::DELETE, &path)
            .bearer_auth(&stranger.access_token),
    )
    .await
    .assert_problem(403, "forbidden");
    assert_eq!(
        app.get(&path).await.json()["title"],
        "Mine",
        "nothing changed"
    );
    let own = app
        .json_authed(Method::PUT, &path, &owner.access_token, &update)
        .await;
    assert_eq!(own.status, 200);
    let admin = app.admin().await;
    let deleted = app
        .send(
            app.request(Method::DELETE, &path)
                .bearer_auth(&admin.access_token),
        )
        .await;
    assert_eq!(deleted.status, 204, "admins may delete anything");
}

#[tokio::test]
async fn anonymous_writes_can_be_turned_off() {
    let app = builder()
        .config("blog.posts_require_auth", true)
        .spawn()
        .await;
    app.send(
        app.request(Method::POST, "/blog/posts")
            .header("content-type", "application/json")
            .body(FIRST),
    )
    .await
    .assert_problem(401, "missing_token");
    let user = app.register_user().await;
    post(&app, Some(&user.access_token), "Signed", "Tech", &[]).await;
    assert_eq!(
        app.get("/blog/posts")
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        1,
        "reading stays open"
    );
}

#[tokio::test]
async fn drafts_are_visible_to_their_author_only() {
    let app = app().await;
    let author = app.register_user().await;
    let body =
        json!({"title": "Secret", "content": "Not yet", "category": "Tech", "published": false});
    let draft = app
        .json_authed(Method::POST, "/blog/posts", &author.access_token, &body)
        .await
        .json();
    assert_eq!(draft["published"], false);
    assert!(draft["publishedAt"].is_null());
    let path = format!("/blog/posts/{}", draft["id"]);
    app.get(&path).await.assert_problem(404, "not_found");
    assert_eq!(app.get("/blog/posts").await.json(), json!([]));
    assert_eq!(
        app.get_authed(&path, &author.access_token).await.status,
        200
    );
    let publish =
        json!({"title": "Secret", "content": "Now", "category": "Tech", "published": true});
    let published = app
        .json_authed(Method::PUT, &path, &author.access_token, &publish)
        .await
        .json();
    assert!(published["publishedAt"].is_string());
    assert_eq!(app.get(&path).await.status, 200);
}

#[tokio::test]
async fn one_account_works_on_both_faces() {
    let app = app().await;
    let token = register(&app, "bothfaces").await;
    let response = app
        .send(
            app.request(Method::POST, "/blog/posts")
                .header("authorization", format!("Token {token}"))
                .json(&json!({"title": "From Conduit", "content": "c", "category": "x"})),
        )
        .await;
    assert_eq!(response.status, 201);
    assert_eq!(response.json()["author"], "bothfaces");
}
