//! The redirect cache: an in-process map from code to link (every instance), in front of
//! Redis (when configured, shared by all instances), in front of the database.
//!
//! Invalidation: a change is committed to the database first; then the writer overwrites
//! the Redis entry (a tombstone for a deletion), drops its own in-process entry and
//! publishes the code on the pub/sub, and every instance drops its entry. Two races are
//! closed on purpose:
//! - a reader that loaded the old value before the change must not put it back in the
//!   in-process cache after the invalidation: every invalidation bumps an epoch, and a
//!   load only fills the cache if the epoch has not moved since it began;
//! - a reader must not put an old value back into Redis: readers write with `SET NX`
//!   (only if absent), writers with a plain `SET`, and deletions leave a tombstone.
//!
//! If the pub/sub connection drops, every instance clears its whole in-process cache
//! (the pub/sub reports the gap). Entries also expire after `cache_ttl_secs`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::http::{HeaderValue, StatusCode};
use chrono::{DateTime, Utc};
use groundwork_platform::pubsub::{Event, PubSub, Subscription};
use redis::aio::ConnectionManager;
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use crate::entities::links;

/// The pub/sub topic carrying codes whose cache entries are stale.
pub const INVALIDATION_TOPIC: &str = "shortener.links";

/// What a redirect needs to know about a link (serialised as such into Redis).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkRecord {
    /// Row id.
    pub id: i64,
    /// Target.
    pub url: String,
    /// 301 or 302.
    pub status: u16,
    /// Expiry.
    pub expires_at: Option<DateTime<Utc>>,
    /// Click cap.
    pub max_clicks: Option<i64>,
    /// Enabled.
    pub enabled: bool,
}

impl From<&links::Model> for LinkRecord {
    fn from(row: &links::Model) -> Self {
        Self {
            id: row.id,
            url: row.url.clone(),
            status: u16::try_from(row.redirect_status).unwrap_or(302),
            expires_at: row.expires_at,
            max_clicks: row.max_clicks,
            enabled: row.enabled,
        }
    }
}

/// A cached, ready-to-serve link.
pub struct CachedLink {
    /// The record.
    pub record: LinkRecord,
    /// `Location`, built once.
    pub location: HeaderValue,
    /// The redirect status.
    pub status: StatusCode,
    /// For capped links: clicks counted when this entry was loaded.
    pub clicks_at_load: i64,
    /// Clicks served from this entry (this instance).
    pub served: AtomicU64,
    fresh_until: Instant,
}

impl CachedLink {
    /// Builds the entry; `None` if the stored URL cannot be a header (it always can: it was
    /// checked when stored).
    pub fn new(record: LinkRecord, clicks_at_load: i64, ttl: Duration) -> Option<Self> {
        Some(Self {
            location: HeaderValue::from_str(&record.url).ok()?,
            status: StatusCode::from_u16(record.status)
                .ok()
                .filter(StatusCode::is_redirection)
                .unwrap_or(StatusCode::FOUND),
            record,
            clicks_at_load,
            served: AtomicU64::new(0),
            fresh_until: Instant::now() + ttl,
        })
    }
}

#[derive(Clone)]
enum Entry {
    Found(Arc<CachedLink>),
    Missing { until: Instant },
}

/// What the in-process cache knows about a code.
pub enum Cached {
    /// A fresh entry.
    Found(Arc<CachedLink>),
    /// Known not to exist (recently).
    Missing,
    /// Not cached.
    Unknown,
}

/// The cache; see the module docs.
pub struct LinkCache {
    local: quick_cache::sync::Cache<String, Entry>,
    epoch: AtomicU64,
    redis: Option<ConnectionManager>,
    key_prefix: String,
    pubsub: Arc<dyn PubSub>,
    /// How long entries live (in-process and in Redis).
    pub ttl: Duration,
    negative_ttl: Duration,
}

const TOMBSTONE: &str = "-";

impl LinkCache {
    /// A cache of `capacity` links per instance.
    pub fn new(
        capacity: usize,
        ttl: Duration,
        negative_ttl: Duration,
        redis: Option<ConnectionManager>,
        key_prefix: &str,
        pubsub: Arc<dyn PubSub>,
    ) -> Self {
        Self {
            local: quick_cache::sync::Cache::new(capacity.max(1)),
            epoch: AtomicU64::new(0),
            redis,
            key_prefix: format!("{key_prefix}sh:link:"),
            pubsub,
            ttl,
            negative_ttl,
        }
    }

    /// The in-process entry for `code`.
    pub fn local(&self, code: &str) -> Cached {
        let now = Instant::now();
        match self.local.get(code) {
            Some(Entry::Found(link)) if link.fresh_until > now => Cached::Found(link),
            Some(Entry::Missing { until }) if until > now => Cached::Missing,
            _ => Cached::Unknown,
        }
    }

    /// The current epoch; pass it back to [`Self::fill`].
    pub fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }

    /// Stores what a load found, unless an invalidation happened since `epoch`.
    pub fn fill(&self, code: &str, link: Option<Arc<CachedLink>>, epoch: u64) {
        let entry = match link {
            Some(link) => Entry::Found(link),
            None => Entry::Missing {
                until: Instant::now() + self.negative_ttl,
            },
        };
        if self.epoch() == epoch {
            self.local.insert(code.to_owned(), entry);
            // An invalidation may have slipped in between the check and the insert.
            if self.epoch() != epoch {
                self.local.remove(code);
            }
        }
    }

    /// The shared (Redis) entry: `Some(None)` is a tombstone, `None` a miss or no Redis.
    pub async fn shared(&self, code: &str) -> Option<Option<LinkRecord>> {
        let mut redis = self.redis.clone()?;
        let value: Option<String> = redis::cmd("GET")
            .arg(format!("{}{code}", self.key_prefix))
            .query_async(&mut redis)
            .await
            .inspect_err(|error| tracing::warn!(%error, "Redis link cache read failed"))
            .ok()?;
        let value = value?;
        if value == TOMBSTONE {
            return Some(None);
        }
        serde_json::from_str(&value).ok().map(Some)
    }

    /// Puts what a reader loaded from the database into Redis, only if nothing is there
    /// (a writer's newer value or tombstone wins).
    pub async fn share_loaded(&self, code: &str, record: Option<&LinkRecord>) {
        self.set_shared(code, record, true).await;
    }

    async fn set_shared(&self, code: &str, record: Option<&LinkRecord>, only_if_absent: bool) {
        let Some(mut redis) = self.redis.clone() else {
            return;
        };
        let value = match record {
            Some(record) => serde_json::to_string(record).unwrap_or_else(|_| TOMBSTONE.into()),
            None => TOMBSTONE.into(),
        };
        let ttl = if record.is_some() {
            self.ttl
        } else {
            self.negative_ttl.max(self.ttl)
        };
        let mut command = redis::cmd("SET");
        command
            .arg(format!("{}{code}", self.key_prefix))
            .arg(value)
            .arg("EX")
            .arg(ttl.as_secs().max(1));
        if only_if_absent {
            command.arg("NX");
        }
        if let Err(error) = command.query_async::<Option<String>>(&mut redis).await {
            tracing::warn!(%error, "Redis link cache write failed");
        }
    }

    /// After a committed change of `code` (`record` is the new state, `None` if deleted):
    /// updates Redis, drops the local entry and tells every instance.
    pub async fn changed(&self, code: &str, record: Option<&LinkRecord>) {
        self.set_shared(code, record, false).await;
        self.forget(code);
        if let Err(error) = self
            .pubsub
            .publish(INVALIDATION_TOPIC, code.as_bytes())
            .await
        {
            tracing::warn!(%error, code, "publishing a link invalidation failed; other instances will see the change within cache_ttl_secs");
        }
    }

    fn forget(&self, code: &str) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
        self.local.remove(code);
    }

    fn forget_all(&self) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
        self.local.clear();
    }

    /// Applies invalidations from every instance until shutdown.
    pub async fn listen(&self, mut subscription: Subscription, shutdown: CancellationToken) {
        loop {
            let event = tokio::select! {
                () = shutdown.cancelled() => return,
                event = subscription.next() => event,
            };
            match event {
                Some(Event::Message(code)) => match std::str::from_utf8(&code) {
                    Ok(code) => self.forget(code),
                    Err(_) => self.forget_all(),
                },
                Some(Event::Gap) => self.forget_all(),
                None => return,
            }
        }
    }
}
