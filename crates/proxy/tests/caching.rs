//! The proxy against a local origin, in one process: what is cached, for how long, how it
//! is revalidated, varied, invalidated and coalesced, and what bad input gets.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::time::Duration;

use common::{TestOrigin, client, proxy_for, x_cache};

const TIMEOUT: Duration = Duration::from_secs(5);

async fn get(url: &str) -> (String, String, reqwest::Response) {
    let response = client().get(url).send().await.unwrap();
    let cache = x_cache(&response);
    let status = response.status().to_string();
    (cache, status, response)
}

async fn body_of(url: &str) -> (String, String) {
    let response = client().get(url).send().await.unwrap();
    let cache = x_cache(&response);
    (cache, response.text().await.unwrap())
}

#[tokio::test]
async fn a_miss_is_stored_and_the_next_request_is_a_hit() {
    let origin = TestOrigin::start().await;
    let proxy = proxy_for(&origin.url(), None, TIMEOUT).await;
    let url = format!("{}/products", proxy.url);
    assert_eq!(body_of(&url).await, ("MISS".into(), "version 1".into()));
    let (cache, _, response) = get(&url).await;
    assert_eq!(cache, "HIT");
    assert!(response.headers().contains_key("age"), "hits carry Age");
    assert!(
        response.headers()["via"]
            .to_str()
            .unwrap()
            .contains("caching-proxy")
    );
    assert_eq!(response.text().await.unwrap(), "version 1");
    assert_eq!(origin.count("/products"), 1);
    // The query is part of the key.
    assert_eq!(body_of(&format!("{url}?page=2")).await.0, "MISS");
}

#[tokio::test]
async fn head_is_answered_from_a_stored_get() {
    let origin = TestOrigin::start().await;
    let proxy = proxy_for(&origin.url(), None, TIMEOUT).await;
    let url = format!("{}/cached", proxy.url);
    body_of(&url).await;
    let response = client().head(&url).send().await.unwrap();
    assert_eq!(x_cache(&response), "HIT");
    assert_eq!(response.headers()["content-length"], "9");
    assert_eq!(origin.count("/cached"), 1);
}

#[tokio::test]
async fn an_expired_response_is_fetched_again() {
    let origin = TestOrigin::start().await;
    let proxy = proxy_for(&origin.url(), None, TIMEOUT).await;
    let url = format!("{}/short", proxy.url);
    assert_eq!(body_of(&url).await, ("MISS".into(), "version 1".into()));
    assert_eq!(body_of(&url).await, ("HIT".into(), "version 1".into()));
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(body_of(&url).await, ("MISS".into(), "version 2".into()));
    assert_eq!(origin.count("/short"), 2);
}

#[tokio::test]
async fn a_304_freshens_the_stored_response_and_its_headers() {
    let origin = TestOrigin::start().await;
    let proxy = proxy_for(&origin.url(), None, TIMEOUT).await;
    let url = format!("{}/etag", proxy.url);
    body_of(&url).await;
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let (cache, status, response) = get(&url).await;
    assert_eq!((cache.as_str(), status.as_str()), ("HIT", "200 OK"));
    assert_eq!(
        origin.last("/etag")["if-none-match"],
        "\"v1\"",
        "revalidated with the ETag"
    );
    assert_eq!(
        response.headers()["x-checked"],
        "2",
        "the 304's fields replace the stored ones"
    );
    assert_eq!(response.text().await.unwrap(), "the stored body");
    // Fresh again: no third request.
    assert_eq!(
        body_of(&url).await,
        ("HIT".into(), "the stored body".into())
    );
    assert_eq!(origin.count("/etag"), 2);
}

#[tokio::test]
async fn the_client_s_own_conditional_request_is_answered_from_the_cache() {
    let origin = TestOrigin::start().await;
    let proxy = proxy_for(&origin.url(), None, TIMEOUT).await;
    let url = format!("{}/etag", proxy.url);
    body_of(&url).await;
    let response = client()
        .get(&url)
        .header("if-none-match", "\"v1\"")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 304);
    let response = client()
        .get(&url)
        .header("range", "bytes=4-9")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 206);
    assert_eq!(response.headers()["content-range"], "bytes 4-9/15");
    assert_eq!(response.text().await.unwrap(), "stored");
    assert_eq!(origin.count("/etag"), 1);
}

#[tokio::test]
async fn vary_keeps_one_response_per_selecting_header() {
    let origin = TestOrigin::start().await;
    let proxy = proxy_for(&origin.url(), None, TIMEOUT).await;
    let url = format!("{}/vary", proxy.url);
    let ask = |language: &'static str| {
        let url = url.clone();
        async move {
            let response = client()
                .get(&url)
                .header("accept-language", language)
                .send()
                .await
                .unwrap();
            (x_cache(&response), response.text().await.unwrap())
        }
    };
    assert_eq!(ask("en").await, ("MISS".into(), "en 1".into()));
    assert_eq!(ask("fr").await, ("MISS".into(), "fr 2".into()));
    assert_eq!(ask("en").await, ("HIT".into(), "en 1".into()));
    assert_eq!(ask("fr").await, ("HIT".into(), "fr 2".into()));
    assert_eq!(body_of(&url).await, ("MISS".into(), "none 3".into()));
}

#[tokio::test]
async fn no_store_and_private_responses_are_never_served_from_the_cache() {
    let origin = TestOrigin::start().await;
    let proxy = proxy_for(&origin.url(), None, TIMEOUT).await;
    for path in ["/no-store", "/private"] {
        let url = format!("{}{path}", proxy.url);
        assert_eq!(body_of(&url).await, ("MISS".into(), "version 1".into()));
        assert_eq!(
            body_of(&url).await,
            ("MISS".into(), "version 2".into()),
            "{path}"
        );
    }
}

#[tokio::test]
async fn a_successful_post_invalidates_the_url_and_its_location() {
    let origin = TestOrigin::start().await;
    let proxy = proxy_for(&origin.url(), None, TIMEOUT).await;
    let cached = format!("{}/cached", proxy.url);
    let products = format!("{}/products", proxy.url);
    body_of(&cached).await;
    body_of(&products).await;
    assert_eq!(body_of(&cached).await.0, "HIT");
    let created = client().post(&cached).body("new").send().await.unwrap();
    assert_eq!(created.status(), 201);
    assert_eq!(x_cache(&created), "MISS");
    // The origin counts the POST too.
    assert_eq!(body_of(&cached).await, ("MISS".into(), "version 3".into()));
    // The 201's Location named /products.
    assert_eq!(
        body_of(&products).await,
        ("MISS".into(), "version 2".into())
    );
}

#[tokio::test]
async fn other_methods_pass_through_with_their_bodies() {
    let origin = TestOrigin::start().await;
    let proxy = proxy_for(&origin.url(), None, TIMEOUT).await;
    let body = vec![b'z'; 300_000];
    let response = client()
        .put(format!("{}/echo", proxy.url))
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.bytes().await.unwrap().len(), body.len());
}

#[tokio::test]
async fn a_hundred_concurrent_misses_make_one_origin_request() {
    let origin = TestOrigin::start().await;
    let proxy = proxy_for(&origin.url(), None, TIMEOUT).await;
    let url = format!("{}/slow", proxy.url);
    let requests = (0..100).map(|_| {
        let url = url.clone();
        tokio::spawn(async move { body_of(&url).await })
    });
    let mut misses = 0;
    for request in requests {
        let (cache, body) = request.await.unwrap();
        assert_eq!(body, "version 1");
        misses += usize::from(cache == "MISS");
    }
    assert_eq!(
        origin.count("/slow"),
        1,
        "one origin request for all of them"
    );
    assert_eq!(misses, 1);
}

#[tokio::test]
async fn responses_over_the_size_cap_stream_through_but_are_not_stored() {
    let origin = TestOrigin::start().await;
    let proxy = proxy_for(&origin.url(), None, TIMEOUT).await;
    let url = format!("{}/big", proxy.url);
    for _ in 0..2 {
        let response = client().get(&url).send().await.unwrap();
        assert_eq!(x_cache(&response), "MISS");
        assert_eq!(response.bytes().await.unwrap().len(), 2 << 20);
    }
    assert_eq!(origin.count("/big"), 2);
}

#[tokio::test]
async fn stale_if_error_and_stale_while_revalidate() {
    let origin = TestOrigin::start().await;
    let proxy = proxy_for(&origin.url(), None, TIMEOUT).await;
    let flaky = format!("{}/flaky", proxy.url);
    let swr = format!("{}/swr", proxy.url);
    body_of(&flaky).await;
    body_of(&swr).await;
    tokio::time::sleep(Duration::from_millis(2100)).await;
    // The origin now answers 503: the stale copy is served instead.
    assert_eq!(body_of(&flaky).await, ("HIT".into(), "version 1".into()));
    assert_eq!(origin.count("/flaky"), 2);
    // Served stale at once, refreshed behind the scenes.
    assert_eq!(body_of(&swr).await, ("HIT".into(), "version 1".into()));
    for _ in 0..50 {
        if origin.count("/swr") == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(body_of(&swr).await, ("HIT".into(), "version 2".into()));
}

#[tokio::test]
async fn an_origin_that_is_down_gets_a_502_and_a_slow_one_a_504() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let nobody = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let proxy = proxy_for(&nobody, None, TIMEOUT).await;
    let response = client()
        .get(format!("{}/x", proxy.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 502);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("could not be reached")
    );

    let origin = TestOrigin::start().await;
    let proxy = proxy_for(&origin.url(), None, Duration::from_secs(1)).await;
    let response = client()
        .get(format!("{}/hang", proxy.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 504);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("did not answer within 1 s")
    );
}

#[tokio::test]
async fn a_body_cut_short_fails_for_the_client_and_is_not_stored() {
    let origin = TestOrigin::start().await;
    let proxy = proxy_for(&origin.url(), None, TIMEOUT).await;
    let url = format!("{}/cut", proxy.url);
    for attempt in 1..=2 {
        let response = client().get(&url).send().await.unwrap();
        assert_eq!(x_cache(&response), "MISS", "attempt {attempt}");
        assert!(
            response.bytes().await.is_err(),
            "the client must see the failure"
        );
    }
    assert_eq!(origin.count("/cut"), 2);
}

#[tokio::test]
async fn a_response_that_is_not_http_gets_a_502() {
    let origin = TestOrigin::start().await;
    let proxy = proxy_for(&origin.url(), None, TIMEOUT).await;
    let response = client()
        .get(format!("{}/garbage", proxy.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 502);
    assert!(response.text().await.unwrap().contains("not HTTP"));
}

#[tokio::test]
async fn targets_that_try_to_leave_the_origin_are_refused() {
    let origin = TestOrigin::start().await;
    let proxy = proxy_for(&origin.url(), None, TIMEOUT).await;
    let address = proxy.url.trim_start_matches("http://");
    let raw = |request: String| async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await.unwrap();
        answer
    };
    let other_host = raw(
        "GET http://169.254.169.254/latest HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n".into(),
    )
    .await;
    assert!(other_host.starts_with("HTTP/1.1 403"), "{other_host}");
    for path in ["/../etc/passwd", "/a/%2e%2e/b"] {
        let answer = raw(format!(
            "GET {path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n"
        ))
        .await;
        assert!(answer.starts_with("HTTP/1.1 400"), "{path}: {answer}");
    }
    let connect = raw(
        "CONNECT example.com:443 HTTP/1.1\r\nhost: example.com:443\r\nconnection: close\r\n\r\n"
            .into(),
    )
    .await;
    assert!(connect.starts_with("HTTP/1.1 4"), "{connect}");
    assert_eq!(
        origin.seen.lock().unwrap().count.len(),
        0,
        "nothing reached the origin"
    );
}
