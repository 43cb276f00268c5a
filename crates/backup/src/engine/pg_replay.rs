//! Restoring a chain of PostgreSQL incremental backups: the full backup as any other, then
//! each incremental's changes replayed in order (see `pg_incremental` for how they are
//! captured).

use std::path::Path;

use chrono::{DateTime, FixedOffset};
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{Connection as _, Executor as _};

use super::postgres::{USER_NAMESPACE, connect};
use super::postgres_restore::{sequences_and_views, wipe};
use super::stream::LineReader;
use crate::error::{BackupError, Result};
use crate::manifest::Manifest;
use crate::target::short;

use super::Replayed;

/// Bytes of SQL sent to the server in one round trip (and committed) when replaying.
const REPLAY_BYTES: usize = 1024 * 1024;

/// Bytes of one source transaction's SQL sent without committing.
const LARGE_TRANSACTION_BYTES: usize = 8 * REPLAY_BYTES;

/// Restores a chain (see [`super::restore_chain`]) into a PostgreSQL database.
pub async fn restore_chain(
    how: &super::ChainRestore<'_>,
    options: &PgConnectOptions,
) -> Result<(super::Restored, Replayed)> {
    super::restore_chain(&Target(options), how).await
}

/// The PostgreSQL database a chain is restored into.
struct Target<'a>(&'a PgConnectOptions);

impl super::ChainReplay for Target<'_> {
    async fn restore_full(
        &self,
        dir: &Path,
        manifest: &Manifest,
        how: &super::ChainRestore<'_>,
    ) -> Result<super::Restored> {
        super::postgres_restore::restore(
            dir,
            manifest,
            self.0,
            how.database,
            how.clean,
            None,
            how.jobs,
            how.throttle,
            how.quiet,
        )
        .await
    }

    async fn replay(
        &self,
        dir: &Path,
        manifest: &Manifest,
        until: Option<DateTime<FixedOffset>>,
        replayed: &mut Replayed,
    ) -> Result {
        replay(self.0, dir, manifest, until, replayed).await
    }

    /// Sequences and materialized views once, as of the last incremental replayed (after
    /// an early stop they may be ahead of the rows: a gap in the numbers, never one used
    /// twice).
    async fn finish(&self, last: &Manifest) -> Result {
        let mut conn = connect(self.0).await?;
        sequences_and_views(&mut conn, last).await?;
        conn.close().await.ok();
        Ok(())
    }

    async fn wipe(&self) -> Result {
        let mut fresh = connect(self.0).await?;
        wipe(&mut fresh).await
    }
}

/// One line of a changes file.
#[derive(serde::Deserialize)]
struct Record {
    sql: Option<String>,
    rows: Option<u64>,
    commit: Option<u64>,
    at: Option<String>,
}

/// A commit time as the server printed it (`2026-11-21 23:18:31.299385+00`).
fn commit_time(text: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f%#z").ok()
}

/// `--until`: RFC 3339 (`2026-11-21T14:05:00Z`), or a time as PostgreSQL prints one
/// (`2026-11-21 14:05:00+00`); the offset is required.
pub fn parse_until(text: &str) -> std::result::Result<DateTime<FixedOffset>, String> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .or_else(|| commit_time(text))
        .ok_or_else(|| {
            format!("\"{text}\" is not a time with an offset: try 2026-11-21T14:05:00Z or 2026-11-21 14:05:00+01")
        })
}

/// Replays an incremental backup's changes onto a database restored up to the backup it
/// follows. User triggers are switched off while it runs (the source's triggers already
/// did their work, and their effects are among the changes); every statement must touch
/// exactly the rows it touched in the source.
///
/// Transactions are committed a batch of source transactions at a time, never inside one
/// (deferred constraints are checked where the source checked them). One transaction for
/// the whole replay would be quadratic: a row updated a thousand times in it (pgbench's
/// branches) keeps a thousand versions that no one may prune until it commits. Nothing is
/// lost by committing early: a replay that fails empties the whole target.
async fn replay(
    options: &PgConnectOptions,
    dir: &Path,
    manifest: &Manifest,
    until: Option<DateTime<FixedOffset>>,
    replayed: &mut Replayed,
) -> Result {
    let changes = manifest
        .changes
        .as_ref()
        .ok_or_else(|| BackupError::failed(format!("{} lists no changes file", dir.display())))?;
    let mut conn = connect(options).await?;
    // As for the restore's loads: a failed replay is thrown away whole.
    conn.execute("SET synchronous_commit = off").await?;
    conn.execute("BEGIN").await?;
    let triggers = enabled_triggers(&mut conn).await?;
    for (table, trigger, _) in &triggers {
        conn.execute(sqlx::AssertSqlSafe(format!(
            "ALTER TABLE {table} DISABLE TRIGGER {trigger}"
        )))
        .await?;
    }
    let mut replay = Replay {
        until,
        ..Replay::default()
    };
    let mut lines = LineReader::open(&dir.join(&changes.file), manifest.compression)?;
    while let Some(line) = lines.next_line().await? {
        replay.line(&mut conn, line).await?;
        if replay.stopped {
            break;
        }
    }
    replay.flush(&mut conn).await?;
    replayed.add(
        changes,
        replay.statements,
        replay.transactions,
        replay.last_commit.take(),
        replay.stopped,
    )?;
    for (table, trigger, mode) in &triggers {
        let enable = if mode == "A" {
            "ENABLE ALWAYS"
        } else {
            "ENABLE"
        };
        conn.execute(sqlx::AssertSqlSafe(format!(
            "ALTER TABLE {table} {enable} TRIGGER {trigger}"
        )))
        .await?;
    }
    conn.execute("COMMIT").await?;
    conn.close().await.ok();
    Ok(())
}

/// User triggers that fire on an ordinary session: (table, trigger, `O` or `A`). Triggers
/// cloned onto partitions follow their parent's.
async fn enabled_triggers(conn: &mut PgConnection) -> Result<Vec<(String, String, String)>> {
    let sql = format!(
        "SELECT format('%I.%I', n.nspname, c.relname), quote_ident(t.tgname), t.tgenabled::text \
         FROM pg_catalog.pg_trigger t \
         JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         WHERE NOT t.tgisinternal AND t.tgparentid = 0 AND t.tgenabled IN ('O', 'A') \
           AND {USER_NAMESPACE} \
         ORDER BY 1, 2"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .fetch_all(&mut *conn)
        .await?)
}

/// Statements gathered into round trips, with the rows they must touch. The current source
/// transaction's statements wait in `pending` until its commit record says whether it is
/// replayed (`--until`).
#[derive(Default)]
struct Replay {
    batch: String,
    expected_rows: u64,
    pending: String,
    pending_rows: u64,
    pending_statements: u64,
    statements: u64,
    transactions: u64,
    last_commit: Option<String>,
    until: Option<DateTime<FixedOffset>>,
    stopped: bool,
}

impl Replay {
    async fn line(&mut self, conn: &mut PgConnection, line: &[u8]) -> Result {
        let record: Record = serde_json::from_slice(line).map_err(|error| {
            BackupError::failed(format!("a changes record is damaged: {error}"))
        })?;
        if record.commit.is_some() {
            if let Some(until) = self.until {
                let at = record.at.as_deref().and_then(commit_time).ok_or_else(|| {
                    BackupError::failed(
                        "a transaction has no commit time, so --until cannot place it",
                    )
                })?;
                if at > until {
                    self.stopped = true;
                    return Ok(());
                }
            }
            self.take_pending();
            self.transactions += 1;
            self.last_commit = record.at;
            if self.batch.len() >= REPLAY_BYTES {
                self.batch.push_str("COMMIT;\nBEGIN;\n");
                self.flush(conn).await?;
            }
            return Ok(());
        }
        let Some(sql) = record.sql else {
            return Err(BackupError::failed(
                "a changes record has neither sql nor commit",
            ));
        };
        self.pending.push_str(&sql);
        self.pending.push_str(";\n");
        self.pending_rows += record.rows.unwrap_or(0);
        self.pending_statements += 1;
        // A transaction too large for one batch is sent in parts, still uncommitted; with
        // --until it must wait for its commit time, so it stays in memory whole.
        if self.until.is_none() && self.pending.len() >= LARGE_TRANSACTION_BYTES {
            self.take_pending();
            self.flush(conn).await?;
        }
        Ok(())
    }

    /// Moves the current transaction's statements into the batch.
    fn take_pending(&mut self) {
        self.batch.push_str(&self.pending);
        self.pending.clear();
        self.expected_rows += self.pending_rows;
        self.statements += self.pending_statements;
        self.pending_rows = 0;
        self.pending_statements = 0;
    }

    async fn flush(&mut self, conn: &mut PgConnection) -> Result {
        if self.batch.is_empty() {
            return Ok(());
        }
        let sql = std::mem::take(&mut self.batch);
        let done = conn
            .execute(sqlx::raw_sql(sqlx::AssertSqlSafe(sql)))
            .await
            .map_err(|error| {
                BackupError::failed(format!("replaying the changes failed: {}", short(&error)))
            })?;
        // TRUNCATE reports no rows; every other statement touched exactly one.
        if done.rows_affected() != self.expected_rows {
            return Err(BackupError::failed(format!(
                "replaying the changes touched {} rows where the source touched {}: the restored data does not match what the changes were made on",
                done.rows_affected(),
                self.expected_rows
            )));
        }
        self.expected_rows = 0;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_times_read_as_the_server_prints_them_and_until_as_people_write_it() {
        let commit = commit_time("2026-11-21 23:18:31.299385+00").unwrap();
        assert_eq!(commit.to_rfc3339(), "2026-11-21T23:18:31.299385+00:00");
        assert!(commit_time("2026-11-21 23:18:31+05:30").is_some());
        assert_eq!(
            parse_until("2026-11-21T23:18:31Z").unwrap(),
            parse_until("2026-11-21 23:18:31+00").unwrap()
        );
        assert!(parse_until("2026-11-21 23:18:31").is_err(), "no offset");
        assert!(parse_until("yesterday").is_err());
    }
}
