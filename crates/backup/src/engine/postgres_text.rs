//! `backup --format sql` for PostgreSQL: one plain SQL file for `psql`, from the same kind of
//! snapshot as the folder format: pg_dump's `pre-data`, every table as a `COPY ... FROM
//! stdin` block, `post-data`, then the sequences and materialized views.

use std::io::Write;
use std::path::Path;

use futures_util::TryStreamExt as _;
use sqlx::Executor as _;
use sqlx::postgres::PgConnectOptions;

use super::postgres::{copy_target, open_snapshot, qualified, sequence_positions};
use crate::error::{BackupError, Result};
use crate::target::Secret;

/// Writes the database as SQL into `out_path` (which must not exist).
pub async fn dump_sql(options: &PgConnectOptions, password: &Secret, out_path: &Path) -> Result {
    let mut snapshot = open_snapshot(options, password).await?;
    let mut out = crate::files::create_text(out_path)?;
    let io = |error: std::io::Error| BackupError::io("write", out_path, &error);
    writeln!(
        out,
        "-- dbbackup {} SQL dump (PostgreSQL {}); restore with: psql -v ON_ERROR_STOP=1 --single-transaction -d NEWDB -f FILE\n",
        env!("CARGO_PKG_VERSION"),
        snapshot.version
    )
    .map_err(io)?;
    out.write_all(snapshot.pre.as_bytes()).map_err(io)?;
    // The settings the COPY text was written under.
    writeln!(
        out,
        "\nSET DateStyle = 'ISO, MDY';\nSET IntervalStyle = 'postgres';\nSET TimeZone = 'UTC';\n"
    )
    .map_err(io)?;
    for table in &snapshot.tables {
        let target = copy_target(&qualified(&table.schema, &table.name), &table.columns);
        writeln!(out, "COPY {target} FROM stdin;").map_err(io)?;
        let mut stream = snapshot
            .conn
            .copy_out_raw(&format!("COPY {target} TO STDOUT"))
            .await?;
        while let Some(chunk) = stream.try_next().await? {
            out.write_all(&chunk).map_err(io)?;
        }
        drop(stream);
        writeln!(out, "\\.\n").map_err(io)?;
    }
    out.write_all(snapshot.post.as_bytes()).map_err(io)?;
    let listed = |key: &str| {
        snapshot
            .settings
            .get(key)
            .and_then(|value| value.as_array())
            .cloned()
            .unwrap_or_default()
    };
    for (name, last, called) in sequence_positions(&snapshot.settings) {
        writeln!(
            out,
            "SELECT pg_catalog.setval('{}', {last}, {called});",
            name.replace('\'', "''")
        )
        .map_err(io)?;
    }
    for view in listed("refresh") {
        if let Some(view) = view.as_str() {
            writeln!(out, "REFRESH MATERIALIZED VIEW {view};").map_err(io)?;
        }
    }
    let file = out.into_inner().map_err(|error| io(error.into_error()))?;
    file.sync_all().map_err(io)?;
    snapshot.conn.execute("COMMIT").await?;
    Ok(())
}
