//! The client's address, for rate limits and logs.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;

use super::context::RequestContext;
use axum::http::request::Parts;

/// The address of the client that sent the request: the TCP peer, or, with
/// `server.trust_forwarded_for`, the last hop of `X-Forwarded-For` (the address our own
/// proxy saw; earlier hops are client-supplied and can be forged).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

impl ClientIp {
    /// Works the address out from the connection and, if trusted, the headers.
    pub fn resolve(parts: &Parts, trust_forwarded_for: bool) -> Self {
        if trust_forwarded_for && let Some(ip) = last_forwarded_hop(&parts.headers) {
            return Self(ip);
        }
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0.ip());
        Self(peer.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)))
    }
}

/// The part of an address that identifies one client for rate limiting: an IPv4 address
/// whole (also when written as IPv4-mapped IPv6), an IPv6 address by its /64 prefix,
/// because one host or subscriber usually holds a whole /64 and can rotate through it.
pub fn limit_prefix(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            let mut octets = v6.octets();
            octets[8..].fill(0);
            IpAddr::V6(octets.into())
        }
        v4 => v4,
    }
}

fn last_forwarded_hop(headers: &HeaderMap) -> Option<IpAddr> {
    let last_header = headers.get_all("x-forwarded-for").iter().next_back()?;
    let last_hop = last_header.to_str().ok()?.rsplit(',').next()?;
    last_hop.trim().parse().ok()
}

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        // The pipeline resolves it once per request; resolving again here covers routers
        // used without the pipeline (unit tests).
        Ok(match parts.extensions.get::<RequestContext>() {
            Some(context) => Self(context.client_ip),
            None => Self::resolve(parts, false),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    fn parts(forwarded: Option<&str>) -> Parts {
        let mut builder = Request::builder();
        if let Some(value) = forwarded {
            builder = builder.header("x-forwarded-for", value);
        }
        let (mut parts, ()) = builder.body(()).unwrap().into_parts();
        parts
            .extensions
            .insert(ConnectInfo(SocketAddr::from(([10, 0, 0, 1], 5000))));
        parts
    }

    #[test]
    fn the_peer_address_is_used_unless_forwarding_is_trusted() {
        let parts = parts(Some("203.0.113.9"));
        assert_eq!(ClientIp::resolve(&parts, false).0.to_string(), "10.0.0.1");
        assert_eq!(ClientIp::resolve(&parts, true).0.to_string(), "203.0.113.9");
    }

    #[test]
    fn ipv6_clients_are_limited_by_their_64_prefix() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(limit_prefix(a), limit_prefix(b));
        assert_ne!(limit_prefix(a), limit_prefix(other));
        let mapped: IpAddr = "::ffff:203.0.113.9".parse().unwrap();
        assert_eq!(limit_prefix(mapped).to_string(), "203.0.113.9");
    }

    #[test]
    fn only_the_last_hop_is_trusted() {
        let parts = parts(Some("1.2.3.4, 198.51.100.7"));
        assert_eq!(
            ClientIp::resolve(&parts, true).0.to_string(),
            "198.51.100.7"
        );
        let garbage = self::tests::parts(Some("not-an-ip"));
        assert_eq!(ClientIp::resolve(&garbage, true).0.to_string(), "10.0.0.1");
    }
}
