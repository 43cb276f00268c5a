//! The shortener as a deployment runs it: two `groundwork serve` processes on one
//! PostgreSQL database and one Redis.

use std::time::{Duration, Instant};

use reqwest::blocking::Client;
use serde_json::{Value, json};

use crate::harness::{Server, run};

fn no_redirects() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn location(http: &Client, url: &str) -> Option<String> {
    let response = http.get(url).send().unwrap();
    assert_eq!(response.status(), 302, "{url}");
    response
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned())
}

#[test]
fn two_instances_share_links_invalidations_and_counts() {
    let (Some(server_url), Some(redis_url)) = (
        groundwork_platform::testing::postgres_url(),
        groundwork_platform::testing::redis_url(),
    ) else {
        eprintln!("skipped: GROUNDWORK_TEST_POSTGRES_URL or GROUNDWORK_TEST_REDIS_URL is not set");
        return;
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (database, url) = runtime.block_on(groundwork_platform::testing::TestDatabase::create(
        &server_url,
    ));
    let prefix = groundwork_platform::testing::unique_prefix("shortener-cli");
    let dir = tempfile::tempdir().unwrap();
    let env = [
        ("DATABASE_URL", url.as_str()),
        ("GROUNDWORK__REDIS__URL", redis_url.as_str()),
        ("GROUNDWORK__REDIS__KEY_PREFIX", prefix.as_str()),
        (
            "GROUNDWORK__AUTH__JWT_SECRET",
            "a-shared-secret-for-every-instance!",
        ),
    ];
    let migrated = run(dir.path(), &env, &["migrate"]);
    assert!(
        migrated.status.success(),
        "{}",
        String::from_utf8_lossy(&migrated.stderr)
    );
    let mut first = Server::start(dir.path(), &env, &["--only", "auth,shortener"]);
    let mut second = Server::start(dir.path(), &env, &["--only", "auth,shortener"]);
    let http = no_redirects();

    let created: Value = http
        .post(first.url("/shortener/shorten"))
        .json(&json!({"url": "https://example.com/before"}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let code = created["shortCode"].as_str().unwrap().to_owned();
    // Both instances now hold the link in their caches.
    for server in [&first, &second] {
        assert_eq!(
            location(&http, &server.url(&format!("/shortener/{code}"))).as_deref(),
            Some("https://example.com/before")
        );
    }

    // Changed through the first, the second redirects to the new target within a second.
    let updated = http
        .put(first.url(&format!("/shortener/shorten/{code}")))
        .json(&json!({"url": "https://example.com/after"}))
        .send()
        .unwrap();
    assert_eq!(updated.status(), 200);
    let changed_at = Instant::now();
    loop {
        let target = location(&http, &second.url(&format!("/shortener/{code}")));
        if target.as_deref() == Some("https://example.com/after") {
            break;
        }
        assert!(
            changed_at.elapsed() < Duration::from_secs(1),
            "the second instance still redirects to {target:?} a second after the change"
        );
        std::thread::sleep(Duration::from_millis(20));
    }

    // Clicks on both instances add up; a graceful stop writes what was still in memory.
    let stats = |server: &Server| -> i64 {
        let stats: Value = http
            .get(server.url(&format!("/shortener/shorten/{code}/stats")))
            .send()
            .unwrap()
            .json()
            .unwrap();
        stats["accessCount"].as_i64().unwrap()
    };
    // Asking each instance for stats writes its batch; the second answer has both. Two
    // redirects above, and at least one in the loop.
    stats(&first);
    let baseline = stats(&second);
    assert!(baseline >= 3, "{baseline}");
    for _ in 0..25 {
        location(&http, &first.url(&format!("/shortener/{code}")));
        location(&http, &second.url(&format!("/shortener/{code}")));
    }
    first.terminate();
    second.terminate();
    assert_eq!(first.wait_for_exit(Duration::from_secs(15)), Some(0));
    assert_eq!(second.wait_for_exit(Duration::from_secs(15)), Some(0));

    let third = Server::start(dir.path(), &env, &["--only", "auth,shortener"]);
    assert_eq!(stats(&third), baseline + 50);
    drop(third);
    drop(database);
}
