//! PostgreSQL backups. One repeatable-read, read-only transaction exports its snapshot; the
//! schema (`pg_dump --schema-only --snapshot`) and every table's data (`COPY ... TO STDOUT`,
//! on `--jobs` connections that all adopt that snapshot) are read from it, so the backup is
//! one consistent moment however many connections read it.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::path::Path;

use futures_util::TryStreamExt as _;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{Connection as _, Executor as _};

use super::pg_schema;
use super::stream::{LineFile, Lines, Throttle};
use super::{Dumped, write_schema};
use crate::error::{BackupError, Result};
use crate::files::Compression;
use crate::manifest::{Encoding, Manifest, TableEntry};
use crate::progress::Progress;
use crate::rows::Checksum;
use crate::target::{Secret, short};

/// Session settings that make `COPY` text identical on every server and session (dates,
/// floats, intervals, bytes), so the text restores exactly and a table's checksum can be
/// compared between a backup and a live database.
pub(super) const SESSION: &str = "SET DateStyle = 'ISO, MDY'; SET IntervalStyle = 'postgres'; \
    SET extra_float_digits = 3; SET TimeZone = 'UTC'; SET bytea_output = 'hex'; \
    SET standard_conforming_strings = on; SET row_security = off; \
    SET statement_timeout = 0; SET lock_timeout = 0; SET idle_in_transaction_session_timeout = 0; \
    SELECT pg_catalog.set_config('search_path', '', false);";

/// The settings key of the transactions a backup's snapshot sees.
pub(super) const XID_SNAPSHOT: &str = "xid_snapshot";

/// Bytes of `COPY` text handed to the file thread at once.
const BATCH_BYTES: usize = 256 * 1024;

/// Namespaces that belong to the server, not the database's owner.
pub(super) const USER_NAMESPACE: &str =
    "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'";

/// A table with data: ordinary tables and the leaves of partitioned ones.
pub(super) struct Table {
    pub schema: String,
    pub name: String,
    pub columns: Vec<String>,
    pub size: i64,
}

impl Table {
    pub fn display(&self) -> String {
        format!("{}.{}", self.schema, self.name)
    }
}

/// `"schema"."name"`.
pub(super) fn qualified(schema: &str, name: &str) -> String {
    format!("{}.{}", quote(schema), quote(name))
}

/// A quoted identifier.
pub(super) fn quote(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

/// `COPY <table> (<columns>)`: the columns named, so a restore does not depend on their
/// order in the target (generated columns are left out: the server computes them).
pub(super) fn copy_target(sql_name: &str, columns: &[String]) -> String {
    if columns.is_empty() {
        return sql_name.to_owned();
    }
    let columns: Vec<String> = columns.iter().map(|column| quote(column)).collect();
    format!("{sql_name} ({})", columns.join(", "))
}

/// Connects with the fixed session settings.
pub(super) async fn connect(options: &PgConnectOptions) -> Result<PgConnection> {
    let mut conn = PgConnection::connect_with(options).await.map_err(|error| {
        BackupError::failed(format!("cannot connect to PostgreSQL: {}", short(&error)))
    })?;
    conn.execute(sqlx::raw_sql(SESSION)).await?;
    Ok(conn)
}

async fn list_tables(conn: &mut PgConnection) -> Result<Vec<Table>> {
    let sql = format!(
        "SELECT n.nspname::text, c.relname::text, \
                coalesce(array_agg(a.attname::text ORDER BY a.attnum) \
                         FILTER (WHERE a.attname IS NOT NULL), '{{}}'), \
                pg_catalog.pg_relation_size(c.oid) \
         FROM pg_catalog.pg_class c \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 \
              AND NOT a.attisdropped AND a.attgenerated = '' \
         WHERE c.relkind = 'r' AND {USER_NAMESPACE} \
           AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d \
                           WHERE d.classid = 'pg_catalog.pg_class'::regclass \
                             AND d.objid = c.oid AND d.deptype = 'e') \
         GROUP BY n.nspname, c.relname, c.oid \
         ORDER BY n.nspname, c.relname"
    );
    let rows: Vec<(String, String, Vec<String>, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .fetch_all(&mut *conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(schema, name, columns, size)| Table {
            schema,
            name,
            columns,
            size,
        })
        .collect())
}

/// Every sequence's position (`last_value`, `is_called`), restored after the data.
async fn sequences(conn: &mut PgConnection) -> Result<serde_json::Value> {
    let sql = format!(
        "SELECT format('%I.%I', n.nspname, c.relname) \
         FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relkind = 'S' AND {USER_NAMESPACE} \
           AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d \
                           WHERE d.classid = 'pg_catalog.pg_class'::regclass \
                             AND d.objid = c.oid AND d.deptype = 'e') \
         ORDER BY 1"
    );
    let names: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .fetch_all(&mut *conn)
        .await?;
    let mut positions = Vec::with_capacity(names.len());
    for name in names {
        let (last, called): (i64, bool) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT last_value, is_called FROM {name}"
        )))
        .fetch_one(&mut *conn)
        .await?;
        positions.push(serde_json::json!([name, last, called]));
    }
    Ok(positions.into())
}

/// The sequence positions a backup's settings hold: (name, `last_value`, `is_called`).
pub(super) fn sequence_positions(
    settings: &serde_json::Map<String, serde_json::Value>,
) -> Vec<(String, i64, bool)> {
    settings
        .get("sequences")
        .and_then(|value| value.as_array())
        .map(|sequences| {
            sequences
                .iter()
                .filter_map(|sequence| {
                    Some((
                        sequence.get(0)?.as_str()?.to_owned(),
                        sequence.get(1)?.as_i64()?,
                        sequence.get(2)?.as_bool()?,
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Materialized views that hold data in the source: refreshed at the end of a restore.
async fn populated_views(conn: &mut PgConnection) -> Result<serde_json::Value> {
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT format('%I.%I', schemaname, matviewname) FROM pg_catalog.pg_matviews \
         WHERE ispopulated ORDER BY 1",
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(names.into())
}

/// The open transaction a backup reads in, and what was read from it before the data.
pub(super) struct Snapshot {
    /// The connection holding the snapshot (and the table locks) until the end.
    pub conn: PgConnection,
    /// Its exported name, for `SET TRANSACTION SNAPSHOT` and `pg_dump --snapshot`.
    pub name: String,
    pub version: String,
    pub tables: Vec<Table>,
    /// pg_dump's `pre-data` and `post-data` sections.
    pub pre: String,
    pub post: String,
    /// Sequence positions and populated materialized views.
    pub settings: serde_json::Map<String, serde_json::Value>,
}

/// Starts the backup's transaction, locks the tables, exports the snapshot and reads the
/// schema in it.
pub(super) async fn open_snapshot(
    options: &PgConnectOptions,
    password: &Secret,
) -> Result<Snapshot> {
    let mut main = connect(options).await?;
    main.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .await?;
    let tables = list_tables(&mut main).await?;
    if !tables.is_empty() {
        // Nobody may drop or rewrite a table until its data is read (pg_dump does the same).
        let names: Vec<String> = tables
            .iter()
            .map(|table| qualified(&table.schema, &table.name))
            .collect();
        main.execute(sqlx::AssertSqlSafe(format!(
            "LOCK TABLE {} IN ACCESS SHARE MODE",
            names.join(", ")
        )))
        .await?;
    }
    let snapshot: String = sqlx::query_scalar("SELECT pg_catalog.pg_export_snapshot()")
        .fetch_one(&mut main)
        .await?;
    let version: String = sqlx::query_scalar("SHOW server_version")
        .fetch_one(&mut main)
        .await?;
    let (pre, post) = tokio::try_join!(
        pg_schema::dump_section(options, password, &snapshot, "pre-data"),
        pg_schema::dump_section(options, password, &snapshot, "post-data"),
    )?;
    let mut settings = serde_json::Map::new();
    settings.insert("sequences".to_owned(), sequences(&mut main).await?);
    settings.insert("refresh".to_owned(), populated_views(&mut main).await?);
    // Which transactions the snapshot sees (`xmin:xmax:xip,...`): the first incremental
    // backup after this one skips the changes of those, which this backup already holds.
    let visible: String = sqlx::query_scalar("SELECT pg_catalog.pg_current_snapshot()::text")
        .fetch_one(&mut main)
        .await?;
    settings.insert(XID_SNAPSHOT.to_owned(), visible.into());
    Ok(Snapshot {
        conn: main,
        name: snapshot,
        version,
        tables,
        pre,
        post,
        settings,
    })
}

/// Dumps the database into `dir`.
pub async fn dump(
    options: &PgConnectOptions,
    password: &Secret,
    dir: &Path,
    compression: Compression,
    jobs: usize,
    throttle: &Throttle,
    quiet: bool,
) -> Result<Dumped> {
    let Snapshot {
        conn: mut main,
        name: snapshot,
        version,
        tables,
        pre,
        post,
        settings,
    } = open_snapshot(options, password).await?;
    for folder in ["schema", "data"] {
        std::fs::create_dir_all(dir.join(folder))
            .map_err(|error| BackupError::io("create", dir, &error))?;
    }
    let schema = vec![
        write_schema(dir, "schema/pre-data.sql", &pre)?,
        write_schema(dir, "schema/post-data.sql", &post)?,
    ];

    // Largest first, so the last table to finish is a small one.
    let mut order: Vec<usize> = (0..tables.len()).collect();
    order.sort_by_key(|&index| std::cmp::Reverse(tables[index].size));
    let queue = RefCell::new(order.into_iter().collect::<VecDeque<usize>>());
    let progress = RefCell::new(Progress::tables(tables.len(), "backing up", quiet));
    let workers = (0..jobs.clamp(1, tables.len().max(1))).map(|_| {
        dump_worker(
            options,
            &snapshot,
            &tables,
            &queue,
            dir,
            compression,
            throttle,
            &progress,
        )
    });
    let mut written: Vec<(usize, TableEntry)> = futures_util::future::try_join_all(workers)
        .await?
        .into_iter()
        .flatten()
        .collect();
    progress.borrow().finish();
    written.sort_by_key(|(index, _)| *index);
    main.execute("COMMIT").await?;
    main.close().await.ok();
    Ok(Dumped {
        version,
        settings,
        schema,
        tables: written.into_iter().map(|(_, entry)| entry).collect(),
    })
}

/// One `--jobs` connection: adopts the snapshot, then takes tables from the queue.
#[allow(clippy::too_many_arguments)]
async fn dump_worker(
    options: &PgConnectOptions,
    snapshot: &str,
    tables: &[Table],
    queue: &RefCell<VecDeque<usize>>,
    dir: &Path,
    compression: Compression,
    throttle: &Throttle,
    progress: &RefCell<Progress>,
) -> Result<Vec<(usize, TableEntry)>> {
    let mut conn = connect(options).await?;
    conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .await?;
    conn.execute(sqlx::AssertSqlSafe(format!(
        "SET TRANSACTION SNAPSHOT '{}'",
        snapshot.replace('\'', "''")
    )))
    .await?;
    let mut written = Vec::new();
    loop {
        let next = queue.borrow_mut().pop_front();
        let Some(index) = next else { break };
        let table = &tables[index];
        progress.borrow_mut().start(&table.display());
        let file = format!("data/{:04}.copy.{}", index + 1, compression.suffix());
        let sql_name = qualified(&table.schema, &table.name);
        let out = LineFile::create(&dir.join(&file), compression)?;
        let statement = format!("COPY {} TO STDOUT", copy_target(&sql_name, &table.columns));
        let mut stream = conn.copy_out_raw(&statement).await?;
        // The server sends a message per row: handing the file thread a batch at a time
        // keeps the channel (and thread wake-ups) out of the per-row cost.
        let mut batch = Vec::with_capacity(BATCH_BYTES + 64 * 1024);
        while let Some(chunk) = stream.try_next().await? {
            batch.extend_from_slice(&chunk);
            if batch.len() >= BATCH_BYTES {
                let full =
                    std::mem::replace(&mut batch, Vec::with_capacity(BATCH_BYTES + 64 * 1024));
                throttle.pace(full.len()).await;
                out.send(full.into()).await;
            }
        }
        drop(stream);
        throttle.pace(batch.len()).await;
        out.send(batch.into()).await;
        let (on_disk, checksum) = out.finish().await?;
        written.push((
            index,
            TableEntry {
                name: table.display(),
                rows: checksum.rows,
                checksum: checksum.hex(),
                file,
                bytes: on_disk.bytes,
                sha256: on_disk.sha256,
                rowid: false,
                encoding: Encoding::Copy,
                sql_name: Some(sql_name),
                columns: table.columns.clone(),
                base: None,
            },
        ));
        progress.borrow().done();
    }
    conn.execute("COMMIT").await?;
    conn.close().await.ok();
    Ok(written)
}

/// Per-table checksums of a live database, for `verify --against`; `None` for a table the
/// database does not have.
pub async fn live_checksums(
    options: &PgConnectOptions,
    manifest: &Manifest,
) -> Result<Vec<(String, Option<Checksum>)>> {
    let mut conn = connect(options).await?;
    conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .await?;
    let mut out = Vec::new();
    for entry in &manifest.tables {
        let sql_name = entry.sql_name.clone().unwrap_or_default();
        let exists: bool = sqlx::query_scalar("SELECT pg_catalog.to_regclass($1) IS NOT NULL")
            .bind(&sql_name)
            .fetch_one(&mut conn)
            .await?;
        if !exists {
            out.push((entry.name.clone(), None));
            continue;
        }
        let mut lines = Lines::default();
        let statement = format!("COPY {} TO STDOUT", copy_target(&sql_name, &entry.columns));
        let mut stream = conn.copy_out_raw(&statement).await?;
        while let Some(chunk) = stream.try_next().await? {
            lines.feed(&chunk);
        }
        drop(stream);
        out.push((entry.name.clone(), Some(lines.finish())));
    }
    conn.execute("COMMIT").await?;
    conn.close().await.ok();
    Ok(out)
}
