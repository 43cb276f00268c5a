//! The benchmark seeder, on a small scale.

use groundwork_blog::seed::{self, SEED_PASSWORD, Sizes};
use reqwest::Method;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

use super::support::{app, conduit};

#[tokio::test]
async fn seeding_creates_a_consistent_data_set_once() {
    let app = app().await;
    let sizes = Sizes {
        users: 30,
        articles: 60,
        comments: 120,
        favorites: 300,
    };
    seed::run(&app.platform, sizes, 7).await.unwrap();

    let list = conduit(&app, Method::GET, "/articles?limit=100", None, None)
        .await
        .json();
    let drafts = 60 / seed::DRAFT_EVERY;
    assert_eq!(
        list["articlesCount"],
        60 - drafts,
        "one in twenty is a draft"
    );
    assert_eq!(list["articles"].as_array().unwrap().len(), 60 - drafts);
    assert!(
        list["articles"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["tagList"].as_array().unwrap().len() == 2)
    );
    let counted = |sql: &'static str| {
        let db = app.platform.db().clone();
        async move {
            let row = db
                .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
                .await
                .unwrap()
                .unwrap();
            row.try_get_by_index::<i64>(0).unwrap()
        }
    };
    assert_eq!(counted("SELECT count(*) FROM blog_favorites").await, 300);
    assert_eq!(
        counted("SELECT CAST(sum(favorites_count) AS BIGINT) FROM blog_articles").await,
        300,
        "per-article counters match the favorites table"
    );
    assert_eq!(counted("SELECT count(*) FROM blog_comments").await, 120);

    let login = conduit(
        &app,
        Method::POST,
        "/users/login",
        None,
        Some(json!({"user": {"email": "seed3@example.com", "password": SEED_PASSWORD}})),
    )
    .await;
    assert_eq!(login.status, 200, "{}", login.text());
    let token = login.json()["user"]["token"].as_str().unwrap().to_owned();
    let feed = conduit(&app, Method::GET, "/articles/feed", Some(&token), None)
        .await
        .json();
    assert!(
        feed["articlesCount"].as_u64().unwrap() > 0,
        "seeded users follow others who wrote: {feed}"
    );

    let again = seed::run(&app.platform, sizes, 7).await.unwrap_err();
    assert_eq!(again.code(), "not_empty");
}
