//! Rate limits: the limiter contract (in-process and Redis), per-address limits on every
//! route, and failed-login limits.

use std::time::Duration;

use groundwork_platform::ratelimit::{
    Decision, InMemoryRateLimiter, Quota, RateLimiter, RedisRateLimiter,
};
use groundwork_platform::testing::{self, TestApp};
use serde_json::json;

async fn allowed(limiter: &dyn RateLimiter, key: &str, quota: Quota, consume: bool) -> bool {
    limiter
        .check(key, quota, consume)
        .await
        .unwrap()
        .is_allowed()
}

/// The behaviour every limiter must have.
async fn contract(limiter: &dyn RateLimiter) {
    let quota = Quota::per_second(10, 3);
    for remaining in [2, 1, 0] {
        assert_eq!(
            limiter.check("a", quota, true).await.unwrap(),
            Decision::Allowed { remaining }
        );
    }
    let limited = limiter.check("a", quota, true).await.unwrap();
    assert!(!limited.is_allowed());
    assert_eq!(limited.retry_after_secs(), 1);
    assert!(
        allowed(limiter, "b", quota, true).await,
        "keys are independent"
    );

    // Looking does not count.
    let strict = Quota::per_window(1, Duration::from_secs(60));
    for _ in 0..3 {
        assert!(allowed(limiter, "peek", strict, false).await);
    }
    assert!(allowed(limiter, "peek", strict, true).await);
    assert!(!allowed(limiter, "peek", strict, false).await);

    // The bucket refills at the sustained rate.
    tokio::time::sleep(Duration::from_millis(120)).await;
    assert!(allowed(limiter, "a", quota, true).await);

    // A refund gives one request back.
    let once = Quota::per_window(1, Duration::from_secs(60));
    assert!(allowed(limiter, "refund", once, true).await);
    assert!(!allowed(limiter, "refund", once, true).await);
    limiter.refund("refund", once).await.unwrap();
    assert!(allowed(limiter, "refund", once, true).await);
    // Refunding a key never seen is harmless.
    limiter.refund("never-seen", once).await.unwrap();
}

#[tokio::test]
async fn the_in_memory_limiter_meets_the_contract() {
    contract(&InMemoryRateLimiter::new()).await;
}

#[tokio::test]
async fn the_redis_limiter_meets_the_contract() {
    let Some(url) = testing::redis_url() else {
        eprintln!("skipped: GROUNDWORK_TEST_REDIS_URL is not set");
        return;
    };
    let client = redis::Client::open(url).unwrap();
    let connection = redis::aio::ConnectionManager::new(client).await.unwrap();
    contract(&RedisRateLimiter::new(
        connection,
        testing::unique_prefix("ratelimit"),
    ))
    .await;
}

#[tokio::test]
async fn every_route_is_limited_per_client_address() {
    let app = TestApp::builder()
        .system(groundwork_platform::auth::AuthSystem)
        .config("rate_limit.per_ip_per_second", 1)
        .config("rate_limit.per_ip_burst", 3)
        .spawn()
        .await;
    for _ in 0..3 {
        assert_eq!(app.get("/hello").await.status, 200);
    }
    let limited = app.get("/hello").await;
    limited.assert_problem(429, "rate_limited");
    assert_eq!(limited.header("retry-after"), Some("1"));
}

#[tokio::test]
async fn signed_in_users_are_limited_across_addresses() {
    // Behind a trusted proxy each request can come from another address; the per-user
    // limit still applies to all of them together.
    let app = TestApp::builder()
        .system(groundwork_platform::auth::AuthSystem)
        .config("server.trust_forwarded_for", true)
        .config("rate_limit.per_user_per_second", 1)
        .config("rate_limit.per_user_burst", 2)
        .spawn()
        .await;
    let user = app.register_user().await;
    let from = |n: u8| {
        app.request(reqwest::Method::GET, "/auth/me")
            .bearer_auth(&user.access_token)
            .header("x-forwarded-for", format!("198.51.100.{n}"))
    };
    assert_eq!(app.send(from(1)).await.status, 200);
    assert_eq!(app.send(from(2)).await.status, 200);
    app.send(from(3)).await.assert_problem(429, "rate_limited");
    // Another user is not affected.
    let other = app.register_user().await;
    assert_eq!(
        app.get_authed("/auth/me", &other.access_token).await.status,
        200
    );
}

#[tokio::test]
async fn concurrent_wrong_passwords_cannot_exceed_the_account_limit() {
    let app = TestApp::builder()
        .system(groundwork_platform::auth::AuthSystem)
        .config("rate_limit.login_failures_per_account", 3)
        .spawn()
        .await;
    let user = app.register_user().await;
    let guess = json!({"email": user.email, "password": "a wrong guess"});
    let statuses: Vec<u16> = app
        .post_concurrently("/auth/login", &guess, 12)
        .await
        .iter()
        .map(|r| r.status.as_u16())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 401).count(),
        3,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        9,
        "{statuses:?}"
    );
}

#[tokio::test]
async fn successful_logins_do_not_use_up_the_failure_allowance() {
    let app = TestApp::builder()
        .system(groundwork_platform::auth::AuthSystem)
        .config("rate_limit.login_failures_per_account", 2)
        .spawn()
        .await;
    let user = app.register_user().await;
    for _ in 0..5 {
        app.login(&user.email, &user.password).await;
    }
    for _ in 0..2 {
        app.post(
            "/auth/login",
            &json!({"email": user.email, "password": "wrong one"}),
        )
        .await
        .assert_problem(401, "invalid_credentials");
    }
    app.post(
        "/auth/login",
        &json!({"email": user.email, "password": user.password}),
    )
    .await
    .assert_problem(429, "rate_limited");
}

#[tokio::test]
async fn failed_logins_lock_the_account_even_for_the_right_password() {
    let app = TestApp::builder()
        .system(groundwork_platform::auth::AuthSystem)
        .config("rate_limit.login_failures_per_account", 3)
        .spawn()
        .await;
    let user = app.register_user().await;
    for _ in 0..3 {
        app.post(
            "/auth/login",
            &json!({"email": user.email, "password": "wrong password"}),
        )
        .await
        .assert_problem(401, "invalid_credentials");
    }
    let locked = app
        .post(
            "/auth/login",
            &json!({"email": user.email, "password": user.password}),
        )
        .await;
    locked.assert_problem(429, "rate_limited");
    assert!(
        locked
            .header("retry-after")
            .unwrap()
            .parse::<u64>()
            .unwrap()
            > 60
    );
    // Other accounts can still sign in from the same address.
    let other = app.register_user().await;
    app.login(&other.email, &other.password).await;
}

#[tokio::test]
async fn failed_logins_are_limited_per_address_across_accounts() {
    let app = TestApp::builder()
        .system(groundwork_platform::auth::AuthSystem)
        .config("rate_limit.login_failures_per_ip", 4)
        .spawn()
        .await;
    for n in 0..4 {
        app.post(
            "/auth/login",
            &json!({"email": format!("victim{n}@example.com"), "password": "guess guess"}),
        )
        .await
        .assert_problem(401, "invalid_credentials");
    }
    app.post(
        "/auth/login",
        &json!({"email": "victim9@example.com", "password": "guess guess"}),
    )
    .await
    .assert_problem(429, "rate_limited");
}

#[tokio::test]
async fn limits_shared_through_redis_span_instances() {
    let Some(url) = testing::redis_url() else {
        eprintln!("skipped: GROUNDWORK_TEST_REDIS_URL is not set");
        return;
    };
    // Two app instances, one Redis: the second sees the first one's count.
    let prefix = testing::unique_prefix("shared-limit");
    let build = || {
        TestApp::builder()
            .config("redis.url", url.clone())
            .config("redis.key_prefix", prefix.clone())
            .config("rate_limit.per_ip_per_second", 1)
            .config("rate_limit.per_ip_burst", 2)
    };
    let first = build().spawn().await;
    let second = build().spawn().await;
    assert_eq!(first.get("/hello").await.status, 200);
    assert_eq!(second.get("/hello").await.status, 200);
    second
        .get("/hello")
        .await
        .assert_problem(429, "rate_limited");
    first
        .get("/hello")
        .await
        .assert_problem(429, "rate_limited");
}
