//! `groundwork blog seed`.

use std::time::Instant;

use groundwork_blog::seed::{self, Sizes};
use groundwork_platform::config::Config;

use crate::cli::SeedArgs;

/// Seeds the configured database (migrating it first when `serve` would).
pub async fn seed(args: SeedArgs) -> anyhow::Result<()> {
    let platform = super::platform(Config::load()?).await?;
    super::ensure_schema(&platform, false).await?;
    let sizes = Sizes {
        users: args.users,
        articles: args.articles,
        comments: args.comments,
        favorites: args.favorites,
    };
    let started = Instant::now();
    seed::run(&platform, sizes, args.seed)
        .await
        .map_err(|e| anyhow::anyhow!(e.to_problem().detail))?;
    eprintln!(
        "seeded {sizes:?} in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    platform.close().await;
    Ok(())
}
