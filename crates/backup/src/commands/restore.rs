//! `restore --from <backup> --url <target>`: hashes checked first, then a new database built
//! beside the target and moved into place.

use std::time::Instant;

use super::incremental;
use super::verify::{check_hashes, complete_manifest};
use crate::cli::RestoreArgs;
use crate::engine::stream::Throttle;
use crate::engine::{
    ChainRestore, mysql_replay, mysql_restore, pg_replay, postgres_restore, sqlite,
};
use crate::error::{BackupError, Result};
use crate::manifest::Manifest;
use crate::target::Target;

/// `dbbackup restore`.
pub async fn restore(mut args: RestoreArgs) -> Result {
    let (from, _staging) = crate::remote::fetch(&args.from).await?;
    args.from = from;
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
    if manifest.follows.is_some() {
        return restore_chain(&args, &target).await;
    }
    if args.until.is_some() {
        return Err(BackupError::usage(format!(
            "--until replays a chain of incremental backups; {} is a full backup",
            args.from.display()
        ))
        .hint("give the newest incremental backup of the chain"));
    }
    let tables = match &args.tables {
        Some(names) => Some(resolve_tables(&manifest, names)?),
        None => None,
    };
    check_hashes(&args.from, &manifest)?;
    let clock = Instant::now();
    let restored = match &target {
        Target::Sqlite(path) => sqlite::restore(
            &args.from,
            &manifest,
            path,
            args.clean,
            tables.as_deref(),
            args.json,
        )
        .await
        .map(|restored| (restored.tables, restored.rows))?,
        Target::Postgres(options, _) => postgres_restore::restore(
            &args.from,
            &manifest,
            options,
            &target.database(),
            args.clean,
            tables.as_deref(),
            args.load.jobs,
            &Throttle::new(args.load.max_rate),
            args.json,
        )
        .await
        .map(|restored| (restored.tables, restored.rows))?,
        Target::Mysql(options, _) => mysql_restore::restore(
            &args.from,
            &manifest,
            options,
            &target.database(),
            args.clean,
            tables.as_deref(),
            args.load.jobs,
            &Throttle::new(args.load.max_rate),
            args.json,
        )
        .await
        .map(|restored| (restored.tables, restored.rows))?,
    };
    let (tables, rows) = restored;
    report(&args, &target, tables, rows, clock, None);
    Ok(())
}

/// An incremental backup: its full backup, then every incremental up to it, replayed.
async fn restore_chain(args: &RestoreArgs, target: &Target) -> Result {
    if args.tables.is_some() {
        return Err(BackupError::usage(
            "--tables cannot restore from an incremental backup: its changes are replayed whole",
        )
        .hint("restore the chain into a new database, or --tables from its full backup"));
    }
    let links = incremental::chain(&args.from)?;
    for (dir, manifest) in &links {
        check_hashes(dir, manifest)?;
    }
    let clock = Instant::now();
    let throttle = Throttle::new(args.load.max_rate);
    let database = target.database();
    let how = ChainRestore {
        chain: &links,
        database: &database,
        clean: args.clean,
        jobs: args.load.jobs,
        throttle: &throttle,
        quiet: args.json,
        until: args.until,
    };
    let (restored, replayed) = match target {
        Target::Postgres(options, _) => pg_replay::restore_chain(&how, options).await?,
        Target::Mysql(options, _) => mysql_replay::restore_chain(&how, options).await?,
        Target::Sqlite(_) => {
            return Err(BackupError::failed(
                "SQLite backups have no incremental chains",
            ));
        }
    };
    report(
        args,
        target,
        restored.tables,
        restored.rows,
        clock,
        Some(&replayed),
    );
    Ok(())
}

/// What a restore did, for people or (`--json`) scripts.
fn report(
    args: &RestoreArgs,
    target: &Target,
    tables: usize,
    rows: u64,
    clock: Instant,
    replayed: Option<&crate::engine::Replayed>,
) {
    if args.json {
        let mut summary = serde_json::json!({
            "target": target.describe(),
            "tables": tables,
            "rows": rows,
            "seconds": clock.elapsed().as_secs_f64(),
        });
        if let Some(replayed) = replayed {
            summary["incrementals"] = replayed.incrementals.into();
            summary["changes"] = replayed.statements.into();
            summary["transactions"] = replayed.transactions.into();
            summary["lastCommit"] = replayed.last_commit.clone().into();
            summary["stoppedAtUntil"] = replayed.stopped.into();
        }
        println!("{summary:#}");
    } else {
        println!(
            "restored {tables} tables ({rows} rows) into {}",
            target.describe()
        );
        if let Some(replayed) = replayed {
            println!(
                "then replayed {} changes ({} transactions) from {} incremental backups{}",
                replayed.statements,
                replayed.transactions,
                replayed.incrementals,
                replayed
                    .last_commit
                    .as_ref()
                    .map(|at| format!(", the last committed at {at}"))
                    .unwrap_or_default()
            );
            if replayed.stopped {
                println!("stopped at --until: later transactions were not replayed");
            }
        }
    }
}

/// The backup's names for the tables asked for: `actor` finds `public.actor` when only one
/// schema has an `actor`.
fn resolve_tables(manifest: &Manifest, names: &[String]) -> Result<Vec<String>> {
    let mut resolved = Vec::with_capacity(names.len());
    let mut unknown = Vec::new();
    for name in names {
        let matches: Vec<&str> = manifest
            .tables
            .iter()
            .map(|table| table.name.as_str())
            .filter(|table| {
                table == name
                    || table
                        .rsplit_once('.')
                        .is_some_and(|(_, unqualified)| unqualified == name)
            })
            .collect();
        match matches.as_slice() {
            [] => unknown.push(name.as_str()),
            [one] => resolved.push((*one).to_owned()),
            many if many.contains(&name.as_str()) => resolved.push(name.clone()),
            many => {
                return Err(BackupError::usage(format!(
                    "\"{name}\" could be any of {}",
                    many.join(", ")
                ))
                .hint("name the table with its schema"));
            }
        }
    }
    if !unknown.is_empty() {
        let known: Vec<&str> = manifest
            .tables
            .iter()
            .map(|table| table.name.as_str())
            .collect();
        return Err(
            BackupError::usage(format!("the backup has no table {}", unknown.join(", ")))
                .hint(format!("its tables: {}", known.join(", "))),
        );
    }
    Ok(resolved)
}
