//! `list --dest DIR`: every backup folder, its state and size, oldest first.

use crate::cli::ListArgs;
use crate::error::Result;
use crate::manifest::{Status, scan};
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
                manifest
                    .based_on
                    .as_ref()
                    .map(|base| format!("  differential of {base}"))
                    .unwrap_or_default()
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
