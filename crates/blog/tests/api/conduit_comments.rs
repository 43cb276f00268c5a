//! RealWorld comments.

use reqwest::Method;
use serde_json::json;

use super::support::{app, article, assert_conduit_error, builder, conduit, register};

#[tokio::test]
async fn comments_are_added_listed_oldest_first_and_deleted() {
    let app = app().await;
    let jake = register(&app, "jake").await;
    let anna = register(&app, "anna").await;
    article(&app, &jake, "Discussed", &[]).await;
    let first = conduit(
        &app,
        Method::POST,
        "/articles/discussed/comments",
        Some(&anna),
        Some(json!({"comment": {"body": "First!"}})),
    )
    .await;
    assert_eq!(first.status, 201, "{}", first.text());
    let comment = &first.json()["comment"];
    assert!(comment["id"].as_i64().is_some());
    assert_eq!(comment["body"], "First!");
    assert_eq!(comment["author"]["username"], "anna");
    assert!(comment["createdAt"].is_string() && comment["updatedAt"].is_string());
    conduit(
        &app,
        Method::POST,
        "/articles/discussed/comments",
        Some(&jake),
        Some(json!({"comment": {"body": "Second"}})),
    )
    .await;

    let list = conduit(
        &app,
        Method::GET,
        "/articles/discussed/comments",
        Some(&jake),
        None,
    )
    .await
    .json();
    let comments = list["comments"].as_array().unwrap();
    assert_eq!(comments.len(), 2);
    assert_eq!(comments[0]["body"], "First!");
    assert_eq!(comments[0]["author"]["following"], false);

    let id = comment["id"].as_i64().unwrap();
    let deleted = conduit(
        &app,
        Method::DELETE,
        &format!("/articles/discussed/comments/{id}"),
        Some(&anna),
        None,
    )
    .await;
    assert_eq!(deleted.status, 204);
    assert_eq!(
        conduit(
            &app,
            Method::GET,
            "/articles/discussed/comments",
            None,
            None
        )
        .await
        .json()["comments"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn comment_errors_are_clear() {
    let app = app().await;
    let jake = register(&app, "jake").await;
    let anna = register(&app, "anna").await;
    let mallory = register(&app, "mallory").await;
    article(&app, &jake, "Guarded", &[]).await;
    let comment = conduit(
        &app,
        Method::POST,
        "/articles/guarded/comments",
        Some(&anna),
        Some(json!({"comment": {"body": "mine"}})),
    )
    .await
    .json();
    let id = comment["comment"]["id"].as_i64().unwrap();
    let path = format!("/articles/guarded/comments/{id}");
    assert_conduit_error(
        &conduit(&app, Method::DELETE, &path, Some(&mallory), None).await,
        403,
        "comment",
    );
    assert_conduit_error(
        &conduit(&app, Method::DELETE, &path, None, None).await,
        401,
        "token",
    );
    assert_conduit_error(
        &conduit(
            &app,
            Method::DELETE,
            "/articles/guarded/comments/99999",
            Some(&anna),
            None,
        )
        .await,
        404,
        "comment",
    );
    assert_conduit_error(
        &conduit(
            &app,
            Method::DELETE,
            "/articles/guarded/comments/abc",
            Some(&anna),
            None,
        )
        .await,
        404,
        "comment",
    );
    assert_conduit_error(
        &conduit(&app, Method::GET, "/articles/missing/comments", None, None).await,
        404,
        "article",
    );
    let empty = conduit(
        &app,
        Method::POST,
        "/articles/guarded/comments",
        Some(&anna),
        Some(json!({"comment": {"body": "  "}})),
    )
    .await;
    assert_conduit_error(&empty, 422, "body");
    let too_long = conduit(
        &app,
        Method::POST,
        "/articles/guarded/comments",
        Some(&anna),
        Some(json!({"comment": {"body": "x".repeat(10_001)}})),
    )
    .await;
    assert_conduit_error(&too_long, 422, "body");
    // The article's author may moderate comments on their article.
    assert_eq!(
        conduit(&app, Method::DELETE, &path, Some(&jake), None)
            .await
            .status,
        204
    );
}

#[tokio::test]
async fn writes_beyond_the_per_minute_limit_are_429_and_change_nothing() {
    let app = builder().config("blog.writes_per_minute", 2).spawn().await;
    let jake = register(&app, "jake").await;
    let anna = register(&app, "anna").await;
    article(&app, &jake, "Limited", &[]).await;
    let comment = json!({"comment": {"body": "hello"}});
    for _ in 0..2 {
        let response = conduit(
            &app,
            Method::POST,
            "/articles/limited/comments",
            Some(&anna),
            Some(comment.clone()),
        )
        .await;
        assert_eq!(response.status, 201, "{}", response.text());
    }
    let refused = conduit(
        &app,
        Method::POST,
        "/articles/limited/comments",
        Some(&anna),
        Some(comment.clone()),
    )
    .await;
    assert_eq!(refused.status, 429, "{}", refused.text());
    let retry_after: u64 = refused
        .headers
        .get("retry-after")
        .expect("Retry-After")
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    let favorite = conduit(
        &app,
        Method::POST,
        "/articles/limited/favorite",
        Some(&anna),
        None,
    )
    .await;
    assert_eq!(
        favorite.status, 429,
        "favorites count against the same limit"
    );

    let comments = conduit(&app, Method::GET, "/articles/limited/comments", None, None)
        .await
        .json();
    assert_eq!(
        comments["comments"].as_array().unwrap().len(),
        2,
        "nothing more was added"
    );
    let article = conduit(&app, Method::GET, "/articles/limited", None, None)
        .await
        .json();
    assert_eq!(article["article"]["favoritesCount"], 0);
    // The limit is per account: another writer is unaffected.
    let own = conduit(
        &app,
        Method::POST,
        "/articles/limited/comments",
        Some(&jake),
        Some(comment),
    )
    .await;
    assert_eq!(own.status, 201, "{}", own.text());
}
