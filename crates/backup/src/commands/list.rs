//! `list --dest DIR`: every backup folder, its state and size, oldest first.

use crate::cli::ListArgs;
use crate::engine::mysql_incremental;
use crate::error::Result;
use crate::manifest::{Manifest, Status, scan};
use crate::remote::Remote;

/// `dbbackup list`.
pub async fn list(args: &ListArgs) -> Result {
    let found = match Remote::parse(&args.dest)? {
        Some(remote) => remote.scan().await?,
        None => scan(&args.dest)?,
    };
    if args.json {
        let rows: Vec<_> = found
            .iter()
            .map(|backup| match &backup.manifest {
                Ok(manifest) => serde_json::json!({
                    "backup": backup.dir,
                    "status": manifest.status,
                    "engine": manifest.engine,
                    "database": manifest.database,
                    "startedAt": manifest.started_at,
                    "tables": manifest.tables.len(),
                    "bytes": manifest.total_bytes(),
                    "basedOn": manifest.based_on,
                    "follows": manifest.follows,
                    "slot": manifest.log.as_ref().map(|log| &log.slot),
                    "binlog": mysql_incremental::position(manifest),
                    "changes": manifest.changes.as_ref().map(|changes| changes.statements),
                    "error": manifest.error,
                }),
                Err(why) => {
                    serde_json::json!({"backup": backup.dir, "status": "incomplete", "error": why})
                }
            })
            .collect();
        println!("{:#}", serde_json::Value::Array(rows));
        return Ok(());
    }
    if found.is_empty() {
        println!("no backups in {}", args.dest.display());
        return Ok(());
    }
    for backup in &found {
        let name = backup
            .dir
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        match &backup.manifest {
            Ok(manifest) if manifest.status == Status::Complete => println!(
                "{name}  ok      {} {}  {} tables  {} bytes  {}{}",
                manifest.engine,
                manifest.database,
                manifest.tables.len(),
                manifest.total_bytes(),
                manifest.started_at,
                kind(manifest)
            ),
            Ok(manifest) => println!(
                "{name}  FAILED  {}",
                manifest.error.as_deref().unwrap_or("no error recorded")
            ),
            Err(why) => println!("{name}  FAILED  {why}"),
        }
    }
    Ok(())
}

/// How a backup relates to others: a differential's base, an incremental's predecessor,
/// the slot a chain reads, the binary log position a MySQL incremental would start from.
fn kind(manifest: &Manifest) -> String {
    if let Some(base) = &manifest.based_on {
        return format!("  differential of {base}");
    }
    match (&manifest.follows, &manifest.changes, &manifest.log) {
        (Some(previous), Some(changes), _) => format!(
            "  incremental after {previous} ({} changes)",
            changes.statements
        ),
        (None, _, Some(log)) => format!("  starts a chain (slot {})", log.slot),
        _ => mysql_incremental::position(manifest)
            .filter(|_| manifest.follows.is_none())
            .map(|at| format!("  binary log at {}:{}", at.file, at.position))
            .unwrap_or_default(),
    }
}
