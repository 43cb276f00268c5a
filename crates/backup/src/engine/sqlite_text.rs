//! `backup --format sql` for SQLite: one plain SQL file that `sqlite3 new.db < file.sql`
//! restores, read from the same snapshot as the folder format, values written as exact
//! literals (reals with enough digits to read back the same double, blobs as `x'..'`).

use std::io::Write;
use std::path::Path;

use sqlx::Executor as _;

use super::sqlite::{each_row, quote, snapshot};
use crate::error::{BackupError, Result};
use crate::rows::Value;

/// Writes the database at `source` as SQL into `out_path` (which must not exist).
pub async fn dump_sql(source: &Path, out_path: &Path) -> Result {
    let mut snapshot = snapshot(source).await?;
    let mut out = crate::files::create_text(out_path)?;
    let io = |error: std::io::Error| BackupError::io("write", out_path, &error);
    writeln!(
        out,
        "-- dbbackup {} SQL dump of {} (SQLite {})",
        env!("CARGO_PKG_VERSION"),
        source.display(),
        snapshot.version
    )
    .map_err(io)?;
    writeln!(out, "PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;").map_err(io)?;
    for (_, sql) in &snapshot.schema.pre_data {
        writeln!(out, "{sql};").map_err(io)?;
    }
    for table in &snapshot.schema.tables {
        let mut columns: Vec<String> = table.columns.iter().map(|column| quote(column)).collect();
        if table.rowid {
            columns.insert(0, "rowid".to_owned());
        }
        let prefix = format!(
            "INSERT INTO {} ({}) VALUES (",
            quote(&table.name),
            columns.join(", ")
        );
        each_row(&mut snapshot.conn, table, |values| {
            let literals: Vec<String> = values.iter().map(literal).collect();
            writeln!(out, "{prefix}{});", literals.join(", ")).map_err(io)
        })
        .await?;
    }
    for (_, _, sql) in &snapshot.schema.post_data {
        writeln!(out, "{sql};").map_err(io)?;
    }
    if let Some(sequences) = snapshot
        .settings
        .get("sqlite_sequence")
        .and_then(|value| value.as_array())
    {
        writeln!(out, "DELETE FROM sqlite_sequence;").map_err(io)?;
        for pair in sequences {
            if let (Some(name), Some(seq)) = (
                pair.get(0).and_then(|v| v.as_str()),
                pair.get(1).and_then(serde_json::Value::as_i64),
            ) {
                writeln!(
                    out,
                    "INSERT INTO sqlite_sequence (name, seq) VALUES ({}, {seq});",
                    literal(&Value::Text(name.to_owned()))
                )
                .map_err(io)?;
            }
        }
    }
    for pragma in ["user_version", "application_id"] {
        if let Some(value) = snapshot
            .settings
            .get(pragma)
            .and_then(serde_json::Value::as_i64)
        {
            writeln!(out, "PRAGMA {pragma} = {value};").map_err(io)?;
        }
    }
    writeln!(out, "COMMIT;").map_err(io)?;
    let file = out.into_inner().map_err(|error| io(error.into_error()))?;
    file.sync_all().map_err(io)?;
    snapshot.conn.execute("COMMIT").await?;
    Ok(())
}

/// A value as an SQLite literal that reads back as the same value and storage class.
fn literal(value: &Value) -> String {
    match value {
        Value::Null => "NULL".to_owned(),
        Value::Integer(value) => value.to_string(),
        Value::Real(value) if value.is_infinite() => {
            if *value > 0.0 {
                "9e999".to_owned()
            } else {
                "-9e999".to_owned()
            }
        }
        // Debug prints the shortest text that parses back to the same double, with a `.0`
        // or an exponent, so SQLite reads a REAL, not an INTEGER.
        Value::Real(value) => format!("{value:?}"),
        // A NUL cannot stand inside an SQL string literal.
        Value::Text(text) if text.contains('\0') => {
            format!("CAST(x'{}' AS TEXT)", crate::files::hex(text.as_bytes()))
        }
        Value::Text(text) => format!("'{}'", text.replace('\'', "''")),
        Value::Blob(bytes) => format!("x'{}'", crate::files::hex(bytes)),
    }
}

#[cfg(test)]
mod tests {
    use super::literal;
    use crate::rows::Value;

    #[test]
    fn literals_keep_the_storage_class_and_the_exact_value() {
        assert_eq!(literal(&Value::Real(3.0)), "3.0");
        assert_eq!(literal(&Value::Real(0.1)), "0.1");
        assert_eq!(literal(&Value::Real(1e300)), "1e300");
        assert_eq!(literal(&Value::Real(f64::NEG_INFINITY)), "-9e999");
        assert_eq!(literal(&Value::Text("it's".into())), "'it''s'");
        assert_eq!(
            literal(&Value::Text("a\0b".into())),
            "CAST(x'610062' AS TEXT)"
        );
        assert_eq!(literal(&Value::Blob(vec![0, 255])), "x'00ff'");
        assert_eq!(literal(&Value::Integer(i64::MIN)), "-9223372036854775808");
    }
}
