//! PostgreSQL restores, the way pg_restore's fast path does them: the `pre-data` schema,
//! then every table's data with `COPY ... FROM STDIN FREEZE` (`--jobs` tables at once), then
//! indexes and primary/unique constraints in parallel, then foreign keys, triggers and the
//! rest, sequences last, and materialized views refreshed. A full restore that fails removes
//! what it made, so the target is left empty rather than half-restored.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::path::Path;

use sqlx::Executor as _;
use sqlx::postgres::{PgConnectOptions, PgConnection};

use super::Restored;
use super::pg_schema::{self, Entry};
use super::postgres::{USER_NAMESPACE, connect, copy_target, sequence_positions};
use super::stream::{Throttle, read_chunks};
use crate::error::{BackupError, Result};
use crate::manifest::{Manifest, TableEntry};
use crate::progress::Progress;
use crate::target::short;

/// Post-data entries that only need their own table: built in parallel.
const PARALLEL_KINDS: [&str; 2] = ["INDEX", "CONSTRAINT"];

/// Restores a backup (its hashes already checked) into the database `options` names.
#[allow(clippy::too_many_arguments)]
pub async fn restore(
    dir: &Path,
    manifest: &Manifest,
    options: &PgConnectOptions,
    database: &str,
    clean: bool,
    only: Option<&[String]>,
    jobs: usize,
    throttle: &Throttle,
    quiet: bool,
) -> Result<Restored> {
    let mut conn = connect(options).await?;
    if let Some(only) = only {
        return restore_selected(&mut conn, dir, manifest, only, clean, throttle).await;
    }
    let objects = user_objects(&mut conn).await?;
    if objects > 0 {
        if !clean {
            return Err(BackupError::failed(format!(
                "database {database} is not empty ({objects} tables, functions, types or schemas); nothing was changed"
            ))
            .hint("restore into a new database (createdb), or pass --clean to drop everything in it first"));
        }
        wipe(&mut conn).await?;
    }
    let outcome = restore_all(&mut conn, dir, manifest, options, jobs, throttle, quiet).await;
    if let Err(error) = outcome {
        // Leave an empty database, never a half-restored one.
        let cleaned = match connect(options).await {
            Ok(mut fresh) => wipe(&mut fresh).await,
            Err(error) => Err(error),
        };
        return Err(super::failed_restore(&error, &cleaned));
    }
    outcome
}

/// Tables, functions, types and schemas the database's users made (extension members are
/// not counted: an extension created before the restore is fine).
async fn user_objects(conn: &mut PgConnection) -> Result<i64> {
    let not_extension = |catalog: &str, column: &str| {
        format!(
            "NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = '{catalog}'::regclass \
             AND d.objid = {column} AND d.deptype = 'e')"
        )
    };
    let sql = format!(
        "SELECT (SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
                 WHERE {USER_NAMESPACE} AND {}) \
              + (SELECT count(*) FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace \
                 WHERE {USER_NAMESPACE} AND {}) \
              + (SELECT count(*) FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace \
                 WHERE t.typtype IN ('e', 'd', 'r', 'm') AND {USER_NAMESPACE} AND {}) \
              + (SELECT count(*) FROM pg_catalog.pg_namespace n \
                 WHERE {USER_NAMESPACE} AND n.nspname <> 'public' AND {})",
        not_extension("pg_catalog.pg_class", "c.oid"),
        not_extension("pg_catalog.pg_proc", "p.oid"),
        not_extension("pg_catalog.pg_type", "t.oid"),
        not_extension("pg_catalog.pg_namespace", "n.oid"),
    );
    Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .fetch_one(&mut *conn)
        .await?)
}

/// Drops every user schema and recreates an empty `public`, as a new database has it.
pub(super) async fn wipe(conn: &mut PgConnection) -> Result {
    let schemas: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT quote_ident(n.nspname) FROM pg_catalog.pg_namespace n WHERE {USER_NAMESPACE}"
    )))
    .fetch_all(&mut *conn)
    .await?;
    conn.execute("BEGIN").await?;
    for schema in &schemas {
        conn.execute(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
            .await?;
    }
    let owned = conn
        .execute("CREATE SCHEMA public AUTHORIZATION pg_database_owner")
        .await;
    if owned.is_err() {
        conn.execute("ROLLBACK").await?;
        return Err(BackupError::failed(
            "cannot recreate the public schema owned by the database's owner",
        )
        .hint("connect as the database's owner to restore with --clean"));
    }
    conn.execute("GRANT USAGE ON SCHEMA public TO PUBLIC")
        .await?;
    conn.execute("COMMIT").await?;
    Ok(())
}

async fn restore_all(
    conn: &mut PgConnection,
    dir: &Path,
    manifest: &Manifest,
    options: &PgConnectOptions,
    jobs: usize,
    throttle: &Throttle,
    quiet: bool,
) -> Result<Restored> {
    let read = |file: &str| {
        let path = dir.join(file);
        std::fs::read_to_string(&path).map_err(|error| BackupError::io("read", &path, &error))
    };
    let pre = read("schema/pre-data.sql")?;
    let post = read("schema/post-data.sql")?;
    conn.execute("BEGIN").await?;
    conn.execute(sqlx::raw_sql(sqlx::AssertSqlSafe(pre)))
        .await
        .map_err(|error| schema_error("the tables and types", &error))?;
    conn.execute("COMMIT").await?;

    let queue = RefCell::new(manifest.tables.iter().collect::<VecDeque<&TableEntry>>());
    let progress = RefCell::new(Progress::tables(manifest.tables.len(), "restoring", quiet));
    let workers = (0..jobs.clamp(1, manifest.tables.len().max(1)))
        .map(|_| load_worker(options, dir, manifest, &queue, throttle, &progress));
    let rows: u64 = futures_util::future::try_join_all(workers)
        .await?
        .into_iter()
        .sum();
    progress.borrow().finish();

    let (preamble, entries) = pg_schema::split(&post);
    let (parallel, serial): (Vec<Entry>, Vec<Entry>) = entries
        .into_iter()
        .partition(|entry| PARALLEL_KINDS.contains(&entry.kind.as_str()));
    let parallel = RefCell::new(parallel.into_iter().collect::<VecDeque<Entry>>());
    let builders = (0..jobs.max(1)).map(|_| build_worker(options, &preamble, &parallel));
    futures_util::future::try_join_all(builders).await?;
    conn.execute(sqlx::raw_sql(sqlx::AssertSqlSafe(preamble.clone())))
        .await?;
    for entry in serial {
        conn.execute(sqlx::raw_sql(sqlx::AssertSqlSafe(entry.sql)))
            .await
            .map_err(|error| schema_error(&entry.kind.to_lowercase(), &error))?;
    }
    sequences_and_views(conn, manifest).await?;
    Ok(Restored {
        tables: manifest.tables.len(),
        rows,
    })
}

/// The last steps of a restore (and of replaying an incremental backup): sequence
/// positions, then the materialized views that held data in the source.
pub(super) async fn sequences_and_views(conn: &mut PgConnection, manifest: &Manifest) -> Result {
    set_sequences(conn, manifest, None).await?;
    if let Some(views) = manifest.settings.get("refresh").and_then(|v| v.as_array()) {
        for view in views.iter().filter_map(|view| view.as_str()) {
            conn.execute(sqlx::AssertSqlSafe(format!(
                "REFRESH MATERIALIZED VIEW {view}"
            )))
            .await?;
        }
    }
    Ok(())
}

fn schema_error(what: &str, error: &sqlx::Error) -> BackupError {
    BackupError::failed(format!("restoring {what} failed: {}", short(error)))
}

/// One `--jobs` connection loading tables from the queue.
async fn load_worker(
    options: &PgConnectOptions,
    dir: &Path,
    manifest: &Manifest,
    queue: &RefCell<VecDeque<&TableEntry>>,
    throttle: &Throttle,
    progress: &RefCell<Progress>,
) -> Result<u64> {
    let mut conn = connect(options).await?;
    // Safe: a failed restore is thrown away whole; nothing relies on these commits surviving
    // a crash before the restore finishes.
    conn.execute("SET synchronous_commit = off").await?;
    let mut rows = 0;
    loop {
        let next = queue.borrow_mut().pop_front();
        let Some(entry) = next else { break };
        progress.borrow_mut().start(&entry.name);
        conn.execute("BEGIN").await?;
        let sql_name = sql_name(entry)?;
        // Truncating the new, empty table in this transaction lets COPY FREEZE write rows
        // already frozen: no rewrite by the first VACUUM.
        conn.execute(sqlx::AssertSqlSafe(format!("TRUNCATE ONLY {sql_name}")))
            .await?;
        let statement = format!(
            "COPY {} FROM STDIN (FREEZE)",
            copy_target(sql_name, &entry.columns)
        );
        rows += copy_in(&mut conn, dir, manifest, entry, &statement, throttle).await?;
        conn.execute("COMMIT").await?;
        progress.borrow().done();
    }
    Ok(rows)
}

fn sql_name(entry: &TableEntry) -> Result<&str> {
    entry.sql_name.as_deref().ok_or_else(|| {
        BackupError::failed(format!(
            "the manifest names no SQL table for {}: the backup is damaged",
            entry.name
        ))
    })
}

/// Streams one data file into `COPY ... FROM STDIN`; the row count must match the manifest.
async fn copy_in(
    conn: &mut PgConnection,
    dir: &Path,
    manifest: &Manifest,
    entry: &TableEntry,
    statement: &str,
    throttle: &Throttle,
) -> Result<u64> {
    let mut chunks = read_chunks(&entry.data_path(dir), manifest.compression)?;
    let mut copy = conn
        .copy_in_raw(statement)
        .await
        .map_err(|error| load_error(entry, &error))?;
    while let Some(chunk) = chunks.recv().await {
        let chunk = match chunk {
            Ok(chunk) => chunk,
            Err(error) => {
                copy.abort(error.message.clone()).await.ok();
                return Err(error);
            }
        };
        throttle.pace(chunk.len()).await;
        copy.send(chunk)
            .await
            .map_err(|error| load_error(entry, &error))?;
    }
    let rows = copy
        .finish()
        .await
        .map_err(|error| load_error(entry, &error))?;
    super::check_rows(entry, rows)
}

fn load_error(entry: &TableEntry, error: &sqlx::Error) -> BackupError {
    BackupError::failed(format!("loading {} failed: {}", entry.name, short(error)))
}

/// Builds indexes and primary/unique constraints from the queue.
async fn build_worker(
    options: &PgConnectOptions,
    preamble: &str,
    queue: &RefCell<VecDeque<Entry>>,
) -> Result {
    let mut conn = connect(options).await?;
    conn.execute(sqlx::raw_sql(sqlx::AssertSqlSafe(preamble.to_owned())))
        .await?;
    conn.execute("SET maintenance_work_mem = '256MB'").await?;
    loop {
        let next = queue.borrow_mut().pop_front();
        let Some(entry) = next else { break };
        conn.execute(sqlx::raw_sql(sqlx::AssertSqlSafe(entry.sql)))
            .await
            .map_err(|error| schema_error(&entry.kind.to_lowercase(), &error))?;
    }
    Ok(())
}

/// Puts sequences where the backup found them (`only`: those owned by these tables).
async fn set_sequences(
    conn: &mut PgConnection,
    manifest: &Manifest,
    only: Option<&[String]>,
) -> Result {
    for (name, last, called) in sequence_positions(&manifest.settings) {
        if only.is_some_and(|only| !only.contains(&name)) {
            continue;
        }
        sqlx::query("SELECT pg_catalog.setval($1::regclass, $2, $3)")
            .bind(name)
            .bind(last)
            .bind(called)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// `--tables`: data only, into tables the target already has, in one transaction.
async fn restore_selected(
    conn: &mut PgConnection,
    dir: &Path,
    manifest: &Manifest,
    only: &[String],
    clean: bool,
    throttle: &Throttle,
) -> Result<Restored> {
    conn.execute("BEGIN").await?;
    let mut restored = Restored { tables: 0, rows: 0 };
    let mut owned_sequences = Vec::new();
    for entry in manifest
        .tables
        .iter()
        .filter(|entry| only.contains(&entry.name))
    {
        let sql_name = sql_name(entry)?;
        let exists: bool = sqlx::query_scalar("SELECT pg_catalog.to_regclass($1) IS NOT NULL")
            .bind(sql_name)
            .fetch_one(&mut *conn)
            .await?;
        if !exists {
            return Err(BackupError::failed(format!(
                "the target has no table {}; nothing was changed",
                entry.name
            ))
            .hint("--tables loads data into existing tables; restore the whole backup into an empty database to create them"));
        }
        let has_rows: bool = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT EXISTS (SELECT 1 FROM ONLY {sql_name})"
        )))
        .fetch_one(&mut *conn)
        .await?;
        if has_rows && !clean {
            return Err(BackupError::failed(format!(
                "table {} is not empty; nothing was changed",
                entry.name
            ))
            .hint("pass --clean to replace its rows with the backup's"));
        }
        if has_rows {
            conn.execute(sqlx::AssertSqlSafe(format!("DELETE FROM ONLY {sql_name}")))
                .await
                .map_err(|error| load_error(entry, &error))?;
        }
        let statement = format!("COPY {} FROM STDIN", copy_target(sql_name, &entry.columns));
        restored.rows += copy_in(conn, dir, manifest, entry, &statement, throttle).await?;
        restored.tables += 1;
        let sequences: Vec<String> = sqlx::query_scalar(
            "SELECT s.oid::regclass::text FROM pg_catalog.pg_depend d \
             JOIN pg_catalog.pg_class s ON s.oid = d.objid AND s.relkind = 'S' \
             WHERE d.classid = 'pg_catalog.pg_class'::regclass \
               AND d.refobjid = $1::regclass AND d.deptype IN ('a', 'i')",
        )
        .bind(sql_name)
        .fetch_all(&mut *conn)
        .await?;
        owned_sequences.extend(sequences);
    }
    set_sequences(conn, manifest, Some(&owned_sequences)).await?;
    conn.execute("COMMIT").await?;
    Ok(restored)
}
