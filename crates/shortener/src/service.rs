//! [`Shortener`]: the state every handler and background task of this system shares.

use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use groundwork_platform::pubsub::Subscription;
use groundwork_platform::ratelimit::{Quota, RateLimiter};
use groundwork_platform::system::BoxError;
use groundwork_platform::{ApiError, Platform};
use sea_orm::{DatabaseConnection, DbErr};
use uuid::Uuid;

use crate::cache::{CachedLink, INVALIDATION_TOPIC, LinkCache, LinkRecord};
use crate::clicks::ClickRecorder;
use crate::links::repo;
use crate::settings::ShortenerSettings;
use crate::target::TargetPolicy;

/// How long an entry of a click-capped link is trusted: its count must be re-read often,
/// since other instances count clicks too.
const CAPPED_LINK_TTL: Duration = Duration::from_secs(1);

/// Shared state; see the module docs.
pub struct Shortener {
    /// The database.
    pub db: DatabaseConnection,
    /// The `[shortener]` section.
    pub settings: ShortenerSettings,
    /// What target URLs are checked against.
    pub policy: TargetPolicy,
    /// The redirect cache.
    pub cache: LinkCache,
    /// Click counting.
    pub clicks: ClickRecorder,
    limiter: Arc<dyn RateLimiter>,
    limits_enabled: bool,
    /// Whether `X-Forwarded-Proto` may be believed (behind our own proxy).
    pub trust_forwarded: bool,
    /// Taken by the invalidation listener; subscribed at once so no change is missed.
    subscription: Mutex<Option<Subscription>>,
}

impl Shortener {
    /// Reads the settings and connects the parts.
    pub fn new(platform: &Platform) -> Result<Self, BoxError> {
        let settings: ShortenerSettings = platform.config().section("shortener")?;
        settings.check()?;
        let subscription = platform.pubsub().subscribe(INVALIDATION_TOPIC);
        Ok(Self {
            db: platform.db().clone(),
            policy: TargetPolicy::new(&settings.blocked_hosts, settings.public_url.as_deref()),
            cache: LinkCache::new(
                settings.cache_capacity,
                Duration::from_secs(settings.cache_ttl_secs.max(1)),
                Duration::from_secs(settings.negative_cache_ttl_secs),
                platform.redis().cloned(),
                &platform.settings().redis.key_prefix,
                platform.pubsub().clone(),
            ),
            clicks: ClickRecorder::new(
                platform.db().clone(),
                Duration::from_millis(settings.flush_interval_ms),
                settings.flush_max_events,
            ),
            limiter: platform.rate_limiter().clone(),
            limits_enabled: platform.settings().rate_limit.enabled,
            trust_forwarded: platform.settings().server.trust_forwarded_for,
            subscription: Mutex::new(Some(subscription)),
            settings,
        })
    }

    /// The invalidation subscription, once (for the listener task).
    pub fn take_subscription(&self) -> Option<Subscription> {
        self.subscription
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }

    /// The link behind `code` for a redirect: in-process cache, then Redis, then the
    /// database (filling the caches on the way back).
    pub async fn resolve(&self, code: &str) -> Result<Option<Arc<CachedLink>>, DbErr> {
        match self.cache.local(code) {
            crate::cache::Cached::Found(link) => return Ok(Some(link)),
            crate::cache::Cached::Missing => return Ok(None),
            crate::cache::Cached::Unknown => {}
        }
        let epoch = self.cache.epoch();
        let record = match self.cache.shared(code).await {
            Some(record) => record,
            None => {
                let record = repo::find_by_code(&self.db, code)
                    .await?
                    .map(|row| LinkRecord::from(&row));
                self.cache.share_loaded(code, record.as_ref()).await;
                record
            }
        };
        let link = match record {
            None => None,
            Some(record) => {
                let (clicks, ttl) = if record.max_clicks.is_some() {
                    let stored = repo::access_count(&self.db, record.id).await?;
                    (
                        stored + self.clicks.pending_for(record.id),
                        CAPPED_LINK_TTL.min(self.cache.ttl),
                    )
                } else {
                    (0, self.cache.ttl)
                };
                CachedLink::new(record, clicks, ttl).map(Arc::new)
            }
        };
        self.cache.fill(code, link.clone(), epoch);
        Ok(link)
    }

    /// Counts one creation against the caller's quotas: per account when signed in, per
    /// address (stricter) when not, and per address in any case. Fails open (with a
    /// warning) if the limiter's store is down: creating links matters more than limits.
    pub async fn check_creation_quota(
        &self,
        user: Option<Uuid>,
        ip: IpAddr,
    ) -> Result<(), ApiError> {
        if !self.limits_enabled {
            return Ok(());
        }
        let minute = Duration::from_secs(60);
        let address = groundwork_platform::http::client_ip::limit_prefix(ip);
        let user_quota = Quota::per_window(self.settings.user_creates_per_minute, minute);
        let mut checks = vec![(format!("shortener:create:ip:{address}"), user_quota)];
        match user {
            Some(id) => checks.push((format!("shortener:create:user:{id}"), user_quota)),
            None => checks.push((
                format!("shortener:create:anon:{address}"),
                Quota::per_window(self.settings.anonymous_creates_per_minute, minute),
            )),
        }
        for (key, quota) in checks {
            groundwork_platform::ratelimit::enforce(self.limiter.as_ref(), &key, quota).await?;
        }
        Ok(())
    }
}
