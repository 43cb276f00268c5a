//! `backup --format sql` for MySQL/MariaDB: one plain SQL file for the `mysql`/`mariadb`
//! client, from one consistent snapshot: tables, rows as multi-row `INSERT`s, the secondary
//! keys, then views, routines, triggers and events.

use std::io::Write;
use std::path::Path;

use futures_util::TryStreamExt as _;
use sqlx::mysql::MySqlConnectOptions;
use sqlx::{Executor as _, Row as _};

use super::mysql::{columns, connect, select, value_of};
use super::mysql_restore::push_row;
use super::mysql_schema::{self, quote};
use crate::error::{BackupError, Result};

/// Size of one `INSERT` statement.
const STATEMENT_BYTES: usize = 1024 * 1024;

/// Writes the connection's database as SQL into `out_path` (which must not exist).
pub async fn dump_sql(options: &MySqlConnectOptions, out_path: &Path) -> Result {
    let mut conn = connect(options, "").await?;
    conn.execute("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        .await?;
    conn.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY")
        .await?;
    let version: String = sqlx::query_scalar("SELECT VERSION()")
        .fetch_one(&mut conn)
        .await?;
    let objects = mysql_schema::read(&mut conn).await?;
    let mut out = crate::files::create_text(out_path)?;
    let io = |error: std::io::Error| BackupError::io("write", out_path, &error);
    writeln!(
        out,
        "-- dbbackup {} SQL dump (MySQL {version}); restore with: mariadb --comments NEWDB < FILE (or mysql --comments; without it the client strips comments from routine bodies)\n\
         SET NAMES utf8mb4;\nSET time_zone = '+00:00';\nSET foreign_key_checks = 0;\n\
         SET unique_checks = 0;\nSET sql_mode = 'NO_AUTO_VALUE_ON_ZERO';\n",
        env!("CARGO_PKG_VERSION"),
    )
    .map_err(io)?;
    out.write_all(mysql_schema::script_tables(&objects).as_bytes())
        .map_err(io)?;
    for table in &objects.tables {
        let columns = columns(&mut conn, &table.name).await?;
        let names: Vec<String> = columns.names.iter().map(|name| quote(name)).collect();
        let head = format!(
            "INSERT INTO {} ({}) VALUES ",
            quote(&table.name),
            names.join(", ")
        );
        let mut statement = String::new();
        let mut rows = sqlx::raw_sql(sqlx::AssertSqlSafe(select(&table.name, &columns.names)))
            .fetch(&mut conn);
        while let Some(row) = rows.try_next().await? {
            let mut values = Vec::with_capacity(columns.binary.len());
            for (index, binary) in columns.binary.iter().enumerate() {
                values.push(value_of(row.try_get_unchecked(index)?, *binary));
            }
            if statement.is_empty() {
                statement.push_str(&head);
            } else {
                statement.push(',');
            }
            push_row(&mut statement, &values);
            if statement.len() >= STATEMENT_BYTES {
                writeln!(out, "{statement};").map_err(io)?;
                statement.clear();
            }
        }
        drop(rows);
        if !statement.is_empty() {
            writeln!(out, "{statement};").map_err(io)?;
        }
    }
    out.write_all(mysql_schema::script_keys(&objects).as_bytes())
        .map_err(io)?;
    out.write_all(mysql_schema::script_routines(&objects).as_bytes())
        .map_err(io)?;
    let file = out.into_inner().map_err(|error| io(error.into_error()))?;
    file.sync_all().map_err(io)?;
    conn.execute("COMMIT").await?;
    Ok(())
}
