//! `groundwork migrate`.

use groundwork_platform::config::Config;

use crate::cli::MigrateArgs;
use crate::systems;

/// Applies (or, with `--dry-run`, lists) pending migrations; prints one line per migration.
pub async fn run(args: MigrateArgs) -> anyhow::Result<()> {
    let platform = super::platform(Config::load()?).await?;
    let systems = systems::all();
    if args.dry_run {
        let pending = platform.pending_migrations(&systems).await?;
        if pending.is_empty() {
            eprintln!("the database is up to date");
        }
        for name in pending {
            println!("pending {name}");
        }
    } else {
        let report = platform.migrate(&systems).await?;
        if report.applied.is_empty() {
            eprintln!("the database is up to date");
        }
        for (system, name) in report.applied {
            println!("applied {system}/{name}");
        }
    }
    platform.close().await;
    Ok(())
}
