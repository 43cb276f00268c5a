//! PostgreSQL incremental backups from the write-ahead log. A full backup taken with
//! `--slot NAME` first creates a logical replication slot (plugin `test_decoding`): from
//! then on the server keeps every committed row change in its WAL until the slot is moved
//! past it. Each incremental backup reads the changes since the previous backup of the
//! chain (`pg_logical_slot_peek_changes`), writes them as SQL statements, and only once the
//! backup is complete moves the slot on (`pg_replication_slot_advance`), so a failed run
//! loses nothing. A restore replays a full backup, then each incremental in order.
//!
//! The slot is created just before the full backup's snapshot, so changes committed in
//! between are both in the backup and in the slot: the first incremental skips the
//! transactions the full backup's snapshot saw.
//!
//! Logical decoding carries rows, not DDL: a schema change ends a chain (the next
//! incremental notices and asks for a full backup).

use std::collections::HashSet;
use std::path::Path;

use futures_util::TryStreamExt as _;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{Connection as _, Executor as _};

use super::pg_decode::{self, Change, TableInfo, Tables};
use super::postgres::{USER_NAMESPACE, XID_SNAPSHOT, connect, open_snapshot, qualified};
use super::stream::LineFile;
use crate::error::{BackupError, Result};
use crate::files::Compression;
use crate::manifest::{ChangesEntry, LogPosition, Manifest};
use crate::target::{Secret, short};

/// Bytes of change records handed to the file thread at once.
const BATCH_BYTES: usize = 256 * 1024;

/// A slot name PostgreSQL accepts: lower-case letters, digits and `_`, at most 63.
pub fn check_slot_name(name: &str) -> Result {
    let valid = !name.is_empty()
        && name.len() <= 63
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if valid {
        Ok(())
    } else {
        Err(BackupError::usage(format!(
            "\"{name}\" is not a replication slot name: use lower-case letters, digits and _ (at most 63)"
        )))
    }
}

/// Why logical decoding is refused, in words a user can act on.
fn decoding_error(error: &sqlx::Error) -> BackupError {
    let message = short(error);
    let hint = if message.contains("wal_level") {
        "set wal_level = logical in postgresql.conf (or ALTER SYSTEM SET wal_level = logical) and restart the server"
    } else if message.contains("permission denied") || message.contains("must be superuser") {
        "the backup user needs the REPLICATION attribute: ALTER ROLE <user> REPLICATION"
    } else if message.contains("max_replication_slots")
        || message.contains("all replication slots are in use")
    {
        "raise max_replication_slots, or drop a slot that is not used any more"
    } else {
        "nothing was kept"
    };
    BackupError::failed(format!("logical decoding failed: {message}")).hint(hint)
}

/// Creates the slot a chain of incremental backups reads (dropping an older one of that
/// name: a new full backup starts a new chain). Returns its starting position.
pub async fn create_slot(options: &PgConnectOptions, slot: &str) -> Result<String> {
    let mut conn = connect(options).await?;
    let exists: Option<String> = sqlx::query_scalar(
        "SELECT database::text FROM pg_catalog.pg_replication_slots WHERE slot_name = $1",
    )
    .bind(slot)
    .fetch_optional(&mut conn)
    .await?;
    if exists.is_some() {
        sqlx::query("SELECT pg_catalog.pg_drop_replication_slot($1)")
            .bind(slot)
            .execute(&mut conn)
            .await
            .map_err(|error| {
                decoding_error(&error).hint("the slot may be in use by another process")
            })?;
    }
    let lsn: String = sqlx::query_scalar(
        "SELECT lsn::text FROM pg_catalog.pg_create_logical_replication_slot($1, 'test_decoding')",
    )
    .bind(slot)
    .fetch_one(&mut conn)
    .await
    .map_err(|error| decoding_error(&error))?;
    Ok(lsn)
}

/// Drops a slot (after a failed full backup, so it does not hold WAL for nothing).
pub async fn drop_slot(options: &PgConnectOptions, slot: &str) -> Result {
    let mut conn = connect(options).await?;
    sqlx::query(
        "SELECT pg_catalog.pg_drop_replication_slot(slot_name) FROM pg_catalog.pg_replication_slots \
         WHERE slot_name = $1",
    )
    .bind(slot)
    .execute(&mut conn)
    .await?;
    Ok(())
}

/// Moves the slot past what a complete backup holds, so the server can recycle that WAL.
pub async fn advance(options: &PgConnectOptions, position: &LogPosition) -> Result {
    let mut conn = connect(options).await?;
    sqlx::query("SELECT pg_catalog.pg_replication_slot_advance($1, $2::pg_lsn)")
        .bind(&position.slot)
        .bind(&position.lsn)
        .execute(&mut conn)
        .await
        .map_err(|error| decoding_error(&error))?;
    Ok(())
}

/// What an incremental backup captured.
pub struct Captured {
    /// Where the next incremental continues.
    pub position: LogPosition,
    pub changes: ChangesEntry,
    pub version: String,
    /// Sequence positions and materialized views to refresh, as a full backup's.
    pub settings: serde_json::Map<String, serde_json::Value>,
}

/// The previous backup of a chain and the full backup it starts from.
pub struct Chain<'a> {
    /// The backup the new one follows (the full backup itself for the first incremental).
    pub previous: &'a Manifest,
    /// The full backup's folder: its schema files tell whether the schema changed.
    pub full_dir: &'a Path,
}

/// Writes the changes committed since `chain.previous` into `dir`.
pub async fn capture(
    options: &PgConnectOptions,
    password: &Secret,
    dir: &Path,
    compression: Compression,
    chain: &Chain<'_>,
) -> Result<Captured> {
    let position = chain.previous.log.as_ref().ok_or_else(|| {
        BackupError::usage("the previous backup has no replication slot to continue from")
            .hint("take the full backup with --slot NAME")
    })?;
    let mut conn = connect(options).await?;
    check_slot(&mut conn, position).await?;
    let tables = table_infos(&mut conn).await?;
    // Only the first incremental overlaps its full backup.
    let seen = match chain.previous.follows {
        None => chain
            .previous
            .settings
            .get(XID_SNAPSHOT)
            .and_then(|value| value.as_str())
            .map(Visible::parse)
            .transpose()?,
        Some(_) => None,
    };
    let file = format!("changes.jsonl.{}", compression.suffix());
    let out = LineFile::create(&dir.join(&file), compression)?;
    let read = read_changes(&mut conn, &position.slot, &tables, seen.as_ref(), &out).await;
    let (written, checksum) = out.finish().await?;
    let read = read?;
    conn.close().await.ok();

    // Logical decoding carries no DDL: replaying rows onto another schema would be wrong.
    let now = open_snapshot(options, password).await?;
    let mut snapshot_conn = now.conn;
    snapshot_conn.execute("COMMIT").await?;
    for (file, current) in [
        ("schema/pre-data.sql", &now.pre),
        ("schema/post-data.sql", &now.post),
    ] {
        let path = chain.full_dir.join(file);
        let old = std::fs::read_to_string(&path)
            .map_err(|error| BackupError::io("read", &path, &error))?;
        if schema_text(&old) != schema_text(current) {
            return Err(BackupError::failed(
                "the schema changed since the full backup; an incremental backup carries rows, not schema changes",
            )
            .hint("take a new full backup (with --slot) to start a new chain"));
        }
    }
    let mut settings = now.settings;
    settings.remove(XID_SNAPSHOT);
    Ok(Captured {
        position: LogPosition {
            slot: position.slot.clone(),
            lsn: read.last_lsn.unwrap_or_else(|| position.lsn.clone()),
        },
        changes: ChangesEntry {
            transactions: read.transactions,
            statements: read.statements,
            first_commit: read.first_commit,
            last_commit: read.last_commit,
            ..ChangesEntry::written(file, written, &checksum)
        },
        version: now.version,
        settings,
    })
}

/// A schema file without its comments (pg_dump's header names its own version).
fn schema_text(text: &str) -> String {
    text.lines()
        .filter(|line| !line.starts_with("--"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The slot must exist, decode this database, and stand where the previous backup ended.
async fn check_slot(conn: &mut PgConnection, position: &LogPosition) -> Result {
    let slot: Option<(Option<String>, bool, String)> = sqlx::query_as(
        "SELECT plugin::text, database = pg_catalog.current_database(), \
                pg_catalog.pg_wal_lsn_diff(confirmed_flush_lsn, $2::pg_lsn)::text \
         FROM pg_catalog.pg_replication_slots WHERE slot_name = $1",
    )
    .bind(&position.slot)
    .bind(&position.lsn)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((plugin, same_database, ahead)) = slot else {
        return Err(BackupError::failed(format!(
            "replication slot {} does not exist any more, so the changes since the previous backup are gone",
            position.slot
        ))
        .hint("take a new full backup with --slot to start a new chain"));
    };
    if plugin.as_deref() != Some("test_decoding") || !same_database {
        return Err(BackupError::failed(format!(
            "replication slot {} is not a test_decoding slot of this database",
            position.slot
        ))
        .hint("take a new full backup with --slot and a name of its own"));
    }
    if ahead.starts_with('-') {
        // The previous run completed but stopped before moving the slot: finish its work.
        sqlx::query("SELECT pg_catalog.pg_replication_slot_advance($1, $2::pg_lsn)")
            .bind(&position.slot)
            .bind(&position.lsn)
            .execute(&mut *conn)
            .await
            .map_err(|error| decoding_error(&error))?;
    } else if ahead != "0" {
        return Err(BackupError::failed(format!(
            "replication slot {} has moved past this backup: a later incremental backup already holds the changes after it",
            position.slot
        ))
        .hint("continue the chain from its newest backup (dbbackup list)"));
    }
    Ok(())
}

/// Every user table's replay facts: writable columns, identity columns, replica identity.
async fn table_infos(conn: &mut PgConnection) -> Result<Tables> {
    let sql = format!(
        "SELECT n.nspname::text, c.relname::text, c.relreplident::text, \
                coalesce(array_agg(a.attname::text) FILTER (WHERE a.attgenerated = ''), '{{}}'), \
                coalesce(array_agg(a.attname::text) FILTER (WHERE a.attidentity = 'a'), '{{}}'), \
                coalesce((SELECT array_agg(ka.attname::text ORDER BY k.ord) \
                          FROM pg_catalog.pg_index i \
                          CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) \
                          JOIN pg_catalog.pg_attribute ka ON ka.attrelid = i.indrelid AND ka.attnum = k.attnum \
                          WHERE i.indrelid = c.oid \
                            AND ((c.relreplident = 'd' AND i.indisprimary) \
                              OR (c.relreplident = 'i' AND i.indisreplident))), '{{}}') \
         FROM pg_catalog.pg_class c \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped \
         WHERE c.relkind = 'r' AND {USER_NAMESPACE} \
         GROUP BY n.nspname, c.relname, c.oid, c.relreplident"
    );
    type Row = (
        String,
        String,
        String,
        Vec<String>,
        Vec<String>,
        Vec<String>,
    );
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .fetch_all(&mut *conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(schema, name, identity, writable, always, key)| {
            let info = TableInfo {
                sql_name: qualified(&schema, &name),
                writable: writable.into_iter().collect(),
                always_identity: always.into_iter().collect(),
                key,
                full_identity: identity == "f",
            };
            ((schema, name), info)
        })
        .collect())
}

/// The transactions a snapshot (`xmin:xmax:xip,...`, 64-bit ids) sees.
struct Visible {
    xmin: u64,
    xmax: u64,
    in_progress: HashSet<u64>,
}

impl Visible {
    fn parse(text: &str) -> Result<Self> {
        let bad =
            || BackupError::failed(format!("the full backup's snapshot \"{text}\" is damaged"));
        let mut parts = text.splitn(3, ':');
        let number = |part: Option<&str>| {
            part.and_then(|part| part.parse::<u64>().ok())
                .ok_or_else(bad)
        };
        let xmin = number(parts.next())?;
        let xmax = number(parts.next())?;
        let in_progress = parts
            .next()
            .unwrap_or("")
            .split(',')
            .filter(|part| !part.is_empty())
            .map(|part| part.parse::<u64>().map_err(|_| bad()))
            .collect::<Result<_>>()?;
        Ok(Self {
            xmin,
            xmax,
            in_progress,
        })
    }

    /// Whether the 32-bit transaction id `xid` (as decoding reports it) committed before
    /// the snapshot. Ids wrap around, so it is widened to the epoch nearest `xmax`.
    fn saw(&self, xid: u32) -> bool {
        let epoch = self.xmax & !0xFFFF_FFFF;
        let mut full = epoch | u64::from(xid);
        if full > self.xmax.saturating_add(1 << 31) {
            full = full.saturating_sub(1 << 32);
        } else if full.saturating_add(1 << 31) < self.xmax {
            full += 1 << 32;
        }
        full < self.xmin || (full < self.xmax && !self.in_progress.contains(&full))
    }
}

/// What was read from the slot.
#[derive(Default)]
struct Read {
    last_lsn: Option<String>,
    transactions: u64,
    statements: u64,
    first_commit: Option<String>,
    last_commit: Option<String>,
}

/// Streams the slot's changes (without consuming them) into the changes file.
async fn read_changes(
    conn: &mut PgConnection,
    slot: &str,
    tables: &Tables,
    seen: Option<&Visible>,
    out: &LineFile,
) -> Result<Read> {
    let mut rows = sqlx::query_as::<_, (String, String, String)>(
        "SELECT lsn::text, xid::text, data FROM pg_catalog.pg_logical_slot_peek_changes(\
         $1, NULL, NULL, 'include-timestamp', '1', 'skip-empty-xacts', '1')",
    )
    .bind(slot)
    .fetch(&mut *conn);
    let mut read = Read::default();
    let mut batch = String::with_capacity(BATCH_BYTES + 64 * 1024);
    let mut skipping = false;
    let mut pending_statements = 0;
    while let Some((lsn, xid, data)) = rows
        .try_next()
        .await
        .map_err(|error| decoding_error(&error))?
    {
        let xid: u32 = xid.parse().map_err(|_| {
            BackupError::failed(format!("logical decoding gave transaction id \"{xid}\""))
        })?;
        let change = pg_decode::parse(&data).map_err(|why| {
            BackupError::failed(format!(
                "cannot read a decoded change ({why}): {}",
                pg_decode::excerpt(&data, 120)
            ))
        })?;
        match &change {
            Change::Begin => {
                skipping = seen.is_some_and(|seen| seen.saw(xid));
                pending_statements = 0;
            }
            Change::Commit { at } => {
                read.last_lsn = Some(lsn);
                if skipping {
                    continue;
                }
                let record = serde_json::json!({ "commit": xid, "at": at });
                batch.push_str(&record.to_string());
                batch.push('\n');
                read.transactions += 1;
                read.statements += pending_statements;
                if read.first_commit.is_none() {
                    read.first_commit.clone_from(at);
                }
                read.last_commit.clone_from(at);
            }
            _ if skipping => {}
            _ => {
                let statement = pg_decode::statement(&change, tables)
                    .map_err(|why| BackupError::failed(why).hint("nothing was kept"))?;
                if let Some(statement) = statement {
                    let record =
                        serde_json::json!({ "sql": statement.sql, "rows": statement.rows });
                    batch.push_str(&record.to_string());
                    batch.push('\n');
                    pending_statements += 1;
                }
            }
        }
        if batch.len() >= BATCH_BYTES {
            let full =
                std::mem::replace(&mut batch, String::with_capacity(BATCH_BYTES + 64 * 1024));
            out.send(full.into_bytes().into()).await;
        }
    }
    out.send(batch.into_bytes().into()).await;
    Ok(read)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snapshot_sees_what_committed_before_it() {
        let seen = Visible::parse("100:105:101,103").unwrap();
        assert!(seen.saw(99));
        assert!(seen.saw(100));
        assert!(!seen.saw(101), "in progress when the snapshot was taken");
        assert!(seen.saw(102));
        assert!(!seen.saw(103));
        assert!(!seen.saw(105), "started after the snapshot");
        assert!(!seen.saw(4000));
    }

    #[test]
    fn transaction_ids_are_widened_across_the_wraparound() {
        // xmax just past 2^32 (epoch 1): 32-bit id 0xFFFF_FFF0 is from epoch 0, before it.
        let seen = Visible::parse("4294967290:4294967300:").unwrap();
        assert!(seen.saw(0xFFFF_FFF0));
        assert!(seen.saw(2), "2 in epoch 1 is 4294967298, below xmax");
        assert!(!seen.saw(5), "4294967301 is past xmax");
        assert!(Visible::parse("garbage").is_err());
    }

    #[test]
    fn slot_names_are_checked_before_the_server_sees_them() {
        assert!(check_slot_name("dbbackup_shop").is_ok());
        assert!(check_slot_name("Shop").is_err());
        assert!(check_slot_name("shop-nightly").is_err());
        assert!(check_slot_name("").is_err());
        assert!(check_slot_name(&"a".repeat(64)).is_err());
    }
}
