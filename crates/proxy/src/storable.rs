//! Whether a shared cache may store a response (RFC 9111 §3, §3.5).

use http::header::{AUTHORIZATION, EXPIRES, VARY};
use http::{HeaderMap, Method, StatusCode};

use crate::directives::Directives;
use crate::freshness::heuristically_cacheable;

/// Statuses whose meaning this cache knows, for `must-understand` (§5.2.2.3).
fn understood(status: StatusCode) -> bool {
    matches!(
        status.as_u16(),
        200 | 203 | 204 | 300 | 301 | 302 | 303 | 307 | 308 | 404 | 405 | 410 | 414 | 501
    )
}

/// The request side of the decision.
pub struct Request<'a> {
    /// Its method.
    pub method: &'a Method,
    /// Its headers.
    pub headers: &'a HeaderMap,
    /// Its `Cache-Control`.
    pub directives: &'a Directives,
}

/// The response side of the decision.
pub struct Response<'a> {
    /// Its status.
    pub status: StatusCode,
    /// Its headers.
    pub headers: &'a HeaderMap,
    /// Its `Cache-Control`.
    pub directives: &'a Directives,
}

/// Why a response is not stored (for logs and tests), or `Ok` when it may be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// It may be stored.
    Store,
    /// Only GET responses are stored (HEAD is answered from them).
    Method,
    /// 1xx, 206 (no partial content stored), 304, or an unknown status under
    /// `must-understand`.
    Status,
    /// `no-store` in the request or the response.
    NoStore,
    /// `private`: for the user's own cache only.
    Private,
    /// The request carried `Authorization` and the response did not allow sharing it.
    Authorization,
    /// `Vary: *`: no later request could ever match it.
    VaryStar,
    /// Nothing says how long it is fresh, and no heuristic is allowed.
    NoFreshness,
}

/// §3: may a shared cache store this response to this request?
pub fn verdict(request: &Request<'_>, response: &Response<'_>) -> Verdict {
    let rc = response.directives;
    if request.method != Method::GET {
        return Verdict::Method;
    }
    let status = response.status;
    if status.is_informational() || status == StatusCode::PARTIAL_CONTENT {
        return Verdict::Status;
    }
    if status == StatusCode::NOT_MODIFIED {
        return Verdict::Status;
    }
    if rc.must_understand {
        // §5.2.2.3: no-store is then ignored for a status we understand.
        if !understood(status) {
            return Verdict::Status;
        }
    } else if rc.no_store {
        return Verdict::NoStore;
    }
    if request.directives.no_store {
        return Verdict::NoStore;
    }
    if rc.private {
        return Verdict::Private;
    }
    if request.headers.contains_key(AUTHORIZATION)
        && !(rc.public || rc.s_maxage.is_some() || rc.must_revalidate)
    {
        return Verdict::Authorization;
    }
    if vary_star(response.headers) {
        return Verdict::VaryStar;
    }
    let explicit = rc.public
        || rc.max_age.is_some()
        || rc.s_maxage.is_some()
        || response.headers.contains_key(EXPIRES);
    if !explicit && !heuristically_cacheable(status) {
        return Verdict::NoFreshness;
    }
    Verdict::Store
}

/// Whether any `Vary` field line lists `*`.
pub fn vary_star(headers: &HeaderMap) -> bool {
    headers
        .get_all(VARY)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|name| name.trim() == "*")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::headers;

    fn check(
        method: Method,
        request: &[(&'static str, &'static str)],
        status: u16,
        response: &[(&'static str, &'static str)],
    ) -> Verdict {
        let (request_headers, response_headers) = (headers(request), headers(response));
        let (request_cc, response_cc) = (
            Directives::from_headers(&request_headers),
            Directives::from_headers(&response_headers),
        );
        verdict(
            &Request {
                method: &method,
                headers: &request_headers,
                directives: &request_cc,
            },
            &Response {
                status: StatusCode::from_u16(status).unwrap(),
                headers: &response_headers,
                directives: &response_cc,
            },
        )
    }

    const FRESH: (&str, &str) = ("cache-control", "max-age=60");

    #[test]
    fn plain_get_responses_are_stored() {
        assert_eq!(check(Method::GET, &[], 200, &[FRESH]), Verdict::Store);
        assert_eq!(
            check(Method::GET, &[], 200, &[]),
            Verdict::Store,
            "heuristic"
        );
        assert_eq!(check(Method::GET, &[], 404, &[]), Verdict::Store);
        assert_eq!(
            check(Method::GET, &[], 500, &[FRESH]),
            Verdict::Store,
            "explicit freshness makes any final status storable"
        );
        assert_eq!(check(Method::GET, &[], 302, &[]), Verdict::NoFreshness);
        assert_eq!(
            check(Method::GET, &[], 302, &[("cache-control", "public")]),
            Verdict::Store
        );
    }

    #[test]
    fn what_must_not_be_stored() {
        assert_eq!(check(Method::POST, &[], 200, &[FRESH]), Verdict::Method);
        assert_eq!(check(Method::HEAD, &[], 200, &[FRESH]), Verdict::Method);
        assert_eq!(check(Method::GET, &[], 206, &[FRESH]), Verdict::Status);
        assert_eq!(check(Method::GET, &[], 304, &[FRESH]), Verdict::Status);
        assert_eq!(
            check(
                Method::GET,
                &[],
                200,
                &[("cache-control", "max-age=60, no-store")]
            ),
            Verdict::NoStore
        );
        assert_eq!(
            check(Method::GET, &[("cache-control", "no-store")], 200, &[FRESH]),
            Verdict::NoStore
        );
        assert_eq!(
            check(
                Method::GET,
                &[],
                200,
                &[("cache-control", "private, max-age=60")]
            ),
            Verdict::Private
        );
        assert_eq!(
            check(Method::GET, &[], 200, &[FRESH, ("vary", "accept, *")]),
            Verdict::VaryStar
        );
    }

    #[test]
    fn authorization_needs_the_response_to_allow_sharing() {
        let auth = [("authorization", "Bearer x")];
        assert_eq!(
            check(Method::GET, &auth, 200, &[FRESH]),
            Verdict::Authorization
        );
        for allow in ["public", "s-maxage=10", "must-revalidate, max-age=5"] {
            assert_eq!(
                check(Method::GET, &auth, 200, &[("cache-control", allow)]),
                Verdict::Store,
                "{allow}"
            );
        }
    }

    #[test]
    fn must_understand_overrides_no_store_for_known_statuses_only() {
        let cc = [("cache-control", "must-understand, no-store, max-age=60")];
        assert_eq!(check(Method::GET, &[], 200, &cc), Verdict::Store);
        assert_eq!(check(Method::GET, &[], 299, &cc), Verdict::Status);
    }
}
