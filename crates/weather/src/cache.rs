//! The report cache: in process (quick_cache) by default, Redis (`SET ... PX`) when
//! configured, so every instance shares one copy. An entry is fresh for `cache_ttl_secs`
//! and kept `stale_grace_secs` longer, to stand in when the provider fails. With Redis,
//! the same place holds the single-flight locks (see [`crate::service`]).
//!
//! An entry holds the whole body of a hit, already serialised and compressed at most once
//! per encoding: a hit copies no JSON and compresses nothing.
//!
//! With Redis, each instance also keeps the fresh entries it has read in a near cache in
//! its own memory. That is safe because an entry never changes while it is fresh: a report
//! is replaced only after it expires, and an expired entry is always looked up in Redis
//! again. So Redis is read once per key and instance per refresh, not once per request.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use groundwork_platform::http::precompressed::Precompressed;
use redis::aio::ConnectionManager;

/// A cached report.
pub struct Entry {
    /// The body of a cache hit: the cache's fields (`cached`, `stale`, `fetchedAt`,
    /// `expiresAt`), then the report's own.
    pub hit: Precompressed,
    /// Where the report's own fields start in `hit`.
    report_fields_at: usize,
    /// When the provider answered.
    pub fetched_at: DateTime<Utc>,
    /// When it stops being fresh.
    pub expires_at: DateTime<Utc>,
    /// Until when it may stand in for a failed refresh.
    pub usable_until: DateTime<Utc>,
}

impl Entry {
    /// A report (a serialised JSON object) fetched now.
    pub fn new(report: &[u8], ttl: Duration, grace: Duration) -> Self {
        let fetched_at = Utc::now();
        let expires_at = fetched_at + TimeDelta::from_std(ttl).unwrap_or(TimeDelta::MAX);
        let usable_until = expires_at + TimeDelta::from_std(grace).unwrap_or(TimeDelta::zero());
        Self::assemble(report, fetched_at, expires_at, usable_until)
    }

    fn assemble(
        report: &[u8],
        fetched_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
        usable_until: DateTime<Utc>,
    ) -> Self {
        let fields = report.strip_prefix(b"{").unwrap_or(report);
        let mut hit = cache_fields(true, false, fetched_at, expires_at).into_bytes();
        let report_fields_at = hit.len();
        hit.extend_from_slice(fields);
        Self {
            hit: Precompressed::new(hit),
            report_fields_at,
            fetched_at,
            expires_at,
            usable_until,
        }
    }

    /// Whether it may be served as it is.
    pub fn is_fresh(&self, now: DateTime<Utc>) -> bool {
        now < self.expires_at
    }

    /// The body with other values of `cached` and `stale` than a hit's (a miss, or a
    /// stale report); built per response, as these are rare.
    pub fn body(&self, cached: bool, stale: bool) -> Vec<u8> {
        let fields = &self.hit.identity()[self.report_fields_at..];
        let mut body = cache_fields(cached, stale, self.fetched_at, self.expires_at).into_bytes();
        body.extend_from_slice(fields);
        body
    }

    /// Memory it takes, roughly: the body, and room for its compressed forms.
    fn weight(&self) -> u64 {
        let body = self.hit.identity().len() as u64;
        body + body / 2
    }

    /// Redis form: `fetched expires usable` (milliseconds since the epoch), a newline, the
    /// report.
    fn encode(&self) -> Vec<u8> {
        let mut out = format!(
            "{} {} {}\n{{",
            self.fetched_at.timestamp_millis(),
            self.expires_at.timestamp_millis(),
            self.usable_until.timestamp_millis()
        )
        .into_bytes();
        out.extend_from_slice(&self.hit.identity()[self.report_fields_at..]);
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
        let report = &raw[newline + 1..];
        report
            .starts_with(b"{")
            .then(|| Self::assemble(report, fetched_at, expires_at, usable_until))
    }
}

/// The cache's fields, opening the JSON object the report's fields complete.
fn cache_fields(
    cached: bool,
    stale: bool,
    fetched: DateTime<Utc>,
    expires: DateTime<Utc>,
) -> String {
    let stamp = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
    format!(
        "{{\"cached\":{cached},\"stale\":{stale},\"fetchedAt\":\"{}\",\"expiresAt\":\"{}\",",
        stamp(fetched),
        stamp(expires)
    )
}

/// Weighs entries by their bytes.
#[derive(Clone)]
pub struct ByBytes;

impl quick_cache::Weighter<String, Arc<Entry>> for ByBytes {
    fn weight(&self, key: &String, entry: &Arc<Entry>) -> u64 {
        key.len() as u64 + entry.weight()
    }
}

/// Reports in memory, bounded by bytes.
pub type MemoryCache = quick_cache::sync::Cache<String, Arc<Entry>, ByBytes>;

/// A report's size, roughly, for sizing the cache's table (7 days, 48 hours).
const TYPICAL_ENTRY_BYTES: u64 = 15_000;

fn memory_cache(bytes: u64) -> MemoryCache {
    let items = usize::try_from(bytes / TYPICAL_ENTRY_BYTES)
        .unwrap_or(usize::MAX)
        .max(16);
    quick_cache::sync::Cache::with_weighter(items, bytes, ByBytes)
}

/// Where reports are kept.
pub enum Store {
    /// This process only.
    Memory(MemoryCache),
    /// Shared by every instance.
    Redis {
        /// The shared connection.
        redis: ConnectionManager,
        /// Key prefix (the platform's, then `weather:`).
        prefix: String,
        /// Fresh entries this instance has read or written.
        near: MemoryCache,
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
    /// Redis if there is one, else an in-process cache; `memory_bytes` bounds the memory
    /// used in this process (the whole cache, or the near cache in front of Redis).
    pub fn new(redis: Option<ConnectionManager>, key_prefix: &str, memory_bytes: u64) -> Self {
        let memory = memory_cache(memory_bytes);
        match redis {
            Some(redis) => Self::Redis {
                redis,
                prefix: format!("{key_prefix}weather:"),
                near: memory,
            },
            None => Self::Memory(memory),
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
            Self::Redis {
                redis,
                prefix,
                near,
            } => {
                if let Some(entry) = near.get(key).filter(|e| e.is_fresh(now)) {
                    return Some(entry);
                }
                let raw: Option<Vec<u8>> = redis::cmd("GET")
                    .arg(format!("{prefix}report:{key}"))
                    .query_async(&mut redis.clone())
                    .await
                    .inspect_err(|error| tracing::warn!(%error, "Redis weather cache read failed"))
                    .ok()?;
                let entry = Arc::new(Entry::decode(&raw?)?);
                if entry.is_fresh(now) {
                    near.insert(key.to_owned(), entry.clone());
                }
                entry
            }
        };
        (now < entry.usable_until).then_some(entry)
    }

    /// Keeps `entry` until its grace ends.
    pub async fn put(&self, key: &str, entry: Arc<Entry>) {
        match self {
            Self::Memory(cache) => cache.insert(key.to_owned(), entry),
            Self::Redis {
                redis,
                prefix,
                near,
            } => {
                near.insert(key.to_owned(), entry.clone());
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
        let Self::Redis { redis, prefix, .. } = self else {
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
        let Self::Redis { redis, prefix, .. } = self else {
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
            b"{\"a\":1}",
            Duration::from_secs(60),
            Duration::from_secs(30),
        );
        let back = Entry::decode(&entry.encode()).unwrap();
        assert_eq!(back.hit.identity(), entry.hit.identity());
        let miss: serde_json::Value = serde_json::from_slice(&back.body(false, false)).unwrap();
        assert_eq!(miss["cached"], false);
        assert_eq!(miss["a"], 1);
        let hit: serde_json::Value = serde_json::from_slice(back.hit.identity()).unwrap();
        assert_eq!(hit["cached"], true);
        assert_eq!(hit["stale"], false);
        assert_eq!(hit["expiresAt"], miss["expiresAt"]);
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
