//! One module per subcommand.

pub mod blog;
pub mod migrate;
pub mod openapi;
pub mod seed;
pub mod serve;
pub mod users;
pub mod worker;

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

/// Every system's job kinds and schedules, for the workers of `serve` and `worker`.
pub fn job_registry(platform: &Platform) -> anyhow::Result<groundwork_platform::jobs::Registry> {
    let mut registry = groundwork_platform::jobs::Registry::new();
    for system in systems::all() {
        system
            .jobs(platform, &mut registry)
            .map_err(|e| anyhow::anyhow!("cannot set up the jobs of {}: {e}", system.name()))?;
    }
    Ok(registry)
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
