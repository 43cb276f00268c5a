//! SQLite: a backup is read inside one read transaction (a consistent snapshot, also while
//! other processes write in WAL mode); a restore builds a new file beside the target and
//! renames it into place, so the target is never half-restored.

use std::path::{Path, PathBuf};

use futures_util::TryStreamExt as _;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqliteRow};
use sqlx::{Connection as _, Executor as _, Row as _, TypeInfo as _, ValueRef as _};

use super::{Dumped, Restored, write_schema};
use crate::error::{BackupError, Result};
use crate::files::{self, Compressed, Compression};
use crate::manifest::{Encoding, Manifest, TableEntry, sync_dir};
use crate::progress::Progress;
use crate::rows::{Checksum, RowReader, RowWriter, Value};
use crate::target::{open_sqlite, short};

/// The schema as restore reads it.
const OBJECTS: &str = "schema/objects.json";

/// `objects.json`.
#[derive(serde::Deserialize)]
struct Objects {
    pre_data: Vec<PreData>,
    post_data: Vec<PostData>,
}

#[derive(serde::Deserialize)]
struct PreData {
    name: String,
    sql: String,
}

#[derive(serde::Deserialize)]
struct PostData {
    table: String,
    #[serde(rename = "type")]
    kind: String,
    sql: String,
}

/// A table as the catalog describes it.
pub(super) struct Table {
    pub name: String,
    pub columns: Vec<String>,
    pub rowid: bool,
}

/// Everything in `sqlite_master`, split into what goes before and after the data.
pub(super) struct Schema {
    pub tables: Vec<Table>,
    pub pre_data: Vec<(String, String)>,
    pub post_data: Vec<(String, String, String)>,
}

async fn read_schema(conn: &mut SqliteConnection) -> Result<Schema> {
    let objects = sqlx::query(
        "SELECT type, name, tbl_name, sql FROM sqlite_master \
         WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY rowid",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut schema = Schema {
        tables: Vec::new(),
        pre_data: Vec::new(),
        post_data: Vec::new(),
    };
    for object in &objects {
        let (kind, name, table, sql): (String, String, String, String) = (
            object.try_get(0)?,
            object.try_get(1)?,
            object.try_get(2)?,
            object.try_get(3)?,
        );
        if kind == "table" {
            if sql.to_uppercase().starts_with("CREATE VIRTUAL TABLE") {
                return Err(BackupError::failed(format!(
                    "table {name} is a virtual table (FTS, R-tree, ...), which dbbackup cannot back up yet"
                ))
                .hint("docs/systems/backup.md lists what SQLite backups cover"));
            }
            let columns: Vec<String> = sqlx::query_scalar(
                "SELECT name FROM pragma_table_xinfo(?) WHERE hidden = 0 ORDER BY cid",
            )
            .bind(&name)
            .fetch_all(&mut *conn)
            .await?;
            let without_rowid: i64 =
                sqlx::query_scalar("SELECT wr FROM pragma_table_list WHERE name = ?")
                    .bind(&name)
                    .fetch_one(&mut *conn)
                    .await?;
            schema.pre_data.push((name.clone(), sql));
            schema.tables.push(Table {
                name,
                columns,
                rowid: without_rowid == 0,
            });
        } else {
            schema.post_data.push((kind, table, sql));
        }
    }
    Ok(schema)
}

pub(super) fn quote(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

fn select_sql(table: &Table) -> String {
    let mut columns: Vec<String> = table.columns.iter().map(|column| quote(column)).collect();
    if table.rowid {
        columns.insert(0, "rowid".to_owned());
    }
    format!("SELECT {} FROM {}", columns.join(", "), quote(&table.name))
}

fn value(row: &SqliteRow, index: usize, table: &str) -> Result<Value> {
    let raw = row.try_get_raw(index)?;
    if raw.is_null() {
        return Ok(Value::Null);
    }
    let kind = raw.type_info().name().to_owned();
    Ok(match kind.as_str() {
        "INTEGER" => Value::Integer(row.try_get(index)?),
        "REAL" => Value::Real(row.try_get(index)?),
        "BLOB" => Value::Blob(row.try_get(index)?),
        _ => Value::Text(row.try_get::<String, _>(index).map_err(|_| {
            BackupError::failed(format!("table {table} holds text that is not valid UTF-8"))
                .hint("dbbackup keeps text as UTF-8; convert the column to a BLOB to back it up")
        })?),
    })
}

/// Reads every row of a table inside the caller's transaction.
pub(super) async fn each_row(
    conn: &mut SqliteConnection,
    table: &Table,
    mut sink: impl FnMut(&[Value]) -> Result,
) -> Result {
    let sql = select_sql(table);
    let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch(conn);
    let width = table.columns.len() + usize::from(table.rowid);
    let mut values = Vec::with_capacity(width);
    while let Some(row) = rows.try_next().await? {
        values.clear();
        for index in 0..width {
            values.push(value(&row, index, &table.name)?);
        }
        sink(&values)?;
    }
    Ok(())
}

/// An open read transaction on the database, with what it holds besides rows.
pub(super) struct Snapshot {
    pub conn: SqliteConnection,
    pub version: String,
    pub schema: Schema,
    pub settings: serde_json::Map<String, serde_json::Value>,
}

/// Opens `path` read-only and starts the one read transaction every table is read in.
pub(super) async fn snapshot(path: &Path) -> Result<Snapshot> {
    let mut conn = open_sqlite(path, true).await?;
    conn.execute("BEGIN").await?;
    let version: String = sqlx::query_scalar("SELECT sqlite_version()")
        .fetch_one(&mut conn)
        .await?;
    let schema = read_schema(&mut conn).await?;
    let mut settings = serde_json::Map::new();
    for pragma in ["user_version", "application_id"] {
        let value: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("PRAGMA {pragma}")))
            .fetch_one(&mut conn)
            .await?;
        settings.insert(pragma.to_owned(), value.into());
    }
    let has_sequence: i64 =
        sqlx::query_scalar("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_sequence'")
            .fetch_one(&mut conn)
            .await?;
    if has_sequence > 0 {
        let sequences: Vec<(String, i64)> = sqlx::query_as("SELECT name, seq FROM sqlite_sequence")
            .fetch_all(&mut conn)
            .await?;
        settings.insert("sqlite_sequence".to_owned(), serde_json::json!(sequences));
    }
    Ok(Snapshot {
        conn,
        version,
        schema,
        settings,
    })
}

/// Dumps the database at `path` into `dir`.
pub async fn dump(
    path: &Path,
    dir: &Path,
    compression: Compression,
    quiet: bool,
) -> Result<Dumped> {
    let Snapshot {
        mut conn,
        version,
        schema,
        settings,
    } = snapshot(path).await?;
    std::fs::create_dir_all(dir.join("schema"))
        .map_err(|error| BackupError::io("create", dir, &error))?;
    std::fs::create_dir_all(dir.join("data"))
        .map_err(|error| BackupError::io("create", dir, &error))?;
    // The SQL files are for people and the engine's own client; restore reads the same
    // statements from objects.json, since a trigger's body holds semicolons of its own.
    let pre: Vec<String> = schema
        .pre_data
        .iter()
        .map(|(_, sql)| format!("{sql};\n"))
        .collect();
    let post: Vec<String> = schema
        .post_data
        .iter()
        .map(|(_, _, sql)| format!("{sql};\n"))
        .collect();
    let objects = serde_json::json!({
        "pre_data": schema.pre_data.iter().map(|(name, sql)| serde_json::json!({"name": name, "sql": sql})).collect::<Vec<_>>(),
        "post_data": schema.post_data.iter().map(|(kind, table, sql)| serde_json::json!({"type": kind, "table": table, "sql": sql})).collect::<Vec<_>>(),
    });
    let schema_files = vec![
        write_schema(dir, "schema/pre-data.sql", &pre.concat())?,
        write_schema(dir, "schema/post-data.sql", &post.concat())?,
        write_schema(dir, OBJECTS, &format!("{objects:#}\n"))?,
    ];

    let mut tables = Vec::new();
    let mut progress = Progress::tables(schema.tables.len(), "backing up", quiet);
    for (index, table) in schema.tables.iter().enumerate() {
        progress.start(&table.name);
        let file = format!("data/{:04}.rows.{}", index + 1, compression.suffix());
        let path = dir.join(&file);
        let mut columns = table.columns.clone();
        if table.rowid {
            columns.insert(0, "rowid".to_owned());
        }
        let out = Compressed::create(&path, compression)?;
        let mut writer = RowWriter::new(out, &columns)
            .map_err(|error| BackupError::io("write", &path, &error))?;
        each_row(&mut conn, table, |values| {
            progress.row();
            writer
                .write(values)
                .map_err(|error| BackupError::io("write", &path, &error))
        })
        .await?;
        let (out, checksum) = writer
            .finish()
            .map_err(|error| BackupError::io("write", &path, &error))?;
        let written = out
            .finish()
            .map_err(|error| BackupError::io("write", &path, &error))?;
        tables.push(TableEntry {
            name: table.name.clone(),
            rows: checksum.rows,
            checksum: checksum.hex(),
            file,
            bytes: written.bytes,
            sha256: written.sha256,
            rowid: table.rowid,
            encoding: Encoding::Rows,
            sql_name: None,
            columns: Vec::new(),
            base: None,
        });
        progress.done();
    }
    progress.finish();
    conn.execute("COMMIT").await?;
    conn.close().await.ok();
    Ok(Dumped {
        version,
        settings,
        schema: schema_files,
        tables,
    })
}

/// Per-table checksums of a live database, for `verify --against`.
pub async fn live_checksums(
    path: &Path,
    manifest: &Manifest,
) -> Result<Vec<(String, Option<Checksum>)>> {
    let mut conn = open_sqlite(path, true).await?;
    conn.execute("BEGIN").await?;
    let schema = read_schema(&mut conn).await?;
    let mut out = Vec::new();
    for entry in &manifest.tables {
        let Some(table) = schema.tables.iter().find(|table| table.name == entry.name) else {
            out.push((entry.name.clone(), None));
            continue;
        };
        let mut checksum = Checksum::default();
        each_row(&mut conn, table, |values| {
            checksum.add(&crate::rows::encode_row(values));
            Ok(())
        })
        .await?;
        out.push((entry.name.clone(), Some(checksum)));
    }
    conn.execute("COMMIT").await?;
    Ok(out)
}

/// Restores a backup (already verified) into a new file at `target`. An existing target
/// must hold no tables, unless `clean`, in which case it is replaced whole.
pub async fn restore(
    dir: &Path,
    manifest: &Manifest,
    target: &Path,
    clean: bool,
    only: Option<&[String]>,
    quiet: bool,
) -> Result<Restored> {
    if target.exists() && !clean {
        let mut conn = open_sqlite(target, true).await?;
        let objects: i64 = sqlx::query_scalar("SELECT count(*) FROM sqlite_master")
            .fetch_one(&mut conn)
            .await
            .map_err(|error| {
                BackupError::failed(format!(
                    "{} is not an SQLite database: {}",
                    target.display(),
                    short(&error)
                ))
            })?;
        conn.close().await.ok();
        if objects > 0 {
            return Err(BackupError::failed(format!(
                "{} is not empty ({objects} schema objects); nothing was changed",
                target.display()
            ))
            .hint("restore into a new file, or pass --clean to replace it whole"));
        }
    }
    let building = building_path(target);
    let result = build(dir, manifest, &building, only, quiet).await;
    let restored = match result {
        Ok(restored) => restored,
        Err(error) => {
            let _ = std::fs::remove_file(&building);
            return Err(error);
        }
    };
    // A stale WAL beside the old file would be applied to the new one.
    for suffix in ["-wal", "-shm"] {
        let mut stale = target.as_os_str().to_owned();
        stale.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(stale));
    }
    std::fs::rename(&building, target)
        .map_err(|error| BackupError::io("replace", target, &error))?;
    if let Some(parent) = target
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
    {
        sync_dir(parent).map_err(|error| BackupError::io("sync", parent, &error))?;
    }
    Ok(restored)
}

fn building_path(target: &Path) -> PathBuf {
    let mut name = target.as_os_str().to_owned();
    name.push(format!(".restoring-{}", std::process::id()));
    PathBuf::from(name)
}

async fn build(
    dir: &Path,
    manifest: &Manifest,
    path: &Path,
    only: Option<&[String]>,
    quiet: bool,
) -> Result<Restored> {
    let _ = std::fs::remove_file(path);
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .foreign_keys(false)
        .synchronous(sqlx::sqlite::SqliteSynchronous::Off);
    let mut conn = SqliteConnection::connect_with(&options).await?;
    let wanted = |table: &str| only.is_none_or(|only| only.iter().any(|name| name == table));
    let objects_path = dir.join(OBJECTS);
    let objects: Objects = std::fs::read_to_string(&objects_path)
        .map_err(|error| BackupError::io("read", &objects_path, &error))
        .and_then(|text| {
            serde_json::from_str(&text).map_err(|error| {
                BackupError::failed(format!("{} is damaged: {error}", objects_path.display()))
            })
        })?;
    conn.execute("BEGIN").await?;
    for table in objects.pre_data.iter().filter(|table| wanted(&table.name)) {
        conn.execute(sqlx::AssertSqlSafe(table.sql.clone())).await?;
    }
    let mut restored = Restored { tables: 0, rows: 0 };
    let chosen: Vec<&TableEntry> = manifest
        .tables
        .iter()
        .filter(|entry| wanted(&entry.name))
        .collect();
    let mut progress = Progress::tables(chosen.len(), "restoring", quiet);
    for entry in chosen {
        progress.start(&entry.name);
        restored.rows +=
            load_table(&mut conn, dir, manifest.compression, entry, &mut progress).await?;
        restored.tables += 1;
        progress.done();
    }
    progress.finish();
    // Indexes, triggers and views after the data (faster than maintaining them row by row).
    // A selective restore keeps those of the chosen tables, and no views.
    for object in &objects.post_data {
        let applies = only.is_none() || (object.kind != "view" && wanted(&object.table));
        if applies {
            conn.execute(sqlx::AssertSqlSafe(object.sql.clone()))
                .await?;
        }
    }
    if let Some(sequences) = manifest
        .settings
        .get("sqlite_sequence")
        .and_then(|value| value.as_array())
    {
        for pair in sequences {
            let (Some(name), Some(seq)) = (
                pair.get(0).and_then(|v| v.as_str()),
                pair.get(1).and_then(serde_json::Value::as_i64),
            ) else {
                continue;
            };
            if wanted(name) {
                sqlx::query("DELETE FROM sqlite_sequence WHERE name = ?")
                    .bind(name)
                    .execute(&mut conn)
                    .await?;
                sqlx::query("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)")
                    .bind(name)
                    .bind(seq)
                    .execute(&mut conn)
                    .await?;
            }
        }
    }
    for pragma in ["user_version", "application_id"] {
        if let Some(value) = manifest
            .settings
            .get(pragma)
            .and_then(serde_json::Value::as_i64)
        {
            conn.execute(sqlx::AssertSqlSafe(format!("PRAGMA {pragma} = {value}")))
                .await?;
        }
    }
    conn.execute("COMMIT").await?;
    conn.close().await?;
    std::fs::File::open(path)
        .and_then(|file| file.sync_all())
        .map_err(|error| BackupError::io("sync", path, &error))?;
    Ok(restored)
}

async fn load_table(
    conn: &mut SqliteConnection,
    dir: &Path,
    compression: Compression,
    entry: &TableEntry,
    progress: &mut Progress,
) -> Result<u64> {
    let mut reader = RowReader::new(files::open(&entry.data_path(dir), compression)?)?;
    let columns: Vec<String> = reader
        .columns
        .iter()
        .enumerate()
        .map(|(index, column)| {
            if index == 0 && entry.rowid {
                "rowid".to_owned()
            } else {
                quote(column)
            }
        })
        .collect();
    let placeholders = vec!["?"; columns.len()].join(", ");
    let sql = format!(
        "INSERT INTO {} ({}) VALUES ({placeholders})",
        quote(&entry.name),
        columns.join(", ")
    );
    let mut rows = 0;
    while let Some(values) = reader.next_row()? {
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
        for value in values {
            query = match value {
                Value::Null => query.bind(None::<i64>),
                Value::Integer(value) => query.bind(value),
                Value::Real(value) => query.bind(value),
                Value::Text(value) => query.bind(value),
                Value::Blob(value) => query.bind(value),
            };
        }
        query.execute(&mut *conn).await?;
        rows += 1;
        progress.row();
    }
    Ok(rows)
}
