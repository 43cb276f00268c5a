//! Response compression, only where it pays: bodies of 1 KiB or more with a compressible
//! type, for clients that accept gzip or brotli. Small responses (most API answers) pass
//! through untouched: `Accept-Encoding` is read into two flags without allocating, and
//! nothing else happens. For big ones the encoding itself is tower-http's (streaming,
//! brotli preferred), at level 4: brotli's default 11 is for static assets compressed once.

use std::convert::Infallible;

use axum::body::Body;
use axum::body::HttpBody as _;
use axum::http::{HeaderMap, HeaderValue, Request, Response, header};
use tower::{Layer, ServiceExt, service_fn};
use tower_http::CompressionLevel;
use tower_http::compression::CompressionLayer;

/// Smallest body worth compressing.
pub const MIN_SIZE: u64 = 1024;

/// Whether the response type is text-like (JSON, HTML, CSS, JS, XML, SVG, plain text).
fn compressible(response: &Response<Body>) -> bool {
    let Some(content_type) = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = content_type.split(';').next().unwrap_or("").trim();
    (essence.starts_with("text/") && essence != "text/event-stream")
        || essence.ends_with("json")
        || essence.ends_with("xml")
        || essence == "application/javascript"
        || essence == "image/svg+xml"
}

/// The encodings a client accepts, read from `Accept-Encoding` without allocating.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Accepted {
    gzip: bool,
    br: bool,
}

impl Accepted {
    /// Parses `Accept-Encoding`; a coding with `q=0` is refused, `*` accepts both.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let mut accepted = Self::default();
        for value in headers.get_all(header::ACCEPT_ENCODING) {
            for item in value.as_bytes().split(|b| *b == b',') {
                let mut parts = item.split(|b| *b == b';');
                let coding = parts.next().unwrap_or_default().trim_ascii();
                let refused = parts.any(|p| {
                    let p = p.trim_ascii();
                    p.starts_with(b"q=0") && p[3..].iter().all(|b| *b == b'0' || *b == b'.')
                });
                let yes = !refused;
                if coding.eq_ignore_ascii_case(b"gzip") {
                    accepted.gzip = yes;
                } else if coding.eq_ignore_ascii_case(b"br") {
                    accepted.br = yes;
                } else if coding == b"*" {
                    accepted.gzip |= yes;
                    accepted.br |= yes;
                }
            }
        }
        accepted
    }

    /// Whether the client accepts brotli.
    pub fn brotli(self) -> bool {
        self.br
    }

    /// Whether the client accepts gzip.
    pub fn gzip(self) -> bool {
        self.gzip
    }

    fn any(self) -> bool {
        self.gzip || self.br
    }

    fn header(self) -> HeaderValue {
        HeaderValue::from_static(match (self.br, self.gzip) {
            (true, true) => "br, gzip",
            (true, false) => "br",
            _ => "gzip",
        })
    }
}

/// Whether compressing this response is worth it. Cheap: no allocation.
pub fn worthwhile(accepted: Accepted, response: &Response<Body>) -> bool {
    accepted.any()
        && response
            .body()
            .size_hint()
            .exact()
            .is_none_or(|size| size >= MIN_SIZE)
        && !response.headers().contains_key(header::CONTENT_ENCODING)
        && compressible(response)
}

/// Compresses with the best encoding the client accepts; call when [`worthwhile`].
pub async fn compress(accepted: Accepted, response: Response<Body>) -> Response<Body> {
    let mut slot = Some(response);
    let inner = service_fn(move |_: Request<()>| {
        let response = slot.take().unwrap_or_default();
        async move { Ok::<_, Infallible>(response) }
    });
    let service = CompressionLayer::new()
        .quality(CompressionLevel::Precise(4))
        .layer(inner);
    let mut request = Request::new(());
    request
        .headers_mut()
        .insert(header::ACCEPT_ENCODING, accepted.header());
    match service.oneshot(request).await {
        Ok(compressed) => compressed.map(Body::new),
        Err(never) => match never {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    fn json(size: usize) -> Response<Body> {
        let mut response = Response::new(Body::from(format!("\"{}\"", "a".repeat(size))));
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        response
    }

    fn accepted(value: &str) -> Accepted {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_str(value).unwrap(),
        );
        Accepted::from_headers(&headers)
    }

    async fn maybe(accepted: Accepted, response: Response<Body>) -> Response<Body> {
        if worthwhile(accepted, &response) {
            compress(accepted, response).await
        } else {
            response
        }
    }

    #[test]
    fn accept_encoding_is_read_with_q_values() {
        assert_eq!(
            accepted("gzip, deflate, br"),
            Accepted {
                gzip: true,
                br: true
            }
        );
        assert_eq!(
            accepted("br;q=0, gzip;q=0.5"),
            Accepted {
                gzip: true,
                br: false
            }
        );
        assert_eq!(accepted("gzip;q=0.0"), Accepted::default());
        assert_eq!(
            accepted("*"),
            Accepted {
                gzip: true,
                br: true
            }
        );
        assert_eq!(accepted("identity"), Accepted::default());
        assert_eq!(
            Accepted::from_headers(&HeaderMap::new()),
            Accepted::default()
        );
    }

    #[tokio::test]
    async fn big_json_is_compressed_for_clients_that_accept_it() {
        let response = maybe(accepted("gzip"), json(5000)).await;
        assert_eq!(response.headers()[header::CONTENT_ENCODING], "gzip");
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        assert!(bytes.len() < 200, "{}", bytes.len());
        let response = maybe(accepted("gzip, br"), json(5000)).await;
        assert_eq!(response.headers()[header::CONTENT_ENCODING], "br");
    }

    #[tokio::test]
    async fn small_bodies_images_and_unwilling_clients_are_left_alone() {
        let small = maybe(accepted("gzip"), json(10)).await;
        assert!(small.headers().get(header::CONTENT_ENCODING).is_none());
        let unwilling = maybe(Accepted::default(), json(5000)).await;
        assert!(unwilling.headers().get(header::CONTENT_ENCODING).is_none());
        let refused = maybe(accepted("gzip;q=0"), json(5000)).await;
        assert!(refused.headers().get(header::CONTENT_ENCODING).is_none());
        let mut image = Response::new(Body::from(vec![0u8; 5000]));
        image
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static("image/png"));
        let image = maybe(accepted("gzip"), image).await;
        assert!(image.headers().get(header::CONTENT_ENCODING).is_none());
    }
}
