//! SQLite: round trips, tampering, refusals, selective restores, failed runs.

use std::path::{Path, PathBuf};

use sqlx::Executor as _;

use crate::scenarios::{only_backup, sql_dump_in};
use crate::support::{dbbackup, ok, open, rows, schema};

/// A database with a bit of everything SQLite has.
pub async fn sample(path: &Path) {
    let mut conn = open(path).await;
    conn.execute(
        "PRAGMA user_version = 7; PRAGMA application_id = 1234;
         CREATE TABLE customers (
             id INTEGER PRIMARY KEY AUTOINCREMENT,
             name TEXT NOT NULL UNIQUE,
             balance REAL DEFAULT 0.0,
             photo BLOB,
             note TEXT,
             name_length INTEGER GENERATED ALWAYS AS (length(name)) VIRTUAL
         );
         CREATE TABLE orders (
             id INTEGER PRIMARY KEY,
             customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
             total NUMERIC CHECK (total >= 0),
             placed_at TEXT DEFAULT (datetime('now'))
         );
         CREATE TABLE settings (key TEXT PRIMARY KEY, value ANY) WITHOUT ROWID;
         CREATE TABLE events (kind TEXT, payload);
         CREATE INDEX orders_by_customer ON orders (customer_id, placed_at);
         CREATE TABLE audit (at INTEGER, what TEXT);
         CREATE TRIGGER orders_audit AFTER INSERT ON orders
         BEGIN
             INSERT INTO audit (at, what) VALUES (NEW.id, 'order; placed');
             UPDATE customers SET balance = balance - NEW.total WHERE id = NEW.customer_id;
         END;
         CREATE VIEW big_orders AS SELECT * FROM orders WHERE total > 100;",
    )
    .await
    .unwrap();
    let all_bytes: Vec<u8> = (0..=255).collect();
    for n in 0..50_i64 {
        sqlx::query("INSERT INTO customers (name, balance, photo, note) VALUES (?, ?, ?, ?)")
            .bind(format!("customer {n} ✓ ünïcødé"))
            .bind(if n % 3 == 0 {
                None
            } else {
                Some(n as f64 * 1.5 - 10.0)
            })
            .bind(if n % 2 == 0 {
                Some(all_bytes.clone())
            } else {
                None
            })
            .bind(if n == 7 {
                Some("x".repeat(1 << 20))
            } else {
                None
            })
            .execute(&mut conn)
            .await
            .unwrap();
    }
    // Gaps: the sequence must continue after the highest id ever used, not the highest left.
    conn.execute("DELETE FROM customers WHERE id > 45")
        .await
        .unwrap();
    for n in 1..=30_i64 {
        sqlx::query("INSERT INTO orders (customer_id, total) VALUES (?, ?)")
            .bind(n % 10 + 1)
            .bind(n * 7)
            .execute(&mut conn)
            .await
            .unwrap();
    }
    conn.execute(
        "INSERT INTO settings VALUES ('int', 42), ('real', 2.5), ('text', 'hello'), ('blob', x'00ff'), ('null', NULL);
         INSERT INTO events VALUES ('a', 1), ('b', 'two'), ('c', x'03'), ('d', NULL), ('e', -0.0), ('f', 9223372036854775807);
         DELETE FROM events WHERE kind = 'b';",
    )
    .await
    .unwrap();
}

pub fn url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

/// The sample database made in `dir`: (source, destination folder, not made yet).
pub async fn sampled(dir: &Path) -> (PathBuf, PathBuf) {
    let source = dir.join("shop.db");
    sample(&source).await;
    (source, dir.join("backups"))
}

/// The sample database backed up: (source, destination folder, backup folder).
pub async fn backed_up(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let (source, dest) = sampled(dir).await;
    ok(&[
        "backup",
        "--url",
        &url(&source),
        "--dest",
        dest.to_str().unwrap(),
    ]);
    let backup = only_backup(&dest);
    (source, dest, backup)
}

/// The sample's schema (through `sqlite_master`) and every table's rows (through `quote()`)
/// are the same in both files.
pub async fn assert_same_sample(restored: &Path, source: &Path) {
    assert_eq!(schema(restored).await, schema(source).await);
    for (table, order) in [
        ("customers", "rowid"),
        ("orders", "rowid"),
        ("settings", "key"),
        ("events", "rowid"),
        ("audit", "rowid"),
    ] {
        assert_eq!(
            rows(restored, table, order).await,
            rows(source, table, order).await,
            "{table}"
        );
    }
}

#[tokio::test]
async fn a_database_round_trips_with_its_schema_data_rowids_and_sequences() {
    let dir = tempfile::tempdir().unwrap();
    let (source, dest) = sampled(dir.path()).await;
    let summary = ok(&[
        "backup",
        "--url",
        &url(&source),
        "--dest",
        dest.to_str().unwrap(),
        "--json",
    ]);
    let summary: serde_json::Value = serde_json::from_str(&summary).unwrap();
    assert_eq!(summary["tables"], 5);
    let backup = only_backup(&dest);
    assert!(backup.join("manifest.json").exists());
    assert!(backup.join("schema/pre-data.sql").exists());
    ok(&["verify", backup.to_str().unwrap()]);
    ok(&[
        "verify",
        backup.to_str().unwrap(),
        "--against",
        &url(&source),
    ]);

    let restored = dir.path().join("restored.db");
    let out = ok(&[
        "restore",
        "--from",
        backup.to_str().unwrap(),
        "--url",
        &url(&restored),
    ]);
    assert!(out.starts_with("restored 5 tables"), "{out}");
    assert_same_sample(&restored, &source).await;
    // Rowids survive (events had a gap), the pragmas too, and the sequence continues.
    let mut conn = open(&restored).await;
    let rowids: Vec<i64> = sqlx::query_scalar("SELECT rowid FROM events ORDER BY rowid")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    assert_eq!(rowids, [1, 3, 4, 5, 6]);
    let pragmas: (i64, i64) = sqlx::query_as("SELECT (SELECT user_version FROM pragma_user_version), (SELECT application_id FROM pragma_application_id)")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(pragmas, (7, 1234));
    let id: i64 = sqlx::query_scalar("INSERT INTO customers (name) VALUES ('new') RETURNING id")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(
        id, 51,
        "AUTOINCREMENT continues after the highest id ever used"
    );
    // The trigger came back whole (its body has semicolons).
    conn.execute("INSERT INTO orders (customer_id, total) VALUES (1, 5)")
        .await
        .unwrap();
    let audited: i64 = sqlx::query_scalar("SELECT count(*) FROM audit")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(audited, 31);
    // The live database still matches the backup; the changed copy does not.
    let differs = dbbackup(&[
        "verify",
        backup.to_str().unwrap(),
        "--against",
        &url(&restored),
    ]);
    assert_eq!(differs.code, 1, "{}", differs.stdout);
    assert!(
        differs
            .stdout
            .contains("customers: 46 rows live, 45 in the backup"),
        "{}",
        differs.stdout
    );

    // gzip works the same.
    let gzip_dest = dir.path().join("gzip");
    ok(&[
        "backup",
        "--url",
        &url(&source),
        "--dest",
        gzip_dest.to_str().unwrap(),
        "--compression",
        "gzip",
    ]);
    let gzip = only_backup(&gzip_dest);
    assert!(gzip.join("data/0001.rows.gz").exists());
    ok(&["verify", gzip.to_str().unwrap(), "--against", &url(&source)]);
    let log = std::fs::read_to_string(dest.join("dbbackup-log.jsonl")).unwrap();
    assert!(log.contains("\"status\":\"complete\""), "{log}");
}

#[tokio::test]
async fn a_tampered_or_truncated_backup_is_caught_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let (_source, _dest, backup) = backed_up(dir.path()).await;
    let data = backup.join("data/0002.rows.zst");
    let mut bytes = std::fs::read(&data).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x40;
    std::fs::write(&data, &bytes).unwrap();
    let target = dir.path().join("restored.db");
    let verify = dbbackup(&["verify", backup.to_str().unwrap()]);
    assert_eq!(verify.code, 1);
    assert!(
        verify.stderr.contains("data/0002.rows.zst in")
            && verify.stderr.contains("does not match its checksum"),
        "{}",
        verify.stderr
    );
    let restore = dbbackup(&[
        "restore",
        "--from",
        backup.to_str().unwrap(),
        "--url",
        &url(&target),
    ]);
    assert_eq!(restore.code, 1);
    assert!(!target.exists(), "nothing written");
    std::fs::write(&data, &bytes[..middle]).unwrap();
    let truncated = dbbackup(&[
        "restore",
        "--from",
        backup.to_str().unwrap(),
        "--url",
        &url(&target),
    ]);
    assert_eq!(truncated.code, 1);
    assert!(!target.exists());
}

#[tokio::test]
async fn restore_refuses_a_database_that_is_not_empty_unless_clean_and_can_pick_tables() {
    let dir = tempfile::tempdir().unwrap();
    let (source, _dest, backup) = backed_up(dir.path()).await;
    let target = dir.path().join("busy.db");
    open(&target)
        .await
        .execute("CREATE TABLE keep (x); INSERT INTO keep VALUES (1)")
        .await
        .unwrap();
    let refused = dbbackup(&[
        "restore",
        "--from",
        backup.to_str().unwrap(),
        "--url",
        &url(&target),
    ]);
    assert_eq!(refused.code, 1);
    assert!(
        refused.stderr.contains("is not empty"),
        "{}",
        refused.stderr
    );
    assert_eq!(rows(&target, "keep", "rowid").await, ["1"], "untouched");

    ok(&[
        "restore",
        "--from",
        backup.to_str().unwrap(),
        "--url",
        &url(&target),
        "--clean",
        "--tables",
        "customers,orders",
    ]);
    let names: Vec<String> = schema(&target)
        .await
        .into_iter()
        .map(|(_, name, _)| name)
        .collect();
    assert!(
        names.contains(&"orders_by_customer".to_owned()),
        "{names:?}"
    );
    assert!(
        !names.contains(&"keep".to_owned()) && !names.contains(&"events".to_owned()),
        "{names:?}"
    );
    assert!(
        !names.contains(&"big_orders".to_owned()),
        "no views in a selective restore"
    );
    assert_eq!(
        rows(&target, "customers", "id").await,
        rows(&source, "customers", "id").await
    );

    let unknown = dbbackup(&[
        "restore",
        "--from",
        backup.to_str().unwrap(),
        "--url",
        &url(&dir.path().join("x.db")),
        "--tables",
        "nope",
    ]);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.contains("its tables: customers"),
        "{}",
        unknown.stderr
    );
}

#[tokio::test]
async fn a_failed_backup_is_listed_as_failed_and_cannot_be_restored() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("fts.db");
    open(&source)
        .await
        .execute("CREATE TABLE plain (x); CREATE VIRTUAL TABLE docs USING fts5(body)")
        .await
        .unwrap();
    let dest = dir.path().join("backups");
    let failed = dbbackup(&[
        "backup",
        "--url",
        &url(&source),
        "--dest",
        dest.to_str().unwrap(),
    ]);
    assert_eq!(failed.code, 1);
    assert!(failed.stderr.contains("virtual table"), "{}", failed.stderr);
    let listed = ok(&["list", "--dest", dest.to_str().unwrap()]);
    assert!(listed.contains("FAILED"), "{listed}");
    let backup = only_backup(&dest);
    let restore = dbbackup(&[
        "restore",
        "--from",
        backup.to_str().unwrap(),
        "--url",
        &url(&dir.path().join("r.db")),
    ]);
    assert_eq!(restore.code, 1);
    assert!(
        restore.stderr.contains("is a failed backup"),
        "{}",
        restore.stderr
    );
    let log = std::fs::read_to_string(dest.join("dbbackup-log.jsonl")).unwrap();
    assert!(log.contains("\"status\":\"failed\""), "{log}");

    // A good one beside it is listed as ok.
    sample(&dir.path().join("shop.db")).await;
    ok(&[
        "backup",
        "--url",
        &url(&dir.path().join("shop.db")),
        "--dest",
        dest.to_str().unwrap(),
    ]);
    let listed = ok(&["list", "--dest", dest.to_str().unwrap(), "--json"]);
    let listed: serde_json::Value = serde_json::from_str(&listed).unwrap();
    let statuses: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == "complete").count(),
        1,
        "{statuses:?}"
    );
}

#[tokio::test]
async fn an_unwritable_destination_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let (source, _) = sampled(dir.path()).await;
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, "not a folder").unwrap();
    let run = dbbackup(&[
        "backup",
        "--url",
        &url(&source),
        "--dest",
        blocker.join("sub").to_str().unwrap(),
    ]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.starts_with("dbbackup: cannot create"),
        "{}",
        run.stderr
    );
}

#[tokio::test]
async fn an_sql_dump_restores_with_the_sqlite3_client_to_the_same_database() {
    let dir = tempfile::tempdir().unwrap();
    let (source, _) = sampled(dir.path()).await;
    // Values an SQL literal must take care with.
    open(&source)
        .await
        .execute("INSERT INTO events VALUES ('nul', CAST(x'610062' AS TEXT)), ('quote', 'it''s'), ('inf', 9e999), ('tiny', 4.9e-324), ('third', 1.0/3)")
        .await
        .unwrap();
    let dest = dir.path().join("dumps");
    let out = ok(&[
        "backup",
        "--url",
        &url(&source),
        "--dest",
        dest.to_str().unwrap(),
        "--format",
        "sql",
    ]);
    assert!(out.starts_with("wrote an SQL dump"), "{out}");
    let dump = sql_dump_in(&dest);
    let restored = dir.path().join("restored.db");
    let status = std::process::Command::new("sqlite3")
        .arg(&restored)
        .stdin(std::fs::File::open(&dump).unwrap())
        .status()
        .expect("the sqlite3 client (Debian package sqlite3)");
    assert!(status.success());
    assert_same_sample(&restored, &source).await;
    let mut conn = open(&restored).await;
    let id: i64 = sqlx::query_scalar("INSERT INTO customers (name) VALUES ('new') RETURNING id")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(id, 51, "the sequence continues");
}

#[tokio::test]
async fn progress_is_drawn_on_a_terminal_and_nowhere_else() {
    let dir = tempfile::tempdir().unwrap();
    let (_source, dest, backup) = backed_up(dir.path()).await;
    let restored = dir.path().join("restored.db");
    // Through a pipe (every other test): nothing on stderr.
    let piped = dbbackup(&[
        "restore",
        "--from",
        backup.to_str().unwrap(),
        "--url",
        &url(&restored),
    ]);
    assert_eq!((piped.code, piped.stderr.as_str()), (0, ""));
    // In a pseudo-terminal (util-linux `script`): the bar over the tables.
    let source = dir.path().join("shop.db");
    let command = format!(
        "{} backup --url {} --dest {}",
        env!("CARGO_BIN_EXE_dbbackup"),
        url(&source),
        dest.display()
    );
    let output = std::process::Command::new("script")
        .args(["-q", "-e", "-c", &command, "/dev/null"])
        .env("TERM", "xterm")
        .output()
        .unwrap();
    assert!(output.status.success());
    let shown = String::from_utf8_lossy(&output.stdout);
    assert!(
        shown.contains("backing up") && shown.contains("/5 tables"),
        "{shown}"
    );
}

/// A destination that runs out of room part way (here a file-size limit, which fails the
/// write the way a full disk does): the backup fails clearly, is listed as failed, cannot be
/// restored, and the database is untouched.
#[tokio::test]
async fn a_backup_that_runs_out_of_room_is_marked_failed() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("big.db");
    let mut conn = open(&source).await;
    conn.execute("CREATE TABLE blobs (body BLOB)")
        .await
        .unwrap();
    // Incompressible: bytes from a xorshift generator.
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    for _ in 0..64 {
        let block: Vec<u8> = (0..32_768)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 24) as u8
            })
            .collect();
        sqlx::query("INSERT INTO blobs VALUES (?)")
            .bind(block)
            .execute(&mut conn)
            .await
            .unwrap();
    }
    drop(conn);
    let before = std::fs::read(&source).unwrap();
    let dest = dir.path().join("backups");
    // `ulimit -f` in 512-byte blocks for sh: 1 MiB per file; SIGXFSZ ignored, so the write
    // fails with an error instead of killing the process.
    let command = format!(
        "trap '' XFSZ; ulimit -f 2048; exec {} backup --url {} --dest {}",
        env!("CARGO_BIN_EXE_dbbackup"),
        url(&source),
        dest.display()
    );
    let output = std::process::Command::new("sh")
        .args(["-c", &command])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("File too large"), "{stderr}");
    assert!(stderr.contains("hint: free some space"), "{stderr}");
    let listed = ok(&["list", "--dest", dest.to_str().unwrap()]);
    assert!(listed.contains("FAILED"), "{listed}");
    let backup = only_backup(&dest);
    let restore = dbbackup(&[
        "restore",
        "--from",
        backup.to_str().unwrap(),
        "--url",
        &url(&dir.path().join("r.db")),
    ]);
    assert_eq!(restore.code, 1);
    assert_eq!(
        std::fs::read(&source).unwrap(),
        before,
        "the database is untouched"
    );
}
