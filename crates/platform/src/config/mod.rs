//! Typed settings, layered: built-in defaults → `groundwork.toml` (optional) → environment.
//!
//! Every key can be set from the environment as `GROUNDWORK__SECTION__KEY`
//! (`GROUNDWORK__SERVER__BIND=0.0.0.0:8080`). The conventional variables `DATABASE_URL`
//! `REDIS_URL` and `NATS_URL` are honoured too and win over the file. With nothing set at all the
//! defaults run a complete server on an SQLite file under `./data/`.
//!
//! Systems keep their own sections (`[weather]`, `[shortener]`); they read them with
//! [`Config::section`], so the platform does not need to know every system's settings.

mod secret;
mod settings;

use std::path::PathBuf;

use figment::Figment;
use figment::providers::{Env, Format, Toml};
use serde::de::DeserializeOwned;

pub use secret::{Secret, create_private_file};
pub use settings::{
    AuthSettings, DatabaseSettings, PubSubBackend, PubSubSettings, RateLimitSettings,
    RedisSettings, ServerSettings, Settings, WorkerSettings,
};

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
        if let Ok(url) = std::env::var("NATS_URL") {
            figment = figment.merge(("pubsub.nats_url", url));
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

#[cfg(test)]
mod tests {
    use super::*;
    use figment::providers::Serialized;
    use serde::Deserialize;

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
