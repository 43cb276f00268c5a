//! A local origin with scripted behaviour per path, and a proxy in front of it.

#![allow(dead_code)]

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use groundwork_proxy::handler::Proxy;
use groundwork_proxy::origin::Upstream;
use groundwork_proxy::store::Store;
use groundwork_proxy::target::Origin;
use http::{HeaderMap, Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// What the origin has seen.
#[derive(Default)]
pub struct Seen {
    /// Requests per path (with the query).
    pub count: HashMap<String, usize>,
    /// The headers of the last request per path.
    pub last: HashMap<String, HeaderMap>,
}

/// The origin: a hyper server answering per path (see `answer`), counting requests.
pub struct TestOrigin {
    pub address: SocketAddr,
    pub seen: Arc<Mutex<Seen>>,
}

impl TestOrigin {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Seen::default()));
        let shared = seen.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let seen = shared.clone();
                tokio::spawn(async move {
                    let mut peek = [0u8; 64];
                    // `/cut` and `/garbage` are answered below HTTP's rules: a body shorter
                    // than announced, and a head that is not HTTP.
                    if let Ok(n) = stream.peek(&mut peek).await {
                        for (path, answer) in BROKEN {
                            if peek[..n].starts_with(format!("GET {path} ").as_bytes()) {
                                broken(stream, &seen, path, answer).await;
                                return;
                            }
                        }
                    }
                    let service = service_fn(move |request| {
                        let seen = seen.clone();
                        async move { Ok::<_, Infallible>(answer(request, seen).await) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Self { address, seen }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Requests the origin got for `path`.
    pub fn count(&self, path: &str) -> usize {
        self.seen
            .lock()
            .unwrap()
            .count
            .get(path)
            .copied()
            .unwrap_or(0)
    }

    /// The headers of the last request for `path`.
    pub fn last(&self, path: &str) -> HeaderMap {
        self.seen
            .lock()
            .unwrap()
            .last
            .get(path)
            .cloned()
            .unwrap_or_default()
    }
}

/// Paths the origin answers with broken HTTP, and what it sends before closing.
const BROKEN: [(&str, &[u8]); 2] = [
    (
        "/cut",
        b"HTTP/1.1 200 OK\r\ncache-control: max-age=60\r\ncontent-length: 100\r\n\r\nonly ten..",
    ),
    (
        "/garbage",
        b"HTTP/1.1 200 OK\r\ncontent-length: many\r\nthis is not a header\r\n\r\n",
    ),
];

async fn broken(mut stream: tokio::net::TcpStream, seen: &Mutex<Seen>, path: &str, answer: &[u8]) {
    let mut buffer = [0u8; 4096];
    let _ = stream.read(&mut buffer).await;
    *seen.lock().unwrap().count.entry(path.into()).or_default() += 1;
    let _ = stream.write_all(answer).await;
}

fn response(
    status: u16,
    headers: &[(&str, &str)],
    body: impl Into<Bytes>,
) -> Response<Full<Bytes>> {
    let mut builder = Response::builder().status(status);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(Full::new(body.into())).unwrap()
}

/// The scripted paths.
async fn answer(request: Request<Incoming>, seen: Arc<Mutex<Seen>>) -> Response<Full<Bytes>> {
    let key = request.uri().path_and_query().unwrap().as_str().to_owned();
    let path = request.uri().path().to_owned();
    let n = {
        let mut seen = seen.lock().unwrap();
        seen.last.insert(key.clone(), request.headers().clone());
        let count = seen.count.entry(key.clone()).or_default();
        *count += 1;
        *count
    };
    let method = request.method().clone();
    let headers = request.headers().clone();
    let body = request.into_body().collect().await.unwrap().to_bytes();
    let version = format!("version {n}");
    match (method.as_str(), path.as_str()) {
        ("GET", "/products" | "/cached") => {
            response(200, &[("cache-control", "max-age=60")], version)
        }
        // 2 s lifetimes: Date has a 1-s resolution, so a response may be almost 1 s old on arrival.
        ("GET", "/short") => response(200, &[("cache-control", "max-age=2")], version),
        ("GET", "/etag") => {
            if headers.get("if-none-match").is_some_and(|v| v == "\"v1\"") {
                let seen = n.to_string();
                return response(
                    304,
                    &[("cache-control", "max-age=2"), ("x-checked", &seen)],
                    "",
                );
            }
            response(
                200,
                &[
                    ("cache-control", "max-age=2"),
                    ("etag", "\"v1\""),
                    ("x-checked", "0"),
                ],
                "the stored body",
            )
        }
        ("GET", "/vary") => {
            let language = headers
                .get("accept-language")
                .map_or("none", |v| v.to_str().unwrap())
                .to_owned();
            response(
                200,
                &[("cache-control", "max-age=60"), ("vary", "accept-language")],
                format!("{language} {n}"),
            )
        }
        ("GET", "/no-store") => response(200, &[("cache-control", "no-store")], version),
        ("GET", "/private") => response(200, &[("cache-control", "private, max-age=60")], version),
        ("GET", "/slow") => {
            tokio::time::sleep(Duration::from_millis(300)).await;
            response(200, &[("cache-control", "max-age=60")], version)
        }
        ("GET", "/hang") => {
            tokio::time::sleep(Duration::from_secs(30)).await;
            response(200, &[], "too late")
        }
        ("GET", "/big") => response(200, &[("cache-control", "max-age=60")], vec![b'x'; 2 << 20]),
        ("GET", "/flaky") if n > 1 => response(503, &[], "down"),
        ("GET", "/flaky") => response(
            200,
            &[("cache-control", "max-age=2, stale-if-error=60")],
            version,
        ),
        ("GET", "/swr") => response(
            200,
            &[("cache-control", "max-age=2, stale-while-revalidate=60")],
            version,
        ),
        ("POST", "/cached") => response(201, &[("location", "/products")], "created"),
        ("PUT", "/echo") => response(200, &[], body),
        _ => response(404, &[("cache-control", "max-age=60")], "no such path"),
    }
}

/// A proxy in front of `origin`, in this process, memory only unless `store` is given.
pub struct TestProxy {
    pub url: String,
}

pub async fn proxy_for(origin: &str, store: Option<Store>, timeout: Duration) -> TestProxy {
    let store = Arc::new(store.unwrap_or_else(|| Store::in_memory(64 << 20, None)));
    let upstream = Upstream::new(Origin::parse(origin).unwrap(), timeout).unwrap();
    let proxy = Arc::new(Proxy::new(upstream, store, 1 << 20));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(groundwork_proxy::server::serve(
        listener,
        proxy,
        std::future::pending(),
    ));
    TestProxy { url }
}

/// A client that neither pools nor follows redirects, like curl.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .unwrap()
}

/// `X-Cache` of a response.
pub fn x_cache(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("x-cache")
        .map_or_else(|| "none".to_owned(), |v| v.to_str().unwrap().to_owned())
}
