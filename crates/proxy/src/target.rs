//! The origin, and which request targets may be forwarded to it: only paths on it. An
//! absolute-form target naming another host, a target that is not a path, and dot
//! segments (`..` and `.`, percent-encoded or not, or hidden behind an encoded slash) are
//! refused, so no request reaches anything but the origin's own paths under its prefix.

use http::Uri;

/// The server every request is forwarded to.
#[derive(Clone, Debug)]
pub struct Origin {
    scheme: String,
    authority: String,
    /// The origin URL's path without its trailing slash, prefixed to every forwarded path.
    prefix: String,
}

/// Why a request target is refused (each a 4xx).
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// An absolute-form URL for a host other than the origin.
    #[error("this proxy forwards only to its origin; {0} is another host")]
    OtherHost(String),
    /// Not a path (`*`, authority-form).
    #[error("the request target must be a path")]
    NotAPath,
    /// `.` or `..` segments.
    #[error("dot segments (. and ..) are not allowed in the path")]
    DotSegment,
}

impl Origin {
    /// Parses `--origin`: an `http` or `https` URL with a host, and no query, fragment or
    /// credentials.
    pub fn parse(text: &str) -> Result<Self, String> {
        let uri: Uri = text
            .parse()
            .map_err(|error| format!("invalid origin URL {text:?}: {error}"))?;
        let scheme = match uri.scheme_str() {
            Some(scheme @ ("http" | "https")) => scheme.to_owned(),
            Some(other) => return Err(format!("the origin must be http or https, not {other}")),
            None => return Err(format!("the origin {text:?} needs a scheme: http://{text}")),
        };
        let authority = uri
            .authority()
            .ok_or_else(|| format!("the origin {text:?} has no host"))?;
        if authority.as_str().contains('@') {
            return Err("the origin URL must not carry credentials".to_owned());
        }
        if authority.host().is_empty() {
            return Err(format!("the origin {text:?} has no host"));
        }
        if uri.query().is_some() || text.contains('#') {
            return Err("the origin URL must not have a query or a fragment".to_owned());
        }
        Ok(Self {
            scheme,
            authority: authority.as_str().to_ascii_lowercase(),
            prefix: uri.path().trim_end_matches('/').to_owned(),
        })
    }

    /// The URL a path (with its query) is forwarded to.
    pub fn url_for(&self, path_and_query: &str) -> String {
        format!(
            "{}://{}{}{}",
            self.scheme, self.authority, self.prefix, path_and_query
        )
    }

    /// `host:port` to connect to (for the check at start).
    pub fn socket_address(&self) -> String {
        if self
            .authority
            .rsplit_once(':')
            .is_some_and(|(_, port)| port.parse::<u16>().is_ok())
            && !self.authority.ends_with(']')
        {
            return self.authority.clone();
        }
        let port = if self.scheme == "https" { 443 } else { 80 };
        format!("{}:{port}", self.authority)
    }

    /// Whether an absolute URL's authority is this origin's.
    fn is(&self, authority: &str) -> bool {
        authority.eq_ignore_ascii_case(&self.authority)
    }
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}://{}{}", self.scheme, self.authority, self.prefix)
    }
}

/// The path and query to forward (also the cache key), or why not.
pub fn resolve(target: &Uri, origin: &Origin) -> Result<String, Refusal> {
    if let Some(authority) = target.authority()
        && !origin.is(authority.as_str())
    {
        return Err(Refusal::OtherHost(authority.to_string()));
    }
    let path_and_query = target.path_and_query().ok_or(Refusal::NotAPath)?;
    let path = path_and_query.path();
    if !path.starts_with('/') {
        return Err(Refusal::NotAPath);
    }
    if path.split('/').any(is_dot_segment) {
        return Err(Refusal::DotSegment);
    }
    Ok(path_and_query.as_str().to_owned())
}

/// A segment that is `.` or `..` once percent-decoded, or holds one between encoded
/// slashes or backslashes (which some servers decode into separators).
fn is_dot_segment(segment: &str) -> bool {
    if !segment.contains('.') && !segment.contains("%2") {
        return false;
    }
    let decoded = segment
        .replace("%2e", ".")
        .replace("%2E", ".")
        .replace("%2f", "/")
        .replace("%2F", "/")
        .replace("%5c", "/")
        .replace("%5C", "/")
        .replace('\\', "/");
    decoded.split('/').any(|part| part == "." || part == "..")
}

/// The path and query a `Location` or `Content-Location` value names on the origin, for
/// invalidation (RFC 9111 §4.4: only URLs with the same origin): a path, or an absolute
/// URL whose host is the origin or the host the client addressed.
pub fn same_origin_path(value: &str, origin: &Origin, client_host: Option<&str>) -> Option<String> {
    let uri: Uri = value.trim().parse().ok()?;
    let path_and_query = uri.path_and_query()?.as_str();
    if !path_and_query.starts_with('/') {
        return None;
    }
    let on_origin = match uri.authority() {
        None => true,
        Some(authority) if origin.is(authority.as_str()) => true,
        Some(authority)
            if client_host.is_some_and(|host| authority.as_str().eq_ignore_ascii_case(host)) =>
        {
            return Some(path_and_query.to_owned());
        }
        Some(_) => return None,
    };
    // The origin's own URLs carry its prefix, which the proxy's paths (the keys) do not.
    match path_and_query.strip_prefix(origin.prefix.as_str()) {
        Some(rest) if on_origin && rest.starts_with('/') => Some(rest.to_owned()),
        _ => Some(path_and_query.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin() -> Origin {
        Origin::parse("http://Origin.example:8080/api/").unwrap()
    }

    fn resolved(target: &str) -> Result<String, Refusal> {
        resolve(&target.parse().unwrap(), &origin())
    }

    #[test]
    fn paths_are_forwarded_under_the_prefix() {
        assert_eq!(resolved("/products?page=2").unwrap(), "/products?page=2");
        assert_eq!(
            origin().url_for("/products?page=2"),
            "http://origin.example:8080/api/products?page=2"
        );
        assert_eq!(resolved("http://origin.example:8080/x").unwrap(), "/x");
        assert_eq!(resolved("/a/b.c/..d/").unwrap(), "/a/b.c/..d/");
    }

    #[test]
    fn other_hosts_non_paths_and_dot_segments_are_refused() {
        assert!(matches!(
            resolved("http://evil.example/x"),
            Err(Refusal::OtherHost(_))
        ));
        assert_eq!(resolved("*"), Err(Refusal::NotAPath));
        for sneaky in [
            "/../etc/passwd",
            "/a/./b",
            "/a/%2e%2E/b",
            "/a/..%2fsecret",
            "/a/%2E%2e%5Cx",
            "/..\\x",
        ] {
            assert_eq!(resolved(sneaky), Err(Refusal::DotSegment), "{sneaky}");
        }
    }

    #[test]
    fn origins_are_checked() {
        assert!(Origin::parse("localhost:3000").is_err());
        assert!(Origin::parse("ftp://example.com").is_err());
        assert!(Origin::parse("http://user:pw@example.com").is_err());
        assert!(Origin::parse("http://example.com/?q=1").is_err());
        assert!(Origin::parse("not a url").is_err());
        assert_eq!(
            Origin::parse("https://dummyjson.com")
                .unwrap()
                .socket_address(),
            "dummyjson.com:443"
        );
        assert_eq!(
            Origin::parse("http://127.0.0.1:9")
                .unwrap()
                .socket_address(),
            "127.0.0.1:9"
        );
    }

    #[test]
    fn invalidation_follows_only_same_origin_locations() {
        let origin = origin();
        assert_eq!(
            same_origin_path("/new", &origin, None).as_deref(),
            Some("/new")
        );
        assert_eq!(
            same_origin_path("/api/new", &origin, None).as_deref(),
            Some("/new")
        );
        assert_eq!(
            same_origin_path("http://localhost:3000/new", &origin, Some("localhost:3000"))
                .as_deref(),
            Some("/new")
        );
        assert_eq!(
            same_origin_path("http://other.example/new", &origin, Some("localhost:3000")),
            None
        );
    }
}
