//! The refusals every server engine must make, run against PostgreSQL and MariaDB alike.

use std::path::{Path, PathBuf};

use crate::support::{dbbackup, ok};

/// What a scenario needs from a throwaway database.
pub trait Server {
    /// Its URL.
    fn url(&self) -> &str;
    /// Runs a script.
    async fn run(&self, script: &str);
    /// One number from a query.
    async fn number(&self, sql: &str) -> i64;
    /// How many tables it has.
    async fn tables(&self) -> i64;
}

/// The one backup folder in `dest`.
pub fn only_backup(dest: &Path) -> PathBuf {
    let found: Vec<_> = std::fs::read_dir(dest)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_dir())
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    found[0].clone()
}

/// The backup in `dest` holds two tables (filled with `at_least` rows each, then written to
/// together in every transaction during the backup) with the same row count: one snapshot.
pub fn assert_one_snapshot(dest: &Path, at_least: u64) {
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(only_backup(dest).join("manifest.json")).unwrap(),
    )
    .unwrap();
    let rows: Vec<u64> = manifest["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|table| table["rows"].as_u64().unwrap())
        .collect();
    assert_eq!(rows.len(), 2);
    assert!(rows[0] >= at_least, "{rows:?}");
    assert_eq!(rows[0], rows[1], "both tables from one snapshot");
}

/// The one `--format sql` file in `dest` (beside the run log).
pub fn sql_dump_in(dest: &Path) -> PathBuf {
    let found: Vec<PathBuf> = std::fs::read_dir(dest)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|extension| extension == "sql"))
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    found[0].clone()
}

/// A copy of a backup folder, to damage.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let path = entry.path();
        if path.is_dir() {
            copy_dir(&path, &to.join(entry.file_name()));
        } else {
            std::fs::copy(&path, to.join(entry.file_name())).unwrap();
        }
    }
}

/// `source` holds `items` (5,000 rows) and `notes` (100 rows referring to items), with a
/// foreign key from notes to items; `target` is empty. Returns the backup of `source`.
pub async fn refusals(source: &impl Server, target: &impl Server, dest: &Path) -> PathBuf {
    ok(&[
        "backup",
        "--url",
        source.url(),
        "--dest",
        dest.to_str().unwrap(),
    ]);
    let backup = only_backup(dest);
    let from = backup.to_str().unwrap();

    // Not empty: refused, and the database (the source itself here) is untouched.
    let refused = dbbackup(&["restore", "--from", from, "--url", source.url()]);
    assert_eq!(refused.code, 1);
    assert!(
        refused.stderr.contains("is not empty"),
        "{}",
        refused.stderr
    );
    assert!(refused.stderr.contains("--clean"), "{}", refused.stderr);
    assert_eq!(source.number("SELECT COUNT(*) FROM items").await, 5000);

    // A changed data file: refused before anything is written.
    let scratch = tempfile::tempdir().unwrap();
    let tampered = scratch.path().join("tampered");
    copy_dir(&backup, &tampered);
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(tampered.join("manifest.json")).unwrap())
            .unwrap();
    let file = tampered.join(manifest["tables"][0]["file"].as_str().unwrap());
    let mut bytes = std::fs::read(&file).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x55;
    std::fs::write(&file, bytes).unwrap();
    let damaged = dbbackup(&[
        "restore",
        "--from",
        tampered.to_str().unwrap(),
        "--url",
        target.url(),
    ]);
    assert_eq!(damaged.code, 1);
    assert!(
        damaged.stderr.contains("does not match its checksum"),
        "{}",
        damaged.stderr
    );
    assert_eq!(target.tables().await, 0, "nothing was written");

    // A manifest that lies about a row count: the load fails part way and what was made is
    // removed, leaving the target empty.
    let lies = scratch.path().join("lies");
    copy_dir(&backup, &lies);
    let mut manifest = manifest;
    manifest["tables"][1]["rows"] = serde_json::json!(99);
    std::fs::write(lies.join("manifest.json"), manifest.to_string()).unwrap();
    let failed = dbbackup(&[
        "restore",
        "--from",
        lies.to_str().unwrap(),
        "--url",
        target.url(),
        "--jobs",
        "1",
    ]);
    assert_eq!(failed.code, 1, "{}", failed.stdout);
    assert!(
        failed.stderr.contains("the backup lists 99"),
        "{}",
        failed.stderr
    );
    assert!(failed.stderr.contains("was removed"), "{}", failed.stderr);
    assert_eq!(target.tables().await, 0, "the partial restore was removed");

    // The good backup, then one table again with --tables: refused while it has rows,
    // loaded when empty.
    ok(&["restore", "--from", from, "--url", target.url()]);
    target
        .run("DELETE FROM notes; UPDATE items SET name = 'changed'")
        .await;
    let selective = dbbackup(&[
        "restore",
        "--from",
        from,
        "--url",
        target.url(),
        "--tables",
        "items",
    ]);
    assert_eq!(selective.code, 1);
    assert!(
        selective.stderr.contains("items is not empty"),
        "{}",
        selective.stderr
    );
    assert_eq!(
        target
            .number("SELECT COUNT(*) FROM items WHERE name = 'changed'")
            .await,
        5000
    );
    ok(&[
        "restore",
        "--from",
        from,
        "--url",
        target.url(),
        "--tables",
        "notes",
    ]);
    assert_eq!(target.number("SELECT COUNT(*) FROM notes").await, 100);
    let unknown = dbbackup(&[
        "restore",
        "--from",
        from,
        "--url",
        target.url(),
        "--tables",
        "nope",
    ]);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.contains("has no table nope"),
        "{}",
        unknown.stderr
    );

    // --clean replaces a whole database.
    ok(&["restore", "--from", from, "--url", target.url(), "--clean"]);
    ok(&["verify", from, "--against", target.url()]);
    backup
}

impl Server for crate::postgres_support::Database {
    fn url(&self) -> &str {
        &self.url
    }
    async fn run(&self, script: &str) {
        crate::postgres_support::Database::run(self, script).await;
    }
    async fn number(&self, sql: &str) -> i64 {
        let mut conn = self.connect().await;
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
            .fetch_one(&mut conn)
            .await
            .unwrap()
    }
    async fn tables(&self) -> i64 {
        self.number("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
            .await
    }
}

impl Server for crate::mysql_support::Database {
    fn url(&self) -> &str {
        &self.url
    }
    async fn run(&self, script: &str) {
        crate::mysql_support::Database::run(self, &script.replace("; ", ";\n")).await;
    }
    async fn number(&self, sql: &str) -> i64 {
        let mut conn = self.connect().await;
        // Whatever integer type the query gives.
        let sql = format!("SELECT CAST(({sql}) AS SIGNED)");
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_one(&mut conn)
            .await
            .unwrap()
    }
    async fn tables(&self) -> i64 {
        self.number(
            "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()",
        )
        .await
    }
}
