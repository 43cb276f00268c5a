//! MySQL/MariaDB backups. Every connection reads inside `START TRANSACTION WITH CONSISTENT
//! SNAPSHOT`; with `--jobs` above 1 they all start their snapshots under one
//! `FLUSH TABLES WITH READ LOCK` (held for milliseconds, as mydumper does), so together they
//! see one moment. Rows come through the text protocol and are stored as the server prints
//! them (exact decimals, dates, and the bytes of binary columns).

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::IsTerminal as _;
use std::path::Path;

use futures_util::TryStreamExt as _;
use sqlx::mysql::{MySqlConnectOptions, MySqlConnection, MySqlRow};
use sqlx::{Connection as _, Executor as _, Row as _};

use super::mysql_incremental;
use super::mysql_schema::{self, quote};
use super::stream::{RowFile, Throttle};
use super::{Dumped, write_schema};
use crate::error::{BackupError, Result};
use crate::files::Compression;
use crate::manifest::{Encoding, Manifest, TableEntry};
use crate::progress::Progress;
use crate::rows::{Checksum, Value, encode_text_protocol};
use crate::target::short;

/// Bytes of encoded rows handed to the file thread at once.
const BATCH_BYTES: usize = 256 * 1024;

/// Types whose values are bytes, not text.
const BINARY_TYPES: &str = "'binary', 'varbinary', 'tinyblob', 'blob', 'mediumblob', 'longblob', \
    'bit', 'geometry', 'point', 'linestring', 'polygon', 'multipoint', 'multilinestring', \
    'multipolygon', 'geometrycollection'";

/// A table's data columns (generated columns are left out: the server computes them).
pub(super) struct Columns {
    pub names: Vec<String>,
    pub binary: Vec<bool>,
}

/// Connects with UTC timestamps, utf8mb4 text, and an `sql_mode` of the caller's choosing.
pub(super) async fn connect(
    options: &MySqlConnectOptions,
    sql_mode: &str,
) -> Result<MySqlConnection> {
    let mut conn = MySqlConnection::connect_with(options)
        .await
        .map_err(|error| {
            BackupError::failed(format!("cannot connect to MySQL: {}", short(&error)))
        })?;
    conn.execute(sqlx::AssertSqlSafe(format!(
        "SET SESSION sql_mode = '{sql_mode}', time_zone = '+00:00', NAMES utf8mb4, \
         net_read_timeout = 3600, net_write_timeout = 3600"
    )))
    .await?;
    Ok(conn)
}

pub(super) async fn columns(conn: &mut MySqlConnection, table: &str) -> Result<Columns> {
    let rows: Vec<(String, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT CAST(COLUMN_NAME AS CHAR), CAST(DATA_TYPE IN ({BINARY_TYPES}) AS SIGNED) \
         FROM information_schema.COLUMNS \
         WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND EXTRA NOT LIKE '%GENERATED%' \
         ORDER BY ORDINAL_POSITION"
    )))
    .bind(table)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Columns {
        names: rows.iter().map(|(name, _)| name.clone()).collect(),
        binary: rows.iter().map(|(_, binary)| *binary != 0).collect(),
    })
}

pub(super) fn select(table: &str, columns: &[String]) -> String {
    let names: Vec<String> = columns.iter().map(|column| quote(column)).collect();
    format!("SELECT {} FROM {}", names.join(", "), quote(table))
}

/// A text-protocol value as a [`Value`], typed as `encode_text_protocol` types it.
pub(super) fn value_of(bytes: Option<&[u8]>, binary: bool) -> Value {
    match bytes {
        None => Value::Null,
        Some(bytes) => match std::str::from_utf8(bytes) {
            Ok(text) if !binary => Value::Text(text.to_owned()),
            _ => Value::Blob(bytes.to_vec()),
        },
    }
}

fn encode(row: &MySqlRow, binary: &[bool]) -> Result<Vec<u8>> {
    let mut encoded = Vec::with_capacity(64);
    for (index, binary) in binary.iter().enumerate() {
        let value: Option<&[u8]> = row.try_get_unchecked(index)?;
        encode_text_protocol(&mut encoded, value, *binary);
    }
    Ok(encoded)
}

/// Dumps the connection's database into `dir`.
pub async fn dump(
    options: &MySqlConnectOptions,
    dir: &Path,
    compression: Compression,
    jobs: usize,
    throttle: &Throttle,
    quiet: bool,
) -> Result<Dumped> {
    let mut main = connect(options, "").await?;
    let version: String = sqlx::query_scalar("SELECT VERSION()")
        .fetch_one(&mut main)
        .await?;
    let locked = jobs > 1 && main.execute("FLUSH TABLES WITH READ LOCK").await.is_ok();
    let jobs = if locked { jobs } else { 1 };
    if !locked && jobs > 1 && !quiet && std::io::stderr().is_terminal() {
        eprintln!(
            "dbbackup: one connection (FLUSH TABLES WITH READ LOCK needs the RELOAD privilege)"
        );
    }
    let mut readers = Vec::with_capacity(jobs);
    for _ in 0..jobs {
        let mut conn = connect(options, "").await?;
        conn.execute("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            .await?;
        conn.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY")
            .await?;
        readers.push(conn);
    }
    let objects = mysql_schema::read(&mut main).await;
    let mut settings = serde_json::Map::new();
    // Where this snapshot sits in the binary log: where incremental backups start.
    let first = readers
        .first_mut()
        .ok_or_else(|| BackupError::usage("--jobs must be at least 1"))?;
    if let Some(position) = mysql_incremental::snapshot_position(first).await {
        settings.insert(
            mysql_incremental::BINLOG.to_owned(),
            serde_json::to_value(position).unwrap_or_default(),
        );
    }
    if locked {
        main.execute("UNLOCK TABLES").await?;
    }
    let objects = objects?;
    let mut tables = Vec::with_capacity(objects.tables.len());
    for table in &objects.tables {
        tables.push((table.name.clone(), columns(&mut main, &table.name).await?));
    }
    let sizes: Vec<(String, i64)> = sqlx::query_as(
        "SELECT CAST(TABLE_NAME AS CHAR), CAST(COALESCE(DATA_LENGTH, 0) AS SIGNED) \
         FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()",
    )
    .fetch_all(&mut main)
    .await?;
    main.close().await.ok();

    for folder in ["schema", "data"] {
        std::fs::create_dir_all(dir.join(folder))
            .map_err(|error| BackupError::io("create", dir, &error))?;
    }
    let json = serde_json::to_string_pretty(&objects)
        .map_err(|error| BackupError::failed(format!("cannot write the schema: {error}")))?;
    let schema = vec![
        write_schema(dir, "schema/schema.sql", &mysql_schema::script(&objects))?,
        write_schema(dir, "schema/objects.json", &format!("{json}\n"))?,
    ];

    let size_of = |name: &str| {
        sizes
            .iter()
            .find(|(table, _)| table == name)
            .map_or(0, |(_, size)| *size)
    };
    let mut order: Vec<usize> = (0..tables.len()).collect();
    order.sort_by_key(|&index| std::cmp::Reverse(size_of(&tables[index].0)));
    let queue = RefCell::new(order.into_iter().collect::<VecDeque<usize>>());
    let progress = RefCell::new(Progress::tables(tables.len(), "backing up", quiet));
    let workers = readers
        .into_iter()
        .map(|conn| dump_worker(conn, &tables, &queue, dir, compression, throttle, &progress));
    let mut written: Vec<(usize, TableEntry)> = futures_util::future::try_join_all(workers)
        .await?
        .into_iter()
        .flatten()
        .collect();
    progress.borrow().finish();
    written.sort_by_key(|(index, _)| *index);
    Ok(Dumped {
        version,
        settings,
        schema,
        tables: written.into_iter().map(|(_, entry)| entry).collect(),
    })
}

async fn dump_worker(
    mut conn: MySqlConnection,
    tables: &[(String, Columns)],
    queue: &RefCell<VecDeque<usize>>,
    dir: &Path,
    compression: Compression,
    throttle: &Throttle,
    progress: &RefCell<Progress>,
) -> Result<Vec<(usize, TableEntry)>> {
    let mut written = Vec::new();
    loop {
        let next = queue.borrow_mut().pop_front();
        let Some(index) = next else { break };
        let (name, columns) = &tables[index];
        progress.borrow_mut().start(name);
        let file = format!("data/{:04}.rows.{}", index + 1, compression.suffix());
        let out = RowFile::create(&dir.join(&file), compression, &columns.names)?;
        let sql = select(name, &columns.names);
        let mut rows = sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).fetch(&mut conn);
        let mut batch = Vec::with_capacity(1024);
        let mut batch_bytes = 0;
        while let Some(row) = rows.try_next().await? {
            let encoded = encode(&row, &columns.binary)?;
            batch_bytes += encoded.len();
            batch.push(encoded);
            if batch_bytes >= BATCH_BYTES {
                throttle.pace(batch_bytes).await;
                out.send(std::mem::take(&mut batch)).await;
                batch_bytes = 0;
            }
        }
        drop(rows);
        throttle.pace(batch_bytes).await;
        out.send(batch).await;
        let (on_disk, checksum) = out.finish().await?;
        written.push((
            index,
            TableEntry {
                name: name.clone(),
                rows: checksum.rows,
                checksum: checksum.hex(),
                file,
                bytes: on_disk.bytes,
                sha256: on_disk.sha256,
                rowid: false,
                encoding: Encoding::Rows,
                sql_name: Some(quote(name)),
                columns: columns.names.clone(),
                base: None,
            },
        ));
        progress.borrow().done();
    }
    conn.execute("COMMIT").await?;
    conn.close().await.ok();
    Ok(written)
}

/// Per-table checksums of a live database, for `verify --against`.
pub async fn live_checksums(
    options: &MySqlConnectOptions,
    manifest: &Manifest,
) -> Result<Vec<(String, Option<Checksum>)>> {
    let mut conn = connect(options, "").await?;
    conn.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY")
        .await?;
    let mut out = Vec::new();
    for entry in &manifest.tables {
        let live = columns(&mut conn, &entry.name).await?;
        if live.names.is_empty() {
            out.push((entry.name.clone(), None));
            continue;
        }
        // The backup's columns, typed as the live table types them.
        let binary: Vec<bool> = entry
            .columns
            .iter()
            .map(|name| {
                live.names
                    .iter()
                    .position(|live_name| live_name == name)
                    .is_some_and(|index| live.binary[index])
            })
            .collect();
        let mut checksum = Checksum::default();
        let sql = select(&entry.name, &entry.columns);
        let mut rows = sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).fetch(&mut conn);
        while let Some(row) = rows.try_next().await? {
            checksum.add(&encode(&row, &binary)?);
        }
        drop(rows);
        out.push((entry.name.clone(), Some(checksum)));
    }
    conn.execute("COMMIT").await?;
    conn.close().await.ok();
    Ok(out)
}
