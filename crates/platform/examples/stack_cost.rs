//! In-process cost of the middleware stack per request (no sockets): the same trivial
//! handler bare and behind `http::apply_stack`, driven directly as a tower service.
//!
//! `cargo run --release -p groundwork-platform --example stack_cost`
//! (add `RUST_LOG=info,access=off` or `RUST_LOG=off` to see what logging costs).

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use axum::body::Body;
use axum::http::Request;
use axum::{Router, routing::get};
use groundwork_platform::Platform;
use groundwork_platform::config::Config;
use groundwork_platform::http::apply_stack;
use groundwork_platform::ratelimit::{InMemoryRateLimiter, RateLimiter};
use tower::{Service, ServiceExt};

async fn hello() -> &'static str {
    "Hello, world!"
}

async fn ns_per_request(router: Router) -> u128 {
    let mut service = router.into_service::<Body>();
    let request = || {
        Request::get("/hello")
            .header("accept-encoding", "gzip, br")
            .body(Body::empty())
            .unwrap()
    };
    let first = service
        .ready()
        .await
        .unwrap()
        .call(request())
        .await
        .unwrap();
    assert_eq!(
        first.status(),
        200,
        "the benchmark must measure successful requests"
    );
    for _ in 0..20_000 {
        service
            .ready()
            .await
            .unwrap()
            .call(request())
            .await
            .unwrap();
    }
    let n = 200_000u32;
    let started = Instant::now();
    for _ in 0..n {
        drop(
            service
                .ready()
                .await
                .unwrap()
                .call(request())
                .await
                .unwrap(),
        );
    }
    started.elapsed().as_nanos() / u128::from(n)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let _logs =
        groundwork_platform::telemetry::init(groundwork_platform::telemetry::LogFormat::Text);
    let scratch = tempfile::tempdir().unwrap();
    let figment = figment::Figment::new()
        .merge(("data_dir", scratch.path()))
        .merge(("database.url", "sqlite::memory:"))
        .merge(("rate_limit.per_ip_per_second", u32::MAX))
        .merge(("rate_limit.per_ip_burst", u32::MAX));
    let platform = Platform::new(Config::from_figment(figment).unwrap(), &[])
        .await
        .unwrap();
    let base = || Router::new().route("/hello", get(hello));
    let bare = ns_per_request(base()).await;
    let full = ns_per_request(apply_stack(base(), &platform)).await;
    println!(
        "bare: {bare} ns/request, full stack: {full} ns/request, stack cost: {} ns",
        full.saturating_sub(bare)
    );
    if std::env::args().any(|a| a == "--components") {
        components().await;
    }
}

/// Per-component timings, to see where the stack's cost goes.
pub async fn components() {
    use axum::http::{HeaderMap, HeaderValue, Method, Response};
    use futures_util::FutureExt;
    use groundwork_platform::http::{compress, metrics::RequestMetrics, request_id, security};
    use groundwork_platform::ratelimit::Quota;
    let n = 1_000_000u32;
    macro_rules! time {
        ($name:expr, $body:expr) => {{
            let started = Instant::now();
            for _ in 0..n {
                std::hint::black_box($body);
            }
            println!(
                "{:>28}: {:>5} ns",
                $name,
                started.elapsed().as_nanos() / u128::from(n)
            );
        }};
    }
    let headers = HeaderMap::new();
    time!("request_id::for_request", request_id::for_request(&headers));
    time!("uuid v4", uuid::Uuid::new_v4());
    time!("uuid v7", uuid::Uuid::now_v7());
    let limiter = InMemoryRateLimiter::new();
    let quota = Quota::per_second(u32::MAX, u32::MAX);
    let ip: std::net::IpAddr = "203.0.113.9".parse().unwrap();
    time!("format ip key", format!("ip:{ip}"));
    let started = Instant::now();
    for _ in 0..n {
        std::hint::black_box(limiter.check("ip:203.0.113.9", quota, true).await.unwrap());
    }
    println!(
        "{:>28}: {:>5} ns",
        "limiter.check",
        started.elapsed().as_nanos() / u128::from(n)
    );
    time!("security::add", {
        let mut response = Response::new(());
        response
            .headers_mut()
            .insert("content-type", HeaderValue::from_static("application/json"));
        security::add(response.headers_mut(), false);
        response
    });
    let metrics = RequestMetrics::default();
    time!(
        "metrics.record",
        metrics.record(
            &Method::GET,
            "/hello",
            200,
            std::time::Duration::from_micros(5)
        )
    );
    time!("metrics.start", metrics.start());
    let mut accept = HeaderMap::new();
    accept.insert(
        "accept-encoding",
        HeaderValue::from_static("gzip, deflate, br"),
    );
    time!(
        "Accepted::from_headers",
        compress::Accepted::from_headers(&accept)
    );
    time!("Instant::now", Instant::now());
    let started = Instant::now();
    for _ in 0..n {
        std::hint::black_box(
            tokio::time::timeout(std::time::Duration::from_secs(30), async { 1 })
                .await
                .unwrap(),
        );
    }
    println!(
        "{:>28}: {:>5} ns",
        "timeout(ready)",
        started.elapsed().as_nanos() / u128::from(n)
    );
    let started = Instant::now();
    for _ in 0..n {
        std::hint::black_box(
            std::panic::AssertUnwindSafe(async { 1 })
                .catch_unwind()
                .await
                .unwrap(),
        );
    }
    println!(
        "{:>28}: {:>5} ns",
        "catch_unwind(ready)",
        started.elapsed().as_nanos() / u128::from(n)
    );
    time!(
        "span (3 fields)",
        tracing::info_span!(
            "request",
            request_id = "0192f0c2-7e7d-7c3a-9d1e-1234567890ab",
            method = "GET",
            route = "/hello"
        )
    );
    time!(
        "span (3 display fields)",
        tracing::info_span!("request", request_id = %"0192f0c2-7e7d-7c3a-9d1e-1234567890ab", method = %"GET", route = %"/hello")
    );
    time!(
        "span (request_id only)",
        tracing::info_span!("request", request_id = %"0192f0c2-7e7d-7c3a-9d1e-1234567890ab")
    );
    time!("span (no fields)", tracing::info_span!("request"));
}
