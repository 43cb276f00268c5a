//! Where a webhook may be delivered: the address check, and a DNS resolver that applies
//! it to every address a name resolves to, at delivery time.
//!
//! Checking the URL's host name when the job is enqueued is not enough: the name can
//! resolve to a public address then and to `127.0.0.1` or `169.254.169.254` later (DNS
//! rebinding). So the HTTP client resolves through [`GuardedResolver`], which drops every
//! refused address, and URLs with a literal IP are checked before the request.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// What the check says about an address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    /// A public address.
    Public,
    /// Loopback or a private range: allowed only with `jobs.allow_private_targets`.
    Private,
    /// Never: link-local (cloud metadata lives there), unspecified, multicast, reserved.
    Forbidden,
}

/// Classifies an address; IPv4 embedded in IPv6 (mapped, NAT64, 6to4) is classified as
/// the IPv4 address it carries.
pub fn classify(ip: IpAddr) -> Reach {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn classify_v4(ip: Ipv4Addr) -> Reach {
    let [a, b, c, _] = ip.octets();
    let forbidden = ip.is_unspecified()
        || a == 0 // "this network"
        || ip.is_link_local() // 169.254.0.0/16: AWS, GCP, Azure, OpenStack metadata
        || ip.is_multicast()
        || ip.is_broadcast()
        || a >= 240 // reserved
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || ip == Ipv4Addr::new(100, 100, 100, 200); // Alibaba Cloud metadata
    if forbidden {
        return Reach::Forbidden;
    }
    let private = ip.is_loopback()
        || ip.is_private()
        || (a == 100 && (64..128).contains(&b)) // carrier-grade NAT
        || (a == 198 && (b == 18 || b == 19)); // benchmarking networks
    if private {
        Reach::Private
    } else {
        Reach::Public
    }
}

fn classify_v6(ip: Ipv6Addr) -> Reach {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return classify_v4(v4);
    }
    let segments = ip.segments();
    // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) reach an IPv4 address.
    if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return classify_v4(embedded_v4(segments[6], segments[7]));
    }
    if segments[0] == 0x2002 {
        return classify_v4(embedded_v4(segments[1], segments[2]));
    }
    if ip.is_loopback() {
        return Reach::Private;
    }
    let aws_metadata = Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254);
    let forbidden = ip.is_unspecified()
        || ip.is_multicast()
        || (segments[0] & 0xffc0) == 0xfe80 // link-local
        || (segments[0] & 0xffc0) == 0xfec0 // deprecated site-local
        || ip == aws_metadata
        || segments[..6] == [0, 0, 0, 0, 0, 0]; // IPv4-compatible (deprecated)
    if forbidden {
        return Reach::Forbidden;
    }
    if (segments[0] & 0xfe00) == 0xfc00 {
        // Unique local addresses: IPv6's private networks.
        Reach::Private
    } else {
        Reach::Public
    }
}

fn embedded_v4(high: u16, low: u16) -> Ipv4Addr {
    let [a, b] = high.to_be_bytes();
    let [c, d] = low.to_be_bytes();
    Ipv4Addr::new(a, b, c, d)
}

/// The policy in force.
#[derive(Clone, Copy, Debug)]
pub struct TargetPolicy {
    /// `jobs.allow_private_targets`.
    pub allow_private: bool,
}

impl TargetPolicy {
    /// Why `ip` may not be reached, if it may not.
    pub fn refusal(self, ip: IpAddr) -> Option<String> {
        match classify(ip) {
            Reach::Public => None,
            Reach::Private if self.allow_private => None,
            Reach::Private => Some(format!(
                "{ip} is a loopback or private address; webhooks to private networks are refused \
                 unless GROUNDWORK__JOBS__ALLOW_PRIVATE_TARGETS=true"
            )),
            Reach::Forbidden => Some(format!(
                "{ip} is a link-local, metadata, multicast or reserved address; webhooks never go there"
            )),
        }
    }
}

/// Resolves with the system resolver and keeps only addresses the policy allows.
pub struct GuardedResolver {
    policy: TargetPolicy,
}

impl GuardedResolver {
    /// A resolver enforcing `policy`.
    pub fn new(policy: TargetPolicy) -> Arc<Self> {
        Arc::new(Self { policy })
    }
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy;
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let resolved: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let mut refusals = Vec::new();
            let allowed: Vec<SocketAddr> = resolved
                .into_iter()
                .filter(|addr| match policy.refusal(addr.ip()) {
                    None => true,
                    Some(why) => {
                        refusals.push(why);
                        false
                    }
                })
                .collect();
            if allowed.is_empty() {
                let why = refusals
                    .first()
                    .cloned()
                    .unwrap_or_else(|| "no addresses".to_owned());
                return Err(format!("{host} resolves to no permitted address: {why}").into());
            }
            let addrs: Addrs = Box::new(allowed.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reach(text: &str) -> Reach {
        classify(text.parse().unwrap())
    }

    #[test]
    fn addresses_are_classified() {
        for public in ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "100.128.0.1"] {
            assert_eq!(reach(public), Reach::Public, "{public}");
        }
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "100.64.0.1",
            "198.18.0.1",
            "::1",
            "fd12:3456::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
            "2002:c0a8:0101::1",
        ] {
            assert_eq!(reach(private), Reach::Private, "{private}");
        }
        for forbidden in [
            "169.254.169.254",
            "169.254.0.1",
            "0.0.0.0",
            "0.1.2.3",
            "224.0.0.1",
            "255.255.255.255",
            "240.0.0.1",
            "192.0.0.192",
            "100.100.100.200",
            "::",
            "fe80::1",
            "ff02::1",
            "fd00:ec2::254",
            "::ffff:169.254.169.254",
            "64:ff9b::a9fe:a9fe",
            "2002:a9fe:a9fe::1",
            "::169.254.169.254",
        ] {
            assert_eq!(reach(forbidden), Reach::Forbidden, "{forbidden}");
        }
    }

    #[test]
    fn the_policy_opens_private_ranges_but_never_metadata() {
        let open = TargetPolicy {
            allow_private: true,
        };
        let closed = TargetPolicy {
            allow_private: false,
        };
        let loopback: IpAddr = "127.0.0.1".parse().unwrap();
        let metadata: IpAddr = "169.254.169.254".parse().unwrap();
        assert!(open.refusal(loopback).is_none());
        assert!(
            closed
                .refusal(loopback)
                .unwrap()
                .contains("ALLOW_PRIVATE_TARGETS")
        );
        assert!(open.refusal(metadata).is_some());
    }

    #[tokio::test]
    async fn the_resolver_drops_refused_addresses() {
        let closed = GuardedResolver::new(TargetPolicy {
            allow_private: false,
        });
        let error = closed
            .resolve("localhost".parse().unwrap())
            .await
            .err()
            .unwrap();
        assert!(
            error.to_string().contains("no permitted address"),
            "{error}"
        );
        let open = GuardedResolver::new(TargetPolicy {
            allow_private: true,
        });
        let addrs: Vec<_> = open
            .resolve("localhost".parse().unwrap())
            .await
            .unwrap()
            .collect();
        assert!(addrs.iter().all(|a| a.ip().is_loopback()) && !addrs.is_empty());
    }
}
