//! MySQL/MariaDB incremental backups from the binary log: a full backup, then incremental
//! backups of the row events since, restored as a chain to exactly the source's state at
//! each one. The server must log in row format (`.ci/run` starts MariaDB so).

use std::path::Path;
use std::time::Duration;

use crate::incremental::{backup, manifest};
use crate::mysql_support::{
    Database, EVERY_TYPE, SAKILA_DATA, SAKILA_SCHEMA, catalog, contents, server,
};
use crate::scenarios::Server as _;
use crate::support::{Writer, ok, refused};

/// Tables added to Sakila before the full backup: one filled by a statement larger than
/// the capture's 2 MB event groups, and one without any key.
const EXTRA_TABLES: &str = "\
    CREATE TABLE bulk (id INT PRIMARY KEY, filler VARCHAR(300)) ENGINE=InnoDB;
    CREATE TABLE loose (v VARCHAR(20), n INT) ENGINE=InnoDB;
    INSERT INTO loose VALUES ('twin', 1), ('twin', 1), ('other', 2);";

/// Every kind of row change, on every column type, with the triggers' own row changes, and
/// the server moving on to a new binary log file halfway.
const ROUND_ONE: &str = "\
    INSERT INTO actor (first_name, last_name) VALUES ('ADA', 'O''HARA'), ('GRACE', 'tab\\there ✓ é');
    UPDATE actor SET first_name = 'RENAMED' WHERE actor_id = 3;
    UPDATE actor SET actor_id = 5000 WHERE last_name LIKE 'tab%';
    DELETE FROM film_actor WHERE actor_id = 2;
    INSERT INTO film (title, language_id) VALUES ('A NEW FILM', 1);
    UPDATE payment SET amount = amount + 1.25 WHERE payment_id BETWEEN 5 AND 9;
    DELETE FROM payment WHERE payment_id BETWEEN 100 AND 120;
    FLUSH BINARY LOGS;
    INSERT INTO every_type (tiny, small, medium, big, ubig, exact, single, double_value, flags, yes, \
        day, moment, stamp, clock, year_value, label, padded, body, latin, bytes, blob_value, fixed, \
        choice, choices, document, spot, shape) \
      SELECT tiny, small, medium, big, ubig, exact, single, double_value, flags, yes, \
        day, moment, stamp, clock, year_value, CONCAT(label, ' copy'), NULL, body, latin, bytes, blob_value, fixed, \
        choice, choices, document, spot, shape FROM every_type ORDER BY id;
    UPDATE every_type SET blob_value = REVERSE(blob_value), document = JSON_SET(document, '$.more', 1) WHERE label IS NOT NULL;
    INSERT INTO bulk SELECT seq, REPEAT('x', 250) FROM seq_1_to_12000;
    DELETE FROM loose WHERE v = 'twin' LIMIT 1;
    UPDATE loose SET n = 3 WHERE v = 'other';";

/// The second round: a transaction of several statements (with a savepoint rolled back to,
/// as ORMs do), then a large delete.
const ROUND_TWO_EARLY: &str = "\
    START TRANSACTION;
    INSERT INTO category (name) VALUES ('Documentary II');
    SAVEPOINT before_customers;
    UPDATE customer SET email = 'lost@example.com' WHERE customer_id < 20;
    ROLLBACK TO SAVEPOINT before_customers;
    UPDATE customer SET email = NULL WHERE customer_id < 10;
    DELETE FROM actor WHERE first_name = 'ADA';
    COMMIT;";

const ROUND_TWO_LATE: &str = "\
    DELETE FROM bulk WHERE id % 3 = 0;
    UPDATE every_type SET body = CONCAT(body, ' and more');
    INSERT INTO payment (customer_id, staff_id, rental_id, amount, payment_date) \
      VALUES (1, 1, 1, 9.99, '2022-07-04 12:00:00');";

/// Whether the server keeps a row-format binary log; without one the tests cannot run
/// (an error where services are required, as in CI).
async fn binlog_in_rows(database: &Database) -> bool {
    let mut conn = database.connect().await;
    let (log_bin, format): (i64, String) =
        sqlx::query_as("SELECT @@global.log_bin, CAST(@@global.binlog_format AS CHAR)")
            .fetch_one(&mut conn)
            .await
            .unwrap();
    let ready = log_bin == 1 && format == "ROW";
    assert!(
        ready || std::env::var_os("GROUNDWORK_REQUIRE_SERVICES").is_none(),
        "MariaDB's binary log is off or not in ROW format (log_bin {log_bin}, {format}): .ci/run starts it with --log-bin --binlog-format=ROW"
    );
    if !ready {
        eprintln!("skipped: the MySQL server has no row-format binary log");
    }
    ready
}

/// Restores `backup` (with `extra` arguments) into a new database; returns the database
/// and what the command printed.
async fn restore_new(
    server: &str,
    label: &str,
    backup: &Path,
    extra: &[&str],
) -> (Database, String) {
    let target = Database::create(server, label).await;
    let mut args = vec![
        "restore",
        "--from",
        backup.to_str().unwrap(),
        "--url",
        &target.url,
    ];
    args.extend_from_slice(extra);
    let out = ok(&args);
    (target, out)
}

#[tokio::test]
async fn a_chain_of_binlog_incrementals_restores_the_source_at_each_point() {
    let Some(server) = server() else { return };
    let source = Database::create(&server, "binlog").await;
    if !binlog_in_rows(&source).await {
        return;
    }
    source.run(SAKILA_SCHEMA).await;
    source.run(SAKILA_DATA).await;
    source.run(EVERY_TYPE).await;
    source.run(EXTRA_TABLES).await;
    // Changes to another database on the same server are in the same log; none may leak.
    let other = Database::create(&server, "binlog_other").await;
    other
        .run("CREATE TABLE actor (actor_id INT PRIMARY KEY, first_name VARCHAR(45))")
        .await;
    let dest = tempfile::tempdir().unwrap();
    let dest_str = dest.path().to_str().unwrap();

    let full = backup(&source.url, dest.path(), &["--jobs", "2"]);
    let binlog = &manifest(&full)["settings"]["binlog"];
    assert_eq!(binlog["consistent"], true, "{binlog}");
    assert!(binlog["file"].as_str().is_some_and(|file| !file.is_empty()));

    source.run(ROUND_ONE).await;
    other
        .run("INSERT INTO actor VALUES (1, 'ELSEWHERE'); UPDATE actor SET first_name = 'X'")
        .await;
    let first = backup(
        &source.url,
        dest.path(),
        &["--incremental-from", full.to_str().unwrap()],
    );
    let first_state = contents(&mut source.connect().await).await;
    let changes = &manifest(&first)["changes"];
    assert_ne!(
        manifest(&first)["settings"]["binlog"]["file"],
        binlog["file"],
        "the log was read across files"
    );
    // Twelve statements, each its own transaction; the other database's two are not here.
    assert_eq!(changes["transactions"], 12, "{changes}");
    assert!(
        changes["statements"].as_u64().unwrap() > 12,
        "statements over 2 MB (the bulk insert, the updates of huge rows) are cut into parts: {changes}"
    );

    source.run(ROUND_TWO_EARLY).await;
    let early_state = contents(&mut source.connect().await).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let between = chrono::Utc::now().to_rfc3339();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    source.run(ROUND_TWO_LATE).await;
    let second = backup(
        &source.url,
        dest.path(),
        &["--incremental-from", first.to_str().unwrap()],
    );
    let (second_catalog, second_state) = {
        let mut conn = source.connect().await;
        (
            catalog(&mut conn, &source.name).await,
            contents(&mut conn).await,
        )
    };
    // Nothing changed since: an incremental with no changes still continues the chain.
    let third = backup(
        &source.url,
        dest.path(),
        &["--incremental-from", second.to_str().unwrap()],
    );
    assert_eq!(manifest(&third)["changes"]["transactions"], 0);

    let verified = ok(&["verify", third.to_str().unwrap()]);
    assert!(verified.contains("3 earlier backups"), "{verified}");
    let listed = ok(&["list", "--dest", dest_str]);
    assert!(listed.contains("incremental after"), "{listed}");

    // Each point of the chain, restored into a new database, is the source at that point.
    let (at_first, _) = restore_new(&server, "binlog_at_first", &first, &[]).await;
    assert_eq!(contents(&mut at_first.connect().await).await, first_state);

    let at_end = Database::create(&server, "binlog_at_end").await;
    let log_before: (String, u64) = sqlx::query_as("SHOW MASTER STATUS")
        .fetch_one(&mut at_end.connect().await)
        .await
        .unwrap();
    let restored = ok(&[
        "restore",
        "--from",
        third.to_str().unwrap(),
        "--url",
        &at_end.url,
        "--jobs",
        "2",
        "--json",
    ]);
    let restored: serde_json::Value = serde_json::from_str(&restored).unwrap();
    assert_eq!(restored["incrementals"], 3, "{restored}");
    // The target logged the replayed rows without annotating each with the text of the
    // BINLOG statement that carried it (a statement of a thousand would log it a thousand
    // times: this once filled a disk).
    let annotations: Vec<(String, String)> = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SHOW BINLOG EVENTS IN '{}' FROM {}",
        log_before.0, log_before.1
    )))
    .fetch_all(&mut at_end.connect().await)
    .await
    .unwrap()
    .into_iter()
    .map(|row: sqlx::mysql::MySqlRow| {
        use sqlx::Row as _;
        (row.get::<String, _>(2), row.get::<String, _>(5))
    })
    .filter(|(kind, info)| kind == "Annotate_rows" && info.starts_with("BINLOG"))
    .collect();
    assert!(annotations.is_empty(), "{} annotated", annotations.len());
    let mut conn = at_end.connect().await;
    assert_eq!(contents(&mut conn).await, second_state);
    // The catalog includes each table's AUTO_INCREMENT: new rows get the source's next ids.
    assert_eq!(catalog(&mut conn, &at_end.name).await, second_catalog);
    assert_eq!(
        at_end
            .number("SELECT COUNT(*) FROM film_text WHERE title = 'A NEW FILM'")
            .await,
        1,
        "the trigger's row came from the log once, and the replay did not fire it again"
    );

    // --until: the chain up to a moment between the two parts of round two.
    let (at_moment, out) =
        restore_new(&server, "binlog_at_moment", &second, &["--until", &between]).await;
    assert!(out.contains("stopped at --until"), "{out}");
    assert_eq!(contents(&mut at_moment.connect().await).await, early_state);

    // A branch: continuing from `first` again reads the log from its position, through
    // round two and a change made after the chain's end. Restored, the branch is the
    // source now; the chain it branched from still restores to its own end.
    source
        .run("UPDATE film SET rental_rate = rental_rate + 1 WHERE film_id <= 50")
        .await;
    let branch = backup(
        &source.url,
        dest.path(),
        &["--incremental-from", first.to_str().unwrap()],
    );
    let branch_state = contents(&mut source.connect().await).await;
    assert_ne!(branch_state, second_state);
    let first_name = first.file_name().unwrap().to_str().unwrap();
    assert_eq!(manifest(&branch)["follows"], first_name);
    assert_eq!(manifest(&branch)["changes"]["transactions"], 5);
    let (at_branch, _) = restore_new(&server, "binlog_at_branch", &branch, &[]).await;
    assert_eq!(contents(&mut at_branch.connect().await).await, branch_state);
    let (at_end_again, _) = restore_new(&server, "binlog_at_end_again", &third, &[]).await;
    assert_eq!(
        contents(&mut at_end_again.connect().await).await,
        second_state
    );
}

#[tokio::test]
async fn binlog_incrementals_refuse_what_they_cannot_replay() {
    let Some(server) = server() else { return };
    let source = Database::create(&server, "binlog_refuse").await;
    if !binlog_in_rows(&source).await {
        return;
    }
    source
        .run("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20)); INSERT INTO t VALUES (1, 'a');")
        .await;
    let dest = tempfile::tempdir().unwrap();
    let dest_str = dest.path().to_str().unwrap();

    let slot = [
        "backup",
        "--url",
        &source.url,
        "--dest",
        dest_str,
        "--slot",
        "x",
    ];
    refused(&slot, 2, "--slot is for PostgreSQL");

    let incremental_after = |full: &std::path::Path, expected: &str| {
        let from = full.to_str().unwrap();
        let args = [
            "backup",
            "--url",
            &source.url,
            "--dest",
            dest_str,
            "--incremental-from",
            from,
        ];
        refused(&args, 1, expected)
    };
    // A schema change is logged as a statement: the chain ends there, and the failed run
    // is never listed as good.
    let full = backup(&source.url, dest.path(), &[]);
    source.run("ALTER TABLE t ADD COLUMN w INT").await;
    let failed = incremental_after(&full, "ALTER TABLE");
    assert!(
        failed.stderr.contains("take a new full backup"),
        "{}",
        failed.stderr
    );
    assert!(ok(&["list", "--dest", dest_str]).contains("FAILED"));

    // So is a change made by a session that logs in statement format.
    let full = backup(&source.url, dest.path(), &[]);
    let mut conn = source.connect().await;
    sqlx::Executor::execute(&mut conn, "SET SESSION binlog_format = 'STATEMENT'")
        .await
        .unwrap();
    sqlx::Executor::execute(&mut conn, "UPDATE t SET v = 'b'")
        .await
        .unwrap();
    incremental_after(&full, "UPDATE t SET");

    // A backup user with a password and only the privileges the docs list: the binary log
    // is read with that login (mysql_native_password); a wrong password is a clear error.
    let user = format!("u{}", &source.name[source.name.len() - 9..]);
    let admin = Database::create(&server, "binlog_admin").await;
    admin
        .run(&format!(
            "CREATE USER '{user}'@'%' IDENTIFIED BY 'pa:ss w0rd';
             GRANT SELECT, SHOW VIEW, TRIGGER, EVENT, LOCK TABLES, RELOAD, REPLICATION SLAVE, BINLOG MONITOR ON *.* TO '{user}'@'%';"
        ))
        .await;
    let host = source.url.split('@').nth(1).unwrap();
    let as_user = |password: &str| format!("mysql://{user}:{password}@{host}");
    let full = backup(&as_user("pa%3Ass%20w0rd"), dest.path(), &[]);
    source
        .run("INSERT INTO t (id, v) VALUES (10, 'by user')")
        .await;
    let (wrong, from) = (as_user("wrong"), full.to_str().unwrap());
    let args = [
        "backup",
        "--url",
        &wrong,
        "--dest",
        dest_str,
        "--incremental-from",
        from,
    ];
    refused(&args, 1, "Access denied");
    let by_user = backup(
        &as_user("pa%3Ass%20w0rd"),
        dest.path(),
        &["--incremental-from", full.to_str().unwrap()],
    );
    assert_eq!(manifest(&by_user)["changes"]["transactions"], 1);
    admin.run(&format!("DROP USER '{user}'@'%'")).await;

    // A damaged changes file is found before anything is written.
    let full = backup(&source.url, dest.path(), &[]);
    source.run("INSERT INTO t (id, v) VALUES (2, 'c')").await;
    let newest = backup(
        &source.url,
        dest.path(),
        &["--incremental-from", full.to_str().unwrap()],
    );
    let changes = newest.join(manifest(&newest)["changes"]["file"].as_str().unwrap());
    let mut bytes = std::fs::read(&changes).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x55;
    std::fs::write(&changes, bytes).unwrap();
    let target = Database::create(&server, "binlog_refuse_to").await;
    let restore = |from: &std::path::Path, expected: &str| {
        let args = [
            "restore",
            "--from",
            from.to_str().unwrap(),
            "--url",
            &target.url,
        ];
        refused(&args, 1, expected)
    };
    restore(&newest, "checksum");
    assert_eq!(target.tables().await, 0);

    // Changes replayed onto other data than they were made on: the server finds no row to
    // delete, the replay stops, and the target is emptied.
    let full = backup(&source.url, dest.path(), &[]);
    source.run("DELETE FROM t WHERE id = 1").await;
    let after = backup(
        &source.url,
        dest.path(),
        &["--incremental-from", full.to_str().unwrap()],
    );
    let later_full = backup(&source.url, dest.path(), &[]);
    std::fs::remove_dir_all(&full).unwrap();
    std::fs::rename(&later_full, &full).unwrap();
    restore(&after, "replaying the changes failed");
    assert_eq!(target.tables().await, 0, "the target was emptied");
}

#[tokio::test]
async fn rows_committed_during_the_full_backup_are_restored_exactly_once() {
    let Some(server) = server() else { return };
    let source = Database::create(&server, "binlog_busy").await;
    if !binlog_in_rows(&source).await {
        return;
    }
    source
        .run(
            "CREATE TABLE busy (id INT AUTO_INCREMENT PRIMARY KEY, at DATETIME(6) DEFAULT NOW(6));
             CREATE TABLE pad (id INT PRIMARY KEY, filler VARCHAR(200));
             INSERT INTO pad SELECT seq, REPEAT('p', 200) FROM seq_1_to_100000;",
        )
        .await;
    let dest = tempfile::tempdir().unwrap();
    // One connection (no FLUSH TABLES WITH READ LOCK): the full backup's place in the log
    // is only right if it is read in the snapshot's own transaction.
    for jobs in ["1", "2"] {
        let before = source.number("SELECT COUNT(*) FROM busy").await as u64;
        let writer = Writer::start(source.connect().await, "INSERT INTO busy () VALUES ()");
        while (source.number("SELECT COUNT(*) FROM busy").await as u64) < before + 20 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let (url, dest_path) = (source.url.clone(), dest.path().to_owned());
        let full = tokio::task::spawn_blocking(move || backup(&url, &dest_path, &["--jobs", jobs]))
            .await
            .unwrap();
        let written = writer.stop().await;
        let in_full = manifest(&full)["tables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|table| table["name"] == "busy")
            .unwrap()["rows"]
            .as_u64()
            .unwrap();
        assert!(
            in_full > before && in_full < before + written,
            "the writer committed before and after the snapshot: {in_full} of {written}"
        );
        let incremental = backup(
            &source.url,
            dest.path(),
            &["--incremental-from", full.to_str().unwrap()],
        );
        let target = Database::create(&server, "binlog_busy_to").await;
        ok(&[
            "restore",
            "--from",
            incremental.to_str().unwrap(),
            "--url",
            &target.url,
        ]);
        assert_eq!(
            contents(&mut target.connect().await).await,
            contents(&mut source.connect().await).await,
            "--jobs {jobs}"
        );
    }
}
