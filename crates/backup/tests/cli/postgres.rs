//! PostgreSQL round trips on the Pagila sample (custom types, domains, a partitioned table,
//! triggers, functions, an aggregate, views, a materialized view) plus a table of every
//! column type, and the ways a restore must refuse.

use std::time::Instant;

use crate::postgres_support::{
    Database, PAGILA_DATA, PAGILA_SCHEMA, assert_last_update_trigger_fires, catalog, contents,
    sequences, server,
};
use crate::scenarios::{Server as _, assert_one_snapshot, only_backup, refusals, sql_dump_in};
use crate::support::{Writer, dbbackup, ok};

#[tokio::test]
async fn pagila_round_trips_with_identical_schema_data_and_sequences() {
    let Some(server) = server() else { return };
    let source = Database::create(&server, "pagila").await;
    source.run(PAGILA_SCHEMA).await;
    source.run(PAGILA_DATA).await;
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
    assert_eq!(summary["engine"], "postgres");
    let backup = only_backup(dest.path());
    let backup = backup.to_str().unwrap();
    ok(&["verify", backup]);

    let target = Database::create(&server, "pagila_copy").await;
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
    let schema = catalog(&mut from).await;
    assert!(
        schema.len() > 400,
        "the sample's catalog: {} entries",
        schema.len()
    );
    assert_eq!(schema, catalog(&mut to).await);
    let data = contents(&mut from).await;
    assert!(
        data.iter()
            .any(|(table, rows, _)| table == "payment_p2022_03" && *rows > 1000),
        "{data:?}"
    );
    assert_eq!(data, contents(&mut to).await);
    assert_eq!(sequences(&mut from).await, sequences(&mut to).await);
    ok(&["verify", backup, "--against", &target.url]);

    // Sequences continue where they were (five actors were deleted after 200 were made).
    let next: i32 = sqlx::query_scalar(
        "INSERT INTO public.actor (first_name, last_name) VALUES ('New', 'Actor') RETURNING actor_id",
    )
    .fetch_one(&mut to)
    .await
    .unwrap();
    assert_eq!(next, 201);
    // Triggers came back: the partition routing and the last_update trigger work.
    assert_last_update_trigger_fires(&mut to, 1).await;
    let differs = dbbackup(&["verify", backup, "--against", &target.url]);
    assert_eq!(differs.code, 1);
    assert!(
        differs.stdout.contains("public.actor"),
        "{}",
        differs.stdout
    );

    // --format sql: one file that psql restores to the same schema, rows and sequences.
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
    assert!(out.contains("restore it with: psql"), "{out}");
    let file = sql_dump_in(dumps.path());
    let by_psql = Database::create(&server, "pagila_psql").await;
    let psql = std::process::Command::new("psql")
        .args([
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "--single-transaction",
            "-d",
            &by_psql.url,
            "-f",
        ])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        psql.status.success(),
        "{}",
        String::from_utf8_lossy(&psql.stderr)
    );
    let mut restored = by_psql.connect().await;
    assert_eq!(schema, catalog(&mut restored).await);
    assert_eq!(data, contents(&mut restored).await);
    assert_eq!(sequences(&mut from).await, sequences(&mut restored).await);
}

#[tokio::test]
async fn restores_refuse_non_empty_targets_and_damaged_backups_and_never_leave_half() {
    let Some(server) = server() else { return };
    let source = Database::create(&server, "refuse").await;
    source
        .run(
            "CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL); \
              INSERT INTO items (name) SELECT 'item ' || i FROM generate_series(1, 5000) i; \
              CREATE TABLE notes (id int REFERENCES items, body text); \
              INSERT INTO notes SELECT i, 'note' FROM generate_series(1, 100) i;",
        )
        .await;
    let target = Database::create(&server, "refuse_target").await;
    let dest = tempfile::tempdir().unwrap();
    let backup = refusals(&source, &target, dest.path()).await;

    // PostgreSQL keeps foreign keys checked in a selective restore: replacing rows that
    // others refer to fails, and changes nothing.
    target.run("UPDATE items SET name = 'changed'").await;
    let fk = dbbackup(&[
        "restore",
        "--from",
        backup.to_str().unwrap(),
        "--url",
        &target.url,
        "--tables",
        "items",
        "--clean",
    ]);
    assert_eq!(fk.code, 1, "items are referenced by notes: {}", fk.stdout);
    assert!(fk.stderr.contains("foreign key"), "{}", fk.stderr);
    assert_eq!(
        target
            .number("SELECT count(*) FROM items WHERE name = 'changed'")
            .await,
        5000
    );
}

/// Two tables written together in every transaction: a backup taken while the writer runs
/// must hold the same number of rows in both (one snapshot across both jobs).
#[tokio::test]
async fn a_backup_under_concurrent_writes_is_one_consistent_snapshot() {
    let Some(server) = server() else { return };
    let source = Database::create(&server, "snapshot").await;
    source
        .run(
            "CREATE TABLE left_side (id bigserial PRIMARY KEY, pad text); \
              CREATE TABLE right_side (id bigserial PRIMARY KEY, pad text); \
              INSERT INTO left_side (pad) SELECT repeat('x', 200) FROM generate_series(1, 20000); \
              INSERT INTO right_side (pad) SELECT repeat('x', 200) FROM generate_series(1, 20000);",
        )
        .await;
    let writer = Writer::start(
        source.connect().await,
        "BEGIN; INSERT INTO left_side (pad) VALUES ('w'); INSERT INTO right_side (pad) VALUES ('w'); COMMIT;",
    );
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
    assert!(writer.stop().await > 0, "the writer ran during the backup");
    assert_one_snapshot(dest.path(), 20_000);
}

/// `--max-rate` holds a backup to its budget of table bytes a second.
#[tokio::test]
async fn max_rate_slows_a_backup_to_its_budget() {
    let Some(server) = server() else { return };
    let source = Database::create(&server, "rate").await;
    // About 1 MB of COPY text.
    source
        .run("CREATE TABLE bulk AS SELECT i, repeat('r', 1000) AS pad FROM generate_series(1, 1000) i")
        .await;
    let dest = tempfile::tempdir().unwrap();
    let clock = Instant::now();
    ok(&[
        "backup",
        "--url",
        &source.url,
        "--dest",
        dest.path().to_str().unwrap(),
        "--max-rate",
        "400K",
    ]);
    let seconds = clock.elapsed().as_secs_f64();
    assert!(seconds >= 2.0, "1 MB at 400 KB/s took {seconds:.2} s");
}
