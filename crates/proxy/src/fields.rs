//! Which header fields travel on, which are stored, and which a 304 may update (RFC 9110
//! §7.6.1, RFC 9111 §3.1 and §3.2).

use http::header::CONNECTION;
use http::{HeaderMap, HeaderName, HeaderValue};

/// Fields that concern one connection only (RFC 9110 §7.6.1), besides those `Connection`
/// names.
const HOP_BY_HOP: [&str; 6] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "te",
    "transfer-encoding",
    "upgrade",
];

/// Fields about the proxy a request went through (RFC 9111 §3.1): never stored.
const PROXY_SPECIFIC: [&str; 3] = [
    "proxy-authenticate",
    "proxy-authentication-info",
    "proxy-authorization",
];

/// Fields a 304 does not update in a stored response: its length, and those that describe
/// the stored bytes themselves (their coding, range, digest and identity), which the 304
/// cannot change.
const KEPT_ON_304: [&str; 5] = [
    "content-length",
    "content-encoding",
    "content-range",
    "content-md5",
    "etag",
];

/// Removes the hop-by-hop fields, and every field `Connection` names, before a message is
/// forwarded (or stored).
pub fn strip_hop_by_hop(headers: &mut HeaderMap) {
    let named: Vec<HeaderName> = headers
        .get_all(CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|name| HeaderName::from_bytes(name.trim().as_bytes()).ok())
        .collect();
    for name in named {
        headers.remove(name);
    }
    for name in HOP_BY_HOP {
        headers.remove(name);
    }
}

/// The fields of a response as it is stored: without hop-by-hop and proxy-specific ones,
/// each value in its own allocation. (hyper's values are slices of the connection's read
/// buffer: a stored one would keep that whole buffer, 8 KiB or more, alive for as long as
/// the response stays cached, several times the response's own size.)
pub fn for_storage(response: &HeaderMap) -> HeaderMap {
    let mut stored = HeaderMap::with_capacity(response.len());
    for (name, value) in response {
        let mut owned = HeaderValue::from_bytes(value.as_bytes()).unwrap_or_else(|_| value.clone());
        owned.set_sensitive(value.is_sensitive());
        stored.append(name.clone(), owned);
    }
    strip_hop_by_hop(&mut stored);
    for name in PROXY_SPECIFIC {
        stored.remove(name);
    }
    stored
}

/// §3.2: freshens a stored response's fields from a 304 (or a HEAD response) that
/// validated it: each field the new response has replaces the stored one, except those
/// kept for the stored bytes' sake and those never stored.
pub fn update_from(stored: &mut HeaderMap, newer: &HeaderMap) {
    let newer = for_storage(newer);
    for name in newer.keys() {
        if KEPT_ON_304.contains(&name.as_str()) {
            continue;
        }
        stored.remove(name);
        for value in newer.get_all(name) {
            stored.append(name.clone(), value.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::headers;

    #[test]
    fn hop_by_hop_fields_and_those_connection_names_go() {
        let mut h = headers(&[
            ("connection", "close, x-secret"),
            ("x-secret", "1"),
            ("keep-alive", "timeout=5"),
            ("transfer-encoding", "chunked"),
            ("upgrade", "websocket"),
            ("te", "trailers"),
            ("proxy-connection", "keep-alive"),
            ("x-kept", "yes"),
            ("cache-control", "max-age=1"),
        ]);
        strip_hop_by_hop(&mut h);
        let left: Vec<&str> = h.keys().map(HeaderName::as_str).collect();
        assert_eq!(left, ["x-kept", "cache-control"]);
    }

    #[test]
    fn proxy_fields_are_never_stored() {
        let stored = for_storage(&headers(&[
            ("proxy-authenticate", "Basic"),
            ("content-type", "text/plain"),
        ]));
        assert!(stored.get("proxy-authenticate").is_none());
        assert_eq!(stored["content-type"], "text/plain");
    }

    #[test]
    fn a_304_freshens_fields_but_not_those_of_the_stored_bytes() {
        let mut stored = headers(&[
            ("cache-control", "max-age=1"),
            ("x-test", "old"),
            ("x-test", "older"),
            ("content-length", "10"),
            ("content-encoding", "gzip"),
            ("etag", "\"a\""),
            ("x-untouched", "1"),
        ]);
        let newer = headers(&[
            ("cache-control", "max-age=3600"),
            ("x-test", "new"),
            ("content-length", "0"),
            ("content-encoding", "br"),
            ("etag", "\"b\""),
            ("connection", "x-private"),
            ("x-private", "hop"),
        ]);
        update_from(&mut stored, &newer);
        assert_eq!(stored["cache-control"], "max-age=3600");
        let tests: Vec<_> = stored.get_all("x-test").iter().collect();
        assert_eq!(tests, ["new"]);
        assert_eq!(stored["content-length"], "10");
        assert_eq!(stored["content-encoding"], "gzip");
        assert_eq!(stored["etag"], "\"a\"");
        assert_eq!(stored["x-untouched"], "1");
        assert!(stored.get("x-private").is_none());
        assert!(stored.get("connection").is_none());
    }
}
