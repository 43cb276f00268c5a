//! Responses the proxy writes itself: a stored response served (with `Age`, and the
//! client's own conditional and range requests answered from it), and error responses.

use std::time::Duration;

use bytes::Bytes;
use http::header::{
    AGE, CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH,
    IF_RANGE, LAST_MODIFIED, RANGE, VIA,
};
use http::{HeaderMap, HeaderName, HeaderValue, Method, Response, StatusCode};

use crate::body::ProxyBody;
use crate::entry::Entry;
use crate::freshness;
use crate::origin::{Failure, VIA_ENTRY};
use crate::surrogate::SURROGATE_CONTROL;

/// `X-Cache`: whether the response came from the cache (the roadmap spec's header).
pub const X_CACHE: HeaderName = HeaderName::from_static("x-cache");
/// `Cache-Status` (RFC 9211): how the cache handled the request, in more detail.
pub const CACHE_STATUS: HeaderName = HeaderName::from_static("cache-status");

/// How a response was produced, for `X-Cache` and `Cache-Status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Fresh from the cache.
    Hit,
    /// Stale from the cache, as allowed (`max-stale`, `stale-while-revalidate`,
    /// `stale-if-error`, or the origin unreachable).
    Stale,
    /// From the cache after the origin confirmed it (304).
    Revalidated,
    /// From the origin, stored.
    MissStored,
    /// From the origin, not stored.
    Miss,
}

impl Outcome {
    /// The headers that say so.
    pub fn mark(self, headers: &mut HeaderMap) {
        let (x_cache, status) = match self {
            Self::Hit => ("HIT", "caching-proxy; hit"),
            Self::Stale => ("HIT", "caching-proxy; hit; detail=stale"),
            Self::Revalidated => ("HIT", "caching-proxy; fwd=stale; fwd-status=304"),
            Self::MissStored => ("MISS", "caching-proxy; fwd=uri-miss; stored"),
            Self::Miss => ("MISS", "caching-proxy; fwd=uri-miss"),
        };
        headers.insert(X_CACHE, HeaderValue::from_static(x_cache));
        headers.insert(CACHE_STATUS, HeaderValue::from_static(status));
    }
}

/// A stored response answering a GET or HEAD with `request` headers, `age` old.
pub fn from_cache(
    method: &Method,
    request: &HeaderMap,
    entry: &Entry,
    age: Duration,
    outcome: Outcome,
) -> Response<ProxyBody> {
    let mut headers = entry.headers.clone();
    headers.remove(SURROGATE_CONTROL);
    headers.insert(AGE, HeaderValue::from(age.as_secs()));
    headers.append(VIA, VIA_ENTRY);
    outcome.mark(&mut headers);
    let mut status = entry.status;
    let mut body = entry.body.clone();
    if status == StatusCode::OK {
        if not_modified(request, entry) {
            status = StatusCode::NOT_MODIFIED;
            body = Bytes::new();
        } else if let Some(range) = request
            .get(RANGE)
            .filter(|_| !request.contains_key(IF_RANGE))
        {
            match byte_range(range, body.len()) {
                Range::Whole => {}
                Range::Part(start, end) => {
                    status = StatusCode::PARTIAL_CONTENT;
                    headers.insert(
                        CONTENT_RANGE,
                        content_range(&format!("{start}-{end}"), body.len()),
                    );
                    body = body.slice(start..=end);
                }
                Range::Unsatisfiable => {
                    status = StatusCode::RANGE_NOT_SATISFIABLE;
                    headers.insert(CONTENT_RANGE, content_range("*", body.len()));
                    body = Bytes::new();
                }
            }
        }
    }
    if status != StatusCode::NOT_MODIFIED {
        headers.insert(CONTENT_LENGTH, HeaderValue::from(body.len()));
    }
    let body = if *method == Method::HEAD {
        ProxyBody::empty()
    } else {
        ProxyBody::whole(body)
    };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
}

/// RFC 9110 §13.2.2: `If-None-Match` (weak comparison, or `*`) decides when present;
/// otherwise `If-Modified-Since` against the stored `Last-Modified`.
fn not_modified(request: &HeaderMap, entry: &Entry) -> bool {
    if request.contains_key(IF_NONE_MATCH) {
        let Some(etag) = entry.headers.get(ETAG).and_then(|v| v.to_str().ok()) else {
            return false;
        };
        let opaque = |tag: &str| tag.trim().trim_start_matches("W/").to_owned();
        let ours = opaque(etag);
        return request
            .get_all(IF_NONE_MATCH)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|tag| tag.trim() == "*" || opaque(tag) == ours);
    }
    match (
        freshness::date(request, IF_MODIFIED_SINCE),
        freshness::date(&entry.headers, LAST_MODIFIED),
    ) {
        (Some(since), Some(modified)) => modified <= since,
        _ => false,
    }
}

/// A single byte range of a body (RFC 9110 §14.1.2).
#[derive(Debug, PartialEq, Eq)]
enum Range {
    /// Not a single byte range we serve: the whole body (§14.2 lets a server ignore Range).
    Whole,
    /// Bytes `start..=end`.
    Part(usize, usize),
    /// The range starts past the end.
    Unsatisfiable,
}

fn byte_range(value: &HeaderValue, length: usize) -> Range {
    let Some(spec) = value
        .to_str()
        .ok()
        .and_then(|v| v.trim().strip_prefix("bytes="))
    else {
        return Range::Whole;
    };
    if spec.contains(',') {
        return Range::Whole;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return Range::Whole;
    };
    let parse = |text: &str| text.trim().parse::<usize>().ok();
    let (start, end) = match (first.trim().is_empty(), parse(first), parse(last)) {
        // `bytes=-N`: the last N bytes.
        (true, _, Some(suffix)) if suffix > 0 => {
            (length.saturating_sub(suffix), length.saturating_sub(1))
        }
        (false, Some(start), None) if last.trim().is_empty() => (start, length.saturating_sub(1)),
        (false, Some(start), Some(end)) if end >= start => {
            (start, end.min(length.saturating_sub(1)))
        }
        _ => return Range::Whole,
    };
    if start >= length {
        return Range::Unsatisfiable;
    }
    Range::Part(start, end)
}

fn content_range(range: &str, length: usize) -> HeaderValue {
    HeaderValue::from_str(&format!("bytes {range}/{length}"))
        .unwrap_or_else(|_| HeaderValue::from_static("bytes */0"))
}

/// A plain-text answer of the proxy's own (refusals, origin failures).
pub fn plain(status: StatusCode, message: impl std::fmt::Display) -> Response<ProxyBody> {
    let mut response = Response::new(ProxyBody::whole(format!("{status}: {message}\n")));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    headers.append(VIA, VIA_ENTRY);
    response
}

/// 502 when the origin could not be reached, 504 when it was too slow.
pub fn failure(failure: &Failure) -> Response<ProxyBody> {
    let status = match failure {
        Failure::Unreachable { .. } => StatusCode::BAD_GATEWAY,
        Failure::Timeout { .. } => StatusCode::GATEWAY_TIMEOUT,
    };
    plain(status, failure)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(value: &'static str, length: usize) -> Range {
        byte_range(&HeaderValue::from_static(value), length)
    }

    #[test]
    fn single_byte_ranges_are_served_and_others_ignored() {
        assert_eq!(range("bytes=0-3", 10), Range::Part(0, 3));
        assert_eq!(range("bytes=5-", 10), Range::Part(5, 9));
        assert_eq!(range("bytes=-4", 10), Range::Part(6, 9));
        assert_eq!(range("bytes=8-100", 10), Range::Part(8, 9));
        assert_eq!(range("bytes=10-", 10), Range::Unsatisfiable);
        assert_eq!(range("bytes=0-1,4-5", 10), Range::Whole);
        assert_eq!(range("bytes=4-2", 10), Range::Whole);
        assert_eq!(range("items=0-3", 10), Range::Whole);
        assert_eq!(range("bytes=-0", 10), Range::Whole);
    }
}
