//! `groundwork openapi`: the document `/openapi.json` would serve, without a server or a
//! database (an in-memory one is used to build the routers).

use groundwork_platform::config::Config;
use groundwork_platform::{Mount, app};

use crate::systems;

/// Prints the OpenAPI document of every system at its default path.
pub async fn run() -> anyhow::Result<()> {
    let scratch = tempfile::tempdir()?;
    let figment = figment::Figment::new()
        .merge(("data_dir", scratch.path()))
        .merge(("database.url", "sqlite::memory:"))
        .merge(("auth.jwt_secret", "unused-unused-unused-unused-unused"));
    let platform = super::platform(Config::from_figment(figment)?).await?;
    let mounts: Vec<Mount> = systems::all().into_iter().map(Mount::default_for).collect();
    let app =
        app::build(&platform, &mounts).map_err(|e| anyhow::anyhow!("cannot build the app: {e}"))?;
    println!("{}", serde_json::to_string_pretty(&app.openapi)?);
    Ok(())
}
