//! Links with owners: only they change them, and they list them.

use reqwest::Method;
use serde_json::json;

use crate::support::{app, call, create, shorten};

#[tokio::test]
async fn only_the_owner_changes_an_owned_link() {
    let app = app().await;
    let owner = app.register_user().await;
    let stranger = app.register_user().await;
    let link = create(
        &app,
        Some(&owner.access_token),
        json!({"url": "https://example.com/mine"}),
    )
    .await;
    let path = format!("/shorten/{}", link["shortCode"].as_str().unwrap());
    let change = json!({"url": "https://example.com/hijacked"});

    let anonymous = call(&app, Method::PUT, &path, None, Some(change.clone())).await;
    anonymous.assert_problem(401, "missing_token");
    let other = call(
        &app,
        Method::PUT,
        &path,
        Some(&stranger.access_token),
        Some(change.clone()),
    )
    .await;
    other.assert_problem(403, "forbidden");
    let delete = call(
        &app,
        Method::DELETE,
        &path,
        Some(&stranger.access_token),
        None,
    )
    .await;
    delete.assert_problem(403, "forbidden");
    let analytics = call(
        &app,
        Method::GET,
        &format!("{path}/analytics"),
        Some(&stranger.access_token),
        None,
    )
    .await;
    analytics.assert_problem(403, "forbidden");
    // Nothing changed.
    let read = call(&app, Method::GET, &path, None, None).await;
    assert_eq!(read.json()["url"], "https://example.com/mine");

    let mine = call(
        &app,
        Method::PUT,
        &path,
        Some(&owner.access_token),
        Some(change),
    )
    .await;
    assert_eq!(mine.status, 200);
    let admin = app.admin().await;
    let removed = call(&app, Method::DELETE, &path, Some(&admin.access_token), None).await;
    assert_eq!(removed.status, 204);
}

#[tokio::test]
async fn an_account_lists_its_own_links_page_by_page() {
    let app = app().await;
    let owner = app.register_user().await;
    let other = app.register_user().await;
    for n in 0..5 {
        create(
            &app,
            Some(&owner.access_token),
            json!({"url": format!("https://example.com/{n}")}),
        )
        .await;
    }
    create(
        &app,
        Some(&other.access_token),
        json!({"url": "https://example.com/other"}),
    )
    .await;
    shorten(&app, "https://example.com/anonymous").await;

    let first = call(
        &app,
        Method::GET,
        "/shorten?page=1&limit=2",
        Some(&owner.access_token),
        None,
    )
    .await;
    assert_eq!(first.status, 200, "{}", first.text());
    let first = first.json();
    assert_eq!(first["total"], 5);
    assert_eq!(first["page"], 1);
    assert_eq!(first["limit"], 2);
    let urls: Vec<&str> = first["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["url"].as_str().unwrap())
        .collect();
    assert_eq!(urls, ["https://example.com/4", "https://example.com/3"]);
    assert_eq!(first["data"][0]["accessCount"], 0);
    let last = call(
        &app,
        Method::GET,
        "/shorten?page=3&limit=2",
        Some(&owner.access_token),
        None,
    )
    .await;
    assert_eq!(last.json()["data"].as_array().unwrap().len(), 1);

    call(&app, Method::GET, "/shorten", None, None)
        .await
        .assert_problem(401, "missing_token");
    let bad = call(
        &app,
        Method::GET,
        "/shorten?limit=1000",
        Some(&owner.access_token),
        None,
    )
    .await;
    bad.assert_problem(400, "validation_failed");
}

#[tokio::test]
async fn anonymous_links_can_be_made_immutable() {
    let app = crate::support::builder()
        .config("shortener.anonymous_links_editable", false)
        .spawn()
        .await;
    let link = shorten(&app, "https://example.com/fixed").await;
    let path = format!("/shorten/{}", link["shortCode"].as_str().unwrap());
    let put = call(
        &app,
        Method::PUT,
        &path,
        None,
        Some(json!({"url": "https://example.com/x"})),
    )
    .await;
    put.assert_problem(403, "forbidden");
    let delete = call(&app, Method::DELETE, &path, None, None).await;
    delete.assert_problem(403, "forbidden");
}
