//! `backup`: check the connection, dump into `<dest>/<db>-<time>.partial`, write the manifest
//! last and rename the folder into place. A failed run leaves a folder whose manifest says
//! `failed` (or no manifest, if even that could not be written): `list` never shows it as good.

use std::time::Instant;

use chrono::Utc;

use super::{differential, incremental};
use crate::cli::{BackupArgs, Format};
use crate::engine::stream::Throttle;
use crate::engine::{mysql, mysql_text, postgres, postgres_text, sqlite, sqlite_text};
use crate::engine::{mysql_incremental, pg_incremental};
use crate::error::{BackupError, Result};
use crate::manifest::{FORMAT, LogPosition, Manifest, Status};
use crate::remote::{Remote, Staging};
use crate::runlog::{self, Record};
use crate::target::Target;

/// What a good run made.
pub struct Made {
    /// The backup's folder.
    pub dir: std::path::PathBuf,
    /// Its manifest.
    pub manifest: Manifest,
    /// Seconds taken.
    pub seconds: f64,
    /// Bytes written.
    pub bytes: u64,
}

/// `dbbackup backup`.
pub async fn backup(args: BackupArgs) -> Result {
    let target = Target::from_args(&args.connect)?;
    let made = run_once(&args, &target).await?;
    let rows: u64 = made.manifest.tables.iter().map(|table| table.rows).sum();
    let unchanged = made
        .manifest
        .tables
        .iter()
        .filter(|table| table.base.is_some())
        .count();
    if args.json {
        let summary = serde_json::json!({
            "backup": made.dir,
            "engine": made.manifest.engine,
            "database": made.manifest.database,
            "tables": made.manifest.tables.len(),
            "rows": rows,
            "bytes": made.bytes,
            "basedOn": made.manifest.based_on,
            "unchanged": unchanged,
            "follows": made.manifest.follows,
            "slot": made.manifest.log.as_ref().map(|log| &log.slot),
            "changes": made.manifest.changes.as_ref().map(|changes| changes.statements),
            "seconds": made.seconds,
        });
        println!("{summary:#}");
    } else if made
        .dir
        .extension()
        .is_some_and(|extension| extension == "sql")
    {
        let client = match target {
            Target::Sqlite(_) => "sqlite3 new.db <",
            Target::Postgres(..) => "psql -v ON_ERROR_STOP=1 --single-transaction -d NEWDB -f",
            Target::Mysql(..) => "mariadb --comments NEWDB <",
        };
        println!(
            "wrote an SQL dump of {} ({} bytes) to {}; restore it with: {client} {}",
            target.describe(),
            made.bytes,
            made.dir.display(),
            made.dir.display()
        );
    } else if let (Some(previous), Some(changes)) = (&made.manifest.follows, &made.manifest.changes)
    {
        println!(
            "incremental backup of {}: {} changes in {} transactions since {previous} ({} bytes) to {}",
            target.describe(),
            changes.statements,
            changes.transactions,
            made.bytes,
            made.dir.display()
        );
    } else {
        println!(
            "backed up {} ({} tables, {rows} rows, {} bytes) to {}",
            target.describe(),
            made.manifest.tables.len(),
            made.bytes,
            made.dir.display()
        );
        if let Some(base) = &made.manifest.based_on {
            println!("differential: {unchanged} unchanged tables are read from {base}");
        }
        if let Some(log) = &made.manifest.log {
            println!(
                "incremental backups can follow it (--incremental-from); slot {} keeps the server's WAL until they do",
                log.slot
            );
        }
        if let Some(position) = mysql_incremental::position(&made.manifest) {
            println!(
                "incremental backups can follow it (--incremental-from); they read the binary log from {}:{}, which the server must keep until then",
                position.file, position.position
            );
        }
    }
    Ok(())
}

/// One backup run: checked, dumped, logged, and reported to Slack when asked.
pub async fn run_once(args: &BackupArgs, target: &Target) -> Result<Made> {
    let clock = Instant::now();
    let started = Utc::now();
    let remote = Remote::parse(&args.dest)?;
    incremental::check_args(args, target, remote.is_some())?;
    if remote.is_some() && (args.format != Format::Dir || args.differential_from.is_some()) {
        return Err(BackupError::usage(
            "--format sql, --format tar and --differential-from need a local --dest folder",
        ));
    }
    let archive = args.format == Format::Tar;
    if archive {
        // Before the dump, so an unwritable destination fails at once.
        std::fs::create_dir_all(&args.dest)
            .map_err(|error| BackupError::io("create", &args.dest, &error))?;
    }
    // An S3 backup is made in a local staging folder, then uploaded; an archive is made
    // there, then packed into --dest.
    let staging = if remote.is_some() || archive {
        Some(Staging::new()?)
    } else {
        None
    };
    let dest = staging
        .as_ref()
        .map_or_else(|| args.dest.clone(), |staging| staging.path.clone());
    let mut outcome = dump_into_dest(args, &dest, target, started).await;
    if let (Some(remote), Ok((name, manifest))) = (&remote, &outcome)
        && let Err(error) = remote.upload(&dest.join(name), name).await
    {
        outcome = Err((error, Some(manifest.clone())));
    }
    if let (true, Ok((name, manifest))) = (archive, &outcome)
        && let Err(error) = crate::archive::pack(&dest.join(name), &args.dest, name)
    {
        outcome = Err((error, Some(manifest.clone())));
    }
    let seconds = clock.elapsed().as_secs_f64();
    let (status, error_text, manifest) = match &outcome {
        Ok((_, manifest)) => ("complete", None, Some(manifest)),
        Err((error, manifest)) => ("failed", Some(error.message.clone()), manifest.as_ref()),
    };
    let name = match &outcome {
        Ok((name, _)) => name.clone(),
        Err(_) => String::new(),
    };
    let started_at = started.to_rfc3339();
    let finished_at = Utc::now().to_rfc3339();
    let log_dir = match &remote {
        Some(_) => runlog::local_dir(),
        None => Some(args.dest.clone()),
    };
    if let Some(log_dir) = log_dir.filter(|dir| dir.is_dir()) {
        runlog::append(
            &log_dir,
            &Record {
                started_at: &started_at,
                finished_at: &finished_at,
                status,
                duration_secs: seconds,
                bytes: bytes_of(&dest, &name, manifest),
                tables: manifest.map_or(0, |manifest| manifest.tables.len()),
                backup: &name,
                database: &target.describe(),
                error: error_text.as_deref(),
            },
        );
    }
    if let Some(url) = &args.notify_slack {
        let text = match &error_text {
            None => format!(
                ":white_check_mark: dbbackup: backup of {} complete in {seconds:.1} s ({} bytes): {name}",
                target.describe(),
                bytes_of(&dest, &name, manifest)
            ),
            Some(error) => format!(
                ":x: dbbackup: backup of {} failed: {error}",
                target.describe()
            ),
        };
        crate::notify::slack(url, &text).await;
    }
    match outcome {
        Ok((name, manifest)) => Ok(Made {
            bytes: bytes_of(&dest, &name, Some(&manifest)),
            dir: match &remote {
                Some(remote) => remote.url(&name).into(),
                None if archive => args.dest.join(format!("{name}{}", crate::archive::SUFFIX)),
                None => args.dest.join(&name),
            },
            manifest,
            seconds,
        }),
        Err((error, _)) => Err(error),
    }
}

type Dumped = std::result::Result<(String, Manifest), (BackupError, Option<Manifest>)>;

async fn dump_into_dest(
    args: &BackupArgs,
    dest: &std::path::Path,
    target: &Target,
    started: chrono::DateTime<Utc>,
) -> Dumped {
    let early = |error: BackupError| (error, None);
    target.check().await.map_err(early)?;
    std::fs::create_dir_all(dest)
        .map_err(|error| early(BackupError::io("create", dest, &error)))?;
    let base = match &args.differential_from {
        Some(_) if args.format != Format::Dir => {
            return Err(early(BackupError::usage(
                "--differential-from makes a backup folder; it cannot be combined with --format sql or tar",
            )));
        }
        Some(from) => {
            Some(differential::base(from, dest, target, args.compression).map_err(early)?)
        }
        None => None,
    };
    let chain = match &args.incremental_from {
        Some(from) => Some(incremental::previous(from, dest, target).map_err(early)?),
        None => None,
    };
    let name = format!(
        "{}-{}",
        safe_name(&target.database()),
        started.format("%Y%m%dT%H%M%S%.3fZ")
    );
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
        based_on: None,
        log: None,
        follows: None,
        changes: None,
    };
    if args.format == Format::Sql {
        // One plain file for the engine's own client; no manifest (restore and verify read
        // the folder format).
        let file = format!("{name}.sql");
        let partial = dest.join(format!("{file}.partial"));
        let written = match target {
            Target::Sqlite(path) => sqlite_text::dump_sql(path, &partial).await,
            Target::Postgres(options, password) => {
                postgres_text::dump_sql(options, password, &partial).await
            }
            Target::Mysql(options, _) => mysql_text::dump_sql(options, &partial).await,
        };
        if let Err(error) = written {
            let _ = std::fs::remove_file(&partial);
            return Err(early(error));
        }
        std::fs::rename(&partial, dest.join(&file))
            .map_err(|error| early(BackupError::io("rename", &partial, &error)))?;
        manifest.status = Status::Complete;
        return Ok((file, manifest));
    }
    let partial = dest.join(format!("{name}.partial"));
    std::fs::create_dir(&partial)
        .map_err(|error| early(BackupError::io("create", &partial, &error)))?;

    let throttle = Throttle::new(args.load.max_rate);
    let slot = match (&args.slot, target) {
        (Some(slot), Target::Postgres(options, _)) => Some((
            slot,
            options,
            pg_incremental::create_slot(options, slot)
                .await
                .map_err(early)?,
        )),
        _ => None,
    };
    let dumped = match (target, &chain) {
        (_, Some((links, previous))) => {
            incremental::capture(
                target,
                &partial,
                args.compression,
                (links, previous),
                &mut manifest,
            )
            .await
        }
        (Target::Sqlite(path), None) => {
            sqlite::dump(path, &partial, args.compression, args.json).await
        }
        (Target::Postgres(options, password), None) => {
            postgres::dump(
                options,
                password,
                &partial,
                args.compression,
                args.load.jobs,
                &throttle,
                args.json,
            )
            .await
        }
        (Target::Mysql(options, _), None) => {
            mysql::dump(
                options,
                &partial,
                args.compression,
                args.load.jobs,
                &throttle,
                args.json,
            )
            .await
        }
    };
    manifest.finished_at = Utc::now().to_rfc3339();
    match dumped {
        Ok(dumped) => {
            manifest.status = Status::Complete;
            manifest.server_version = dumped.version;
            manifest.settings = dumped.settings;
            manifest.schema = dumped.schema;
            manifest.tables = dumped.tables;
            if let Some((slot, _, lsn)) = &slot {
                manifest.log = Some(LogPosition {
                    slot: (*slot).clone(),
                    lsn: lsn.clone(),
                });
            }
            let referenced = match &base {
                Some(base) => {
                    manifest.based_on = Some(base.name.clone());
                    differential::reference_unchanged(&partial, &mut manifest.tables, base)
                }
                None => Ok(0),
            };
            if let Err(error) = referenced {
                manifest.status = Status::Failed;
                manifest.error = Some(error.message.clone());
                let _ = manifest.write(&partial);
                return Err((error, Some(manifest)));
            }
            let finished = manifest.write(&partial).and_then(|()| {
                std::fs::rename(&partial, dest.join(&name))
                    .map_err(|error| BackupError::io("rename", &partial, &error))
            });
            match finished {
                Ok(()) => {
                    incremental::release_changes(target, &manifest).await;
                    Ok((name, manifest))
                }
                Err(error) => {
                    if let Some((slot, options, _)) = &slot {
                        let _ = pg_incremental::drop_slot(options, slot).await;
                    }
                    Err((error, Some(manifest)))
                }
            }
        }
        Err(error) => {
            if let Some((slot, options, _)) = &slot {
                // A chain that failed to start must not hold the server's WAL.
                let _ = pg_incremental::drop_slot(options, slot).await;
            }
            manifest.error = Some(error.message.clone());
            // Best effort: a failed run says so in its own folder.
            let _ = manifest.write(&partial);
            Err((error, Some(manifest)))
        }
    }
}

/// What a run wrote: a folder's files, or the one SQL file.
fn bytes_of(dest: &std::path::Path, name: &str, manifest: Option<&Manifest>) -> u64 {
    if name.ends_with(".sql") {
        return std::fs::metadata(dest.join(name)).map_or(0, |meta| meta.len());
    }
    manifest.map_or(0, Manifest::total_bytes)
}

/// A database name usable as a folder name.
pub fn safe_name(name: &str) -> String {
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
