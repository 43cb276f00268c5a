//! The report cache: in process (quick_cache) by default, Redis (`SET ... PX`) when
//! configured, so every instance shares one copy. An entry is fresh for `cache_ttl_secs`
//! and kept `stale_grace_secs` longer, to stand in when the provider fails. With Redis,
//! the same place holds the single-flight locks (see [`crate::service`]).
//!
//! An entry holds the report already serialised: a hit copies bytes, it does not build
//! JSON.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use redis::aio::ConnectionManager;

/// A cached report.
pub struct Entry {
    /// The report's JSON object.
    pub body: Vec<u8>,
    /// When the provider answered.
    pub fetched_at: DateTime<Utc>,
    /// When it stops being fresh.
    pub expires_at: DateTime<Utc>,
    /// Until when it may stand in for a failed refresh.
    pub usable_until: DateTime<Utc>,
}

impl Entry {
    /// A report fetched now.
    pub fn new(body: Vec<u8>, ttl: Duration, grace: Duration) -> Self {
        let fetched_at = Utc::now();
        let expires_at = fetched_at + TimeDelta::from_std(ttl).unwrap_or(TimeDelta::MAX);
        let usable_until = expires_at + TimeDelta::from_std(grace).unwrap_or(TimeDelta::zero());
        Self {
            body,
            fetched_at,
            expires_at,
            usable_until,
        }
    }

    /// Whether it may be served as it is.
    pub fn is_fresh(&self, now: DateTime<Utc>) -> bool {
        now < self.expires_at
    }

    /// Redis form: `fetched expires usable` (milliseconds since the epoch), a newline, the
    /// report.
    fn encode(&self) -> Vec<u8> {
        let mut out = format!(
            "{} {} {}\n",
            self.fetched_at.timestamp_millis(),
            self.expires_at.timestamp_millis(),
            self.usable_until.timestamp_millis()
        )
        .into_bytes();
        out.extend_from_slice(&self.body);
        out
    }

    fn decode(raw: &[u8]) -> Option<Self> {
        let newline = raw.iter().position(|b| *b == b'\n')?;
        let header = std::str::from_utf8(&raw[..newline]).ok()?;
        let mut times = header
            .split(' ')
            .map(|t| t.parse().ok().and_then(DateTime::from_timestamp_millis));
        let (Some(Some(fetched_at)), Some(Some(expires_at)), Some(Some(usable_until))) =
            (times.next(), times.next(), times.next())
        else {
            return None;
        };
        Some(Self {
            body: raw[newline + 1..].to_vec(),
            fetched_at,
            expires_at,
            usable_until,
        })
    }
}

/// Where reports are kept.
pub enum Store {
    /// This process only.
    Memory(quick_cache::sync::Cache<String, Arc<Entry>>),
    /// Shared by every instance.
    Redis {
        /// The shared connection.
        redis: ConnectionManager,
        /// Key prefix (the platform's, then `weather:`).
        prefix: String,
    },
}

/// The outcome of asking for a key's refresh lock.
pub enum Lock {
    /// Ours, with the token that releases it.
    Held(String),
    /// Another instance holds it.
    Busy,
    /// No Redis, or Redis failed: go ahead without a lock.
    None,
}

impl Store {
    /// Redis if there is one, else an in-process cache of `capacity` reports.
    pub fn new(redis: Option<ConnectionManager>, key_prefix: &str, capacity: usize) -> Self {
        match redis {
            Some(redis) => Self::Redis {
                redis,
                prefix: format!("{key_prefix}weather:"),
            },
            None => Self::Memory(quick_cache::sync::Cache::new(capacity)),
        }
    }

    /// `memory` or `redis`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Memory(_) => "memory",
            Self::Redis { .. } => "redis",
        }
    }

    /// The entry of `key` that is still usable (fresh or within its grace), if any. A
    /// Redis failure is a miss: the provider can still answer.
    pub async fn get(&self, key: &str) -> Option<Arc<Entry>> {
        let now = Utc::now();
        let entry = match self {
            Self::Memory(cache) => cache.get(key)?,
            Self::Redis { redis, prefix } => {
                let raw: Option<Vec<u8>> = redis::cmd("GET")
                    .arg(format!("{prefix}report:{key}"))
                    .query_async(&mut redis.clone())
                    .await
                    .inspect_err(|error| tracing::warn!(%error, "Redis weather cache read failed"))
                    .ok()?;
                Arc::new(Entry::decode(&raw?)?)
            }
        };
        (now < entry.usable_until).then_some(entry)
    }

    /// Keeps `entry` until its grace ends.
    pub async fn put(&self, key: &str, entry: Arc<Entry>) {
        match self {
            Self::Memory(cache) => cache.insert(key.to_owned(), entry),
            Self::Redis { redis, prefix } => {
                let keep = (entry.usable_until - Utc::now()).num_milliseconds().max(1);
                let result: Result<(), _> = redis::cmd("SET")
                    .arg(format!("{prefix}report:{key}"))
                    .arg(entry.encode())
                    .arg("PX")
                    .arg(keep)
                    .query_async(&mut redis.clone())
                    .await;
                if let Err(error) = result {
                    tracing::warn!(%error, "Redis weather cache write failed");
                }
            }
        }
    }

    /// Asks for the refresh lock of `key` for `ttl` (`SET NX PX`).
    pub async fn lock(&self, key: &str, ttl: Duration) -> Lock {
        let Self::Redis { redis, prefix } = self else {
            return Lock::None;
        };
        let token = format!("{:x}", rand_token());
        let result: Result<Option<String>, _> = redis::cmd("SET")
            .arg(format!("{prefix}lock:{key}"))
            .arg(&token)
            .arg("NX")
            .arg("PX")
            .arg(u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1))
            .query_async(&mut redis.clone())
            .await;
        match result {
            Ok(Some(_)) => Lock::Held(token),
            Ok(None) => Lock::Busy,
            Err(error) => {
                tracing::warn!(%error, "Redis weather lock failed; refreshing without it");
                Lock::None
            }
        }
    }

    /// Releases a lock if it is still ours (it may have expired and been taken).
    pub async fn unlock(&self, key: &str, token: &str) {
        let Self::Redis { redis, prefix } = self else {
            return;
        };
        let script = redis::Script::new(
            "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end",
        );
        let result: Result<i64, _> = script
            .key(format!("{prefix}lock:{key}"))
            .arg(token)
            .invoke_async(&mut redis.clone())
            .await;
        if let Err(error) = result {
            tracing::warn!(%error, "Redis weather unlock failed; the lock will expire");
        }
    }
}

/// 64 random bits for a lock token (0 if the OS has no randomness: tokens then only
/// guard against releasing someone else's lock less well).
fn rand_token() -> u64 {
    getrandom::u64().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_survives_its_redis_form() {
        let entry = Entry::new(
            b"{\"a\":1}".to_vec(),
            Duration::from_secs(60),
            Duration::from_secs(30),
        );
        let back = Entry::decode(&entry.encode()).unwrap();
        assert_eq!(back.body, entry.body);
        assert_eq!(
            back.fetched_at.timestamp_millis(),
            entry.fetched_at.timestamp_millis()
        );
        assert_eq!(back.expires_at - back.fetched_at, TimeDelta::seconds(60));
        assert_eq!(back.usable_until - back.expires_at, TimeDelta::seconds(30));
        assert!(back.is_fresh(Utc::now()));
        assert!(Entry::decode(b"garbage").is_none());
        assert!(Entry::decode(b"1 2\n{}").is_none());
    }
}
