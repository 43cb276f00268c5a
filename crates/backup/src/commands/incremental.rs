//! Chains of incremental backups. PostgreSQL: `backup --slot NAME` (a full backup that
//! starts a chain); MySQL/MariaDB: any full backup taken with the binary log on. Then
//! `backup --incremental-from <backup>` (the changes since that backup), and the walk from
//! an incremental back to its full backup that restore and verify need. The engine sides
//! are `engine::pg_incremental` and `engine::mysql_incremental`.

use std::path::Path;

use super::differential::sibling_name;
use super::verify::complete_manifest;
use crate::cli::{BackupArgs, Format};
use crate::engine::{Dumped, mysql_incremental, pg_incremental};
use crate::error::{BackupError, Result};
use crate::manifest::Manifest;
use crate::target::Target;

/// Longest chain followed (a guard against folders that refer to each other).
const MAX_CHAIN: usize = 10_000;

/// The flags that start or continue a chain must go with a folder backup to a local
/// folder, and not with each other or `--differential-from`; `--slot` is PostgreSQL's.
pub fn check_args(args: &BackupArgs, target: &Target, remote: bool) -> Result {
    if args.slot.is_none() && args.incremental_from.is_none() {
        return Ok(());
    }
    let flag = if args.slot.is_some() {
        "--slot"
    } else {
        "--incremental-from"
    };
    match target {
        Target::Sqlite(_) => {
            return Err(BackupError::usage(format!(
                "{flag}: incremental backups read a server's log of changes; {} is an SQLite file",
                target.describe()
            ))
            .hint("use --differential-from for SQLite"));
        }
        Target::Mysql(..) if args.slot.is_some() => {
            return Err(BackupError::usage(
                "--slot is for PostgreSQL; a MySQL/MariaDB full backup records its place in the binary log by itself",
            )
            .hint("take a full backup as usual, then --incremental-from it"));
        }
        _ => {}
    }
    if args.slot.is_some() && args.incremental_from.is_some() {
        return Err(BackupError::usage(
            "--slot starts a chain with a full backup; --incremental-from continues one: give one of them",
        ));
    }
    if args.differential_from.is_some() || args.format != Format::Dir || remote {
        return Err(BackupError::usage(format!(
            "{flag} needs a local --dest folder, the folder format, and no --differential-from"
        )));
    }
    if let Some(slot) = &args.slot {
        pg_incremental::check_slot_name(slot)?;
    }
    Ok(())
}

/// A backup and its manifest.
pub type Link = crate::engine::ChainLink;

/// The chain that ends at `dir`: its full backup first, then each incremental in order.
/// Every one must be complete and beside the next.
pub fn chain(dir: &Path) -> Result<Vec<Link>> {
    let mut links = vec![(dir.to_path_buf(), complete_manifest(dir)?)];
    while let Some(previous) = links
        .last()
        .and_then(|(_, manifest)| manifest.follows.clone())
    {
        if links.len() > MAX_CHAIN {
            return Err(BackupError::failed(format!(
                "{} follows a chain of more than {MAX_CHAIN} backups (do they refer to each other?)",
                dir.display()
            )));
        }
        let previous_dir = dir.parent().unwrap_or(dir).join(&previous);
        if !previous_dir.join(crate::manifest::FILE).is_file() {
            return Err(BackupError::failed(format!(
                "{} is part of a chain that needs {previous}, which is not beside it any more",
                dir.display()
            ))
            .hint("an incremental backup needs every earlier backup of its chain in the same folder; nothing was restored"));
        }
        links.push((previous_dir.clone(), complete_manifest(&previous_dir)?));
    }
    links.reverse();
    let (full_dir, full) = &links[0];
    if !can_be_followed(full) || full.based_on.is_some() {
        return Err(BackupError::failed(format!(
            "{} starts the chain but is not a full backup that records its place in the log (--slot, or MySQL's binary log)",
            full_dir.display()
        )));
    }
    Ok(links)
}

/// Whether an incremental backup can follow this one: it records a replication slot
/// (PostgreSQL) or its place in the binary log (MySQL/MariaDB).
fn can_be_followed(manifest: &Manifest) -> bool {
    manifest.log.is_some() || mysql_incremental::position(manifest).is_some()
}

/// Checks that `from` can be followed by a new incremental backup of `target` in `dest`,
/// and returns its chain and its folder name.
pub fn previous(from: &Path, dest: &Path, target: &Target) -> Result<(Vec<Link>, String)> {
    let bad = |why: String| {
        BackupError::usage(format!(
            "{} cannot be followed by an incremental backup: {why}",
            from.display()
        ))
    };
    let links = chain(from)?;
    let (_, last) = links.last().unwrap_or(&links[0]);
    if last.engine != target.engine().name() || last.database != target.database() {
        return Err(bad(format!(
            "it is a backup of {} database {}",
            last.engine, last.database
        )));
    }
    if !can_be_followed(last) {
        let hint = if last.engine == "mysql" {
            "it was taken with the server's binary log off (or by an older dbbackup): turn on log_bin with binlog_format = ROW, then take a new full backup"
        } else {
            "start a chain with a full backup taken with --slot NAME"
        };
        return Err(
            bad("it records no place in the server's log of changes".to_owned()).hint(hint),
        );
    }
    let name = sibling_name(from, dest)
        .map_err(|why| bad(why).hint("an incremental backup lives beside the backup it follows"))?;
    Ok((links, name))
}

/// Captures the changes since the last backup of `links` into `dir` (PostgreSQL: from the
/// slot; MySQL/MariaDB: from the binary log), and records the chain in `manifest` (the data
/// itself is only the changes file).
pub async fn capture(
    target: &Target,
    dir: &Path,
    compression: crate::files::Compression,
    (links, previous_name): (&[Link], &String),
    manifest: &mut Manifest,
) -> Result<Dumped> {
    let (full_dir, _) = &links[0];
    let (_, previous) = links.last().unwrap_or(&links[0]);
    let (changes, version, settings) = match target {
        Target::Postgres(options, password) => {
            let chain = pg_incremental::Chain { previous, full_dir };
            let captured =
                pg_incremental::capture(options, password, dir, compression, &chain).await?;
            manifest.log = Some(captured.position);
            (captured.changes, captured.version, captured.settings)
        }
        Target::Mysql(options, password) => {
            let from = mysql_incremental::position(previous).ok_or_else(|| {
                BackupError::usage("the previous backup records no place in the binary log")
            })?;
            let captured =
                mysql_incremental::capture(options, password, dir, compression, &from).await?;
            (captured.changes, captured.version, captured.settings)
        }
        Target::Sqlite(_) => {
            return Err(BackupError::usage(
                "SQLite backups have no incremental chains",
            ));
        }
    };
    manifest.format = crate::manifest::INCREMENTAL_FORMAT.to_owned();
    manifest.follows = Some(previous_name.clone());
    manifest.changes = Some(changes);
    Ok(Dumped {
        version,
        settings,
        schema: Vec::new(),
        tables: Vec::new(),
    })
}

/// Once an incremental backup is complete and in place, the slot moves past what it holds.
/// If that fails, the backup is still good: the next incremental moves the slot first.
pub async fn release_changes(target: &Target, manifest: &Manifest) {
    let (Target::Postgres(options, _), Some(_), Some(position)) =
        (target, &manifest.follows, &manifest.log)
    else {
        return;
    };
    if let Err(error) = pg_incremental::advance(options, position).await {
        eprintln!(
            "dbbackup: warning: the backup is complete, but slot {} was not moved on ({}); the next incremental backup will move it",
            position.slot, error.message
        );
    }
}
