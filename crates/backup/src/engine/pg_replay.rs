//! Restoring a chain of PostgreSQL incremental backups: the full backup as any other, then
//! each incremental's changes replayed in order (see `pg_incremental` for how they are
//! captured).

use std::path::Path;

use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{Connection as _, Executor as _};

use super::postgres::{USER_NAMESPACE, connect};
use super::postgres_restore::{sequences_and_views, wipe};
use super::stream::read_chunks;
use crate::error::{BackupError, Result};
use crate::manifest::Manifest;
use crate::target::short;

/// Bytes of SQL sent to the server in one round trip (and committed) when replaying.
const REPLAY_BYTES: usize = 1024 * 1024;

/// Bytes of one source transaction's SQL sent without committing.
const LARGE_TRANSACTION_BYTES: usize = 8 * REPLAY_BYTES;

/// Restores a chain: its full backup (`chain[0]`), then each incremental in order. A
/// replay that fails empties the target, as a failed full restore does.
#[allow(clippy::too_many_arguments)]
pub async fn restore_chain(
    chain: &[(std::path::PathBuf, Manifest)],
    options: &PgConnectOptions,
    database: &str,
    clean: bool,
    jobs: usize,
    throttle: &super::stream::Throttle,
    quiet: bool,
) -> Result<(super::Restored, u64)> {
    let Some(((full_dir, full), increments)) = chain.split_first() else {
        return Err(BackupError::failed("the backup chain is empty"));
    };
    let restored = super::postgres_restore::restore(
        full_dir, full, options, database, clean, None, jobs, throttle, quiet,
    )
    .await?;
    let mut statements = 0;
    for (dir, manifest) in increments {
        match replay(options, dir, manifest).await {
            Ok(replayed) => statements += replayed,
            Err(error) => {
                let cleaned = match connect(options).await {
                    Ok(mut fresh) => wipe(&mut fresh).await,
                    Err(error) => Err(error),
                };
                return Err(super::failed_restore(
                    &BackupError::failed(format!("{}: {}", dir.display(), error.message)),
                    &cleaned,
                ));
            }
        }
    }
    Ok((restored, statements))
}

/// One line of a changes file.
#[derive(serde::Deserialize)]
struct Record {
    sql: Option<String>,
    rows: Option<u64>,
    commit: Option<u64>,
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
pub async fn replay(options: &PgConnectOptions, dir: &Path, manifest: &Manifest) -> Result<u64> {
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
    let mut chunks = read_chunks(&dir.join(&changes.file), manifest.compression)?;
    let mut replay = Replay::default();
    let mut partial: Vec<u8> = Vec::new();
    while let Some(chunk) = chunks.recv().await {
        let chunk = chunk?;
        let mut rest: &[u8] = &chunk;
        while let Some(end) = rest.iter().position(|&byte| byte == b'\n') {
            partial.extend_from_slice(&rest[..end]);
            rest = &rest[end + 1..];
            replay.line(&mut conn, &partial).await?;
            partial.clear();
        }
        partial.extend_from_slice(rest);
    }
    if !partial.is_empty() {
        replay.line(&mut conn, &partial).await?;
    }
    replay.flush(&mut conn).await?;
    if replay.statements != changes.statements || replay.transactions != changes.transactions {
        return Err(BackupError::failed(format!(
            "{}: replayed {} statements in {} transactions, the manifest lists {} in {}",
            changes.file,
            replay.statements,
            replay.transactions,
            changes.statements,
            changes.transactions
        )));
    }
    sequences_and_views(&mut conn, manifest).await?;
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
    Ok(replay.statements)
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

/// Statements gathered into round trips, with the rows they must touch.
#[derive(Default)]
struct Replay {
    batch: String,
    expected_rows: u64,
    statements: u64,
    transactions: u64,
}

impl Replay {
    async fn line(&mut self, conn: &mut PgConnection, line: &[u8]) -> Result {
        let record: Record = serde_json::from_slice(line).map_err(|error| {
            BackupError::failed(format!("a changes record is damaged: {error}"))
        })?;
        if record.commit.is_some() {
            self.transactions += 1;
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
        self.batch.push_str(&sql);
        self.batch.push_str(";\n");
        self.expected_rows += record.rows.unwrap_or(0);
        self.statements += 1;
        // A transaction too large for one batch is sent in parts, still uncommitted.
        if self.batch.len() >= LARGE_TRANSACTION_BYTES {
            self.flush(conn).await?;
        }
        Ok(())
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
