//! `restore --from <backup> --url <target>`: hashes checked first, then a new database built
//! beside the target and moved into place.

use std::time::Instant;

use super::verify::{check_hashes, complete_manifest};
use crate::cli::RestoreArgs;
use crate::engine::{self, sqlite};
use crate::error::{BackupError, Result};
use crate::target::Target;

/// `dbbackup restore`.
pub async fn restore(args: RestoreArgs) -> Result {
    let manifest = complete_manifest(&args.from)?;
    let target = Target::from_args(&args.connect)?;
    if target.engine().name() != manifest.engine {
        return Err(BackupError::failed(format!(
            "{} is a {} backup; it cannot be restored into {}",
            args.from.display(),
            manifest.engine,
            target.describe()
        )));
    }
    engine::require_built(&target)?;
    if let Some(tables) = &args.tables {
        let unknown: Vec<&String> = tables
            .iter()
            .filter(|name| !manifest.tables.iter().any(|table| &table.name == *name))
            .collect();
        if !unknown.is_empty() {
            let known: Vec<&str> = manifest
                .tables
                .iter()
                .map(|table| table.name.as_str())
                .collect();
            return Err(BackupError::usage(format!(
                "the backup has no table {}",
                unknown
                    .iter()
                    .map(|name| name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
            .hint(format!("its tables: {}", known.join(", "))));
        }
    }
    check_hashes(&args.from, &manifest)?;
    let clock = Instant::now();
    let restored = match &target {
        Target::Sqlite(path) => {
            sqlite::restore(
                &args.from,
                &manifest,
                path,
                args.clean,
                args.tables.as_deref(),
                args.json,
            )
            .await?
        }
        _ => return Err(engine::not_built(&target)),
    };
    if args.json {
        let summary = serde_json::json!({
            "target": target.describe(),
            "tables": restored.tables,
            "rows": restored.rows,
            "seconds": clock.elapsed().as_secs_f64(),
        });
        println!("{summary:#}");
    } else {
        println!(
            "restored {} tables ({} rows) into {}",
            restored.tables,
            restored.rows,
            target.describe()
        );
    }
    Ok(())
}
