//! The long URL a link points to: parsed, not merely validated. Only absolute `http` and
//! `https` URLs with a host, at most 2 048 characters, no credentials (the classic
//! `https://bank.example@evil.example` disguise), not a blocked host, and never this
//! service itself (a link to a short link could loop).

use groundwork_platform::FieldError;

/// Longest URL accepted, in bytes (what browsers and proxies reliably carry).
pub const MAX_URL_LEN: usize = 2048;

/// What a URL is checked against besides its own shape.
#[derive(Clone, Debug, Default)]
pub struct TargetPolicy {
    /// Hosts refused, with their subdomains; lowercase, no trailing dot.
    pub blocked_hosts: Vec<String>,
    /// Hosts that are this service (the configured public URL's host).
    pub own_hosts: Vec<String>,
}

impl TargetPolicy {
    /// From the settings' lists (normalised here once).
    pub fn new(blocked: &[String], public_url: Option<&str>) -> Self {
        let own_hosts = public_url
            .and_then(|u| url::Url::parse(u).ok())
            .and_then(|u| u.host_str().map(normalise_host))
            .into_iter()
            .collect();
        Self {
            blocked_hosts: blocked.iter().map(|h| normalise_host(h)).collect(),
            own_hosts,
        }
    }
}

fn normalise_host(host: &str) -> String {
    host.trim()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .trim_end_matches('.')
        .to_ascii_lowercase()
}

/// `host` is `domain` or one of its subdomains.
fn within(host: &str, domain: &str) -> bool {
    host == domain
        || host
            .strip_suffix(domain)
            .is_some_and(|rest| rest.ends_with('.'))
}

/// Parses a long URL for a link. `request_host` is the `Host` the request came to (without
/// port): a link to it would redirect to ourselves.
pub fn parse(
    raw: &str,
    policy: &TargetPolicy,
    request_host: Option<&str>,
) -> Result<String, FieldError> {
    let invalid = |code: &'static str, message: &str| FieldError::new("url", code, message);
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(invalid("required", "a URL is required"));
    }
    if raw.len() > MAX_URL_LEN {
        return Err(invalid(
            "too_long",
            &format!("a URL is at most {MAX_URL_LEN} characters long"),
        ));
    }
    let scheme = raw.split(':').next().unwrap_or("").to_ascii_lowercase();
    if matches!(scheme.as_str(), "javascript" | "data" | "vbscript" | "file") {
        return Err(invalid(
            "scheme",
            &format!("{scheme}: URLs cannot be shortened; use an http or https URL"),
        ));
    }
    let url = url::Url::parse(raw).map_err(|e| {
        invalid(
            "invalid",
            &format!(
                "not an absolute URL ({e}); include the scheme, as in https://example.com/page"
            ),
        )
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid(
            "scheme",
            "only http and https URLs can be shortened",
        ));
    }
    let Some(host) = url.host_str().map(normalise_host).filter(|h| !h.is_empty()) else {
        return Err(invalid("invalid", "the URL has no host"));
    };
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(
            "credentials",
            "URLs with a user name or password are refused (they disguise the real host)",
        ));
    }
    if policy.blocked_hosts.iter().any(|b| within(&host, b)) {
        return Err(invalid(
            "blocked",
            "links to this host are not allowed here",
        ));
    }
    let ours = request_host.map(normalise_host);
    if policy
        .own_hosts
        .iter()
        .chain(ours.iter())
        .any(|own| host == *own)
    {
        return Err(invalid(
            "self_link",
            "a link to this shortener itself would redirect in a loop",
        ));
    }
    // The serialised form: scheme and host lowercased, IDNs in punycode, spaces escaped.
    // It can grow (escapes, punycode), so the cap is checked again.
    let normalised = url.to_string();
    if normalised.len() > MAX_URL_LEN {
        return Err(invalid(
            "too_long",
            &format!("a URL is at most {MAX_URL_LEN} characters long"),
        ));
    }
    Ok(normalised)
}

/// The host part of a `Host` header (`example.com:8080` → `example.com`, `[::1]:80` → `::1`).
pub fn host_without_port(header: &str) -> &str {
    if let Some(rest) = header.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    header.rsplit_once(':').map_or(header, |(host, _)| host)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(raw: &str) -> Result<String, &'static str> {
        let policy = TargetPolicy::new(&["evil.example".into()], Some("https://sho.rt"));
        parse(raw, &policy, Some("127.0.0.1")).map_err(|e| match e.code {
            std::borrow::Cow::Borrowed(code) => code,
            std::borrow::Cow::Owned(_) => "owned",
        })
    }

    #[test]
    fn good_urls_are_normalised() {
        assert_eq!(
            check("  HTTPS://Example.COM/a b?q=1#x ").unwrap(),
            "https://example.com/a%20b?q=1#x"
        );
        assert_eq!(
            check("http://bücher.example/").unwrap(),
            "http://xn--bcher-kva.example/"
        );
    }

    #[test]
    fn bad_urls_are_refused_with_a_reason() {
        assert_eq!(check(""), Err("required"));
        assert_eq!(check("javascript:alert(1)"), Err("scheme"));
        assert_eq!(check("JavaScript:alert(1)"), Err("scheme"));
        assert_eq!(check("data:text/html,<b>x</b>"), Err("scheme"));
        assert_eq!(check("ftp://example.com/file"), Err("scheme"));
        assert_eq!(check("example.com/page"), Err("invalid"));
        assert_eq!(check("https://"), Err("invalid"));
        assert_eq!(check("https://bank.example@evil.test/"), Err("credentials"));
        assert_eq!(check("https://evil.example/x"), Err("blocked"));
        assert_eq!(check("https://www.Evil.Example./x"), Err("blocked"));
        assert_eq!(check("https://notevil.example/x").map(|_| ()), Ok(()));
        assert_eq!(check("https://sho.rt/abc"), Err("self_link"));
        assert_eq!(check("http://127.0.0.1:8080/abc"), Err("self_link"));
        let long = format!("https://example.com/{}", "a".repeat(MAX_URL_LEN));
        assert_eq!(check(&long), Err("too_long"));
    }

    #[test]
    fn host_headers_lose_their_port() {
        assert_eq!(host_without_port("example.com:8080"), "example.com");
        assert_eq!(host_without_port("example.com"), "example.com");
        assert_eq!(host_without_port("[::1]:3000"), "::1");
    }
}
