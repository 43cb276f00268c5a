//! `Cache-Control: no-store` for responses that carry credentials or personal data.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// Wraps a response so that no cache (browser, proxy, CDN) keeps a copy: token responses
/// (RFC 6749 section 5.1 requires it) and account details.
pub struct NoStore<T>(pub T);

impl<T: IntoResponse> IntoResponse for NoStore<T> {
    fn into_response(self) -> Response {
        let mut response = self.0.into_response();
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
        response
    }
}
