//! `Cache-Control` (RFC 9111 §5.2, and RFC 5861's `stale-while-revalidate` and
//! `stale-if-error`), parsed once per message into the directives a shared cache acts on.
//!
//! Directive names are case-insensitive; values are tokens or quoted strings; unknown
//! directives are ignored (§5.2.3). Where a directive appears twice, the first one counts
//! (§4.2.1 allows it). A delta-seconds value that is not a number makes the response stale
//! rather than fresh for a default, the safe reading of a value we cannot understand; one
//! too big to represent is taken as 2^31 seconds (§1.2.2).

use http::HeaderMap;
use http::header::CACHE_CONTROL;

/// The largest delta-seconds we keep (§1.2.2: at least 2^31).
pub const DELTA_SECONDS_CAP: u64 = 1 << 31;

/// The directives of one request or response.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Directives {
    /// `no-store`.
    pub no_store: bool,
    /// `no-cache`, with or without field names: a shared cache may treat the qualified form
    /// like the plain one (§5.2.2.4), which is what we do.
    pub no_cache: bool,
    /// `private`, with or without field names (treated alike: a shared cache stores none
    /// of it).
    pub private: bool,
    /// `public`.
    pub public: bool,
    /// `must-revalidate`.
    pub must_revalidate: bool,
    /// `proxy-revalidate`.
    pub proxy_revalidate: bool,
    /// `must-understand`.
    pub must_understand: bool,
    /// `only-if-cached` (requests).
    pub only_if_cached: bool,
    /// `max-age` in seconds (0 if its value was not a number).
    pub max_age: Option<u64>,
    /// `s-maxage` in seconds (0 if its value was not a number).
    pub s_maxage: Option<u64>,
    /// `max-stale` (requests): `Some(None)` without a value, any staleness accepted.
    pub max_stale: Option<Option<u64>>,
    /// `min-fresh` (requests).
    pub min_fresh: Option<u64>,
    /// `stale-while-revalidate` (RFC 5861).
    pub stale_while_revalidate: Option<u64>,
    /// `stale-if-error` (RFC 5861).
    pub stale_if_error: Option<u64>,
}

impl Directives {
    /// The directives of every `Cache-Control` field line in `headers`.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let mut directives = Self::default();
        for line in headers.get_all(CACHE_CONTROL) {
            // A field value that is not text holds no directive we could read.
            if let Ok(text) = line.to_str() {
                directives.add(text);
            }
        }
        directives
    }

    /// Adds the directives of one field value.
    pub fn add(&mut self, text: &str) {
        for (name, value) in split(text) {
            self.set(&name.to_ascii_lowercase(), value.as_deref());
        }
    }

    fn set(&mut self, name: &str, value: Option<&str>) {
        let seconds = || Some(value.map_or(0, delta_seconds));
        match name {
            "no-store" => self.no_store = true,
            "no-cache" => self.no_cache = true,
            "private" => self.private = true,
            "public" => self.public = true,
            "must-revalidate" => self.must_revalidate = true,
            "proxy-revalidate" => self.proxy_revalidate = true,
            "must-understand" => self.must_understand = true,
            "only-if-cached" => self.only_if_cached = true,
            "max-age" => self.max_age = self.max_age.or_else(seconds),
            "s-maxage" => self.s_maxage = self.s_maxage.or_else(seconds),
            "min-fresh" => self.min_fresh = self.min_fresh.or_else(seconds),
            "stale-while-revalidate" => {
                self.stale_while_revalidate = self.stale_while_revalidate.or_else(seconds);
            }
            "stale-if-error" => self.stale_if_error = self.stale_if_error.or_else(seconds),
            "max-stale" => {
                // A value that is not a number accepts no staleness rather than any.
                self.max_stale = self.max_stale.or(Some(value.map(delta_seconds)));
            }
            _ => {}
        }
    }
}

/// delta-seconds (§1.2.2): digits only; too big → 2^31; anything else → 0.
fn delta_seconds(text: &str) -> u64 {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return 0;
    }
    text.parse::<u64>()
        .map_or(DELTA_SECONDS_CAP, |n| n.min(DELTA_SECONDS_CAP))
}

/// `name[=value]` pairs of a comma-separated list whose values may be quoted strings (with
/// commas and backslash escapes inside).
fn split(text: &str) -> Vec<(String, Option<String>)> {
    let mut pairs = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| *c == ',' || c.is_whitespace()) {
            chars.next();
        }
        let mut name = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' || c == ',' || c.is_whitespace() {
                break;
            }
            name.push(c);
            chars.next();
        }
        if name.is_empty() && chars.peek().is_none() {
            return pairs;
        }
        while chars.peek().is_some_and(|c| *c == ' ' || *c == '\t') {
            chars.next();
        }
        let mut value = None;
        if chars.peek() == Some(&'=') {
            chars.next();
            while chars.peek().is_some_and(|c| *c == ' ' || *c == '\t') {
                chars.next();
            }
            let mut text = String::new();
            if chars.peek() == Some(&'"') {
                chars.next();
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => text.extend(chars.next()),
                        c => text.push(c),
                    }
                }
            } else {
                while let Some(&c) = chars.peek() {
                    if c == ',' || c.is_whitespace() {
                        break;
                    }
                    text.push(c);
                    chars.next();
                }
            }
            value = Some(text);
        }
        // Whatever follows up to the next comma is not part of a valid directive.
        while chars.peek().is_some_and(|c| *c != ',') {
            chars.next();
        }
        if !name.is_empty() {
            pairs.push((name, value));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn parse(text: &str) -> Directives {
        let mut directives = Directives::default();
        directives.add(text);
        directives
    }

    #[test]
    fn flags_and_numbers_are_read_case_insensitively() {
        let d = parse("Public, MAX-AGE=60, s-maxage=30, must-revalidate,proxy-revalidate");
        assert!(d.public && d.must_revalidate && d.proxy_revalidate);
        assert_eq!((d.max_age, d.s_maxage), (Some(60), Some(30)));
        assert!(!d.no_store && !d.private && !d.no_cache);
        let d = parse("no-store, no-cache, private, only-if-cached, must-understand");
        assert!(d.no_store && d.no_cache && d.private && d.only_if_cached && d.must_understand);
    }

    #[test]
    fn quoted_values_and_qualified_forms() {
        let d = parse(r#"private="set-cookie, x-a", no-cache="x-b", max-age="120""#);
        assert!(d.private && d.no_cache);
        assert_eq!(d.max_age, Some(120));
        let d = parse(r#"community="a,b\"c", max-age=5"#);
        assert_eq!(d.max_age, Some(5), "a quoted comma does not split");
    }

    #[test]
    fn bad_and_huge_numbers() {
        assert_eq!(parse("max-age=abc").max_age, Some(0));
        assert_eq!(parse("max-age=-1").max_age, Some(0));
        assert_eq!(parse("max-age=1.5").max_age, Some(0));
        assert_eq!(parse("max-age").max_age, Some(0));
        assert_eq!(
            parse("max-age=99999999999999999999999").max_age,
            Some(DELTA_SECONDS_CAP)
        );
        assert_eq!(parse("max-age=4294967296").max_age, Some(DELTA_SECONDS_CAP));
    }

    #[test]
    fn the_first_of_two_values_counts() {
        assert_eq!(parse("max-age=10, max-age=3600").max_age, Some(10));
    }

    #[test]
    fn max_stale_with_and_without_a_value() {
        assert_eq!(parse("max-stale").max_stale, Some(None));
        assert_eq!(parse("max-stale=30").max_stale, Some(Some(30)));
        assert_eq!(parse("max-stale=x").max_stale, Some(Some(0)));
        assert_eq!(parse("min-fresh=5").min_fresh, Some(5));
        let d = parse("stale-while-revalidate=10, stale-if-error=20");
        assert_eq!(
            (d.stale_while_revalidate, d.stale_if_error),
            (Some(10), Some(20))
        );
    }

    #[test]
    fn every_field_line_counts_and_junk_is_ignored() {
        let mut headers = HeaderMap::new();
        headers.append(CACHE_CONTROL, HeaderValue::from_static("max-age=10"));
        headers.append(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        let d = Directives::from_headers(&headers);
        assert_eq!(d.max_age, Some(10));
        assert!(d.no_cache);
        assert_eq!(parse(",,, ,"), Directives::default());
        assert_eq!(parse("foo=bar baz, max-age=7").max_age, Some(7));
        assert_eq!(parse("unknown-extension=\"x\"").max_age, None);
    }
}
