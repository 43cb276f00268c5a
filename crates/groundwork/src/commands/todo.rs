//! `groundwork todo seed`.

use std::time::Instant;

use groundwork_platform::config::Config;
use groundwork_todo::seed;

use crate::cli::TodoSeedArgs;

/// Seeds the configured database (migrating it first when `serve` would).
pub async fn seed(args: TodoSeedArgs) -> anyhow::Result<()> {
    let platform = super::platform(Config::load()?).await?;
    super::ensure_schema(&platform, false).await?;
    let started = Instant::now();
    seed::run(&platform, args.users, args.items, args.seed)
        .await
        .map_err(|e| anyhow::anyhow!(e.to_problem().detail))?;
    eprintln!(
        "seeded {} users and {} to-do items in {:.1} s",
        args.users,
        args.items,
        started.elapsed().as_secs_f64()
    );
    platform.close().await;
    Ok(())
}
