//! Bad input: every one a clear 4xx naming the field, nothing stored.

use reqwest::Method;
use serde_json::json;

use crate::support::{builder, call, get};

fn fields(problem: &serde_json::Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{}:{}",
                e["field"].as_str().unwrap(),
                e["code"].as_str().unwrap()
            )
        })
        .collect()
}

#[tokio::test]
async fn bad_amounts_currencies_categories_and_dates_are_named() {
    let app = builder().spawn().await;
    let token = app.register_user().await.access_token;
    let cases = [
        (
            json!({"amount": 12.34, "category": "Others"}),
            "amount:not_a_string",
        ),
        (
            json!({"amount": "-5", "category": "Others"}),
            "amount:invalid_amount",
        ),
        (
            json!({"amount": "0", "category": "Others"}),
            "amount:not_positive",
        ),
        (
            json!({"amount": "1.234", "category": "Others"}),
            "amount:too_many_decimals",
        ),
        (
            json!({"amount": "1.5", "currency": "JPY", "category": "Others"}),
            "amount:too_many_decimals",
        ),
        (
            json!({"amount": "1e9", "category": "Others"}),
            "amount:invalid_amount",
        ),
        (
            json!({"amount": "2000000000", "category": "Others"}),
            "amount:too_large",
        ),
        (
            json!({"amount": null, "category": "Others"}),
            "amount:invalid_amount",
        ),
        (
            json!({"amount": "1", "currency": "XYZ", "category": "Others"}),
            "currency:unknown_currency",
        ),
        (
            json!({"amount": "1", "category": "Travel"}),
            "category:unknown_category",
        ),
        (
            json!({"amount": "1", "category": "Others", "date": "2026-02-30"}),
            "date:invalid",
        ),
        (
            json!({"amount": "1", "category": "Others", "description": "x".repeat(1001)}),
            "description:too_long",
        ),
    ];
    for (body, expected) in cases {
        let response = call(&app, Method::POST, "", &token, Some(&body)).await;
        let problem = response.assert_problem(422, "validation_failed");
        assert_eq!(fields(&problem), [expected], "{body}");
    }
    let all = json!({"amount": "abc", "currency": "US", "category": "", "date": "yesterday"});
    let problem = call(&app, Method::POST, "", &token, Some(&all))
        .await
        .assert_problem(422, "validation_failed");
    assert_eq!(
        fields(&problem).len(),
        3,
        "amount needs a valid currency first: {problem}"
    );
    let missing = call(
        &app,
        Method::POST,
        "",
        &token,
        Some(&json!({"amount": "1"})),
    )
    .await;
    missing.assert_problem(422, "validation_failed");
    assert_eq!(get(&app, &token, "").await["total"], 0, "nothing stored");
}

#[tokio::test]
async fn bad_filters_are_named() {
    let app = builder().spawn().await;
    let token = app.register_user().await.access_token;
    for (query, expected) in [
        ("?from=2026-05-01&to=2026-04-01", "from:invalid_range"),
        ("?period=past_week&from=2026-01-01", "period:conflict"),
        ("?period=yesterday", "period:invalid"),
        ("?category=Travel", "category:unknown_category"),
        ("?currency=ABC", "currency:unknown_currency"),
        ("?from=01/02/2026", "from:invalid"),
        ("?limit=500", "limit:out_of_range"),
    ] {
        let response = call(&app, Method::GET, query, &token, None).await;
        let problem = response.assert_problem(422, "validation_failed");
        assert_eq!(fields(&problem), [expected], "{query}");
    }
    let summary = call(
        &app,
        Method::GET,
        "/summary?from=2026-05-01&to=2026-04-01",
        &token,
        None,
    )
    .await;
    summary.assert_problem(422, "validation_failed");
    let paged = call(&app, Method::GET, "/summary?page=2", &token, None).await;
    assert_eq!(
        paged.status,
        422,
        "summaries are not paged: {}",
        paged.text()
    );
    let zone = call(
        &app,
        Method::PUT,
        "/preferences",
        &token,
        Some(&json!({"timeZone": "Mars/Olympus"})),
    )
    .await;
    assert_eq!(
        fields(&zone.assert_problem(422, "validation_failed")),
        ["timeZone:unknown_time_zone"]
    );
}

#[tokio::test]
async fn every_route_needs_a_token_and_ids_must_be_uuids() {
    let app = builder().spawn().await;
    for path in ["/expenses", "/expenses/summary", "/expenses/preferences"] {
        app.get(path).await.assert_problem(401, "missing_token");
    }
    let token = app.register_user().await.access_token;
    for id in ["1", "abc", "00000000-0000-0000-0000-00000000000g"] {
        call(&app, Method::GET, &format!("/{id}"), &token, None)
            .await
            .assert_problem(404, "not_found");
        call(&app, Method::DELETE, &format!("/{id}"), &token, None)
            .await
            .assert_problem(404, "not_found");
    }
    let malformed = app
        .request(Method::POST, "/expenses")
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{\"amount\": ");
    app.send(malformed)
        .await
        .assert_problem(400, "malformed_json");
}
