//! How long a stored response is fresh (RFC 9111 §4.2.1, §4.2.2) and how old it is
//! (§4.2.3), computed as the RFC writes it. Times are wall-clock `SystemTime`s: they are
//! compared with the origin's `Date`, `Expires` and `Last-Modified`.

use std::time::{Duration, SystemTime};

use http::header::{AGE, DATE, EXPIRES, LAST_MODIFIED};
use http::{HeaderMap, StatusCode};

use crate::directives::{DELTA_SECONDS_CAP, Directives};

/// The share of a response's age at the time it was sent (`Date - Last-Modified`) taken as
/// its heuristic freshness: §4.2.2 names 10% as typical.
const HEURISTIC_FRACTION: u32 = 10;
/// The most heuristic freshness ever given: a document unchanged for ten years is not
/// thereby fresh for a year.
pub const HEURISTIC_CAP: Duration = Duration::from_secs(24 * 3600);

/// Statuses "heuristically cacheable" by RFC 9110 §15.1 (without 206: we store no
/// partial content).
pub fn heuristically_cacheable(status: StatusCode) -> bool {
    matches!(
        status.as_u16(),
        200 | 203 | 204 | 300 | 301 | 308 | 404 | 405 | 410 | 414 | 501
    )
}

/// Where a response's freshness lifetime came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// `s-maxage`, `max-age` or `Expires`.
    Explicit,
    /// Heuristic: from `Last-Modified`, or the operator's `--default-ttl`.
    Heuristic,
    /// None: the response is stale as soon as it is stored.
    None,
}

/// The freshness lifetime of a response (§4.2.1), for a shared cache: `s-maxage`, else
/// `max-age`, else `Expires - Date`, else a heuristic where §4.2.2 allows one (a
/// heuristically cacheable status or `public`): 10% of `Date - Last-Modified`, at most
/// [`HEURISTIC_CAP`], or `default_ttl` when the operator set one. `response_time` stands in
/// for a missing `Date`.
pub fn lifetime(
    headers: &HeaderMap,
    directives: &Directives,
    status: StatusCode,
    response_time: SystemTime,
    default_ttl: Option<Duration>,
) -> (Duration, Source) {
    if let Some(seconds) = directives.s_maxage.or(directives.max_age) {
        return (Duration::from_secs(seconds), Source::Explicit);
    }
    let sent = date(headers, DATE).unwrap_or(response_time);
    if headers.contains_key(EXPIRES) {
        // An Expires that is not a valid date means "already expired" (§5.3).
        let expires = date(headers, EXPIRES);
        let lifetime = expires
            .and_then(|expires| expires.duration_since(sent).ok())
            .unwrap_or_default();
        return (lifetime, Source::Explicit);
    }
    if !heuristically_cacheable(status) && !directives.public {
        return (Duration::ZERO, Source::None);
    }
    if let Some(modified) = date(headers, LAST_MODIFIED) {
        let unchanged_for = sent.duration_since(modified).unwrap_or_default();
        return (
            (unchanged_for / HEURISTIC_FRACTION).min(HEURISTIC_CAP),
            Source::Heuristic,
        );
    }
    match default_ttl {
        Some(ttl) => (ttl, Source::Heuristic),
        None => (Duration::ZERO, Source::None),
    }
}

/// The current age of a stored response (§4.2.3): what the origin and caches before us
/// said (`Age`), the time it spent on the way, and the time it has been stored.
pub fn current_age(
    headers: &HeaderMap,
    request_time: SystemTime,
    response_time: SystemTime,
    now: SystemTime,
) -> Duration {
    let sent = date(headers, DATE).unwrap_or(response_time);
    let apparent_age = response_time.duration_since(sent).unwrap_or_default();
    let response_delay = response_time
        .duration_since(request_time)
        .unwrap_or_default();
    let corrected_age_value = age(headers) + response_delay;
    let corrected_initial_age = apparent_age.max(corrected_age_value);
    let resident_time = now.duration_since(response_time).unwrap_or_default();
    corrected_initial_age + resident_time
}

/// The `Age` header in seconds (§5.1: one non-negative integer). An `Age` that is not
/// exactly that (a list, two lines, a sign, a fraction, a parameter) says the response
/// has some age but not which: it is taken as the greatest, so such a response is stale
/// rather than fresher than it may be (what the public cache test suite expects too).
fn age(headers: &HeaderMap) -> Duration {
    let mut lines = headers.get_all(AGE).iter();
    let Some(first) = lines.next() else {
        return Duration::ZERO;
    };
    let valid = first
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|text| !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()));
    match (valid, lines.next()) {
        (Some(text), None) => Duration::from_secs(text.parse().unwrap_or(DELTA_SECONDS_CAP)),
        _ => Duration::from_secs(DELTA_SECONDS_CAP),
    }
}

/// An HTTP-date header (any of the three formats of RFC 9110 §5.6.7; the first field line
/// if there are several), if valid.
pub fn date(headers: &HeaderMap, name: http::HeaderName) -> Option<SystemTime> {
    let text = headers.get(name)?.to_str().ok()?;
    httpdate::parse_http_date(text.trim()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn at(seconds: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000 + seconds)
    }

    fn headers(pairs: &[(&'static str, String)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    fn stamp(time: SystemTime) -> String {
        httpdate::fmt_http_date(time)
    }

    fn lifetime_of(pairs: &[(&'static str, String)], status: u16) -> (Duration, Source) {
        let headers = headers(pairs);
        let directives = Directives::from_headers(&headers);
        lifetime(
            &headers,
            &directives,
            StatusCode::from_u16(status).unwrap(),
            at(0),
            None,
        )
    }

    #[test]
    fn s_maxage_beats_max_age_beats_expires() {
        let expires = ("expires", stamp(at(500)));
        let date = ("date", stamp(at(0)));
        let both = [
            ("cache-control", "max-age=60, s-maxage=30".to_owned()),
            expires.clone(),
            date.clone(),
        ];
        assert_eq!(lifetime_of(&both, 200).0, Duration::from_secs(30));
        let max_age = [("cache-control", "max-age=60".to_owned()), expires.clone()];
        assert_eq!(lifetime_of(&max_age, 200).0, Duration::from_secs(60));
        assert_eq!(
            lifetime_of(&[expires, date], 200),
            (Duration::from_secs(500), Source::Explicit)
        );
    }

    #[test]
    fn a_bad_or_past_expires_means_stale() {
        let bad = [("expires", "0".to_owned())];
        assert_eq!(lifetime_of(&bad, 200), (Duration::ZERO, Source::Explicit));
        let past = [("expires", stamp(at(0))), ("date", stamp(at(100)))];
        assert_eq!(lifetime_of(&past, 200).0, Duration::ZERO);
    }

    #[test]
    fn heuristics_only_where_allowed() {
        let modified = [("last-modified", stamp(at(0))), ("date", stamp(at(1000)))];
        assert_eq!(
            lifetime_of(&modified, 200),
            (Duration::from_secs(100), Source::Heuristic)
        );
        assert_eq!(lifetime_of(&modified, 404).1, Source::Heuristic);
        // Not a heuristically cacheable status: none, unless marked public.
        assert_eq!(lifetime_of(&modified, 302), (Duration::ZERO, Source::None));
        let mut public = modified.to_vec();
        public.push(("cache-control", "public".to_owned()));
        assert_eq!(lifetime_of(&public, 302).0, Duration::from_secs(100));
        let old = [
            ("last-modified", stamp(at(0))),
            ("date", stamp(at(100 * 24 * 3600))),
        ];
        assert_eq!(lifetime_of(&old, 200).0, HEURISTIC_CAP);
        assert_eq!(lifetime_of(&[], 200), (Duration::ZERO, Source::None));
    }

    #[test]
    fn the_default_ttl_stands_in_for_missing_information() {
        let none = HeaderMap::new();
        let ttl = Some(Duration::from_secs(42));
        let ok = lifetime(&none, &Directives::default(), StatusCode::OK, at(0), ttl);
        assert_eq!(ok, (Duration::from_secs(42), Source::Heuristic));
        let found = lifetime(&none, &Directives::default(), StatusCode::FOUND, at(0), ttl);
        assert_eq!(found.1, Source::None);
    }

    #[test]
    fn current_age_follows_the_rfc() {
        // Sent at 0 with Age 10, asked at 100, received at 102, now 150.
        let h = headers(&[("date", stamp(at(0))), ("age", "10".to_owned())]);
        let age = current_age(&h, at(100), at(102), at(150));
        // apparent = 102, corrected age value = 10 + 2: the larger, plus 48 resident.
        assert_eq!(age, Duration::from_secs(150));
        let fresh = headers(&[("date", stamp(at(100))), ("age", "30".to_owned())]);
        assert_eq!(
            current_age(&fresh, at(100), at(101), at(101)),
            Duration::from_secs(31)
        );
        // An Age that is not one integer makes it as old as an age can be.
        for bad in [
            vec!["-5"],
            vec!["1.5"],
            vec!["0, 0"],
            vec!["10;x=1"],
            vec!["0", "0"],
        ] {
            let mut h = HeaderMap::new();
            for line in bad.iter() {
                h.append(AGE, HeaderValue::from_static(line));
            }
            assert_eq!(
                current_age(&h, at(0), at(0), at(7)),
                Duration::from_secs(DELTA_SECONDS_CAP + 7),
                "{bad:?}"
            );
        }
    }
}
