//! Lists run a constant number of queries whatever their length (no N+1).

use reqwest::Method;

use super::support::{app, article, conduit, register};

/// Queries the platform's pool ran while `request` ran.
async fn queries_during<
    F: std::future::Future<Output = groundwork_platform::testing::TestResponse>,
>(
    app: &groundwork_platform::testing::TestApp,
    request: F,
) -> u64 {
    let before = app.platform.queries_executed();
    let response = request.await;
    assert_eq!(response.status, 200, "{}", response.text());
    app.platform.queries_executed() - before
}

#[tokio::test]
async fn list_feed_and_comment_queries_do_not_grow_with_the_page() {
    let app = app().await;
    let reader = register(&app, "reader").await;
    let mut authors = Vec::new();
    for n in 0..3 {
        authors.push(register(&app, &format!("author{n}")).await);
        conduit(
            &app,
            Method::POST,
            &format!("/profiles/author{n}/follow"),
            Some(&reader),
            None,
        )
        .await;
    }
    for n in 0..12 {
        article(
            &app,
            &authors[n % 3],
            &format!("Article {n}"),
            &["a", "b", &format!("t{n}")],
        )
        .await;
        conduit(
            &app,
            Method::POST,
            &format!("/articles/article-{n}/comments"),
            Some(&authors[(n + 1) % 3]),
            Some(serde_json::json!({"comment": {"body": "hi"}})),
        )
        .await;
    }

    for path in ["/articles", "/articles/feed", "/articles?tag=a"] {
        let small = queries_during(
            &app,
            conduit(
                &app,
                Method::GET,
                &format!(
                    "{path}{}limit=2",
                    if path.contains('?') { "&" } else { "?" }
                ),
                Some(&reader),
                None,
            ),
        )
        .await;
        let large = queries_during(
            &app,
            conduit(
                &app,
                Method::GET,
                &format!(
                    "{path}{}limit=12",
                    if path.contains('?') { "&" } else { "?" }
                ),
                Some(&reader),
                None,
            ),
        )
        .await;
        assert_eq!(
            small, large,
            "{path}: queries must not depend on the page size"
        );
        // The total, the page (with its authors' profiles), its tags, and what the
        // reader favorited and follows.
        assert!(large <= 5, "{path}: {large} queries");
    }
    let one = queries_during(
        &app,
        conduit(&app, Method::GET, "/articles/article-0", None, None),
    )
    .await;
    assert!(one <= 2, "{one} queries for one article, read anonymously");
    let posts_small = queries_during(&app, app.get("/blog/posts?limit=2")).await;
    let posts_large = queries_during(&app, app.get("/blog/posts?limit=12")).await;
    assert_eq!(posts_small, posts_large);
    let comments = queries_during(
        &app,
        conduit(
            &app,
            Method::GET,
            "/articles/article-0/comments",
            Some(&reader),
            None,
        ),
    )
    .await;
    assert!(
        comments <= 3,
        "{comments} queries for the comments of one article"
    );
}
