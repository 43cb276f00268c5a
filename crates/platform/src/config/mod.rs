//! Typed settings, layered: built-in defaults → `groundwork.toml` (optional) → environment.
//!
//! Every key can be set from the environment as `GROUNDWORK__SECTION__KEY`
//! (`GROUNDWORK__SERVER__BIND=0.0.0.0:8080`). The conventional variables `DATABASE_URL`
//! and `REDIS_URL` are honoured too and win over the file. With nothing set at all the
//! defaults run a complete server on an SQLite file under `./data/`.
//!
//! Systems keep their own sections (`[weather]`, `[shortener]`); they read them with
//! [`Config::section`], so the platform does not need to know every system's settings.

mod secret;

use std::net::SocketAddr;
use std::path::PathBuf;

use figment::Figment;
use figment::providers::{Env, Format, Toml};
use serde::Deserialize;
use serde::de::DeserializeOwned;

pub use secret::Secret;

/// The environment variable that names a config file other than `./groundwork.toml`.
pub const CONFIG_FILE_ENV: &str = "GROUNDWORK_CONFIG";

/// A configuration problem, reported before anything starts.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {0}")]
pub struct ConfigError(String);

/// Loaded configuration: the platform's typed [`Settings`] plus the raw layers, from which
/// systems extract their own sections.
#[derive(Clone)]
pub struct Config {
    /// The platform's own settings.
    pub settings: Settings,
    figment: Figment,
}

/// Only the typed settings, whose secrets are redacted: the raw layers would print every
/// value as given, passwords included.
impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl Config {
    /// Loads defaults, then `groundwork.toml` (or the file named by `GROUNDWORK_CONFIG`),
    /// then the environment.
    pub fn load() -> Result<Self, ConfigError> {
        let file = std::env::var_os(CONFIG_FILE_ENV)
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("groundwork.toml"));
        if std::env::var_os(CONFIG_FILE_ENV).is_some() && !file.exists() {
            return Err(ConfigError(format!(
                "{CONFIG_FILE_ENV} names {}, which does not exist",
                file.display()
            )));
        }
        let mut figment = Figment::new();
        if file.exists() {
            figment = figment.merge(Toml::file_exact(&file));
        }
        figment = figment.merge(Env::prefixed("GROUNDWORK__").split("__"));
        if let Ok(url) = std::env::var("DATABASE_URL") {
            figment = figment.merge(("database.url", url));
        }
        if let Ok(url) = std::env::var("REDIS_URL") {
            figment = figment.merge(("redis.url", url));
        }
        Self::from_figment(figment)
    }

    /// Builds a configuration from explicit layers; used by tests and tools.
    pub fn from_figment(figment: Figment) -> Result<Self, ConfigError> {
        let settings: Settings = figment.extract().map_err(|e| ConfigError(e.to_string()))?;
        settings.check()?;
        Ok(Self { settings, figment })
    }

    /// Defaults only, as if nothing were configured.
    pub fn defaults() -> Self {
        Self {
            settings: Settings::default(),
            figment: Figment::new(),
        }
    }

    /// A system's own section (`[weather]` in the file, `GROUNDWORK__WEATHER__*` in the
    /// environment), falling back to the type's defaults where keys are missing.
    pub fn section<T: DeserializeOwned + Default>(&self, name: &str) -> Result<T, ConfigError> {
        if !self.figment.contains(name) {
            return Ok(T::default());
        }
        self.figment
            .extract_inner(name)
            .map_err(|e| ConfigError(format!("[{name}]: {e}")))
    }
}

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
        }
    }
}

impl Settings {
    fn check(&self) -> Result<(), ConfigError> {
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
        self.rate_limit.check()
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

#[cfg(test)]
mod tests {
    use super::*;
    use figment::providers::Serialized;

    #[test]
    fn zero_configuration_gives_working_defaults() {
        let config = Config::from_figment(Figment::new()).unwrap();
        assert_eq!(config.settings.server.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(
            config.settings.default_sqlite_path(),
            PathBuf::from("data/groundwork.db")
        );
        assert_eq!(config.settings.auth.access_token_ttl_secs, 900);
        assert!(config.settings.database.url.is_none());
    }

    #[test]
    fn file_values_are_overridden_by_environment_style_layers() {
        let toml = Toml::string("[server]\nbind = \"0.0.0.0:9000\"\nhsts = true\n");
        let env_like = Serialized::default("server.bind", "127.0.0.1:7000");
        let config = Config::from_figment(Figment::new().merge(toml).merge(env_like)).unwrap();
        assert_eq!(config.settings.server.bind.port(), 7000);
        assert!(
            config.settings.server.hsts,
            "keys missing from later layers keep file values"
        );
    }

    #[test]
    fn secrets_are_redacted_in_debug_output_of_the_whole_config() {
        let layer = Serialized::default("database.url", "postgres://u:topsecret@h/db");
        let system_secret = Serialized::default("weather.api_key", "topsecret-too");
        let config =
            Config::from_figment(Figment::new().merge(layer).merge(system_secret)).unwrap();
        let printed = format!("{config:?}");
        assert!(!printed.contains("topsecret"), "{printed}");
        assert!(printed.contains("[redacted]"));
    }

    #[test]
    fn durations_out_of_range_are_rejected() {
        for (key, value) in [
            ("server.request_timeout_secs", 0u64),
            ("auth.refresh_token_ttl_secs", u64::MAX),
        ] {
            let error = Config::from_figment(Figment::new().merge(Serialized::default(key, value)))
                .unwrap_err();
            assert!(error.to_string().contains(key), "{error}");
        }
    }

    #[test]
    fn a_short_jwt_secret_is_rejected() {
        let layer = Serialized::default("auth.jwt_secret", "short");
        let error = Config::from_figment(Figment::new().merge(layer)).unwrap_err();
        assert!(error.to_string().contains("32 bytes"), "{error}");
    }

    #[test]
    fn a_malformed_bind_address_is_a_clear_error() {
        let layer = Serialized::default("server.bind", "not-an-address");
        let error = Config::from_figment(Figment::new().merge(layer)).unwrap_err();
        assert!(error.to_string().contains("bind"), "{error}");
    }

    #[test]
    fn systems_read_their_own_sections_with_defaults() {
        #[derive(Deserialize, Default, Debug, PartialEq)]
        #[serde(default)]
        struct Weather {
            ttl_secs: u64,
            provider: String,
        }
        let toml = Toml::string("[weather]\nttl_secs = 60\n");
        let config = Config::from_figment(Figment::new().merge(toml)).unwrap();
        let weather: Weather = config.section("weather").unwrap();
        assert_eq!(
            weather,
            Weather {
                ttl_secs: 60,
                provider: String::new()
            }
        );
        let missing: Weather = config.section("shortener").unwrap();
        assert_eq!(missing, Weather::default());
    }
}
