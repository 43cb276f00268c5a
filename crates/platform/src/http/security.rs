//! Security response headers, added unless a handler set its own.

use axum::http::{HeaderMap, HeaderValue, header};

/// The Content-Security-Policy for our own HTML pages (landing page, rendered notes): no
/// scripts, no framing, styles inline only. Pages that need more (the API reference)
/// set their own.
pub const HTML_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

const HSTS: &str = "max-age=31536000; includeSubDomains";

/// Adds `X-Content-Type-Options`, `Referrer-Policy`, `X-Frame-Options`, HSTS when enabled
/// (only meaningful behind TLS), and the CSP on HTML responses.
pub fn add(headers: &mut HeaderMap, hsts: bool) {
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers
        .entry(header::REFERRER_POLICY)
        .or_insert(HeaderValue::from_static("no-referrer"));
    headers
        .entry(header::X_FRAME_OPTIONS)
        .or_insert(HeaderValue::from_static("DENY"));
    if hsts {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    let is_html = headers
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if is_html {
        headers
            .entry(header::CONTENT_SECURITY_POLICY)
            .or_insert(HeaderValue::from_static(HTML_CSP));
    }
}
