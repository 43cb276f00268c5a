//! One module per subcommand.

pub mod blog;
pub mod migrate;
pub mod openapi;
pub mod seed;
pub mod serve;
pub mod users;

use anyhow::Context;
use groundwork_platform::Platform;
use groundwork_platform::config::Config;

use crate::systems;

/// Loads the configuration and connects the platform with every system's roles.
pub async fn platform(config: Config) -> anyhow::Result<Platform> {
    Platform::new(config, &systems::all())
        .await
        .context("cannot start")
}

/// Whether `serve` and the user commands migrate on their own: yes for the embedded
/// SQLite default, no for PostgreSQL unless configured (there `migrate` is a deliberate
/// deployment step).
pub fn auto_migrates(platform: &Platform) -> bool {
    platform
        .settings()
        .database
        .auto_migrate
        .unwrap_or(platform.db().get_database_backend() == groundwork_platform::db::Backend::Sqlite)
}

/// Brings the schema up to date, or refuses with the list of what is pending.
pub async fn ensure_schema(platform: &Platform, migrate: bool) -> anyhow::Result<()> {
    let systems = systems::all();
    if migrate || auto_migrates(platform) {
        platform.migrate(&systems).await?;
        return Ok(());
    }
    let pending = platform.pending_migrations(&systems).await?;
    if !pending.is_empty() {
        anyhow::bail!(
            "the database schema is out of date ({} pending: {}); run `groundwork migrate` first",
            pending.len(),
            pending.join(", ")
        );
    }
    Ok(())
}
