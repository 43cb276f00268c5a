//! Summaries: by currency, category and month, never adding currencies together.

use serde_json::json;

use crate::support::{builder, get, record};

#[tokio::test]
async fn summaries_total_by_currency_category_and_month() {
    let app = builder().spawn().await;
    let token = app.register_user().await.access_token;
    for (amount, currency, category, date) in [
        ("10.10", "USD", "Groceries", "2026-01-05"),
        ("0.90", "USD", "Groceries", "2026-01-20"),
        ("5.00", "USD", "Health", "2026-02-01"),
        ("1000", "JPY", "Leisure", "2026-02-02"),
        ("1.005", "KWD", "Others", "2026-03-03"),
    ] {
        record(
            &app,
            &token,
            &json!({"amount": amount, "currency": currency, "category": category, "date": date}),
        )
        .await;
    }
    let summary = get(&app, &token, "/summary").await;
    assert_eq!(
        summary["totals"],
        json!([
            {"currency": "JPY", "amount": "1000", "count": 1},
            {"currency": "KWD", "amount": "1.005", "count": 1},
            {"currency": "USD", "amount": "16.00", "count": 3},
        ])
    );
    assert_eq!(
        summary["byCategory"],
        json!([
            {"currency": "JPY", "category": "Leisure", "amount": "1000", "count": 1},
            {"currency": "KWD", "category": "Others", "amount": "1.005", "count": 1},
            {"currency": "USD", "category": "Groceries", "amount": "11.00", "count": 2},
            {"currency": "USD", "category": "Health", "amount": "5.00", "count": 1},
        ])
    );
    let usd_months: Vec<_> = summary["byMonth"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["currency"] == "USD")
        .map(|m| {
            (
                m["month"].as_str().unwrap().to_owned(),
                m["amount"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        usd_months,
        [
            ("2026-01".to_owned(), "11.00".to_owned()),
            ("2026-02".to_owned(), "5.00".to_owned())
        ]
    );

    let january = get(
        &app,
        &token,
        "/summary?from=2026-01-01&to=2026-01-31&category=Groceries",
    )
    .await;
    assert_eq!(
        january["totals"],
        json!([{"currency": "USD", "amount": "11.00", "count": 2}])
    );
    assert_eq!(january["from"], "2026-01-01");
    let empty = get(&app, &token, "/summary?from=2020-01-01&to=2020-12-31").await;
    assert_eq!(empty["totals"], json!([]));
}
