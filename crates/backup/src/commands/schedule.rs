//! `schedule --cron ... [--keep N] [--keep-days D]`: a long-lived process that backs up on
//! each tick, then applies retention. A failed run is logged (and notified) and the schedule
//! goes on; Ctrl-C or SIGTERM between runs ends it with exit code 0.

use std::str::FromStr as _;
use std::time::Duration;

use chrono::Utc;

use super::backup::{run_once, safe_name};
use crate::cli::ScheduleArgs;
use crate::error::{BackupError, Result};
use crate::manifest::{Status, scan};
use crate::remote::Remote;
use crate::target::Target;

/// `dbbackup schedule`.
pub async fn schedule(args: ScheduleArgs) -> Result {
    let cron = parse_cron(&args.cron)?;
    if args.keep == Some(0) {
        return Err(
            BackupError::usage("--keep 0 would delete every backup").hint("keep at least 1")
        );
    }
    if args.backup.incremental_from.is_some() {
        return Err(BackupError::usage(
            "schedule takes full backups; --incremental-from would follow the same backup every run",
        )
        .hint("schedule full backups with --slot, and run incremental backups from cron with dbbackup backup --incremental-from"));
    }
    let target = Target::from_args(&args.backup.connect)?;
    // A schedule that cannot connect is refused at once rather than failing every night.
    target.check().await?;
    let mut runs = 0;
    loop {
        let Some(next) = cron.upcoming(Utc).next() else {
            return Err(BackupError::usage(format!("\"{}\" never fires", args.cron)));
        };
        let wait = (next - Utc::now()).to_std().unwrap_or(Duration::ZERO);
        eprintln!("dbbackup: next backup at {}", next.to_rfc3339());
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = stop_signal() => {
                eprintln!("dbbackup: stopping the schedule");
                return Ok(());
            }
        }
        match run_once(&args.backup, &target).await {
            Ok(made) => println!("backed up {} to {}", target.describe(), made.dir.display()),
            Err(error) => eprintln!("{error}"),
        }
        apply_retention(&args, &target).await?;
        runs += 1;
        if args.runs.is_some_and(|limit| runs >= limit) {
            return Ok(());
        }
    }
}

/// Five-field cron gets a leading seconds field; six or seven fields are taken as they are.
fn parse_cron(text: &str) -> Result<cron::Schedule> {
    let fields = text.split_whitespace().count();
    let full = if fields == 5 {
        format!("0 {text}")
    } else {
        text.to_owned()
    };
    cron::Schedule::from_str(&full).map_err(|error| {
        BackupError::usage(format!("cannot read the cron expression \"{text}\": {error}"))
            .hint("five fields: minute hour day-of-month month day-of-week, e.g. \"0 3 * * *\" for 03:00 UTC daily")
    })
}

async fn stop_signal() {
    #[cfg(unix)]
    {
        let mut terminate =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(signal) => signal,
                Err(_) => return std::future::pending().await,
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Deletes this database's good backups beyond `--keep` or older than `--keep-days` (never
/// the newest), and failed or interrupted runs older than the oldest good one kept.
async fn apply_retention(args: &ScheduleArgs, target: &Target) -> Result {
    if args.keep.is_none() && args.keep_days.is_none() {
        return Ok(());
    }
    let database = target.database();
    let mut good = Vec::new();
    let mut bad = Vec::new();
    let remote = Remote::parse(&args.backup.dest)?;
    let found = match &remote {
        Some(remote) => remote.scan().await?,
        None => scan(&args.backup.dest)?,
    };
    for found in found {
        match &found.manifest {
            Ok(manifest) if manifest.database != database => {}
            Ok(manifest) if manifest.status == Status::Complete => good.push((
                found.dir.clone(),
                manifest.started_at.clone(),
                manifest.depends_on().cloned(),
            )),
            _ => bad.push(found.dir.clone()),
        }
    }
    // Folder names start with the time, so name order is age order; newest last.
    let keep_from = args.keep.map_or(0, |keep| good.len().saturating_sub(keep));
    let cutoff = args.keep_days.map(|days| {
        Utc::now() - chrono::Duration::days(i64::try_from(days).unwrap_or(i64::MAX / 86_400))
    });
    let newest = good.len().saturating_sub(1);
    let doomed: Vec<bool> = good
        .iter()
        .enumerate()
        .map(|(index, (_, started_at, _))| {
            let too_old = cutoff.is_some_and(|cutoff| {
                chrono::DateTime::parse_from_rfc3339(started_at)
                    .is_ok_and(|started| started < cutoff)
            });
            index < newest && (index < keep_from || too_old)
        })
        .collect();
    // A backup stays while a kept one depends on it: a differential's full backup, and
    // every earlier backup of an incremental's chain.
    let depends: std::collections::HashMap<String, &String> = good
        .iter()
        .filter_map(|(dir, _, base)| {
            Some((
                dir.file_name()?.to_string_lossy().into_owned(),
                base.as_ref()?,
            ))
        })
        .collect();
    let mut needed: Vec<&String> = good
        .iter()
        .zip(&doomed)
        .filter(|(_, doomed)| !**doomed)
        .filter_map(|((_, _, base), _)| base.as_ref())
        .collect();
    let mut index = 0;
    while let Some(name) = needed.get(index) {
        if let Some(base) = depends.get(name.as_str())
            && !needed.contains(base)
        {
            needed.push(base);
        }
        index += 1;
    }
    let mut oldest_kept: Option<std::path::PathBuf> = None;
    for ((dir, _, _), doomed) in good.iter().zip(doomed) {
        let name = dir
            .file_name()
            .map(|name| name.to_string_lossy().into_owned());
        let is_needed = name.is_some_and(|name| needed.contains(&&name));
        if doomed && !is_needed {
            remove(remote.as_ref(), dir).await?;
        } else if oldest_kept.is_none() {
            oldest_kept = Some(dir.clone());
        }
    }
    if let Some(oldest) = oldest_kept {
        let prefix = format!("{}-", safe_name(&database));
        for dir in bad.iter().filter(|dir| **dir < oldest) {
            if dir
                .file_name()
                .is_some_and(|name| name.to_string_lossy().starts_with(&prefix))
            {
                remove(remote.as_ref(), dir).await?;
            }
        }
    }
    Ok(())
}

async fn remove(remote: Option<&Remote>, dir: &std::path::Path) -> Result {
    eprintln!("dbbackup: retention: deleting {}", dir.display());
    match remote {
        Some(remote) => {
            let name = dir
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_default();
            remote.delete(&name).await
        }
        None if dir.is_file() => {
            std::fs::remove_file(dir).map_err(|error| BackupError::io("delete", dir, &error))
        }
        None => {
            std::fs::remove_dir_all(dir).map_err(|error| BackupError::io("delete", dir, &error))
        }
    }
}
