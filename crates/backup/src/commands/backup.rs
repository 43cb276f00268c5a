//! `backup`: check the connection, dump into `<dest>/<db>-<time>.partial`, write the manifest
//! last and rename the folder into place. A failed run leaves a folder whose manifest says
//! `failed` (or no manifest, if even that could not be written): `list` never shows it as good.

use std::time::Instant;

use chrono::Utc;

use crate::cli::BackupArgs;
use crate::engine::{self, sqlite};
use crate::error::{BackupError, Result};
use crate::manifest::{FORMAT, Manifest, Status};
use crate::runlog::{self, Record};
use crate::target::Target;

/// `dbbackup backup`.
pub async fn backup(args: BackupArgs) -> Result {
    let target = Target::from_args(&args.connect)?;
    target.check().await?;
    engine::require_built(&target)?;
    std::fs::create_dir_all(&args.dest)
        .map_err(|error| BackupError::io("create", &args.dest, &error))?;
    let started = Utc::now();
    let clock = Instant::now();
    let name = format!(
        "{}-{}",
        safe_name(&target.database()),
        started.format("%Y%m%dT%H%M%S%.3fZ")
    );
    let partial = args.dest.join(format!("{name}.partial"));
    std::fs::create_dir(&partial).map_err(|error| BackupError::io("create", &partial, &error))?;

    let mut manifest = Manifest {
        format: FORMAT.to_owned(),
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
        engine: target.engine().name().to_owned(),
        server_version: String::new(),
        database: target.database(),
        compression: args.compression,
        started_at: started.to_rfc3339(),
        finished_at: String::new(),
        status: Status::Failed,
        error: None,
        settings: serde_json::Map::new(),
        schema: Vec::new(),
        tables: Vec::new(),
    };
    let dumped = match &target {
        Target::Sqlite(path) => sqlite::dump(path, &partial, args.compression).await,
        _ => Err(engine::not_built(&target)),
    };
    manifest.finished_at = Utc::now().to_rfc3339();
    let outcome = match dumped {
        Ok(dumped) => {
            manifest.status = Status::Complete;
            manifest.server_version = dumped.version;
            manifest.settings = dumped.settings;
            manifest.schema = dumped.schema;
            manifest.tables = dumped.tables;
            manifest.write(&partial).and_then(|()| {
                let done = args.dest.join(&name);
                std::fs::rename(&partial, &done)
                    .map_err(|error| BackupError::io("rename", &partial, &error))
            })
        }
        Err(error) => {
            manifest.error = Some(error.message.clone());
            // Best effort: a failed run says so in its own folder.
            let _ = manifest.write(&partial);
            Err(error)
        }
    };
    let error_text = outcome.as_ref().err().map(|error| error.message.clone());
    runlog::append(
        &args.dest,
        &Record {
            started_at: &manifest.started_at,
            finished_at: &manifest.finished_at,
            status: if outcome.is_ok() {
                "complete"
            } else {
                "failed"
            },
            duration_secs: clock.elapsed().as_secs_f64(),
            bytes: manifest.total_bytes(),
            tables: manifest.tables.len(),
            backup: &name,
            database: &target.describe(),
            error: error_text.as_deref(),
        },
    );
    outcome?;
    let rows: u64 = manifest.tables.iter().map(|table| table.rows).sum();
    if args.json {
        let summary = serde_json::json!({
            "backup": args.dest.join(&name),
            "engine": manifest.engine,
            "database": manifest.database,
            "tables": manifest.tables.len(),
            "rows": rows,
            "bytes": manifest.total_bytes(),
            "seconds": clock.elapsed().as_secs_f64(),
        });
        println!("{summary:#}");
    } else {
        println!(
            "backed up {} ({} tables, {rows} rows, {} bytes) to {}",
            target.describe(),
            manifest.tables.len(),
            manifest.total_bytes(),
            args.dest.join(&name).display()
        );
    }
    Ok(())
}

/// A database name usable as a folder name.
fn safe_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if cleaned.is_empty() {
        "db".to_owned()
    } else {
        cleaned
    }
}
