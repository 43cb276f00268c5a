//! Limits checked around sessions: connections per server and per client address, the
//! page origins allowed to connect, and the message rate of one connection.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};

use axum::http::{self as http, HeaderMap};
use tokio::time::Instant;

use crate::ApiError;

/// Caps on open connections, in all and per client address. Cheap to clone (shared).
#[derive(Clone)]
pub struct ConnectionLimits {
    inner: Arc<LimitsInner>,
}

struct LimitsInner {
    max_total: usize,
    max_per_ip: usize,
    open: Mutex<OpenConnections>,
}

#[derive(Default)]
struct OpenConnections {
    total: usize,
    per_ip: HashMap<IpAddr, usize>,
}

/// Why a connection was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LimitExceeded {
    /// The server holds its maximum of connections.
    #[error("the server is at its connection limit")]
    Total,
    /// This address holds its maximum of connections.
    #[error("too many connections from this address")]
    PerIp,
}

/// One open connection, counted until dropped.
pub struct ConnectionPermit {
    limits: Arc<LimitsInner>,
    ip: IpAddr,
}

impl ConnectionLimits {
    /// At most `max_total` connections, `max_per_ip` of them from one address.
    pub fn new(max_total: usize, max_per_ip: usize) -> Self {
        Self {
            inner: Arc::new(LimitsInner {
                max_total,
                max_per_ip,
                open: Mutex::new(OpenConnections::default()),
            }),
        }
    }

    /// Counts a connection from `ip`, or says which limit it would break.
    pub fn try_acquire(&self, ip: IpAddr) -> Result<ConnectionPermit, LimitExceeded> {
        let mut open = self
            .inner
            .open
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if open.total >= self.inner.max_total {
            return Err(LimitExceeded::Total);
        }
        let from_ip = open.per_ip.entry(ip).or_insert(0);
        if *from_ip >= self.inner.max_per_ip {
            return Err(LimitExceeded::PerIp);
        }
        *from_ip += 1;
        open.total += 1;
        Ok(ConnectionPermit {
            limits: self.inner.clone(),
            ip,
        })
    }

    /// Connections open now.
    pub fn open(&self) -> usize {
        self.inner
            .open
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .total
    }
}

impl Drop for ConnectionPermit {
    fn drop(&mut self) {
        let mut open = self
            .limits
            .open
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        open.total = open.total.saturating_sub(1);
        if let Some(count) = open.per_ip.get_mut(&self.ip) {
            *count -= 1;
            if *count == 0 {
                open.per_ip.remove(&self.ip);
            }
        }
    }
}

/// The checks made before a WebSocket upgrade: the page's origin, then the connection
/// caps. Cheap to clone.
#[derive(Clone)]
pub struct Admission {
    /// Connection caps.
    pub limits: ConnectionLimits,
    /// Allowed page origins.
    pub origins: OriginPolicy,
}

impl Admission {
    /// A permit for one more connection from `ip`, or the error to answer instead of
    /// upgrading: 403 for a foreign origin, 503 at the server's cap, 429 at the address's.
    pub fn admit(&self, headers: &HeaderMap, ip: IpAddr) -> Result<ConnectionPermit, ApiError> {
        if !self.origins.allows(headers) {
            return Err(ApiError::forbidden("this origin may not connect"));
        }
        self.limits
            .try_acquire(crate::http::client_ip::limit_prefix(ip))
            .map_err(|exceeded| match exceeded {
                LimitExceeded::Total => ApiError::unavailable(exceeded.to_string(), 5),
                LimitExceeded::PerIp => ApiError::too_many_requests(5),
            })
    }
}

/// Which web pages may open a connection. Browsers send `Origin` on every WebSocket
/// handshake and let any page connect anywhere, so a server that keys anything on cookies
/// or the client's address must check it. Clients that are not browsers send no `Origin`
/// and are let through: the check protects browser users, it does not authenticate.
#[derive(Clone, Debug, Default)]
pub enum OriginPolicy {
    /// Every origin.
    #[default]
    Any,
    /// Only these origins (`https://example.com`, compared without case).
    Only(Vec<String>),
}

impl OriginPolicy {
    /// An allow-list; empty means any origin.
    pub fn from_list(origins: &[String]) -> Self {
        if origins.is_empty() {
            Self::Any
        } else {
            Self::Only(
                origins
                    .iter()
                    .map(|o| o.trim_end_matches('/').to_ascii_lowercase())
                    .collect(),
            )
        }
    }

    /// Whether a handshake with these headers is allowed.
    pub fn allows(&self, headers: &HeaderMap) -> bool {
        let Self::Only(allowed) = self else {
            return true;
        };
        match headers.get(http::header::ORIGIN) {
            None => true,
            Some(origin) => origin.to_str().is_ok_and(|origin| {
                allowed
                    .iter()
                    .any(|allowed| allowed.eq_ignore_ascii_case(origin))
            }),
        }
    }
}

/// A token bucket for one connection's messages: `per_second` sustained, `burst` at once.
pub struct MessageRate {
    per_second: f64,
    burst: f64,
    tokens: f64,
    updated: Instant,
}

impl MessageRate {
    /// A full bucket.
    pub fn new(per_second: u32, burst: u32) -> Self {
        let burst = f64::from(burst.max(1));
        Self {
            per_second: f64::from(per_second),
            burst,
            tokens: burst,
            updated: Instant::now(),
        }
    }

    /// Takes one token if there is one.
    pub fn allow(&mut self) -> bool {
        let now = Instant::now();
        let refill = now.duration_since(self.updated).as_secs_f64() * self.per_second;
        self.tokens = (self.tokens + refill).min(self.burst);
        self.updated = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connections_are_capped_in_all_and_per_address() {
        let limits = ConnectionLimits::new(3, 2);
        let a: IpAddr = [10, 0, 0, 1].into();
        let b: IpAddr = [10, 0, 0, 2].into();
        let first = limits.try_acquire(a).unwrap();
        let _second = limits.try_acquire(a).unwrap();
        assert_eq!(limits.try_acquire(a).err(), Some(LimitExceeded::PerIp));
        let _third = limits.try_acquire(b).unwrap();
        assert_eq!(limits.try_acquire(b).err(), Some(LimitExceeded::Total));
        drop(first);
        assert_eq!(limits.open(), 2);
        assert!(limits.try_acquire(a).is_ok());
    }

    #[test]
    fn origins_off_the_list_are_refused_and_missing_ones_allowed() {
        let policy = OriginPolicy::from_list(&["https://Example.com/".to_owned()]);
        let mut headers = HeaderMap::new();
        assert!(policy.allows(&headers));
        headers.insert(http::header::ORIGIN, "https://example.com".parse().unwrap());
        assert!(policy.allows(&headers));
        headers.insert(
            http::header::ORIGIN,
            "https://evil.example".parse().unwrap(),
        );
        assert!(!policy.allows(&headers));
        assert!(OriginPolicy::from_list(&[]).allows(&headers));
    }

    #[tokio::test(start_paused = true)]
    async fn the_message_rate_allows_a_burst_then_the_sustained_rate() {
        let mut rate = MessageRate::new(10, 3);
        assert!(rate.allow() && rate.allow() && rate.allow());
        assert!(!rate.allow());
        tokio::time::advance(std::time::Duration::from_millis(100)).await;
        assert!(rate.allow());
        assert!(!rate.allow());
    }
}
