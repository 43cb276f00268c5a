//! A stored response and the variants stored under one URL.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, StatusCode, header};

use crate::directives::Directives;
use crate::fields;
use crate::freshness;
use crate::reuse::Stored;
use crate::surrogate::Surrogate;
use crate::vary::Selecting;

/// A response as the cache keeps it: status, stored fields, the whole body, and when it
/// was fetched (for its age).
#[derive(Debug)]
pub struct Entry {
    /// Its status.
    pub status: StatusCode,
    /// Its fields, without hop-by-hop and proxy-specific ones.
    pub headers: HeaderMap,
    /// Its complete body.
    pub body: Bytes,
    /// When the request that fetched it was sent.
    pub request_time: SystemTime,
    /// When its response arrived.
    pub response_time: SystemTime,
    /// The request fields it was selected by (`Vary`).
    pub selecting: Selecting,
    /// What its own fields allow, computed once.
    pub policy: Stored,
    /// Its age when it arrived (§4.2.3's corrected initial age), computed once: a hit then
    /// only adds the time since.
    initial_age: Duration,
}

/// The parts an entry is made of; [`Entry::new`] derives the rest.
pub struct Parts {
    /// Its status.
    pub status: StatusCode,
    /// Its fields as received (hop-by-hop ones are dropped here).
    pub headers: HeaderMap,
    /// Its complete body.
    pub body: Bytes,
    /// When the request that fetched it was sent.
    pub request_time: SystemTime,
    /// When its response arrived.
    pub response_time: SystemTime,
    /// The request fields it was selected by.
    pub selecting: Selecting,
}

impl Entry {
    /// An entry from its parts; `default_ttl` is the operator's lifetime for responses
    /// that carry no freshness information.
    pub fn new(parts: Parts, default_ttl: Option<Duration>) -> Self {
        let mut headers = fields::for_storage(&parts.headers);
        // RFC 9110 §6.6.1: a recipient with a clock adds the Date it received it at.
        if !headers.contains_key(header::DATE) {
            headers.insert(header::DATE, http_date(parts.response_time));
        }
        let directives = Directives::from_headers(&headers);
        let (mut lifetime, _) = freshness::lifetime(
            &headers,
            &directives,
            parts.status,
            parts.response_time,
            default_ttl,
        );
        if let Some(seconds) = Surrogate::from_headers(&headers).and_then(|s| s.max_age) {
            lifetime = Duration::from_secs(seconds);
        }
        let initial_age = freshness::current_age(
            &headers,
            parts.request_time,
            parts.response_time,
            parts.response_time,
        );
        Self {
            initial_age,
            status: parts.status,
            headers,
            body: parts.body,
            request_time: parts.request_time,
            response_time: parts.response_time,
            selecting: parts.selecting,
            policy: Stored::new(&directives, lifetime),
        }
    }

    /// This entry freshened by a 304 (RFC 9111 §4.3.4): the 304's fields replace the
    /// stored ones, and its times become the entry's.
    pub fn freshened(
        &self,
        not_modified: &HeaderMap,
        request_time: SystemTime,
        response_time: SystemTime,
        default_ttl: Option<Duration>,
    ) -> Self {
        let mut headers = self.headers.clone();
        fields::update_from(&mut headers, not_modified);
        Self::new(
            Parts {
                status: self.status,
                headers,
                body: self.body.clone(),
                request_time,
                response_time,
                selecting: self.selecting.clone(),
            },
            default_ttl,
        )
    }

    /// Its current age (RFC 9111 §4.2.3): its age on arrival plus the time stored.
    pub fn age(&self, now: SystemTime) -> Duration {
        self.initial_age + now.duration_since(self.response_time).unwrap_or_default()
    }

    /// The memory it takes, for the byte bounds: the body, each field (its bytes plus the
    /// map's entry, the value's allocation and the allocator's rounding, about 96 bytes as
    /// measured with `bench/proxy.sh`'s cache-filling run), and the entry itself.
    pub fn weight(&self) -> u64 {
        let fields: usize = self
            .headers
            .iter()
            .map(|(name, value)| name.as_str().len() + value.len() + FIELD_OVERHEAD)
            .sum();
        let selecting: usize = self
            .selecting
            .fields()
            .iter()
            .map(|(name, value)| name.as_str().len() + value.as_ref().map_or(0, String::len) + 64)
            .sum();
        (self.body.len() + fields + selecting + ENTRY_OVERHEAD) as u64
    }

    /// Its validators, for a conditional request: `ETag` and `Last-Modified`.
    pub fn validators(&self) -> (Option<&HeaderValue>, Option<&HeaderValue>) {
        (
            self.headers.get(header::ETAG),
            self.headers.get(header::LAST_MODIFIED),
        )
    }
}

/// Memory of one stored field beyond its bytes.
const FIELD_OVERHEAD: usize = 96;
/// Memory of an entry beyond its fields and body: the struct, its `Arc`, the header map's
/// table, the variants list and the cache's own slot.
const ENTRY_OVERHEAD: usize = 512;

/// The responses stored under one URL, one per distinct set of `Vary`ed request fields,
/// the most recently stored first.
#[derive(Debug, Default)]
pub struct Variants(pub Vec<Arc<Entry>>);

/// More variants of one URL than this and the oldest goes: a `Vary` on a field with many
/// values (`User-Agent`, say) must not let one URL fill the cache.
pub const MAX_VARIANTS: usize = 8;

impl Variants {
    /// The stored response that `request` selects, if any.
    pub fn select(&self, request: &HeaderMap) -> Option<&Arc<Entry>> {
        self.0.iter().find(|entry| entry.selecting.matches(request))
    }

    /// These variants with `entry` in front, replacing the one with the same selecting
    /// fields (§4.1: the newer response to the same selection replaces the older).
    pub fn with(&self, entry: Arc<Entry>) -> Self {
        let mut variants = Vec::with_capacity(self.0.len() + 1);
        let replaced = entry.selecting.clone();
        variants.push(entry);
        variants.extend(
            self.0
                .iter()
                .filter(|older| older.selecting != replaced)
                .take(MAX_VARIANTS - 1)
                .cloned(),
        );
        Self(variants)
    }

    /// Their memory, for the byte bounds.
    pub fn weight(&self) -> u64 {
        self.0.iter().map(|entry| entry.weight()).sum()
    }
}

/// `time` as an IMF-fixdate field value.
pub fn http_date(time: SystemTime) -> HeaderValue {
    // An IMF-fixdate is ASCII, so this cannot fail; an empty value is the fallback anyway.
    HeaderValue::from_str(&httpdate::fmt_http_date(time))
        .unwrap_or_else(|_| HeaderValue::from_static(""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::headers;

    fn entry(request: &HeaderMap, response: &[(&'static str, &'static str)]) -> Arc<Entry> {
        let now = SystemTime::now();
        let headers = headers(response);
        Arc::new(Entry::new(
            Parts {
                status: StatusCode::OK,
                selecting: Selecting::capture(&headers, request),
                headers,
                body: Bytes::from_static(b"body"),
                request_time: now,
                response_time: now,
            },
            None,
        ))
    }

    #[test]
    fn a_missing_date_is_added_and_hop_by_hop_fields_dropped() {
        let stored = entry(
            &HeaderMap::new(),
            &[("cache-control", "max-age=60"), ("connection", "close")],
        );
        assert!(stored.headers.contains_key(header::DATE));
        assert!(!stored.headers.contains_key(header::CONNECTION));
        assert_eq!(stored.policy.lifetime, Duration::from_secs(60));
    }

    #[test]
    fn a_newer_variant_replaces_the_same_selection_only() {
        let english = headers(&[("accept-language", "en")]);
        let french = headers(&[("accept-language", "fr")]);
        let vary = [("vary", "accept-language"), ("cache-control", "max-age=60")];
        let variants = Variants::default()
            .with(entry(&english, &vary))
            .with(entry(&french, &vary))
            .with(entry(&english, &vary));
        assert_eq!(variants.0.len(), 2);
        assert!(variants.select(&english).is_some());
        assert!(variants.select(&french).is_some());
        assert!(
            variants
                .select(&headers(&[("accept-language", "de")]))
                .is_none()
        );
    }

    #[test]
    fn a_url_keeps_a_bounded_number_of_variants() {
        let mut variants = Variants::default();
        for n in 0..20 {
            let request = {
                let mut map = HeaderMap::new();
                map.insert("x-n", HeaderValue::from(n));
                map
            };
            variants = variants.with(entry(&request, &[("vary", "x-n")]));
        }
        assert_eq!(variants.0.len(), MAX_VARIANTS);
    }

    #[test]
    fn a_304_freshens_fields_and_times_but_keeps_the_body() {
        let old = entry(
            &HeaderMap::new(),
            &[("cache-control", "max-age=1"), ("etag", "\"a\"")],
        );
        let later = old.response_time + Duration::from_secs(100);
        let fresh = old.freshened(
            &headers(&[("cache-control", "max-age=300"), ("x-new", "1")]),
            later,
            later,
            None,
        );
        assert_eq!(fresh.policy.lifetime, Duration::from_secs(300));
        assert_eq!(
            fresh.headers.get("x-new").map(|v| v.as_bytes()),
            Some(&b"1"[..])
        );
        assert_eq!(fresh.body, old.body);
        assert_eq!(fresh.response_time, later);
    }
}
