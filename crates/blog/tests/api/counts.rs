//! The stored totals (published articles, per-tag counts, popular tags) are kept by
//! triggers; they must equal what the rows say after every kind of change.

use reqwest::Method;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use super::support::{app, article, conduit, register};
use groundwork_platform::testing::TestApp;

/// `articlesCount` of a list, checked against the number of items it really has (every
/// list here fits in one page).
async fn total(app: &TestApp, query: &str) -> u64 {
    let page = conduit(
        app,
        Method::GET,
        &format!("/articles?limit=100&{query}"),
        None,
        None,
    )
    .await
    .json();
    let count = page["articlesCount"].as_u64().expect("articlesCount");
    let items = page["articles"].as_array().expect("articles").len() as u64;
    assert_eq!(count, items, "stored total vs rows for {query:?}: {page}");
    count
}

async fn popular_tags(app: &TestApp) -> Value {
    conduit(app, Method::GET, "/tags", None, None).await.json()["tags"].clone()
}

#[tokio::test]
async fn stored_totals_follow_every_change() {
    let app = app().await;
    let jake = register(&app, "jake").await;
    let anna = register(&app, "anna").await;
    assert_eq!(total(&app, "").await, 0);

    article(&app, &jake, "One", &["rust", "web"]).await;
    article(&app, &anna, "Two", &["rust"]).await;
    let draft = json!({"article": {"title": "Draft", "description": "d", "body": "b",
        "tagList": ["rust", "draft-only"], "published": false}});
    let response = conduit(&app, Method::POST, "/articles", Some(&jake), Some(draft)).await;
    assert_eq!(response.status, 201, "{}", response.text());
    assert_eq!(total(&app, "").await, 2, "drafts are not counted");
    assert_eq!(total(&app, "tag=rust").await, 2);
    assert_eq!(total(&app, "tag=draft-only").await, 0);
    assert_eq!(popular_tags(&app).await, json!(["rust", "web"]));

    // Publishing a draft counts it and its tags.
    let published = conduit(
        &app,
        Method::POST,
        "/articles/draft/publish",
        Some(&jake),
        None,
    )
    .await;
    assert_eq!(published.status, 200, "{}", published.text());
    assert_eq!(total(&app, "").await, 3);
    assert_eq!(total(&app, "tag=rust").await, 3);
    assert_eq!(total(&app, "tag=draft-only").await, 1);

    // Changing tags moves the per-tag counts.
    let retag = json!({"article": {"tagList": ["web", "go"]}});
    let response = conduit(&app, Method::PUT, "/articles/one", Some(&jake), Some(retag)).await;
    assert_eq!(response.status, 200, "{}", response.text());
    assert_eq!(total(&app, "tag=rust").await, 2);
    assert_eq!(total(&app, "tag=web").await, 1);
    assert_eq!(total(&app, "tag=go").await, 1);

    // Unpublishing and deleting take articles out.
    let unpublished = conduit(
        &app,
        Method::POST,
        "/articles/draft/unpublish",
        Some(&jake),
        None,
    )
    .await;
    assert_eq!(unpublished.status, 200, "{}", unpublished.text());
    assert_eq!(total(&app, "").await, 2);
    assert_eq!(total(&app, "tag=draft-only").await, 0);
    let deleted = conduit(&app, Method::DELETE, "/articles/two", Some(&anna), None).await;
    assert_eq!(deleted.status, 204, "{}", deleted.text());
    assert_eq!(total(&app, "").await, 1);
    assert_eq!(total(&app, "tag=rust").await, 0);
    assert_eq!(popular_tags(&app).await, json!(["go", "web"]));

    // Removing an account removes its articles by cascade; the triggers see that too.
    app.platform
        .db()
        .execute_unprepared("DELETE FROM auth_users WHERE email = 'jake@example.com'")
        .await
        .expect("delete account");
    assert_eq!(total(&app, "").await, 0);
    assert_eq!(total(&app, "tag=web").await, 0);
    assert_eq!(popular_tags(&app).await, json!([]));
}

#[tokio::test]
async fn a_tag_list_pages_in_publication_order_with_filters() {
    let app = app().await;
    let jake = register(&app, "jake").await;
    let anna = register(&app, "anna").await;
    for n in 0..5 {
        let author = if n % 2 == 0 { &jake } else { &anna };
        article(&app, author, &format!("Tagged {n}"), &["rust"]).await;
        article(&app, author, &format!("Other {n}"), &["go"]).await;
    }
    let page = conduit(
        &app,
        Method::GET,
        "/articles?tag=rust&limit=2&offset=1",
        None,
        None,
    )
    .await
    .json();
    assert_eq!(page["articlesCount"], 5);
    let slugs: Vec<&str> = page["articles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["slug"].as_str().unwrap())
        .collect();
    assert_eq!(slugs, ["tagged-3", "tagged-2"], "newest first, after one");
    assert_eq!(
        total(&app, "tag=rust&author=anna").await,
        2,
        "tag and author combine"
    );
    assert_eq!(total(&app, "tag=nothing-uses-this").await, 0);
}

#[tokio::test]
async fn concurrent_writers_keep_slugs_unique_and_totals_exact() {
    let app = &app().await;
    let owner = register(app, "owner").await;
    article(app, &owner, "Popular", &["shared"]).await;
    let mut writers = Vec::new();
    for n in 0..8 {
        writers.push(register(app, &format!("writer{n}")).await);
    }

    // Everyone at once: two articles each with the same title and tag, and a favorite.
    let creates = writers.iter().enumerate().flat_map(|(n, token)| {
        (0..2).map(move |_| {
            let body = json!({"article": {"title": "Same Title", "description": "d",
                "body": "b", "tagList": ["shared", format!("own{n}")]}});
            conduit(app, Method::POST, "/articles", Some(token), Some(body))
        })
    });
    let favorites = writers.iter().map(|token| {
        conduit(
            app,
            Method::POST,
            "/articles/popular/favorite",
            Some(token),
            None,
        )
    });
    let (created, favorited) = futures_util::future::join(
        futures_util::future::join_all(creates),
        futures_util::future::join_all(favorites),
    )
    .await;
    let mut slugs: Vec<String> = created
        .iter()
        .map(|r| {
            assert_eq!(r.status, 201, "{}", r.text());
            r.json()["article"]["slug"].as_str().unwrap().to_owned()
        })
        .collect();
    assert!(favorited.iter().all(|r| r.status == 200));
    slugs.sort();
    slugs.dedup();
    assert_eq!(slugs.len(), 16, "every concurrent article got its own slug");
    assert_eq!(total(app, "").await, 17);
    assert_eq!(total(app, "tag=shared").await, 17);
    let popular = conduit(app, Method::GET, "/articles/popular", None, None)
        .await
        .json();
    assert_eq!(popular["article"]["favoritesCount"], 8);

    // Then, at once: each writer unpublishes one article and deletes or retags the other,
    // all moving the same counters.
    let mut mine: Vec<(usize, String)> = Vec::new();
    for (n, token) in writers.iter().enumerate() {
        let list = conduit(
            app,
            Method::GET,
            &format!("/articles?author=writer{n}"),
            Some(token),
            None,
        )
        .await
        .json();
        for item in list["articles"].as_array().unwrap() {
            mine.push((n, item["slug"].as_str().unwrap().to_owned()));
        }
    }
    let changes = mine.iter().enumerate().map(|(i, (n, slug))| {
        let token = &writers[*n];
        let (method, path, body) = match (i % 2, n % 2) {
            (0, _) => (Method::POST, format!("/articles/{slug}/unpublish"), None),
            (_, 0) => (Method::DELETE, format!("/articles/{slug}"), None),
            _ => (
                Method::PUT,
                format!("/articles/{slug}"),
                Some(json!({"article": {"tagList": ["moved"]}})),
            ),
        };
        async move {
            let response = conduit(app, method, &path, Some(token), body).await;
            assert!(response.status.is_success(), "{path}: {}", response.text());
        }
    });
    futures_util::future::join_all(changes).await;
    // Left published: "Popular", and the retagged article of each odd writer (4).
    assert_eq!(total(app, "").await, 5);
    assert_eq!(total(app, "tag=shared").await, 1);
    assert_eq!(total(app, "tag=moved").await, 4);
}
