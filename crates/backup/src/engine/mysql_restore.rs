//! MySQL/MariaDB restores: tables without their secondary keys, the data as multi-row
//! `INSERT`s (`--jobs` tables at once, rendered on a thread per table), the keys added back
//! in one `ALTER TABLE` per table, then views, routines, triggers and events, each under the
//! `sql_mode` it was made with. The server's DDL is not transactional, so a full restore
//! that fails drops what it made: the target is left empty, never half-restored.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::fmt::Write as _;
use std::path::Path;

use sqlx::Executor as _;
use sqlx::mysql::{MySqlConnectOptions, MySqlConnection};
use tokio::sync::mpsc;

use super::Restored;
use super::mysql::connect;
use super::mysql_schema::{Objects, Routine, TableDef, quote};
use super::stream::Throttle;
use crate::error::{BackupError, Result};
use crate::files;
use crate::manifest::{Manifest, TableEntry};
use crate::progress::Progress;
use crate::rows::{RowReader, Value};
use crate::target::short;

/// What a restore session runs under: mysqldump's choice (keep explicit zeros in
/// auto-increment columns; no strict checks on data the source already accepted).
const LOAD_MODE: &str = "NO_AUTO_VALUE_ON_ZERO";

/// Size of one `INSERT` statement (well under the server's default 16 MB packet limit).
const STATEMENT_BYTES: usize = 1024 * 1024;

/// Statements per transaction while loading.
const STATEMENTS_PER_COMMIT: usize = 16;

async fn load_session(options: &MySqlConnectOptions) -> Result<MySqlConnection> {
    let mut conn = connect(options, LOAD_MODE).await?;
    conn.execute("SET SESSION foreign_key_checks = 0, unique_checks = 0")
        .await?;
    Ok(conn)
}

/// Restores a backup (its hashes already checked) into the database `options` names.
#[allow(clippy::too_many_arguments)]
pub async fn restore(
    dir: &Path,
    manifest: &Manifest,
    options: &MySqlConnectOptions,
    database: &str,
    clean: bool,
    only: Option<&[String]>,
    jobs: usize,
    throttle: &Throttle,
    quiet: bool,
) -> Result<Restored> {
    let mut conn = load_session(options).await?;
    if let Some(only) = only {
        return restore_selected(&mut conn, dir, manifest, only, clean, throttle).await;
    }
    let objects = user_objects(&mut conn).await?;
    if objects > 0 {
        if !clean {
            return Err(BackupError::failed(format!(
                "database {database} is not empty ({objects} tables, views, routines or events); nothing was changed"
            ))
            .hint("restore into a new database (CREATE DATABASE), or pass --clean to drop everything in it first"));
        }
        wipe(&mut conn).await?;
    }
    let outcome = restore_all(&mut conn, dir, manifest, options, jobs, throttle, quiet).await;
    if let Err(error) = outcome {
        let cleaned = match load_session(options).await {
            Ok(mut fresh) => wipe(&mut fresh).await,
            Err(error) => Err(error),
        };
        return Err(super::failed_restore(&error, &cleaned));
    }
    outcome
}

async fn user_objects(conn: &mut MySqlConnection) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT CAST((SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()) \
              + (SELECT COUNT(*) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE()) \
              + (SELECT COUNT(*) FROM information_schema.EVENTS WHERE EVENT_SCHEMA = DATABASE()) AS SIGNED)",
    )
    .fetch_one(&mut *conn)
    .await?)
}

/// Empties the target (after a failed replay), on a connection of its own.
pub async fn wipe_database(options: &MySqlConnectOptions) -> Result {
    let mut conn = load_session(options).await?;
    wipe(&mut conn).await
}

/// Drops every table, view, routine and event of the database.
async fn wipe(conn: &mut MySqlConnection) -> Result {
    let objects: Vec<(String, String)> = sqlx::query_as(
        "SELECT CASE TABLE_TYPE WHEN 'VIEW' THEN 'VIEW' ELSE 'TABLE' END, CAST(TABLE_NAME AS CHAR) \
           FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() \
         UNION ALL SELECT CAST(ROUTINE_TYPE AS CHAR), CAST(ROUTINE_NAME AS CHAR) \
           FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE() \
         UNION ALL SELECT 'EVENT', CAST(EVENT_NAME AS CHAR) \
           FROM information_schema.EVENTS WHERE EVENT_SCHEMA = DATABASE()",
    )
    .fetch_all(&mut *conn)
    .await?;
    for (kind, name) in objects {
        conn.execute(sqlx::AssertSqlSafe(format!(
            "DROP {kind} IF EXISTS {}",
            quote(&name)
        )))
        .await?;
    }
    Ok(())
}

fn read_objects(dir: &Path) -> Result<Objects> {
    let path = dir.join("schema/objects.json");
    let text =
        std::fs::read_to_string(&path).map_err(|error| BackupError::io("read", &path, &error))?;
    serde_json::from_str(&text)
        .map_err(|error| BackupError::failed(format!("{} is damaged: {error}", path.display())))
}

fn schema_error(what: &str, name: &str, error: &sqlx::Error) -> BackupError {
    BackupError::failed(format!("restoring {what} {name} failed: {}", short(error)))
}

async fn restore_all(
    conn: &mut MySqlConnection,
    dir: &Path,
    manifest: &Manifest,
    options: &MySqlConnectOptions,
    jobs: usize,
    throttle: &Throttle,
    quiet: bool,
) -> Result<Restored> {
    let objects = read_objects(dir)?;
    for table in &objects.tables {
        conn.execute(sqlx::AssertSqlSafe(table.create.clone()))
            .await
            .map_err(|error| schema_error("table", &table.name, &error))?;
    }
    let queue = RefCell::new(manifest.tables.iter().collect::<VecDeque<&TableEntry>>());
    let progress = RefCell::new(Progress::tables(manifest.tables.len(), "restoring", quiet));
    let workers = (0..jobs.clamp(1, manifest.tables.len().max(1)))
        .map(|_| load_worker(options, dir, manifest, &queue, throttle, &progress));
    let rows: u64 = futures_util::future::try_join_all(workers)
        .await?
        .into_iter()
        .sum();
    progress.borrow().finish();

    let keyed = RefCell::new(
        objects
            .tables
            .iter()
            .filter(|table| !table.deferred.is_empty())
            .collect::<VecDeque<&TableDef>>(),
    );
    let builders = (0..jobs.max(1)).map(|_| key_worker(options, &keyed));
    futures_util::future::try_join_all(builders).await?;

    create_views(conn, &objects.views).await?;
    for (what, list) in [
        ("routine", &objects.routines),
        ("trigger", &objects.triggers),
        ("event", &objects.events),
    ] {
        for object in list {
            conn.execute(sqlx::AssertSqlSafe(object.session())).await?;
            conn.execute(sqlx::AssertSqlSafe(object.create.clone()))
                .await
                .map_err(|error| schema_error(what, &object.name, &error))?;
        }
    }
    Ok(Restored {
        tables: manifest.tables.len(),
        rows,
    })
}

/// Views may use views: each pass creates what it can until none are left (or a pass
/// makes no progress, which is a real error).
async fn create_views(conn: &mut MySqlConnection, views: &[Routine]) -> Result {
    let mut waiting: Vec<&Routine> = views.iter().collect();
    while !waiting.is_empty() {
        let mut still = Vec::new();
        let mut last_error = None;
        for view in &waiting {
            conn.execute(sqlx::AssertSqlSafe(view.session())).await?;
            if let Err(error) = conn.execute(sqlx::AssertSqlSafe(view.create.clone())).await {
                last_error = Some(schema_error("view", &view.name, &error));
                still.push(*view);
            }
        }
        if still.len() == waiting.len() {
            return Err(last_error.unwrap_or_else(|| BackupError::failed("views failed")));
        }
        waiting = still;
    }
    Ok(())
}

async fn key_worker(options: &MySqlConnectOptions, queue: &RefCell<VecDeque<&TableDef>>) -> Result {
    let mut conn = load_session(options).await?;
    loop {
        let next = queue.borrow_mut().pop_front();
        let Some(table) = next else { break };
        let adds: Vec<String> = table
            .deferred
            .iter()
            .map(|key| format!("ADD {key}"))
            .collect();
        conn.execute(sqlx::AssertSqlSafe(format!(
            "ALTER TABLE {} {}",
            quote(&table.name),
            adds.join(", ")
        )))
        .await
        .map_err(|error| schema_error("the keys of table", &table.name, &error))?;
    }
    Ok(())
}

async fn load_worker(
    options: &MySqlConnectOptions,
    dir: &Path,
    manifest: &Manifest,
    queue: &RefCell<VecDeque<&TableEntry>>,
    throttle: &Throttle,
    progress: &RefCell<Progress>,
) -> Result<u64> {
    let mut conn = load_session(options).await?;
    let mut rows = 0;
    loop {
        let next = queue.borrow_mut().pop_front();
        let Some(entry) = next else { break };
        progress.borrow_mut().start(&entry.name);
        rows += load_table(
            &mut conn,
            dir,
            manifest,
            entry,
            throttle,
            Some(STATEMENTS_PER_COMMIT),
        )
        .await?;
        progress.borrow().done();
    }
    Ok(rows)
}

/// Streams one data file into the table as `INSERT` statements. With `commit_every`, in
/// transactions of that many statements; without, inside the caller's transaction.
async fn load_table(
    conn: &mut MySqlConnection,
    dir: &Path,
    manifest: &Manifest,
    entry: &TableEntry,
    throttle: &Throttle,
    commit_every: Option<usize>,
) -> Result<u64> {
    let mut statements = render_inserts(dir, manifest, entry)?;
    let mut rows = 0;
    let mut pending = 0;
    if commit_every.is_some() {
        conn.execute("START TRANSACTION").await?;
    }
    while let Some(rendered) = statements.recv().await {
        let (sql, count) = rendered?;
        throttle.pace(sql.len()).await;
        conn.execute(sqlx::AssertSqlSafe(sql))
            .await
            .map_err(|error| {
                BackupError::failed(format!("loading {} failed: {}", entry.name, short(&error)))
            })?;
        rows += count;
        pending += 1;
        if commit_every == Some(pending) {
            conn.execute("COMMIT").await?;
            conn.execute("START TRANSACTION").await?;
            pending = 0;
        }
    }
    if commit_every.is_some() {
        conn.execute("COMMIT").await?;
    }
    super::check_rows(entry, rows)
}

/// Renders a data file as `INSERT` statements of about [`STATEMENT_BYTES`], on a thread.
fn render_inserts(
    dir: &Path,
    manifest: &Manifest,
    entry: &TableEntry,
) -> Result<mpsc::Receiver<Result<(String, u64)>>> {
    let mut reader = RowReader::new(files::open(&entry.data_path(dir), manifest.compression)?)?;
    let columns: Vec<String> = reader.columns.iter().map(|column| quote(column)).collect();
    let head = format!(
        "INSERT INTO {} ({}) VALUES ",
        quote(&entry.name),
        columns.join(", ")
    );
    let (sender, receiver) = mpsc::channel(4);
    std::thread::spawn(move || {
        let mut sql = head.clone();
        let mut count = 0u64;
        loop {
            let row = match reader.next_row() {
                Ok(row) => row,
                Err(error) => {
                    let _ = sender.blocking_send(Err(error));
                    return;
                }
            };
            let Some(values) = row else { break };
            if count > 0 {
                sql.push(',');
            }
            push_row(&mut sql, &values);
            count += 1;
            if sql.len() >= STATEMENT_BYTES {
                let full = std::mem::replace(&mut sql, head.clone());
                if sender.blocking_send(Ok((full, count))).is_err() {
                    return;
                }
                count = 0;
            }
        }
        if count > 0 {
            let _ = sender.blocking_send(Ok((sql, count)));
        }
    });
    Ok(receiver)
}

/// `(v1, v2, ...)` as MySQL literals: text quoted with backslash escapes, bytes in hex.
pub(super) fn push_row(sql: &mut String, values: &[Value]) {
    sql.push('(');
    for (index, value) in values.iter().enumerate() {
        if index > 0 {
            sql.push(',');
        }
        match value {
            Value::Null => sql.push_str("NULL"),
            Value::Integer(number) => {
                let _ = write!(sql, "{number}");
            }
            Value::Real(number) => {
                let _ = write!(sql, "{number:?}");
            }
            Value::Text(text) => {
                sql.push('\'');
                for c in text.chars() {
                    match c {
                        '\\' => sql.push_str("\\\\"),
                        '\'' => sql.push_str("\\'"),
                        '\0' => sql.push_str("\\0"),
                        '\n' => sql.push_str("\\n"),
                        '\r' => sql.push_str("\\r"),
                        '\u{1a}' => sql.push_str("\\Z"),
                        other => sql.push(other),
                    }
                }
                sql.push('\'');
            }
            Value::Blob(bytes) => {
                sql.push_str("X'");
                for byte in bytes {
                    let _ = write!(sql, "{byte:02x}");
                }
                sql.push('\'');
            }
        }
    }
    sql.push(')');
}

/// `--tables`: data only, into tables the target already has, in one transaction.
async fn restore_selected(
    conn: &mut MySqlConnection,
    dir: &Path,
    manifest: &Manifest,
    only: &[String],
    clean: bool,
    throttle: &Throttle,
) -> Result<Restored> {
    let mut restored = Restored { tables: 0, rows: 0 };
    let chosen: Vec<&TableEntry> = manifest
        .tables
        .iter()
        .filter(|entry| only.contains(&entry.name))
        .collect();
    for entry in &chosen {
        let exists: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM information_schema.TABLES \
             WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND TABLE_TYPE = 'BASE TABLE'",
        )
        .bind(&entry.name)
        .fetch_one(&mut *conn)
        .await?;
        if exists == 0 {
            return Err(BackupError::failed(format!(
                "the target has no table {}; nothing was changed",
                entry.name
            ))
            .hint("--tables loads data into existing tables; restore the whole backup into an empty database to create them"));
        }
        let has_rows: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT EXISTS (SELECT 1 FROM {})",
            quote(&entry.name)
        )))
        .fetch_one(&mut *conn)
        .await?;
        if has_rows != 0 && !clean {
            return Err(BackupError::failed(format!(
                "table {} is not empty; nothing was changed",
                entry.name
            ))
            .hint("pass --clean to replace its rows with the backup's"));
        }
    }
    // One transaction for every chosen table: a failure changes nothing (InnoDB tables).
    conn.execute("START TRANSACTION").await?;
    for entry in chosen {
        conn.execute(sqlx::AssertSqlSafe(format!(
            "DELETE FROM {}",
            quote(&entry.name)
        )))
        .await?;
        restored.rows += load_table(conn, dir, manifest, entry, throttle, None).await?;
        restored.tables += 1;
    }
    conn.execute("COMMIT").await?;
    Ok(restored)
}

#[cfg(test)]
mod tests {
    use super::push_row;
    use crate::rows::Value;

    #[test]
    fn values_become_mysql_literals() {
        let mut sql = String::new();
        push_row(
            &mut sql,
            &[
                Value::Null,
                Value::Text("it's a \\ \n\0\u{1a} ✓".to_owned()),
                Value::Blob(vec![0, 255]),
                Value::Blob(Vec::new()),
            ],
        );
        assert_eq!(sql, "(NULL,'it\\'s a \\\\ \\n\\0\\Z ✓',X'00ff',X'')");
    }
}
