//! The benchmark seeder, on a small scale.

use groundwork_blog::seed::{self, SEED_PASSWORD, Sizes};
use reqwest::Method;
use serde_json::json;

use super::support::{app, conduit};

#[tokio::test]
async fn seeding_creates_a_consistent_data_set_once() {
    let app = app().await;
    let sizes = Sizes { users: 30, articles: 60, comments: 120, favorites: 300 };
    seed::run(&app.platform, sizes, 7).await.unwrap();

    let list = conduit(&app, Method::GET, "/articles?limit=100", None, None).await.json();
    assert_eq!(list["articlesCount"], 60);
    let favorites: i64 = list["articles"].as_array().unwrap().iter().map(|a| a["favoritesCount"].as_i64().unwrap()).sum();
    assert_eq!(favorites, 300, "counters match the favorites table");
    assert!(list["articles"].as_array().unwrap().iter().all(|a| a["tagList"].as_array().unwrap().len() == 2));
    let comments: usize = {
        let mut total = 0;
        for article in list["articles"].as_array().unwrap() {
            let path = format!("/articles/{}/comments", article["slug"].as_str().unwrap());
            total += conduit(&app, Method::GET, &path, None, None).await.json()["comments"].as_array().unwrap().len();
        }
        total
    };
    assert_eq!(comments, 120);

    let login = conduit(&app, Method::POST, "/users/login", None, Some(json!({"user": {"email": "seed3@example.com", "password": SEED_PASSWORD}}))).await;
    assert_eq!(login.status, 200, "{}", login.text());
    let token = login.json()["user"]["token"].as_str().unwrap().to_owned();
    let feed = conduit(&app, Method::GET, "/articles/feed", Some(&token), None).await.json();
    assert!(feed["articlesCount"].as_u64().unwrap() > 0, "seeded users follow others who wrote: {feed}");

    let again = seed::run(&app.platform, sizes, 7).await.unwrap_err();
    assert_eq!(again.code(), "not_empty");
}
