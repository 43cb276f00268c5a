//! `GET /shorten/{code}/analytics`, with counts worked out by hand.

use chrono::{Days, Utc};
use reqwest::Method;

use crate::support::{FIREFOX, GOOGLEBOT, IPHONE, app, call, shorten, visit};

#[tokio::test]
async fn analytics_add_up_clicks_referrers_agents_and_visitors() {
    let app = app().await;
    let link = shorten(&app, "https://example.com/campaign").await;
    let code = link["shortCode"].as_str().unwrap();
    // 3 from Firefox (2 via news.example, 1 direct), 2 from an iPhone via social.example,
    // 1 from Googlebot, direct. All from 127.0.0.1: three user agents, three visitors.
    for referer in [
        Some("https://news.example/a"),
        Some("https://NEWS.example/b?x=1"),
        None,
    ] {
        assert_eq!(visit(&app, code, FIREFOX, referer).await.status, 302);
    }
    for _ in 0..2 {
        visit(&app, code, IPHONE, Some("https://social.example/post/1")).await;
    }
    visit(&app, code, GOOGLEBOT, None).await;

    let today = Utc::now().date_naive();
    let response = call(
        &app,
        Method::GET,
        &format!("/shorten/{code}/analytics"),
        None,
        None,
    )
    .await;
    assert_eq!(response.status, 200, "{}", response.text());
    let report = response.json();
    assert_eq!(report["totalClicks"], 6);
    assert_eq!(report["uniqueVisitors"], 3);
    assert_eq!(report["to"], today.to_string());
    assert_eq!(report["from"], (today - Days::new(29)).to_string());
    let days = report["clicksByDay"].as_array().unwrap();
    assert_eq!(days.len(), 30);
    assert_eq!(days[29]["date"], today.to_string());
    assert_eq!(days[29]["clicks"], 6);
    assert_eq!(days[29]["uniqueVisitors"], 3);
    assert_eq!(days[0]["clicks"], 0);
    let hours = report["clicksByHour"].as_array().unwrap();
    let hourly_total: i64 = hours.iter().map(|h| h["clicks"].as_i64().unwrap()).sum();
    assert_eq!(hourly_total, 6);

    let referrers: Vec<(String, i64)> = report["topReferrers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap().to_owned(),
                r["clicks"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        referrers,
        [
            ("(direct)".to_owned(), 2),
            ("news.example".to_owned(), 2),
            ("social.example".to_owned(), 2)
        ]
    );
    assert_eq!(report["browsers"][0]["name"], "Firefox");
    assert_eq!(report["browsers"][0]["clicks"], 3);
    assert_eq!(report["browsers"][1]["name"], "Safari");
    assert_eq!(report["browsers"][1]["clicks"], 2);
    assert_eq!(report["operatingSystems"][0]["name"], "Linux");
    assert_eq!(report["humanClicks"], 5);
    assert_eq!(report["botClicks"], 1);
}

#[tokio::test]
async fn analytics_ranges_are_checked() {
    let app = app().await;
    let link = shorten(&app, "https://example.com/r").await;
    let base = format!("/shorten/{}/analytics", link["shortCode"].as_str().unwrap());
    let backwards = call(
        &app,
        Method::GET,
        &format!("{base}?from=2026-02-01&to=2026-01-01"),
        None,
        None,
    )
    .await;
    backwards.assert_problem(400, "validation_failed");
    let too_long = call(
        &app,
        Method::GET,
        &format!("{base}?from=2020-01-01&to=2026-01-01"),
        None,
        None,
    )
    .await;
    too_long.assert_problem(400, "validation_failed");
    let garbage = call(
        &app,
        Method::GET,
        &format!("{base}?from=yesterday"),
        None,
        None,
    )
    .await;
    garbage.assert_problem(400, "validation_failed");
    let empty = call(
        &app,
        Method::GET,
        &format!("{base}?from=2026-01-01&to=2026-01-31"),
        None,
        None,
    )
    .await;
    assert_eq!(empty.status, 200);
    assert_eq!(empty.json()["totalClicks"], 0);
    assert_eq!(empty.json()["clicksByDay"].as_array().unwrap().len(), 31);
    let unknown = call(
        &app,
        Method::GET,
        "/shorten/nothing-here/analytics",
        None,
        None,
    )
    .await;
    unknown.assert_problem(404, "not_found");
}
