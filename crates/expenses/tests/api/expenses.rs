//! Recording, reading, changing and deleting expenses; preferences; periods; paging.

use chrono::Utc;
use reqwest::Method;
use serde_json::json;

use crate::support::{builder, call, days_ago, get, record};

#[tokio::test]
async fn an_expense_is_recorded_exactly_read_replaced_and_deleted() {
    let app = builder().spawn().await;
    let token = app.register_user().await.access_token;
    let expense = record(
        &app,
        &token,
        &json!({"amount": "12.3", "category": "groceries", "description": "milk"}),
    )
    .await;
    assert_eq!(expense["amount"], "12.30");
    assert_eq!(expense["amountMinor"], 1230);
    assert_eq!(expense["currency"], "USD", "the default currency");
    assert_eq!(expense["category"], "Groceries", "canonical spelling");
    assert_eq!(
        expense["date"],
        Utc::now().date_naive().to_string(),
        "default: today (UTC)"
    );
    let path = format!("/{}", expense["id"].as_str().unwrap());
    assert_eq!(get(&app, &token, &path).await, expense);

    let change =
        json!({"amount": "1500", "currency": "jpy", "category": "Leisure", "date": "2026-01-02"});
    let replaced = call(&app, Method::PUT, &path, &token, Some(&change)).await;
    assert_eq!(replaced.status, 200, "{}", replaced.text());
    let replaced = replaced.json();
    assert_eq!(replaced["amount"], "1500");
    assert_eq!(replaced["currency"], "JPY");
    assert_eq!(replaced["date"], "2026-01-02");
    assert_eq!(replaced["createdAt"], expense["createdAt"]);

    assert_eq!(
        call(&app, Method::DELETE, &path, &token, None).await.status,
        204
    );
    call(&app, Method::GET, &path, &token, None)
        .await
        .assert_problem(404, "not_found");
}

#[tokio::test]
async fn someone_elses_expense_is_not_found_and_stays_unchanged() {
    let app = builder().spawn().await;
    let owner = app.register_user().await.access_token;
    let other = app.register_user().await.access_token;
    let expense = record(&app, &owner, &json!({"amount": "5", "category": "Health"})).await;
    let path = format!("/{}", expense["id"].as_str().unwrap());
    let change = json!({"amount": "1", "category": "Others"});
    call(&app, Method::GET, &path, &other, None)
        .await
        .assert_problem(404, "not_found");
    call(&app, Method::PUT, &path, &other, Some(&change))
        .await
        .assert_problem(404, "not_found");
    call(&app, Method::DELETE, &path, &other, None)
        .await
        .assert_problem(404, "not_found");
    assert_eq!(get(&app, &owner, &path).await, expense);
    assert_eq!(get(&app, &other, "").await["total"], 0);
}

#[tokio::test]
async fn periods_are_computed_from_today_and_custom_ranges_are_inclusive() {
    let app = builder().spawn().await;
    let token = app.register_user().await.access_token;
    for days in [0, 6, 7, 20, 40, 100] {
        record(
            &app,
            &token,
            &json!({"amount": "1", "category": "Others", "date": days_ago(days)}),
        )
        .await;
    }
    assert_eq!(
        get(&app, &token, "?period=past_week").await["total"],
        2,
        "today and the 6 days before"
    );
    assert_eq!(get(&app, &token, "?period=past_month").await["total"], 4);
    assert_eq!(get(&app, &token, "?period=last_3_months").await["total"], 5);
    let range = format!("?from={}&to={}", days_ago(20), days_ago(6));
    assert_eq!(get(&app, &token, &range).await["total"], 3);
    assert_eq!(
        get(&app, &token, &format!("?from={}", days_ago(7))).await["total"],
        3
    );
}

#[tokio::test]
async fn the_time_zone_preference_decides_what_today_is() {
    let app = builder().spawn().await;
    let token = app.register_user().await.access_token;
    let defaults = get(&app, &token, "/preferences").await;
    assert_eq!(defaults, json!({"timeZone": "UTC", "currency": "USD"}));
    let set = json!({"timeZone": "Pacific/Kiritimati", "currency": "eur"});
    let saved = call(&app, Method::PUT, "/preferences", &token, Some(&set))
        .await
        .json();
    assert_eq!(
        saved,
        json!({"timeZone": "Pacific/Kiritimati", "currency": "EUR"})
    );

    let zone: chrono_tz::Tz = "Pacific/Kiritimati".parse().unwrap();
    let before = Utc::now().with_timezone(&zone).date_naive().to_string();
    let expense = record(&app, &token, &json!({"amount": "2", "category": "Leisure"})).await;
    let after = Utc::now().with_timezone(&zone).date_naive().to_string();
    assert!(
        expense["date"] == before || expense["date"] == after,
        "{expense}: today in UTC+14"
    );
    assert_eq!(expense["currency"], "EUR");
    let week = get(&app, &token, "/summary?period=past_week").await;
    assert!(week["to"] == before || week["to"] == after, "{week}");
    assert_eq!(week["timeZone"], "Pacific/Kiritimati");

    let keep = call(
        &app,
        Method::PUT,
        "/preferences",
        &token,
        Some(&json!({"currency": "GBP"})),
    )
    .await
    .json();
    assert_eq!(
        keep["timeZone"], "Pacific/Kiritimati",
        "fields left out keep their value"
    );
}

#[tokio::test]
async fn lists_page_newest_day_first_and_filter_by_category_and_currency() {
    let app = builder().spawn().await;
    let token = app.register_user().await.access_token;
    for n in 0..25 {
        let category = if n % 5 == 0 { "Health" } else { "Groceries" };
        record(
            &app,
            &token,
            &json!({"amount": format!("{n}.50"), "category": category, "date": days_ago(n)}),
        )
        .await;
    }
    record(
        &app,
        &token,
        &json!({"amount": "3", "currency": "EUR", "category": "Health", "date": days_ago(2)}),
    )
    .await;
    let first = get(&app, &token, "?limit=10").await;
    assert_eq!(first["total"], 26);
    assert_eq!(first["data"].as_array().unwrap().len(), 10);
    assert_eq!(first["data"][0]["date"], days_ago(0));
    let third = get(&app, &token, "?limit=10&page=3").await;
    assert_eq!(third["data"].as_array().unwrap().len(), 6);
    assert_eq!(third["data"][5]["amount"], "24.50");
    assert_eq!(get(&app, &token, "?category=health").await["total"], 6);
    assert_eq!(
        get(&app, &token, "?category=Health,Groceries&currency=EUR").await["total"],
        1
    );
}

#[tokio::test]
async fn an_account_holds_at_most_the_configured_number_of_expenses() {
    let app = builder()
        .config("expenses.max_expenses_per_user", 3)
        .spawn()
        .await;
    let token = app.register_user().await.access_token;
    let body = json!({"amount": "1", "category": "Others"});
    let attempts = (0..8).map(|_| call(&app, Method::POST, "", &token, Some(&body)));
    let responses = futures_util::future::join_all(attempts).await;
    assert_eq!(responses.iter().filter(|r| r.status == 201).count(), 3);
    assert_eq!(responses.iter().filter(|r| r.status == 409).count(), 5);
    assert_eq!(get(&app, &token, "").await["total"], 3);
}

#[tokio::test]
async fn a_list_runs_the_same_number_of_queries_whatever_the_page_size() {
    let app = builder().spawn().await;
    let token = app.register_user().await.access_token;
    for _ in 0..30 {
        record(&app, &token, &json!({"amount": "1", "category": "Others"})).await;
    }
    let mut counts = Vec::new();
    for limit in [1, 30] {
        let before = app.platform.queries_executed();
        get(&app, &token, &format!("?limit={limit}")).await;
        counts.push(app.platform.queries_executed() - before);
    }
    assert_eq!(counts[0], counts[1], "{counts:?}");
    assert!(counts[0] <= 2, "a count and a page: {counts:?}");
}
