//! Beyond the spec: status, priority and due dates, filters and sorting, PATCH, refresh
//! tokens, the item cap and the rate limits.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{app, assert_message, builder, call, create, register};

fn titles(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap().to_owned())
        .collect()
}

async fn list(app: &groundwork_platform::testing::TestApp, token: &str, query: &str) -> Value {
    let response = call(
        app,
        Method::GET,
        &format!("/todos?{query}"),
        Some(token),
        None,
    )
    .await;
    assert_eq!(response.status, 200, "{query}: {}", response.text());
    response.json()
}

#[tokio::test]
async fn items_filter_by_status_text_and_due_dates() {
    let app = app().await;
    let token = register(&app).await;
    create(&app, &token, json!({"title": "Buy milk", "description": "2 litres", "status": "done", "dueDate": "2026-01-10"})).await;
    create(&app, &token, json!({"title": "Pay bills", "description": "Electricity and MILK money", "status": "in-progress", "dueDate": "2026-02-10"})).await;
    create(
        &app,
        &token,
        json!({"title": "Call mum", "description": "", "priority": "high"}),
    )
    .await;
    create(
        &app,
        &token,
        json!({"title": "100% done_ish", "description": "", "dueDate": "2026-03-10"}),
    )
    .await;

    assert_eq!(
        titles(&list(&app, &token, "status=done").await),
        ["Buy milk"]
    );
    assert_eq!(
        titles(&list(&app, &token, "status=done,in-progress").await),
        ["Buy milk", "Pay bills"]
    );
    let milk = list(&app, &token, "q=milk").await;
    assert_eq!(
        titles(&milk),
        ["Buy milk", "Pay bills"],
        "title or description, any case"
    );
    assert_eq!(milk["total"], 2);
    assert_eq!(
        titles(&list(&app, &token, "q=%25%20done_").await),
        ["100% done_ish"],
        "wildcards match literally"
    );
    assert_eq!(titles(&list(&app, &token, "q=o_e").await).len(), 0);
    assert_eq!(
        titles(&list(&app, &token, "dueBefore=2026-02-10").await),
        ["Buy milk", "Pay bills"]
    );
    assert_eq!(
        titles(&list(&app, &token, "dueAfter=2026-02-11").await),
        ["100% done_ish"]
    );
    assert_eq!(
        titles(&list(&app, &token, "due_after=2026-01-11&due_before=2026-02-10").await),
        ["Pay bills"]
    );
}

#[tokio::test]
async fn items_sort_by_creation_due_date_or_priority_either_way() {
    let app = app().await;
    let token = register(&app).await;
    create(
        &app,
        &token,
        json!({"title": "a", "priority": "low", "dueDate": "2026-05-01"}),
    )
    .await;
    create(&app, &token, json!({"title": "b", "priority": "high"})).await;
    create(
        &app,
        &token,
        json!({"title": "c", "priority": "medium", "dueDate": "2026-04-01"}),
    )
    .await;

    assert_eq!(titles(&list(&app, &token, "").await), ["a", "b", "c"]);
    assert_eq!(
        titles(&list(&app, &token, "sort=created_at&order=desc").await),
        ["c", "b", "a"]
    );
    assert_eq!(
        titles(&list(&app, &token, "sort=due").await),
        ["c", "a", "b"],
        "undated last"
    );
    assert_eq!(
        titles(&list(&app, &token, "sort=due&order=desc").await),
        ["a", "c", "b"],
        "undated last either way"
    );
    assert_eq!(
        titles(&list(&app, &token, "sort=priority").await),
        ["b", "c", "a"],
        "most urgent first by default"
    );
    assert_eq!(
        titles(&list(&app, &token, "sort=priority&order=asc").await),
        ["a", "c", "b"]
    );
}

#[tokio::test]
async fn patch_changes_only_the_fields_given_and_null_clears_the_due_date() {
    let app = app().await;
    let token = register(&app).await;
    let item = create(&app, &token, json!({"title": "Write report", "description": "Q3", "dueDate": "2026-12-01", "priority": "high"})).await;
    let path = format!("/todos/{}", item["id"]);

    let patched = call(
        &app,
        Method::PATCH,
        &path,
        Some(&token),
        Some(json!({"status": "done"})),
    )
    .await;
    assert_eq!(patched.status, 200, "{}", patched.text());
    let patched = patched.json();
    assert_eq!(patched["status"], "done");
    assert_eq!(patched["title"], "Write report");
    assert_eq!(patched["dueDate"], "2026-12-01");
    assert_eq!(patched["priority"], "high");

    let cleared = call(
        &app,
        Method::PATCH,
        &path,
        Some(&token),
        Some(json!({"dueDate": null})),
    )
    .await
    .json();
    assert_eq!(cleared["dueDate"], Value::Null);
    assert_eq!(cleared["status"], "done");

    // A spec client's PUT (title and description only) keeps the extra fields.
    let put = json!({"title": "Write the report", "description": "Q3 and Q4"});
    let replaced = call(&app, Method::PUT, &path, Some(&token), Some(put))
        .await
        .json();
    assert_eq!(replaced["status"], "done");
    assert_eq!(replaced["priority"], "high");
    assert_eq!(replaced["title"], "Write the report");
}

#[tokio::test]
async fn refresh_rotates_the_tokens_and_a_reused_refresh_token_ends_the_session() {
    let app = app().await;
    let body = json!({"name": "Ann", "email": "ann@example.com", "password": "password123"});
    let session = call(&app, Method::POST, "/register", None, Some(body))
        .await
        .json();
    let first = session["refreshToken"].as_str().unwrap().to_owned();
    assert!(session["expiresIn"].as_u64().is_some_and(|s| s > 0));

    let rotated = call(
        &app,
        Method::POST,
        "/refresh",
        None,
        Some(json!({"refreshToken": first})),
    )
    .await;
    assert_eq!(rotated.status, 200, "{}", rotated.text());
    let rotated = rotated.json();
    let token = rotated["token"].as_str().unwrap();
    create(&app, token, json!({"title": "works"})).await;
    let second = rotated["refreshToken"].as_str().unwrap().to_owned();
    assert_ne!(second, first);

    let reused = call(
        &app,
        Method::POST,
        "/refresh",
        None,
        Some(json!({"refreshToken": first})),
    )
    .await;
    assert_eq!(reused.status, 401);
    let revoked = call(
        &app,
        Method::POST,
        "/refresh",
        None,
        Some(json!({"refreshToken": second})),
    )
    .await;
    assert_eq!(revoked.status, 401, "reuse revoked the whole session");
}

#[tokio::test]
async fn logout_revokes_the_refresh_token() {
    let app = app().await;
    let body = json!({"name": "Ann", "email": "ann@example.com", "password": "password123"});
    let session = call(&app, Method::POST, "/register", None, Some(body))
        .await
        .json();
    let refresh = json!({"refreshToken": session["refreshToken"]});
    let out = call(&app, Method::POST, "/logout", None, Some(refresh.clone())).await;
    assert_eq!(out.status, 204);
    assert_eq!(
        call(&app, Method::POST, "/refresh", None, Some(refresh))
            .await
            .status,
        401
    );
}

#[tokio::test]
async fn an_account_holds_at_most_the_configured_number_of_items_even_under_concurrent_creates() {
    let app = builder().config("todo.max_items_per_user", 5).spawn().await;
    let token = register(&app).await;
    let attempts = (0..12).map(|n| {
        call(
            &app,
            Method::POST,
            "/todos",
            Some(&token),
            Some(json!({"title": format!("item {n}")})),
        )
    });
    let responses = futures_util::future::join_all(attempts).await;
    let created = responses.iter().filter(|r| r.status == 201).count();
    let refused: Vec<_> = responses.iter().filter(|r| r.status == 409).collect();
    assert_eq!(created, 5);
    assert_eq!(refused.len(), 7);
    assert!(
        refused[0].json()["message"]
            .as_str()
            .unwrap()
            .contains("at most 5")
    );
    assert_eq!(list(&app, &token, "").await["total"], 5);
    let other = register(&app).await;
    create(&app, &other, json!({"title": "the cap is per account"})).await;
}

#[tokio::test]
async fn too_many_requests_from_one_account_get_429_with_retry_after() {
    let app = builder()
        .config("rate_limit.per_user_per_second", 1)
        .config("rate_limit.per_user_burst", 3)
        .spawn()
        .await;
    let token = register(&app).await;
    let mut statuses = Vec::new();
    for _ in 0..6 {
        let response = call(&app, Method::GET, "/todos", Some(&token), None).await;
        if response.status == 429 {
            assert!(response.header("retry-after").is_some());
        }
        statuses.push(response.status.as_u16());
    }
    assert_eq!(&statuses[..3], [200, 200, 200]);
    assert!(statuses[3..].contains(&429), "{statuses:?}");
}

#[tokio::test]
async fn deleting_the_account_deletes_its_items() {
    let app = app().await;
    let owner = app.register_user().await;
    create(&app, &owner.access_token, json!({"title": "mine"})).await;
    // Accounts are removed by an operator (there is no self-service deletion yet).
    use sea_orm::ConnectionTrait;
    app.platform
        .db()
        .execute_unprepared(&format!(
            "DELETE FROM auth_users WHERE email = '{}'",
            owner.email
        ))
        .await
        .unwrap();
    let db = app.platform.db();
    use sea_orm::{EntityTrait, PaginatorTrait};
    let left = groundwork_todo::entities::items::Entity::find()
        .count(db)
        .await
        .unwrap();
    assert_eq!(left, 0);
    let after = call(
        &app,
        Method::POST,
        "/todos",
        Some(&owner.access_token),
        Some(json!({"title": "x"})),
    )
    .await;
    assert_message(&after, 401, "Unauthorized");
}

#[tokio::test]
async fn a_list_runs_the_same_number_of_queries_whatever_the_page_size() {
    let app = app().await;
    let token = register(&app).await;
    for n in 0..30 {
        create(&app, &token, json!({"title": format!("item {n}")})).await;
    }
    let mut counts = Vec::new();
    for limit in [1, 30] {
        let before = app.platform.queries_executed();
        list(&app, &token, &format!("limit={limit}")).await;
        counts.push(app.platform.queries_executed() - before);
    }
    assert_eq!(counts[0], counts[1], "{counts:?}");
    assert!(counts[0] <= 2, "a count and a page: {counts:?}");
}
