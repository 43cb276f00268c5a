//! CORS, done inline because it must cost nothing for the common case (no `Origin`
//! header: server-to-server calls, curl, benchmarks). Tokens travel in the `Authorization`
//! header, never in cookies, so credentials are never allowed and allowing any origin is
//! safe by default; a deployment can restrict origins with `server.cors_allowed_origins`.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode, header};

const ALLOW_METHODS: HeaderValue = HeaderValue::from_static("GET, HEAD, POST, PUT, PATCH, DELETE");
const EXPOSE_HEADERS: HeaderValue = HeaderValue::from_static("x-request-id, retry-after, location");
const MAX_AGE: HeaderValue = HeaderValue::from_static("3600");

/// Which origins may call the API from a browser.
#[derive(Clone, Debug)]
pub struct Cors {
    /// `None`: any origin.
    allowed: Option<Vec<HeaderValue>>,
}

impl Cors {
    /// From `server.cors_allowed_origins` (empty = any origin).
    pub fn new(origins: &[String]) -> Self {
        let allowed: Vec<HeaderValue> = origins.iter().filter_map(|o| o.parse().ok()).collect();
        Self {
            allowed: (!allowed.is_empty()).then_some(allowed),
        }
    }

    fn allow_origin(&self, origin: &HeaderValue) -> Option<HeaderValue> {
        match &self.allowed {
            None => Some(HeaderValue::from_static("*")),
            Some(list) => list.contains(origin).then(|| origin.clone()),
        }
    }

    /// Answers a preflight (`OPTIONS` with `Access-Control-Request-Method`) directly.
    pub fn preflight<B>(&self, request: &Request<B>) -> Option<Response<Body>> {
        let headers = request.headers();
        if request.method() != Method::OPTIONS
            || !headers.contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
        {
            return None;
        }
        let origin = headers.get(header::ORIGIN)?;
        let mut response = Response::new(Body::empty());
        *response.status_mut() = StatusCode::NO_CONTENT;
        let out = response.headers_mut();
        if let Some(allowed) = self.allow_origin(origin) {
            out.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, allowed);
            out.insert(header::ACCESS_CONTROL_ALLOW_METHODS, ALLOW_METHODS);
            // No cookies are ever involved, so echoing the requested headers is safe.
            if let Some(requested) = headers.get(header::ACCESS_CONTROL_REQUEST_HEADERS) {
                out.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, requested.clone());
            }
            out.insert(header::ACCESS_CONTROL_MAX_AGE, MAX_AGE);
        }
        self.vary(out);
        out.append(
            header::VARY,
            HeaderValue::from_static(
                "access-control-request-method, access-control-request-headers",
            ),
        );
        Some(response)
    }

    /// Adds the CORS headers to an ordinary response to a cross-origin request.
    pub fn decorate(&self, origin: Option<&HeaderValue>, headers: &mut HeaderMap) {
        let Some(origin) = origin else { return };
        if let Some(allowed) = self.allow_origin(origin) {
            headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, allowed);
            headers.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, EXPOSE_HEADERS);
        }
        self.vary(headers);
    }

    /// With a list, the answer depends on the origin, so caches must key on it.
    fn vary(&self, headers: &mut HeaderMap) {
        if self.allowed.is_some() {
            headers.append(header::VARY, HeaderValue::from_static("origin"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn preflight_request(origin: &str) -> Request<()> {
        Request::builder()
            .method(Method::OPTIONS)
            .header(header::ORIGIN, origin)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
            .header(
                header::ACCESS_CONTROL_REQUEST_HEADERS,
                "authorization, content-type",
            )
            .body(())
            .unwrap()
    }

    #[test]
    fn any_origin_is_allowed_by_default_without_vary() {
        let cors = Cors::new(&[]);
        let response = cors
            .preflight(&preflight_request("https://a.example"))
            .unwrap();
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        assert_eq!(response.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
        assert_eq!(
            response.headers()[header::ACCESS_CONTROL_ALLOW_HEADERS],
            "authorization, content-type"
        );
        let mut headers = HeaderMap::new();
        cors.decorate(
            Some(&HeaderValue::from_static("https://a.example")),
            &mut headers,
        );
        assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
        assert!(headers.get(header::VARY).is_none());
    }

    #[test]
    fn a_list_allows_only_its_origins_and_varies_on_origin() {
        let cors = Cors::new(&["https://good.example".into()]);
        let good = cors
            .preflight(&preflight_request("https://good.example"))
            .unwrap();
        assert_eq!(
            good.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN],
            "https://good.example"
        );
        let bad = cors
            .preflight(&preflight_request("https://evil.example"))
            .unwrap();
        assert!(
            bad.headers()
                .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
                .is_none()
        );
        assert!(
            bad.headers()
                .get_all(header::VARY)
                .iter()
                .any(|v| v == "origin")
        );
    }

    #[test]
    fn requests_without_an_origin_are_untouched() {
        let cors = Cors::new(&[]);
        let mut headers = HeaderMap::new();
        cors.decorate(None, &mut headers);
        assert!(headers.is_empty());
        let plain_options = Request::builder().method(Method::OPTIONS).body(()).unwrap();
        assert!(cors.preflight(&plain_options).is_none());
    }
}
