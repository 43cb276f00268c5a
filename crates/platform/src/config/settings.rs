//! The platform's typed settings, their defaults, and the checks run when they load.

use std::net::SocketAddr;
use std::path::PathBuf;

use serde::Deserialize;

use super::{ConfigError, Secret};

/// The platform's settings. Every field has a default that works on a laptop.
#[derive(Clone, Debug, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Where embedded state lives: the SQLite file, the JWT key, blobs.
    pub data_dir: PathBuf,
    /// The HTTP server.
    pub server: ServerSettings,
    /// The relational database.
    pub database: DatabaseSettings,
    /// Tokens and password hashing.
    pub auth: AuthSettings,
    /// Request rate limits.
    pub rate_limit: RateLimitSettings,
    /// Redis, when configured: shared rate limits and caches across instances.
    pub redis: RedisSettings,
    /// Which pub/sub carries fan-out between instances.
    pub pubsub: PubSubSettings,
    /// Background-job workers (`groundwork worker`, and those inside `serve`).
    pub worker: WorkerSettings,
    /// Blob storage (files, note texts): a local directory or an S3-compatible bucket.
    pub storage: crate::storage::StorageSettings,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("data"),
            server: ServerSettings::default(),
            database: DatabaseSettings::default(),
            auth: AuthSettings::default(),
            rate_limit: RateLimitSettings::default(),
            redis: RedisSettings::default(),
            pubsub: PubSubSettings::default(),
            worker: WorkerSettings::default(),
            storage: crate::storage::StorageSettings::default(),
        }
    }
}

impl Settings {
    pub(super) fn check(&self) -> Result<(), ConfigError> {
        self.worker.check()?;
        if self.server.body_limit_bytes == 0 {
            return Err(ConfigError(
                "server.body_limit_bytes must be positive".into(),
            ));
        }
        // Bounded above too: durations far beyond these would overflow timestamp arithmetic.
        let bounded = [
            (
                "server.request_timeout_secs",
                self.server.request_timeout_secs,
                1,
                3600,
            ),
            (
                "server.shutdown_grace_secs",
                self.server.shutdown_grace_secs,
                0,
                3600,
            ),
            (
                "auth.access_token_ttl_secs",
                self.auth.access_token_ttl_secs,
                1,
                24 * 3600,
            ),
            (
                "auth.refresh_token_ttl_secs",
                self.auth.refresh_token_ttl_secs,
                1,
                366 * 24 * 3600,
            ),
            (
                "rate_limit.login_failure_window_secs",
                self.rate_limit.login_failure_window_secs,
                1,
                7 * 24 * 3600,
            ),
        ];
        for (key, value, min, max) in bounded {
            if !(min..=max).contains(&value) {
                return Err(ConfigError(format!(
                    "{key} must be between {min} and {max}, not {value}"
                )));
            }
        }
        if let Some(secret) = &self.auth.jwt_secret
            && secret.expose().len() < 32
        {
            return Err(ConfigError(
                "auth.jwt_secret must be at least 32 bytes long".into(),
            ));
        }
        self.rate_limit.check()?;
        self.pubsub.check(&self.redis)
    }

    /// The SQLite file used when no database URL is configured.
    pub fn default_sqlite_path(&self) -> PathBuf {
        self.data_dir.join("groundwork.db")
    }
}

/// HTTP server settings.
#[derive(Clone, Debug, Deserialize)]
#[serde(default)]
pub struct ServerSettings {
    /// Address to listen on.
    pub bind: SocketAddr,
    /// A request that takes longer gets a 503 `timeout` problem.
    pub request_timeout_secs: u64,
    /// On SIGTERM, in-flight requests get this long to finish.
    pub shutdown_grace_secs: u64,
    /// Largest accepted request body.
    pub body_limit_bytes: usize,
    /// Origins allowed by CORS; empty allows any origin (without credentials).
    pub cors_allowed_origins: Vec<String>,
    /// Send `Strict-Transport-Security`; turn on when TLS terminates in front of us.
    pub hsts: bool,
    /// Take the client address from the last `X-Forwarded-For` hop (behind a trusted proxy).
    pub trust_forwarded_for: bool,
    /// Where the `/docs` page loads the Scalar API reference script from.
    pub docs_script_url: String,
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            request_timeout_secs: 30,
            shutdown_grace_secs: 30,
            body_limit_bytes: 2 * 1024 * 1024,
            cors_allowed_origins: Vec::new(),
            hsts: false,
            trust_forwarded_for: false,
            docs_script_url: crate::openapi::SCALAR_CDN.to_owned(),
        }
    }
}

/// Database settings.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct DatabaseSettings {
    /// `sqlite://path` or `postgres://...`; unset means `<data_dir>/groundwork.db`.
    pub url: Option<Secret>,
    /// Pool size; defaults to 10 on PostgreSQL and 5 on SQLite (one writer at a time anyway).
    pub max_connections: Option<u32>,
    /// Run pending migrations on `serve`; defaults to on for SQLite, off for PostgreSQL
    /// (where `groundwork migrate` is a deliberate deployment step).
    pub auto_migrate: Option<bool>,
}

/// Authentication settings.
#[derive(Clone, Debug, Deserialize)]
#[serde(default)]
pub struct AuthSettings {
    /// HMAC key for access tokens (at least 32 bytes). Unset: generated on first start and
    /// kept in `<data_dir>/jwt-secret` with 0600 rights, so tokens survive restarts.
    pub jwt_secret: Option<Secret>,
    /// `iss` claim written into and required from access tokens.
    pub issuer: String,
    /// Access token lifetime (default 15 minutes).
    pub access_token_ttl_secs: u64,
    /// Refresh token lifetime (default 30 days); each rotation starts a new period.
    pub refresh_token_ttl_secs: u64,
    /// Argon2id memory cost in KiB (OWASP: 19456 with 2 iterations).
    pub argon2_memory_kib: u32,
    /// Argon2id iterations.
    pub argon2_iterations: u32,
    /// Argon2id lanes.
    pub argon2_parallelism: u32,
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            jwt_secret: None,
            issuer: "groundwork".into(),
            access_token_ttl_secs: 15 * 60,
            refresh_token_ttl_secs: 30 * 24 * 3600,
            argon2_memory_kib: 19 * 1024,
            argon2_iterations: 2,
            argon2_parallelism: 1,
        }
    }
}

/// Rate limits, enforced with GCRA (a token bucket without a background refill).
#[derive(Clone, Debug, Deserialize)]
#[serde(default)]
pub struct RateLimitSettings {
    /// Turn every limit off (for trusted internal deployments).
    pub enabled: bool,
    /// Sustained requests per second from one client address.
    pub per_ip_per_second: u32,
    /// Requests one client address may send in a burst.
    pub per_ip_burst: u32,
    /// Sustained requests per second for one signed-in user, whatever the address.
    pub per_user_per_second: u32,
    /// Burst for one signed-in user.
    pub per_user_burst: u32,
    /// Failed logins allowed from one address per window.
    pub login_failures_per_ip: u32,
    /// Failed logins allowed against one account per window.
    pub login_failures_per_account: u32,
    /// The window, in seconds, over which failed logins are counted.
    pub login_failure_window_secs: u64,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            per_ip_per_second: 100,
            per_ip_burst: 200,
            per_user_per_second: 50,
            per_user_burst: 100,
            login_failures_per_ip: 30,
            login_failures_per_account: 5,
            login_failure_window_secs: 15 * 60,
        }
    }
}

impl RateLimitSettings {
    fn check(&self) -> Result<(), ConfigError> {
        let all = [
            self.per_ip_per_second,
            self.per_ip_burst,
            self.per_user_per_second,
            self.per_user_burst,
            self.login_failures_per_ip,
            self.login_failures_per_account,
        ];
        if all.contains(&0) || self.login_failure_window_secs == 0 {
            return Err(ConfigError(
                "rate limits must be positive (set rate_limit.enabled = false to turn them off)"
                    .into(),
            ));
        }
        Ok(())
    }
}

/// Redis connection.
#[derive(Clone, Debug, Deserialize)]
#[serde(default)]
pub struct RedisSettings {
    /// `redis://host:6379`; unset keeps everything in-process.
    pub url: Option<Secret>,
    /// Prefix of every key Groundwork writes, so deployments can share a Redis.
    pub key_prefix: String,
}

impl Default for RedisSettings {
    fn default() -> Self {
        Self {
            url: None,
            key_prefix: "gw:".into(),
        }
    }
}

/// Pub/sub fan-out between instances.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct PubSubSettings {
    /// `auto` (the default): NATS when `nats_url` is set, else Redis when `redis.url` is
    /// set, else in-process. `memory`, `redis` or `nats` choose one explicitly.
    pub backend: PubSubBackend,
    /// `nats://host:4222`, for the NATS backend.
    pub nats_url: Option<Secret>,
}

/// See [`PubSubSettings::backend`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PubSubBackend {
    /// Chosen from the URLs that are set.
    #[default]
    Auto,
    /// One process only (tokio broadcast channels).
    Memory,
    /// Redis `PUBLISH` / `PSUBSCRIBE`.
    Redis,
    /// NATS core subjects.
    Nats,
}

impl PubSubSettings {
    /// The backend `auto` resolves to.
    pub fn resolved_backend(&self, redis: &RedisSettings) -> PubSubBackend {
        match self.backend {
            PubSubBackend::Auto if self.nats_url.is_some() => PubSubBackend::Nats,
            PubSubBackend::Auto if redis.url.is_some() => PubSubBackend::Redis,
            PubSubBackend::Auto => PubSubBackend::Memory,
            chosen => chosen,
        }
    }

    fn check(&self, redis: &RedisSettings) -> Result<(), ConfigError> {
        match self.backend {
            PubSubBackend::Redis if redis.url.is_none() => Err(ConfigError(
                "pubsub.backend = \"redis\" needs redis.url".into(),
            )),
            PubSubBackend::Nats if self.nats_url.is_none() => Err(ConfigError(
                "pubsub.backend = \"nats\" needs pubsub.nats_url".into(),
            )),
            _ => Ok(()),
        }
    }
}

/// Background-job worker settings (`[worker]`, `GROUNDWORK__WORKER__*`).
#[derive(Clone, Debug, Deserialize)]
#[serde(default)]
pub struct WorkerSettings {
    /// Whether `groundwork serve` runs workers in its own process (turn off when separate
    /// `groundwork worker` processes do the work).
    pub in_serve: bool,
    /// Jobs run at once by one worker process.
    pub concurrency: usize,
    /// Queues this worker takes jobs from; empty: every queue.
    pub queues: Vec<String>,
    /// How long a claimed job stays reserved without a heartbeat; a worker that dies
    /// leaves its jobs to others after this long.
    pub lease_secs: u64,
    /// How often an idle worker looks for due jobs when nothing wakes it. Default: 1000 on
    /// PostgreSQL (LISTEN/NOTIFY wakes workers at once; polling is the fallback), 25 on
    /// SQLite (jobs enqueued by another process are found only by polling; the query is
    /// one index probe).
    pub poll_interval_ms: Option<u64>,
    /// On shutdown, running jobs get this long to finish before they are released.
    pub shutdown_grace_secs: u64,
    /// Finished (succeeded or cancelled) jobs are deleted after this many hours; 0 deletes
    /// a succeeded job as soon as its success is recorded (no history, less work for the
    /// database).
    pub retention_hours: u64,
    /// Jobs a worker claims ahead of its free slots, to start as slots free (0: none).
    /// For many short jobs: fewer claims, more throughput; but claimed jobs wait in one
    /// worker while others may be idle. See docs/systems/jobs.md.
    pub prefetch: usize,
}

impl Default for WorkerSettings {
    fn default() -> Self {
        Self {
            in_serve: true,
            concurrency: 16,
            queues: Vec::new(),
            lease_secs: 30,
            poll_interval_ms: None,
            shutdown_grace_secs: 20,
            retention_hours: 24 * 7,
            prefetch: 0,
        }
    }
}

impl WorkerSettings {
    fn check(&self) -> Result<(), ConfigError> {
        if self.concurrency == 0 || self.concurrency > 10_000 {
            return Err(ConfigError(
                "worker.concurrency must be between 1 and 10000".into(),
            ));
        }
        if self.prefetch > 10_000 {
            return Err(ConfigError("worker.prefetch must be at most 10000".into()));
        }
        if self.lease_secs < 2 {
            return Err(ConfigError("worker.lease_secs must be at least 2".into()));
        }
        if self.poll_interval_ms == Some(0) {
            return Err(ConfigError(
                "worker.poll_interval_ms must be positive".into(),
            ));
        }
        Ok(())
    }
}
