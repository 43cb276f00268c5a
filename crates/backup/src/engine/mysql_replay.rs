//! Restoring a chain of MySQL/MariaDB incremental backups: the full backup as any other,
//! then each incremental's row events handed back to the server in order, as `BINLOG`
//! statements (see `mysql_incremental` for how they are captured). The server applies
//! them as a replica would: a row to update or delete that is not there is an error, so a
//! replay onto data that differs from the source's stops instead of drifting.

use std::path::Path;

use base64::Engine as _;
use chrono::{DateTime, FixedOffset};
use sqlx::mysql::{MySqlConnectOptions, MySqlConnection};
use sqlx::{Connection as _, Executor as _};

use super::Replayed;
use super::mysql::connect;
use super::mysql_binlog::{self as binlog, kind};
use super::mysql_incremental::AUTO_INCREMENT;
use super::mysql_schema::quote;
use super::stream::LineReader;
use crate::error::{BackupError, Result};
use crate::manifest::Manifest;
use crate::target::short;

/// Bytes of events committed together, and sent in one `BINLOG` statement (a statement's
/// events larger than this go in one of their own): a statement a round trip would make
/// replay ten times slower on pgbench-like transactions.
const REPLAY_BYTES: usize = 1024 * 1024;

/// Bytes of one source transaction's statements sent without committing.
const LARGE_TRANSACTION_BYTES: usize = 8 * REPLAY_BYTES;

/// Restores a chain (see [`super::restore_chain`]) into a MySQL database.
pub async fn restore_chain(
    how: &super::ChainRestore<'_>,
    options: &MySqlConnectOptions,
) -> Result<(super::Restored, Replayed)> {
    let target = Target {
        options,
        database: how.database,
    };
    super::restore_chain(&target, how).await
}

/// The MySQL database a chain is restored into.
struct Target<'a> {
    options: &'a MySqlConnectOptions,
    database: &'a str,
}

impl super::ChainReplay for Target<'_> {
    async fn restore_full(
        &self,
        dir: &Path,
        manifest: &Manifest,
        how: &super::ChainRestore<'_>,
    ) -> Result<super::Restored> {
        super::mysql_restore::restore(
            dir,
            manifest,
            self.options,
            self.database,
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
        replay(self.options, self.database, dir, manifest, until, replayed).await
    }

    async fn finish(&self, last: &Manifest) -> Result {
        let mut conn = connect(self.options, "").await?;
        auto_increments(&mut conn, last).await?;
        conn.close().await.ok();
        Ok(())
    }

    async fn wipe(&self) -> Result {
        super::mysql_restore::wipe_database(self.options).await
    }
}

/// Each table's AUTO_INCREMENT as the source had it when the incremental was taken (the
/// rows replayed may not have moved it: inserts rolled back, or rows deleted since).
async fn auto_increments(conn: &mut MySqlConnection, manifest: &Manifest) -> Result {
    let Some(tables) = manifest
        .settings
        .get(AUTO_INCREMENT)
        .and_then(|v| v.as_object())
    else {
        return Ok(());
    };
    for (table, next) in tables {
        if let Some(next) = next.as_u64() {
            conn.execute(sqlx::AssertSqlSafe(format!(
                "ALTER TABLE {} AUTO_INCREMENT = {next}",
                quote(table)
            )))
            .await?;
        }
    }
    Ok(())
}

/// One line of a changes file.
#[derive(serde::Deserialize)]
struct Record {
    format: Option<String>,
    events: Option<String>,
    commit: Option<u64>,
    at: Option<String>,
}

/// Replays one incremental backup's events onto a database restored up to the backup it
/// follows.
async fn replay(
    options: &MySqlConnectOptions,
    database: &str,
    dir: &Path,
    manifest: &Manifest,
    until: Option<DateTime<FixedOffset>>,
    replayed: &mut Replayed,
) -> Result {
    let changes = manifest
        .changes
        .as_ref()
        .ok_or_else(|| BackupError::failed(format!("{} lists no changes file", dir.display())))?;
    let mut conn = connect(options, "").await?;
    // As mariadb-binlog's output does: the session applies events as a replica would.
    conn.execute("SET SESSION pseudo_slave_mode = 1").await?;
    // The target logs what it applies. With annotations on (MariaDB's default), every
    // statement inside a `BINLOG` statement is logged with the whole `BINLOG` text: a
    // 1 MB statement holding a thousand source statements would log a gigabyte. Where the
    // user may not switch them off, each source statement gets a `BINLOG` of its own.
    let gather = conn
        .execute("SET SESSION binlog_annotate_row_events = OFF")
        .await
        .is_ok();
    let mut replay = Replay {
        database: database.to_owned(),
        until,
        checksummed: true,
        statement_bytes: if gather { REPLAY_BYTES } else { 0 },
        ..Replay::default()
    };
    let mut lines = LineReader::open(&dir.join(&changes.file), manifest.compression)?;
    while let Some(line) = lines.next_line().await? {
        replay.line(&mut conn, line).await?;
        if replay.stopped {
            break;
        }
    }
    if !replay.stopped && !replay.pending.is_empty() {
        return Err(BackupError::failed(format!(
            "{}: the last transaction has no commit record",
            changes.file
        )));
    }
    replay.flush(&mut conn, true).await?;
    conn.close().await.ok();
    replayed.add(
        changes,
        replay.statements,
        replay.transactions,
        replay.last_commit,
        replay.stopped,
    )
}

/// Statements' events gathered into transactions and `BINLOG` statements. The current
/// source transaction's wait in `pending` until its commit record says whether it is
/// replayed (`--until`).
///
/// Many statements' events go in one `BINLOG` statement (the server applies them in
/// order, each ending its statement), but each `BINLOG` statement is a query of its own:
/// MariaDB 10.11 silently skips some row events of a `BINLOG` statement sent in a
/// multi-statement query (seen with a table without a key: its changes were not applied,
/// and no error came back).
#[derive(Default)]
struct Replay {
    database: String,
    /// Most bytes of events in one `BINLOG` statement (one statement's go alone).
    statement_bytes: usize,
    /// Whether the events carry CRC32 trailers (from the last format description).
    checksummed: bool,
    /// Statements' events (table maps renamed), in order.
    batch: Vec<Vec<u8>>,
    batch_bytes: usize,
    /// A transaction is open on the connection (a large one sent in parts).
    open: bool,
    pending: Vec<Vec<u8>>,
    pending_bytes: usize,
    statements: u64,
    transactions: u64,
    last_commit: Option<String>,
    until: Option<DateTime<FixedOffset>>,
    stopped: bool,
}

impl Replay {
    async fn line(&mut self, conn: &mut MySqlConnection, line: &[u8]) -> Result {
        let record: Record = serde_json::from_slice(line).map_err(|error| {
            BackupError::failed(format!("a changes record is damaged: {error}"))
        })?;
        if let Some(format) = record.format {
            let event = decode(&format)?;
            self.checksummed = binlog::crc_after(&event);
            // Each binary log file starts with one, between transactions: what came
            // before is committed first.
            self.flush(conn, true).await?;
            conn.execute(sqlx::AssertSqlSafe(binlog_statement(&event)))
                .await
                .map_err(replay_failed)?;
            return Ok(());
        }
        if let Some(events) = record.events {
            let events = self.renamed(&decode(&events)?)?;
            self.pending_bytes += events.len();
            self.pending.push(events);
            if self.until.is_none() && self.pending_bytes >= LARGE_TRANSACTION_BYTES {
                self.take_pending();
                self.flush(conn, false).await?;
            }
            return Ok(());
        }
        if record.commit.is_none() {
            return Err(BackupError::failed(
                "a changes record has neither events nor commit",
            ));
        }
        if let Some(until) = self.until {
            let at = record
                .at
                .as_deref()
                .and_then(|at| DateTime::parse_from_rfc3339(at).ok())
                .ok_or_else(|| {
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
        if self.batch_bytes >= REPLAY_BYTES {
            self.flush(conn, true).await?;
        }
        Ok(())
    }

    /// The events with each table map naming the target database.
    fn renamed(&self, events: &[u8]) -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity(events.len() + 256);
        let mut rest = events;
        while !rest.is_empty() {
            let size = rest
                .get(9..13)
                .map(|bytes| u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize)
                .filter(|&size| size >= binlog::HEADER && size <= rest.len())
                .ok_or_else(|| BackupError::failed("a changes record holds an event cut short"))?;
            let (event, next) = rest.split_at(size);
            if binlog::header(event).is_some_and(|header| header.kind == kind::TABLE_MAP) {
                let renamed = binlog::renamed_table_map(event, &self.database, self.checksummed)
                    .ok_or_else(|| {
                        BackupError::failed("a changes record holds a damaged table map")
                    })?;
                out.extend_from_slice(&renamed);
            } else {
                out.extend_from_slice(event);
            }
            rest = next;
        }
        Ok(out)
    }

    /// Moves the current transaction's statements into the batch.
    fn take_pending(&mut self) {
        self.statements += self.pending.len() as u64;
        self.batch.append(&mut self.pending);
        self.batch_bytes += std::mem::take(&mut self.pending_bytes);
    }

    /// Sends the batch, inside a transaction, committing it when asked.
    async fn flush(&mut self, conn: &mut MySqlConnection, commit: bool) -> Result {
        if self.batch.is_empty() && !(commit && self.open) {
            return Ok(());
        }
        if !self.open {
            conn.execute("START TRANSACTION")
                .await
                .map_err(replay_failed)?;
            self.open = true;
        }
        let mut events = Vec::with_capacity(self.batch_bytes.min(2 * REPLAY_BYTES));
        for statement in self.batch.drain(..) {
            if !events.is_empty() && events.len() + statement.len() > self.statement_bytes {
                conn.execute(sqlx::AssertSqlSafe(binlog_statement(&events)))
                    .await
                    .map_err(replay_failed)?;
                events.clear();
            }
            events.extend_from_slice(&statement);
        }
        if !events.is_empty() {
            conn.execute(sqlx::AssertSqlSafe(binlog_statement(&events)))
                .await
                .map_err(replay_failed)?;
        }
        self.batch_bytes = 0;
        if commit {
            conn.execute("COMMIT").await.map_err(replay_failed)?;
            self.open = false;
        }
        Ok(())
    }
}

fn binlog_statement(events: &[u8]) -> String {
    format!(
        "BINLOG '{}'",
        base64::engine::general_purpose::STANDARD.encode(events)
    )
}

fn decode(text: &str) -> Result<Vec<u8>> {
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|error| BackupError::failed(format!("a changes record is damaged: {error}")))
}

fn replay_failed(error: sqlx::Error) -> BackupError {
    let message = short(&error);
    let hint = if message.contains("privilege") {
        "replaying binary log events needs the SUPER or BINLOG REPLAY privilege on the target"
    } else {
        "the restored data does not match what the changes were made on; the target was emptied"
    };
    BackupError::failed(format!("replaying the changes failed: {message}")).hint(hint)
}
