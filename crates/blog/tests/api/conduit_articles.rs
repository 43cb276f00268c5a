//! RealWorld articles, the feed, favorites, drafts and roles.

use reqwest::Method;
use serde_json::json;

use super::support::{app, article, assert_conduit_error, builder, conduit, register};

#[tokio::test]
async fn creating_an_article_returns_201_with_the_article_envelope() {
    let app = app().await;
    let token = register(&app, "jake").await;
    let body = json!({"article": {"title": "How to train your dragon", "description": "Ever wonder how?", "body": "You have to believe", "tagList": ["reactjs", "angularjs", "dragons"]}});
    let response = conduit(&app, Method::POST, "/articles", Some(&token), Some(body)).await;
    assert_eq!(response.status, 201, "{}", response.text());
    let article = &response.json()["article"];
    assert_eq!(article["slug"], "how-to-train-your-dragon");
    assert_eq!(
        article["tagList"],
        json!(["angularjs", "dragons", "reactjs"]),
        "sorted"
    );
    assert_eq!(article["favorited"], false);
    assert_eq!(article["favoritesCount"], 0);
    assert_eq!(
        article["author"],
        json!({"username": "jake", "bio": null, "image": null, "following": false})
    );
    let created = article["createdAt"].as_str().unwrap();
    assert!(
        created.contains('.') && created.ends_with('Z'),
        "fractional seconds: {created}"
    );
    let keys: Vec<&String> = article.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 10, "exactly the spec's fields: {keys:?}");
}

#[tokio::test]
async fn invalid_articles_are_422_and_need_a_token() {
    let app = app().await;
    let token = register(&app, "jake").await;
    let empty = conduit(
        &app,
        Method::POST,
        "/articles",
        Some(&token),
        Some(json!({"article": {"title": "", "description": "d", "body": "b"}})),
    )
    .await;
    assert_conduit_error(&empty, 422, "title");
    let missing = conduit(
        &app,
        Method::POST,
        "/articles",
        Some(&token),
        Some(json!({"article": {"title": "t"}})),
    )
    .await;
    assert_eq!(missing.status, 422);
    let bad_tags = conduit(
        &app,
        Method::POST,
        "/articles",
        Some(&token),
        Some(json!({"article": {"title": "t", "description": "d", "body": "b", "tagList": [1]}})),
    )
    .await;
    assert_conduit_error(&bad_tags, 422, "tagList");
    let long = conduit(
        &app,
        Method::POST,
        "/articles",
        Some(&token),
        Some(json!({"article": {"title": "x".repeat(300), "description": "d", "body": "b"}})),
    )
    .await;
    assert_conduit_error(&long, 422, "title");
    let anonymous = conduit(
        &app,
        Method::POST,
        "/articles",
        None,
        Some(json!({"article": {"title": "t", "description": "d", "body": "b"}})),
    )
    .await;
    assert_conduit_error(&anonymous, 401, "token");
    assert_eq!(
        conduit(&app, Method::GET, "/articles", None, None)
            .await
            .json()["articlesCount"],
        0
    );
}

#[tokio::test]
async fn identical_titles_get_unique_slugs_and_titles_move_slugs() {
    let app = app().await;
    let token = register(&app, "jake").await;
    let first = article(&app, &token, "Same Title", &[]).await;
    let second = article(&app, &token, "Same Title", &[]).await;
    assert_eq!(first["slug"], "same-title");
    assert_ne!(second["slug"], first["slug"]);
    assert!(second["slug"].as_str().unwrap().starts_with("same-title-"));

    let update = json!({"article": {"title": "A Brand New Title", "tagList": ["fresh"]}});
    let response = conduit(
        &app,
        Method::PUT,
        "/articles/same-title",
        Some(&token),
        Some(update),
    )
    .await;
    assert_eq!(response.status, 200, "{}", response.text());
    let updated = &response.json()["article"];
    assert_eq!(updated["slug"], "a-brand-new-title");
    assert_eq!(updated["tagList"], json!(["fresh"]));
    assert_eq!(
        updated["description"], first["description"],
        "untouched fields stay"
    );
    assert_conduit_error(
        &conduit(&app, Method::GET, "/articles/same-title", None, None).await,
        404,
        "article",
    );
    assert_eq!(
        conduit(&app, Method::GET, "/articles/a-brand-new-title", None, None)
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn lists_count_every_match_and_omit_bodies() {
    let app = app().await;
    let jake = register(&app, "jake").await;
    let anna = register(&app, "anna").await;
    for n in 0..3 {
        article(&app, &jake, &format!("Jake {n}"), &["rust"]).await;
    }
    article(&app, &anna, "Anna 0", &["go"]).await;
    conduit(
        &app,
        Method::POST,
        "/articles/anna-0/favorite",
        Some(&jake),
        None,
    )
    .await;

    let page = conduit(&app, Method::GET, "/articles?limit=2&offset=1", None, None)
        .await
        .json();
    assert_eq!(page["articlesCount"], 4, "the total, not the page size");
    let items = page["articles"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(
        items[0]["slug"], "jake-2",
        "newest first after skipping one"
    );
    assert!(
        items.iter().all(|a| a.get("body").is_none()),
        "list items have no body"
    );

    let by_tag = conduit(&app, Method::GET, "/articles?tag=rust", None, None)
        .await
        .json();
    assert_eq!(by_tag["articlesCount"], 3);
    let by_author = conduit(&app, Method::GET, "/articles?author=ANNA", None, None)
        .await
        .json();
    assert_eq!(by_author["articlesCount"], 1);
    let favorited = conduit(
        &app,
        Method::GET,
        "/articles?favorited=jake",
        Some(&jake),
        None,
    )
    .await
    .json();
    assert_eq!(favorited["articlesCount"], 1);
    assert_eq!(favorited["articles"][0]["favorited"], true);
    let nothing = conduit(&app, Method::GET, "/articles?author=nobody", None, None)
        .await
        .json();
    assert_eq!(nothing, json!({"articles": [], "articlesCount": 0}));
    assert_conduit_error(
        &conduit(&app, Method::GET, "/articles?limit=0", None, None).await,
        422,
        "limit",
    );
    assert_conduit_error(
        &conduit(&app, Method::GET, "/articles?limit=abc", None, None).await,
        422,
        "limit",
    );
    assert_conduit_error(
        &conduit(&app, Method::GET, "/articles?offset=-1", None, None).await,
        422,
        "offset",
    );
}

#[tokio::test]
async fn the_feed_shows_followed_authors_only() {
    let app = app().await;
    let jake = register(&app, "jake").await;
    let anna = register(&app, "anna").await;
    let bob = register(&app, "bob").await;
    article(&app, &anna, "From Anna", &[]).await;
    article(&app, &bob, "From Bob", &[]).await;
    conduit(
        &app,
        Method::POST,
        "/profiles/anna/follow",
        Some(&jake),
        None,
    )
    .await;
    let feed = conduit(&app, Method::GET, "/articles/feed", Some(&jake), None)
        .await
        .json();
    assert_eq!(feed["articlesCount"], 1);
    assert_eq!(feed["articles"][0]["slug"], "from-anna");
    assert_eq!(feed["articles"][0]["author"]["following"], true);
    assert_conduit_error(
        &conduit(&app, Method::GET, "/articles/feed", None, None).await,
        401,
        "token",
    );
}

#[tokio::test]
async fn favorites_are_idempotent_and_counted_exactly() {
    let app = app().await;
    let jake = register(&app, "jake").await;
    let anna = register(&app, "anna").await;
    article(&app, &anna, "Likeable", &[]).await;
    for _ in 0..2 {
        let liked = conduit(
            &app,
            Method::POST,
            "/articles/likeable/favorite",
            Some(&jake),
            None,
        )
        .await;
        assert_eq!(liked.status, 200);
        assert_eq!(liked.json()["article"]["favorited"], true);
        assert_eq!(liked.json()["article"]["favoritesCount"], 1);
    }
    conduit(
        &app,
        Method::POST,
        "/articles/likeable/favorite",
        Some(&anna),
        None,
    )
    .await;
    let anonymous = conduit(&app, Method::GET, "/articles/likeable", None, None)
        .await
        .json();
    assert_eq!(anonymous["article"]["favoritesCount"], 2);
    assert_eq!(anonymous["article"]["favorited"], false);
    for _ in 0..2 {
        let unliked = conduit(
            &app,
            Method::DELETE,
            "/articles/likeable/favorite",
            Some(&jake),
            None,
        )
        .await;
        assert_eq!(unliked.json()["article"]["favoritesCount"], 1);
    }
    assert_conduit_error(
        &conduit(
            &app,
            Method::POST,
            "/articles/nope/favorite",
            Some(&jake),
            None,
        )
        .await,
        404,
        "article",
    );
    assert_conduit_error(
        &conduit(
            &app,
            Method::POST,
            "/articles/likeable/favorite",
            None,
            None,
        )
        .await,
        401,
        "token",
    );
}

#[tokio::test]
async fn only_the_author_edits_and_admins_may_also_delete() {
    let app = app().await;
    let jake = register(&app, "jake").await;
    let anna = register(&app, "anna").await;
    article(&app, &jake, "Jakes Article", &[]).await;
    let edit = json!({"article": {"body": "defaced"}});
    assert_conduit_error(
        &conduit(
            &app,
            Method::PUT,
            "/articles/jakes-article",
            Some(&anna),
            Some(edit.clone()),
        )
        .await,
        403,
        "article",
    );
    assert_conduit_error(
        &conduit(
            &app,
            Method::DELETE,
            "/articles/jakes-article",
            Some(&anna),
            None,
        )
        .await,
        403,
        "article",
    );
    assert_conduit_error(
        &conduit(
            &app,
            Method::PUT,
            "/articles/missing",
            Some(&jake),
            Some(edit),
        )
        .await,
        404,
        "article",
    );
    assert_eq!(
        conduit(&app, Method::GET, "/articles/jakes-article", None, None)
            .await
            .json()["article"]["body"],
        "The body of Jakes Article."
    );

    let admin = app.admin().await;
    let moderated = conduit(
        &app,
        Method::POST,
        "/articles/jakes-article/unpublish",
        Some(&admin.access_token),
        None,
    )
    .await;
    assert_eq!(moderated.status, 200, "admins may unpublish anything");
    assert_conduit_error(
        &conduit(
            &app,
            Method::GET,
            "/articles/jakes-article",
            Some(&anna),
            None,
        )
        .await,
        404,
        "article",
    );
    let deleted = conduit(
        &app,
        Method::DELETE,
        "/articles/jakes-article",
        Some(&admin.access_token),
        None,
    )
    .await;
    assert_eq!(deleted.status, 204);
    assert_conduit_error(
        &conduit(
            &app,
            Method::GET,
            "/articles/jakes-article",
            Some(&jake),
            None,
        )
        .await,
        404,
        "article",
    );
}

#[tokio::test]
async fn drafts_stay_private_until_published() {
    let app = app().await;
    let jake = register(&app, "jake").await;
    let body = json!({"article": {"title": "Work in progress", "description": "d", "body": "b", "published": false}});
    assert_eq!(
        conduit(&app, Method::POST, "/articles", Some(&jake), Some(body))
            .await
            .status,
        201
    );
    assert_conduit_error(
        &conduit(&app, Method::GET, "/articles/work-in-progress", None, None).await,
        404,
        "article",
    );
    assert_eq!(
        conduit(&app, Method::GET, "/articles", None, None)
            .await
            .json()["articlesCount"],
        0
    );
    assert_eq!(
        conduit(
            &app,
            Method::GET,
            "/articles/work-in-progress",
            Some(&jake),
            None
        )
        .await
        .status,
        200
    );
    let drafts = conduit(
        &app,
        Method::GET,
        "/articles?drafts=true",
        Some(&jake),
        None,
    )
    .await
    .json();
    assert_eq!(drafts["articlesCount"], 1);
    let published = conduit(
        &app,
        Method::POST,
        "/articles/work-in-progress/publish",
        Some(&jake),
        None,
    )
    .await;
    assert_eq!(published.status, 200);
    assert_eq!(
        conduit(&app, Method::GET, "/articles", None, None)
            .await
            .json()["articlesCount"],
        1
    );
}

#[tokio::test]
async fn authors_only_mode_needs_the_author_role() {
    let app = builder().config("blog.authors_only", true).spawn().await;
    let reader = register(&app, "reader").await;
    let body = json!({"article": {"title": "t", "description": "d", "body": "b"}});
    assert_eq!(
        conduit(
            &app,
            Method::POST,
            "/articles",
            Some(&reader),
            Some(body.clone())
        )
        .await
        .status,
        403
    );
    let author = app.user_with_role("author").await;
    let created = conduit(
        &app,
        Method::POST,
        "/articles",
        Some(&author.access_token),
        Some(body),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.text());
}

#[tokio::test]
async fn full_text_search_finds_stemmed_words_on_both_engines() {
    let app = app().await;
    let jake = register(&app, "jake").await;
    let body = json!({"article": {"title": "Running fast", "description": "on tracks", "body": "Sprinters run every morning."}});
    conduit(&app, Method::POST, "/articles", Some(&jake), Some(body)).await;
    article(&app, &jake, "Baking bread", &[]).await;
    let found = conduit(&app, Method::GET, "/articles?q=runs", None, None)
        .await
        .json();
    assert_eq!(found["articlesCount"], 1, "{found}");
    assert_eq!(found["articles"][0]["slug"], "running-fast");
    let operators = conduit(
        &app,
        Method::GET,
        "/articles?q=%22bread%22%20OR%20(*",
        None,
        None,
    )
    .await;
    assert_eq!(
        operators.status,
        200,
        "search syntax in the input is never an error: {}",
        operators.text()
    );
    let posts = app.get("/blog/posts?q=morning").await.json();
    assert_eq!(posts.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn tags_lists_tags_in_use() {
    let app = app().await;
    let jake = register(&app, "jake").await;
    article(&app, &jake, "One", &["rust", "web"]).await;
    article(&app, &jake, "Two", &["rust"]).await;
    let tags = conduit(&app, Method::GET, "/tags", None, None).await.json();
    assert_eq!(tags, json!({"tags": ["rust", "web"]}), "most used first");
}
