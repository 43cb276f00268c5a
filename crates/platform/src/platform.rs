//! [`Platform`]: the shared handles every system gets (database, auth, limiter, Redis,
//! metrics, shutdown signal). Cheap to clone; holds no per-request state, so any number
//! of instances can run behind a load balancer.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use redis::aio::ConnectionManager;
use sea_orm::DatabaseConnection;
use tokio_util::sync::CancellationToken;

use crate::auth::password::PasswordHasher;
use crate::auth::role::Roles;
use crate::auth::service::AuthService;
use crate::auth::tokens::{self, AccessTokens};
use crate::config::PubSubBackend;
use crate::config::{Config, Settings};
use crate::db::{self, DbSetupError, MigrationReport, SystemMigrations};
use crate::pubsub::{InProcessPubSub, NatsPubSub, PubSub, RedisPubSub};
use crate::ratelimit::{InMemoryRateLimiter, RateLimiter, RedisRateLimiter};
use crate::storage::BlobStore;
use crate::system::System;

/// Why the platform could not start.
#[derive(Debug, thiserror::Error)]
pub enum PlatformError {
    /// Database connection failed.
    #[error(transparent)]
    Database(#[from] DbSetupError),
    /// Redis is configured but unreachable.
    #[error("cannot connect to Redis at {target}: {message}")]
    Redis {
        /// The URL, password removed.
        target: String,
        /// What went wrong.
        message: String,
    },
    /// NATS is configured but unreachable.
    #[error("cannot connect to NATS at {target}: {message}")]
    Nats {
        /// The URL, password removed.
        target: String,
        /// What went wrong.
        message: String,
    },
    /// The JWT key could not be read or created.
    #[error("cannot load the JWT signing key: {0}")]
    SigningKey(std::io::Error),
    /// Invalid Argon2 parameters.
    #[error("invalid argon2 settings: {0}")]
    Argon2(String),
    /// Blob storage is misconfigured.
    #[error(transparent)]
    Storage(#[from] crate::storage::StorageError),
    /// A migration failed.
    #[error("migration failed: {0}")]
    Migration(sea_orm::DbErr),
}

/// Shared handles; see the module docs.
#[derive(Clone)]
pub struct Platform {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    db: DatabaseConnection,
    auth: AuthService,
    limiter: Arc<dyn RateLimiter>,
    redis: Option<ConnectionManager>,
    pubsub: Arc<dyn PubSub>,
    blobs: BlobStore,
    metrics: PrometheusHandle,
    queries: Arc<AtomicU64>,
    shutdown: CancellationToken,
}

impl Platform {
    /// Connects everything the configuration names. `systems` contribute their roles.
    pub async fn new(config: Config, systems: &[Arc<dyn System>]) -> Result<Self, PlatformError> {
        let settings = &config.settings;
        let metrics = metrics_handle();
        let mut db = db::connect(settings).await?;
        let queries = Arc::new(AtomicU64::new(0));
        count_queries(&mut db, queries.clone());
        let shutdown = CancellationToken::new();
        let (redis, pubsub) = connect_redis(settings, &shutdown).await?;
        let limiter: Arc<dyn RateLimiter> = match &redis {
            Some(connection) => Arc::new(RedisRateLimiter::new(
                connection.clone(),
                format!("{}rl:", settings.redis.key_prefix),
            )),
            None => Arc::new(InMemoryRateLimiter::new()),
        };
        let blobs = BlobStore::from_settings(&settings.storage, &settings.data_dir)?;
        let secret = tokens::load_or_create_secret(&settings.auth, &settings.data_dir)
            .map_err(PlatformError::SigningKey)?;
        if settings.auth.jwt_secret.is_none()
            && db.get_database_backend() != sea_orm::DbBackend::Sqlite
        {
            tracing::warn!(
                "auth.jwt_secret is not set: this instance signs tokens with a key generated into its own \
                 data directory; set GROUNDWORK__AUTH__JWT_SECRET so that all instances accept each other's tokens"
            );
        }
        let tokens = Arc::new(AccessTokens::new(&secret, &settings.auth));
        let hasher = PasswordHasher::new(&settings.auth)
            .map_err(|e| PlatformError::Argon2(e.to_string()))?;
        let roles = Roles::with(systems.iter().flat_map(|s| s.roles().iter().copied()));
        let auth = AuthService::new(
            db.clone(),
            hasher,
            tokens,
            limiter.clone(),
            settings.rate_limit.clone(),
            roles,
            Duration::from_secs(settings.auth.refresh_token_ttl_secs),
        );
        Ok(Self {
            inner: Arc::new(Inner {
                config,
                db,
                auth,
                limiter,
                redis,
                pubsub,
                blobs,
                metrics,
                queries,
                shutdown,
            }),
        })
    }

    /// The whole configuration (systems read their sections from it).
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The platform's settings.
    pub fn settings(&self) -> &Settings {
        &self.inner.config.settings
    }

    /// The database pool.
    pub fn db(&self) -> &DatabaseConnection {
        &self.inner.db
    }

    /// Accounts and sessions.
    pub fn auth(&self) -> &AuthService {
        &self.inner.auth
    }

    /// The rate limiter (in-process, or Redis when configured).
    pub fn rate_limiter(&self) -> &Arc<dyn RateLimiter> {
        &self.inner.limiter
    }

    /// The Redis connection, when configured.
    pub fn redis(&self) -> Option<&ConnectionManager> {
        self.inner.redis.as_ref()
    }

    /// Fan-out to every instance (in-process, or Redis or NATS when configured).
    pub fn pubsub(&self) -> &Arc<dyn PubSub> {
        &self.inner.pubsub
    }

    /// Blob storage (a directory under the data directory, or S3 when configured).
    pub fn blobs(&self) -> &BlobStore {
        &self.inner.blobs
    }

    /// The Prometheus registry's handle.
    pub fn metrics(&self) -> &PrometheusHandle {
        &self.inner.metrics
    }

    /// How many SQL statements this platform's pool has executed so far. Tests use it
    /// to prove that a list endpoint runs a constant number of queries (no N+1).
    pub fn queries_executed(&self) -> u64 {
        self.inner.queries.load(Ordering::Relaxed)
    }

    /// Cancelled when the process starts shutting down.
    pub fn shutdown_token(&self) -> &CancellationToken {
        &self.inner.shutdown
    }

    /// Applies pending migrations of the platform (auth) and the given systems.
    pub async fn migrate(
        &self,
        systems: &[Arc<dyn System>],
    ) -> Result<MigrationReport, PlatformError> {
        db::migrate::run(&self.inner.db, &migration_sets(systems))
            .await
            .map_err(PlatformError::Migration)
    }

    /// Pending migrations, as `system/name`, without applying them.
    pub async fn pending_migrations(
        &self,
        systems: &[Arc<dyn System>],
    ) -> Result<Vec<String>, PlatformError> {
        let pending = db::migrate::pending(&self.inner.db, &migration_sets(systems))
            .await
            .map_err(PlatformError::Migration)?;
        Ok(pending
            .into_iter()
            .map(|(system, name)| format!("{system}/{name}"))
            .collect())
    }

    /// Closes the pool (after the server and workers have stopped).
    pub async fn close(&self) {
        if let Err(error) = self.inner.db.close_by_ref().await {
            tracing::warn!(%error, "closing the database pool failed");
        }
    }
}

/// The auth tables first (every system's users live there), then each system's.
fn migration_sets(systems: &[Arc<dyn System>]) -> Vec<SystemMigrations> {
    let mut sets = vec![
        SystemMigrations {
            system: "auth",
            migrations: crate::auth::migrations::all(),
        },
        // The job queue is the platform's: every system may enqueue.
        SystemMigrations {
            system: "platform_jobs",
            migrations: crate::jobs::migrations::all(),
        },
    ];
    for system in systems {
        if system.name() != "auth" {
            sets.push(SystemMigrations {
                system: system.name(),
                migrations: system.migrations(),
            });
        }
    }
    sets
}

type RedisHandles = (Option<ConnectionManager>, Arc<dyn PubSub>);

/// The Redis connection, if configured, and the pub/sub `pubsub.backend` names.
async fn connect_redis(
    settings: &Settings,
    shutdown: &CancellationToken,
) -> Result<RedisHandles, PlatformError> {
    let backend = settings.pubsub.resolved_backend(&settings.redis);
    let nats = match (&settings.pubsub.nats_url, backend) {
        (Some(url), PubSubBackend::Nats) => {
            Some(connect_nats(url.expose(), settings, shutdown).await?)
        }
        _ => None,
    };
    let Some(url) = &settings.redis.url else {
        let pubsub: Arc<dyn PubSub> = match nats {
            Some(nats) => Arc::new(nats),
            None => Arc::new(InProcessPubSub::new()),
        };
        return Ok((None, pubsub));
    };
    let target = db::redact_url(url.expose());
    let error = |message: String| PlatformError::Redis {
        target: target.clone(),
        message,
    };
    let client = redis::Client::open(url.expose()).map_err(|e| error(e.to_string()))?;
    let connecting = async {
        let connection = ConnectionManager::new(client.clone()).await?;
        let pubsub: Arc<dyn PubSub> = match (nats, backend) {
            (Some(nats), _) => Arc::new(nats),
            (None, PubSubBackend::Memory) => Arc::new(InProcessPubSub::new()),
            (None, _) => Arc::new(
                RedisPubSub::connect(
                    client.clone(),
                    connection.clone(),
                    &settings.redis.key_prefix,
                    shutdown.clone(),
                )
                .await?,
            ),
        };
        Ok::<_, redis::RedisError>((connection, pubsub))
    };
    match tokio::time::timeout(CONNECT_TIMEOUT, connecting).await {
        Ok(Ok((connection, pubsub))) => Ok((Some(connection), pubsub)),
        Ok(Err(e)) => Err(error(e.to_string())),
        Err(_) => Err(error("timed out after 5 s".into())),
    }
}

/// How long `serve` waits for Redis or NATS at start before giving up.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

async fn connect_nats(
    url: &str,
    settings: &Settings,
    shutdown: &CancellationToken,
) -> Result<NatsPubSub, PlatformError> {
    let error = |message: String| PlatformError::Nats {
        target: db::redact_url(url),
        message,
    };
    let connecting = NatsPubSub::connect(url, &settings.redis.key_prefix, shutdown.clone());
    match tokio::time::timeout(CONNECT_TIMEOUT, connecting).await {
        Ok(Ok(pubsub)) => Ok(pubsub),
        Ok(Err(e)) => Err(error(e.to_string())),
        Err(_) => Err(error("timed out after 5 s".into())),
    }
}

/// Counts every statement the pool runs, and records its duration for `/metrics`
/// (`db_queries_total`, `db_query_duration_seconds`).
fn count_queries(db: &mut DatabaseConnection, counter: Arc<AtomicU64>) {
    let total = metrics::counter!("db_queries_total");
    let failed = metrics::counter!("db_query_errors_total");
    let duration = metrics::histogram!("db_query_duration_seconds");
    db.set_metric_callback(move |info| {
        counter.fetch_add(1, Ordering::Relaxed);
        total.increment(1);
        if info.failed {
            failed.increment(1);
        }
        duration.record(info.elapsed.as_secs_f64());
    });
}

/// The process-wide Prometheus recorder. The `metrics` facade has one global recorder, so
/// every `Platform` in a process (several in tests) shares it.
fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let buckets = [
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                10.0,
            ];
            let builder = PrometheusBuilder::new();
            let builder = match builder.set_buckets_for_metric(
                // Every duration histogram (`*_seconds`): requests, queries, later jobs.
                Matcher::Suffix("_seconds".to_owned()),
                &buckets,
            ) {
                Ok(builder) => builder,
                // Only fails for an empty bucket list, which the constant above is not.
                Err(_) => PrometheusBuilder::new(),
            };
            let recorder = builder.build_recorder();
            let handle = recorder.handle();
            if metrics::set_global_recorder(recorder).is_err() {
                tracing::warn!("a metrics recorder was already installed; /metrics will be empty");
            }
            handle
        })
        .clone()
}
