//! Admission, run for every request before its handler: refuse bodies that announce more
//! than the limit, resolve the client address, verify a bearer token once, and apply the
//! per-address and per-user rate limits.

use std::sync::Arc;

use axum::extract::Request;
use axum::http::header;

use super::client_ip::{ClientIp, limit_prefix};
use super::context::RequestContext;
use super::extract::payload_too_large;
use crate::Platform;
use crate::auth::extract::bearer_token;
use crate::auth::service::AuthService;
use crate::config::ServerSettings;
use crate::error::ApiError;
use crate::ratelimit::{Quota, RateLimiter};

/// What admission needs; built once per app.
#[derive(Clone)]
pub struct Guard {
    auth: AuthService,
    limiter: Arc<dyn RateLimiter>,
    limits: Option<(Quota, Quota)>,
    body_limit: u64,
    trust_forwarded_for: bool,
}

impl Guard {
    /// A guard for these settings.
    pub fn new(platform: &Platform) -> Self {
        let ServerSettings {
            body_limit_bytes,
            trust_forwarded_for,
            ..
        } = platform.settings().server;
        let rate_limit = &platform.settings().rate_limit;
        let limits = rate_limit.enabled.then(|| {
            (
                Quota::per_second(rate_limit.per_ip_per_second, rate_limit.per_ip_burst),
                Quota::per_second(rate_limit.per_user_per_second, rate_limit.per_user_burst),
            )
        });
        Self {
            auth: platform.auth().clone(),
            limiter: platform.rate_limiter().clone(),
            limits,
            body_limit: u64::try_from(body_limit_bytes).unwrap_or(u64::MAX),
            trust_forwarded_for,
        }
    }

    /// Lets the request through (with a [`RequestContext`] in its extensions: client
    /// address, auth service, and the claims of a valid bearer token) or refuses it.
    pub async fn admit(&self, request: Request) -> Result<Request, ApiError> {
        let declared_length = request
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared_length.is_some_and(|length| length > self.body_limit) {
            return Err(payload_too_large());
        }
        let (mut parts, body) = request.into_parts();
        let client_ip = ClientIp::resolve(&parts, self.trust_forwarded_for).0;
        let mut key = KeyBuffer::new();
        // The address limit comes first, so that a flood is refused before any token
        // verification is spent on it.
        if let Some((per_ip, _)) = self.limits {
            self.check(key.ip(client_ip), per_ip).await?;
        }
        // A bad token is not an error here: the handler decides whether it needs one.
        let claims = bearer_token(&parts)
            .ok()
            .flatten()
            .and_then(|t| self.auth.tokens().verify(t).ok());
        if let (Some((_, per_user)), Some(claims)) = (self.limits, &claims) {
            // Formatted in its own statement: `format_args!` must not live across the await.
            let user_key = key.format(format_args!("user:{}", claims.sub));
            self.check(user_key, per_user).await?;
        }
        parts.extensions.insert(RequestContext {
            client_ip,
            auth: self.auth.clone(),
            claims,
        });
        Ok(Request::from_parts(parts, body))
    }

    async fn check(&self, key: &str, quota: Quota) -> Result<(), ApiError> {
        crate::ratelimit::enforce(self.limiter.as_ref(), key, quota).await
    }
}

/// Builds limiter keys on the stack: a key is formatted for every request, and a `String`
/// per request is an allocation the hot path does not need.
struct KeyBuffer {
    bytes: [u8; 64],
    len: usize,
}

impl KeyBuffer {
    fn new() -> Self {
        Self {
            bytes: [0; 64],
            len: 0,
        }
    }

    /// Formats into the buffer (truncating at 64 bytes, which no key of ours reaches).
    fn format(&mut self, args: std::fmt::Arguments<'_>) -> &str {
        self.len = 0;
        let _ = std::fmt::Write::write_fmt(self, args);
        // Only whole `&str` pieces are ever copied in, so this cannot fail.
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or_default()
    }
}

impl KeyBuffer {
    /// `ip:` and the client's [`limit_prefix`] in hex (`ip:cb007109`, or 16 hex digits for
    /// an IPv6 /64): several times cheaper than the dotted form, and a key only has to be
    /// unique, not pretty.
    fn ip(&mut self, ip: std::net::IpAddr) -> &str {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let (v4, v6);
        let octets: &[u8] = match limit_prefix(ip) {
            std::net::IpAddr::V4(address) => {
                v4 = address.octets();
                &v4
            }
            std::net::IpAddr::V6(address) => {
                v6 = address.octets();
                &v6[..8]
            }
        };
        self.bytes[..3].copy_from_slice(b"ip:");
        self.len = 3;
        for byte in octets {
            self.bytes[self.len] = HEX[usize::from(byte >> 4)];
            self.bytes[self.len + 1] = HEX[usize::from(byte & 0xf)];
            self.len += 2;
        }
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or_default()
    }
}

impl std::fmt::Write for KeyBuffer {
    fn write_str(&mut self, piece: &str) -> std::fmt::Result {
        let end = self.len + piece.len();
        if end > self.bytes.len() {
            return Err(std::fmt::Error);
        }
        self.bytes[self.len..end].copy_from_slice(piece.as_bytes());
        self.len = end;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_formatted_without_allocating() {
        let mut key = KeyBuffer::new();
        assert_eq!(
            key.ip(std::net::Ipv4Addr::new(203, 0, 113, 9).into()),
            "ip:cb007109"
        );
        let mapped: std::net::IpAddr = "::ffff:203.0.113.9".parse().unwrap();
        assert_eq!(
            key.ip(mapped),
            "ip:cb007109",
            "IPv4-mapped IPv6 is the same client"
        );
        let v6: std::net::IpAddr = "2001:db8::1".parse().unwrap();
        assert_eq!(key.ip(v6), "ip:20010db800000000");
        let id = uuid::Uuid::now_v7();
        assert_eq!(key.format(format_args!("user:{id}")), format!("user:{id}"));
    }
}
