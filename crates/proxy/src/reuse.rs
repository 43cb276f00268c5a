//! Whether a stored response may answer a request without asking the origin (RFC 9111
//! §4.2, §4.2.4, §5.2.1, §5.2.2) and, with RFC 5861, when a stale one still may.

use std::time::Duration;

use crate::directives::Directives;

/// What a stored response's own headers allow, computed when it is stored.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stored {
    /// Its freshness lifetime.
    pub lifetime: Duration,
    /// `no-cache` in the response: every use must be validated first.
    pub no_cache: bool,
    /// `must-revalidate`, `proxy-revalidate` or `s-maxage` (§5.2.2.10): never served stale.
    pub must_revalidate: bool,
    /// RFC 5861 `stale-while-revalidate` window.
    pub stale_while_revalidate: Option<Duration>,
    /// RFC 5861 `stale-if-error` window.
    pub stale_if_error: Option<Duration>,
}

impl Stored {
    /// From the response's directives and its computed lifetime.
    pub fn new(directives: &Directives, lifetime: Duration) -> Self {
        Self {
            lifetime,
            no_cache: directives.no_cache,
            must_revalidate: directives.must_revalidate
                || directives.proxy_revalidate
                || directives.s_maxage.is_some(),
            stale_while_revalidate: directives.stale_while_revalidate.map(Duration::from_secs),
            stale_if_error: directives.stale_if_error.map(Duration::from_secs),
        }
    }

    /// How long past its lifetime it is at `age`, if it is stale (§4.2: fresh while the
    /// lifetime is greater than the age).
    fn staleness(&self, age: Duration) -> Option<Duration> {
        (age >= self.lifetime).then(|| age - self.lifetime)
    }
}

/// The answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reuse {
    /// Serve it as it is.
    Fresh,
    /// Stale, but the client accepts that (`max-stale`): serve it as it is.
    StaleAccepted,
    /// Stale within `stale-while-revalidate`: serve it, and refresh it in the background.
    StaleWhileRevalidate,
    /// Ask the origin, conditionally if the stored response has a validator.
    Revalidate,
}

/// §4.2 with the request's directives: may the stored response, `age` old, be served?
pub fn decide(stored: &Stored, age: Duration, request: &Directives) -> Reuse {
    if stored.no_cache || request.no_cache {
        return Reuse::Revalidate;
    }
    if request
        .max_age
        .is_some_and(|max| age > Duration::from_secs(max))
    {
        return Reuse::Revalidate;
    }
    let min_fresh = Duration::from_secs(request.min_fresh.unwrap_or(0));
    if stored.lifetime > age {
        // Fresh; `min-fresh` asks for it to stay fresh that much longer.
        let fresh_for = stored.lifetime - age;
        return if fresh_for >= min_fresh {
            Reuse::Fresh
        } else {
            Reuse::Revalidate
        };
    }
    let staleness = age - stored.lifetime;
    if stored.must_revalidate || request.min_fresh.is_some() {
        return Reuse::Revalidate;
    }
    match request.max_stale {
        Some(None) => return Reuse::StaleAccepted,
        Some(Some(limit)) if staleness <= Duration::from_secs(limit) => {
            return Reuse::StaleAccepted;
        }
        _ => {}
    }
    if stored
        .stale_while_revalidate
        .is_some_and(|window| staleness <= window)
    {
        return Reuse::StaleWhileRevalidate;
    }
    Reuse::Revalidate
}

/// RFC 5861 §4: after the origin failed (a 5xx or no answer), may the stored response,
/// `age` old, be served in its place? The request's `stale-if-error` counts as well as
/// the response's; `must-revalidate` forbids it.
pub fn usable_on_error(stored: &Stored, age: Duration, request: &Directives) -> bool {
    let Some(staleness) = stored.staleness(age) else {
        return true;
    };
    if stored.must_revalidate {
        return false;
    }
    let window = request
        .stale_if_error
        .map(Duration::from_secs)
        .or(stored.stale_if_error);
    window.is_some_and(|window| staleness <= window)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(cache_control: &str, lifetime: u64) -> Stored {
        let mut d = Directives::default();
        d.add(cache_control);
        Stored::new(&d, Duration::from_secs(lifetime))
    }

    fn request(cache_control: &str) -> Directives {
        let mut d = Directives::default();
        d.add(cache_control);
        d
    }

    fn secs(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    #[test]
    fn fresh_then_stale() {
        let s = stored("max-age=60", 60);
        assert_eq!(decide(&s, secs(10), &request("")), Reuse::Fresh);
        assert_eq!(decide(&s, secs(60), &request("")), Reuse::Revalidate);
        assert_eq!(decide(&s, secs(61), &request("")), Reuse::Revalidate);
        let zero = stored("max-age=0", 0);
        assert_eq!(decide(&zero, secs(0), &request("")), Reuse::Revalidate);
    }

    #[test]
    fn no_cache_on_either_side_means_validate() {
        assert_eq!(
            decide(&stored("no-cache, max-age=60", 60), secs(0), &request("")),
            Reuse::Revalidate
        );
        assert_eq!(
            decide(&stored("max-age=60", 60), secs(0), &request("no-cache")),
            Reuse::Revalidate
        );
    }

    #[test]
    fn request_max_age_and_min_fresh() {
        let s = stored("max-age=100", 100);
        assert_eq!(
            decide(&s, secs(30), &request("max-age=20")),
            Reuse::Revalidate
        );
        assert_eq!(decide(&s, secs(30), &request("max-age=40")), Reuse::Fresh);
        assert_eq!(
            decide(&s, secs(30), &request("min-fresh=80")),
            Reuse::Revalidate
        );
        assert_eq!(decide(&s, secs(30), &request("min-fresh=60")), Reuse::Fresh);
    }

    #[test]
    fn max_stale_unless_must_revalidate() {
        let s = stored("max-age=10", 10);
        assert_eq!(
            decide(&s, secs(30), &request("max-stale")),
            Reuse::StaleAccepted
        );
        assert_eq!(
            decide(&s, secs(30), &request("max-stale=25")),
            Reuse::StaleAccepted
        );
        assert_eq!(
            decide(&s, secs(30), &request("max-stale=5")),
            Reuse::Revalidate
        );
        for strict in ["must-revalidate", "proxy-revalidate", "s-maxage=10"] {
            let s = stored(strict, 10);
            assert_eq!(
                decide(&s, secs(30), &request("max-stale")),
                Reuse::Revalidate,
                "{strict}"
            );
        }
    }

    #[test]
    fn stale_while_revalidate_within_its_window() {
        let s = stored("max-age=10, stale-while-revalidate=30", 10);
        assert_eq!(decide(&s, secs(5), &request("")), Reuse::Fresh);
        assert_eq!(
            decide(&s, secs(35), &request("")),
            Reuse::StaleWhileRevalidate
        );
        assert_eq!(decide(&s, secs(45), &request("")), Reuse::Revalidate);
    }

    #[test]
    fn stale_if_error_from_either_side() {
        let s = stored("max-age=10, stale-if-error=60", 10);
        assert!(usable_on_error(&s, secs(5), &request("")));
        assert!(usable_on_error(&s, secs(60), &request("")));
        assert!(!usable_on_error(&s, secs(80), &request("")));
        let plain = stored("max-age=10", 10);
        assert!(!usable_on_error(&plain, secs(20), &request("")));
        assert!(usable_on_error(
            &plain,
            secs(20),
            &request("stale-if-error=30")
        ));
        let strict = stored("max-age=10, must-revalidate, stale-if-error=60", 10);
        assert!(!usable_on_error(&strict, secs(20), &request("")));
    }
}
