//! MySQL/MariaDB round trips on the Sakila sample (foreign keys, views on views, triggers,
//! procedures, functions, a full-text index, spatial and binary columns) plus a table of
//! every column type, and the ways a restore must refuse.

use crate::mysql_support::{
    Database, EVERY_TYPE, SAKILA_DATA, SAKILA_SCHEMA, catalog, contents, server,
};
use crate::scenarios::{Server as _, assert_one_snapshot, only_backup, refusals, sql_dump_in};
use crate::support::ok;

#[tokio::test]
async fn sakila_round_trips_with_identical_schema_data_and_auto_increments() {
    let Some(server) = server() else { return };
    let source = Database::create(&server, "sakila").await;
    source.run(SAKILA_SCHEMA).await;
    source.run(SAKILA_DATA).await;
    source.run(EVERY_TYPE).await;
    let dest = tempfile::tempdir().unwrap();
    let summary = ok(&[
        "backup",
        "--url",
        &source.url,
        "--dest",
        dest.path().to_str().unwrap(),
        "--jobs",
        "2",
        "--json",
    ]);
    let summary: serde_json::Value = serde_json::from_str(&summary).unwrap();
    assert_eq!(summary["engine"], "mysql");
    let backup = only_backup(dest.path());
    let backup = backup.to_str().unwrap();
    ok(&["verify", backup]);

    let target = Database::create(&server, "sakila_copy").await;
    ok(&[
        "restore",
        "--from",
        backup,
        "--url",
        &target.url,
        "--jobs",
        "3",
    ]);
    let (mut from, mut to) = (source.connect().await, target.connect().await);
    let schema = catalog(&mut from, &source.name).await;
    assert!(schema.len() >= 30, "{schema:?}");
    assert!(
        schema
            .iter()
            .any(|object| object.starts_with("EVENT purge_every_type"))
    );
    assert_eq!(schema, catalog(&mut to, &target.name).await);
    let data = contents(&mut from).await;
    assert!(
        data.iter()
            .any(|(table, rows, _)| table == "rental" && *rows == 16044),
        "{data:?}"
    );
    assert_eq!(data, contents(&mut to).await);
    ok(&["verify", backup, "--against", &target.url]);

    // Auto-increment continues, and the restored triggers fire.
    target
        .run("INSERT INTO film (title, language_id) VALUES ('New Film', 1)")
        .await;
    assert_eq!(target.number("SELECT MAX(film_id) FROM film").await, 1001);
    assert_eq!(
        target
            .number("SELECT COUNT(*) FROM film_text WHERE title = 'New Film'")
            .await,
        1,
        "the ins_film trigger copied the new film"
    );

    // --format sql: one file that the mariadb client restores to the same objects and rows.
    let dumps = tempfile::tempdir().unwrap();
    let out = ok(&[
        "backup",
        "--url",
        &source.url,
        "--dest",
        dumps.path().to_str().unwrap(),
        "--format",
        "sql",
    ]);
    assert!(out.contains("restore it with: mariadb"), "{out}");
    let file = sql_dump_in(dumps.path());
    let by_client = Database::create(&server, "sakila_client").await;
    let (user, rest) = server
        .trim_start_matches("mysql://")
        .split_once('@')
        .unwrap();
    let (address, _) = rest.split_once('/').unwrap();
    let (host, port) = address.split_once(':').unwrap_or((address, "3306"));
    let client = std::process::Command::new("mariadb")
        .args([
            "--comments",
            "-h",
            host,
            "-P",
            port,
            "-u",
            user,
            &by_client.name,
        ])
        .stdin(std::fs::File::open(&file).unwrap())
        .output()
        .unwrap();
    assert!(
        client.status.success(),
        "{}",
        String::from_utf8_lossy(&client.stderr)
    );
    let mut restored = by_client.connect().await;
    let by_client_schema = catalog(&mut restored, &by_client.name).await;
    for (expected, found) in schema.iter().zip(&by_client_schema) {
        assert_eq!(expected, found);
    }
    assert_eq!(schema.len(), by_client_schema.len());
    assert_eq!(data, contents(&mut restored).await);
}

#[tokio::test]
async fn restores_refuse_non_empty_targets_and_damaged_backups_and_never_leave_half() {
    let Some(server) = server() else { return };
    let source = Database::create(&server, "refuse").await;
    source
        .run("CREATE TABLE items (id INT AUTO_INCREMENT PRIMARY KEY, name TEXT NOT NULL);\n\
              INSERT INTO items (name) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) SELECT CONCAT('item ', i) FROM n;\n\
              CREATE TABLE notes (id INT, body TEXT, FOREIGN KEY (id) REFERENCES items (id));\n\
              INSERT INTO notes SELECT id, 'note' FROM items WHERE id <= 100;")
        .await;
    let target = Database::create(&server, "refuse_target").await;
    let dest = tempfile::tempdir().unwrap();
    let backup = refusals(&source, &target, dest.path()).await;

    // Like mysqldump, a selective restore loads with foreign key checks off: rows others
    // refer to are replaced in one transaction.
    target.run("UPDATE items SET name = 'changed'").await;
    ok(&[
        "restore",
        "--from",
        backup.to_str().unwrap(),
        "--url",
        &target.url,
        "--tables",
        "items",
        "--clean",
    ]);
    assert_eq!(
        target
            .number("SELECT COUNT(*) FROM items WHERE name = 'changed'")
            .await,
        0
    );
    assert_eq!(target.number("SELECT COUNT(*) FROM items").await, 5000);
}

/// Two tables written together in every transaction: a backup taken while the writer runs
/// must hold the same number of rows in both (snapshots started under one lock).
#[tokio::test]
async fn a_backup_under_concurrent_writes_is_one_consistent_snapshot() {
    let Some(server) = server() else { return };
    let source = Database::create(&server, "snapshot").await;
    source
        .run("CREATE TABLE left_side (id BIGINT AUTO_INCREMENT PRIMARY KEY, pad TEXT);\n\
              CREATE TABLE right_side (id BIGINT AUTO_INCREMENT PRIMARY KEY, pad TEXT);\n\
              INSERT INTO left_side (pad) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) SELECT REPEAT('x', 200) FROM n;\n\
              INSERT INTO right_side (pad) SELECT pad FROM left_side;")
        .await;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let stop = stop.clone();
        let mut conn = source.connect().await;
        tokio::spawn(async move {
            use sqlx::Executor as _;
            let mut written = 0u64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                conn.execute("START TRANSACTION").await.unwrap();
                conn.execute("INSERT INTO left_side (pad) VALUES ('w')")
                    .await
                    .unwrap();
                conn.execute("INSERT INTO right_side (pad) VALUES ('w')")
                    .await
                    .unwrap();
                conn.execute("COMMIT").await.unwrap();
                written += 1;
            }
            written
        })
    };
    let dest = tempfile::tempdir().unwrap();
    let dest_path = dest.path().to_str().unwrap().to_owned();
    let url = source.url.clone();
    let backup = tokio::task::spawn_blocking(move || {
        ok(&[
            "backup",
            "--url",
            &url,
            "--dest",
            &dest_path,
            "--jobs",
            "2",
            "--max-rate",
            "4M",
        ])
    });
    let _ = backup.await.unwrap();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    assert!(
        writer.await.unwrap() > 0,
        "the writer ran during the backup"
    );
    assert_one_snapshot(dest.path(), 20_000);
}

/// `--ask-password` (`-W`): typed on a terminal (util-linux `script` gives it one), used,
/// and never shown.
#[tokio::test]
async fn a_password_typed_at_the_prompt_is_used_and_not_shown() {
    use sqlx::{Connection as _, Executor as _};
    let Some(server) = server() else { return };
    let database = Database::create(&server, "prompt").await;
    let user = format!("dbbackup_prompt_{}", std::process::id());
    let mut admin = sqlx::mysql::MySqlConnection::connect(&server)
        .await
        .unwrap();
    admin
        .execute(sqlx::AssertSqlSafe(format!(
            "CREATE USER '{user}'@'%' IDENTIFIED BY 'Typed-Secret-9'; \
             GRANT ALL ON `{}`.* TO '{user}'@'%'",
            database.name
        )))
        .await
        .unwrap();
    let host = server
        .rsplit_once('@')
        .and_then(|(_, rest)| rest.split_once('/'))
        .map(|(host, _)| host)
        .unwrap();
    for (typed, code) in [("Typed-Secret-9", 0), ("wrong", 1)] {
        let command = format!(
            "{} test-connection --url mysql://{user}@{host}/{} --ask-password",
            env!("CARGO_BIN_EXE_dbbackup"),
            database.name
        );
        let mut child = std::process::Command::new("script")
            .args(["-q", "-e", "-c", &command, "/dev/null"])
            .env("TERM", "xterm")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Typed once the prompt has the terminal in raw mode.
        std::thread::sleep(std::time::Duration::from_millis(700));
        {
            use std::io::Write as _;
            let mut stdin = child.stdin.take().unwrap();
            write!(stdin, "{typed}\r").unwrap();
        }
        let output = child.wait_with_output().unwrap();
        let shown = String::from_utf8_lossy(&output.stdout);
        assert_eq!(output.status.code(), Some(code), "{shown}");
        assert!(shown.contains("password:"), "{shown}");
        assert!(
            !shown.contains(typed),
            "the password is not echoed: {shown}"
        );
        if code == 0 {
            assert!(shown.contains("connected to MySQL"), "{shown}");
        } else {
            assert!(shown.contains("Access denied"), "{shown}");
        }
    }
    admin
        .execute(sqlx::AssertSqlSafe(format!("DROP USER '{user}'@'%'")))
        .await
        .unwrap();
}
