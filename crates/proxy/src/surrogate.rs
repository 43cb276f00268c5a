//! `Surrogate-Control` (W3C Edge Architecture Specification 1.0): directives an origin
//! addresses to reverse proxies ("surrogates") rather than to browsers. A surrogate
//! announces itself with `Surrogate-Capability: caching-proxy="Surrogate/1.0"` on the
//! requests it forwards; directives with no target, or targeted at `caching-proxy`
//! (`max-age=60;caching-proxy`), apply to it and take precedence over `Cache-Control` and
//! `Expires`. The header is for surrogates only and is not passed on to clients.

use http::{HeaderMap, HeaderName, HeaderValue};

use crate::directives::DELTA_SECONDS_CAP;

/// `Surrogate-Control`.
pub const SURROGATE_CONTROL: HeaderName = HeaderName::from_static("surrogate-control");
/// `Surrogate-Capability`.
pub const SURROGATE_CAPABILITY: HeaderName = HeaderName::from_static("surrogate-capability");
/// This proxy's device token and capability.
pub const CAPABILITY: HeaderValue = HeaderValue::from_static("caching-proxy=\"Surrogate/1.0\"");
const TOKEN: &str = "caching-proxy";

/// The directives that apply to this proxy.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Surrogate {
    /// `no-store`: do not store, whatever `Cache-Control` says.
    pub no_store: bool,
    /// `max-age=N` (the `+M` extension ignored): the freshness lifetime.
    pub max_age: Option<u64>,
}

impl Surrogate {
    /// The directives of `headers` for this proxy, if any apply.
    pub fn from_headers(headers: &HeaderMap) -> Option<Self> {
        let mut surrogate = None::<Self>;
        let members = headers
            .get_all(SURROGATE_CONTROL)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','));
        for member in members {
            let (directive, target) = match member.split_once(';') {
                Some((directive, target)) => (directive, Some(target.trim())),
                None => (member, None),
            };
            if target.is_some_and(|target| !target.eq_ignore_ascii_case(TOKEN)) {
                continue;
            }
            let directive = directive.trim();
            let found = surrogate.get_or_insert_default();
            if directive.eq_ignore_ascii_case("no-store") {
                found.no_store = true;
            } else if let Some((name, value)) = directive.split_once('=')
                && name.eq_ignore_ascii_case("max-age")
            {
                // No spaces around `=` (a malformed directive is ignored).
                let seconds = value.split('+').next().unwrap_or("");
                if !seconds.is_empty() && seconds.bytes().all(|b| b.is_ascii_digit()) {
                    let seconds = seconds
                        .parse()
                        .unwrap_or(DELTA_SECONDS_CAP)
                        .min(DELTA_SECONDS_CAP);
                    found.max_age.get_or_insert(seconds);
                }
            }
        }
        surrogate.filter(|found| found.no_store || found.max_age.is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::headers;

    fn parsed(value: &'static str) -> Option<Surrogate> {
        Surrogate::from_headers(&headers(&[("surrogate-control", value)]))
    }

    #[test]
    fn directives_for_this_proxy_or_for_all_apply() {
        assert_eq!(parsed("max-age=60").unwrap().max_age, Some(60));
        assert_eq!(parsed("foo, MaX-aGe=60").unwrap().max_age, Some(60));
        assert_eq!(
            parsed("max-age=60;caching-proxy").unwrap().max_age,
            Some(60)
        );
        assert_eq!(parsed("max-age=60+30").unwrap().max_age, Some(60));
        assert_eq!(
            parsed("max-age=99999999999").unwrap().max_age,
            Some(DELTA_SECONDS_CAP)
        );
        assert!(parsed("no-store").unwrap().no_store);
    }

    #[test]
    fn other_targets_and_malformed_directives_do_not() {
        assert_eq!(parsed("max-age=60;other-cdn"), None);
        assert_eq!(parsed("max-age =60"), None);
        assert_eq!(parsed("max-age= 60"), None);
        assert_eq!(parsed("foo"), None);
    }
}
