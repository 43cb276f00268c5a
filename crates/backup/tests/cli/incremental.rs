//! PostgreSQL incremental backups: a full backup with `--slot`, then incremental backups of
//! the row changes since, restored as a chain to exactly the source's state at each one.

use std::path::{Path, PathBuf};

use sha2::Digest as _;

use crate::postgres_support::{
    Database, PAGILA_DATA, PAGILA_SCHEMA, assert_last_update_trigger_fires, catalog, contents,
    sequences, server,
};
use crate::support::{Writer, dbbackup, ok};

/// Tables added to Pagila for the changes no sample table makes: one found by every old
/// value (`REPLICA IDENTITY FULL`, a json column, repeated rows), one without any key, one
/// to truncate, one that a writer fills during the full backup, and one whose values are
/// stored out of line (TOAST: decoding leaves them out of updates that did not change them).
const EXTRA_TABLES: &str = "\
    CREATE TABLE public.tagged (label text, payload json); \
    ALTER TABLE public.tagged REPLICA IDENTITY FULL; \
    INSERT INTO public.tagged VALUES ('twin', '{\"a\": 1}'), ('twin', '{\"a\": 1}'), ('other', NULL); \
    CREATE TABLE public.append_only (line text); \
    CREATE TABLE public.scratch (id int PRIMARY KEY, note text); \
    INSERT INTO public.scratch SELECT i, 'row ' || i FROM generate_series(1, 50) i; \
    CREATE TABLE public.busy (id bigserial PRIMARY KEY, at timestamptz DEFAULT now()); \
    CREATE TABLE public.blobs (id int PRIMARY KEY, big text, note text); \
    INSERT INTO public.blobs SELECT i, (SELECT string_agg(md5(i::text || j::text), '') \
        FROM generate_series(1, 4000) j), 'n' FROM generate_series(1, 3) i;";

/// The changes of the first round: every kind the decoder turns into a statement.
const ROUND_ONE: &str = "\
    INSERT INTO public.actor (first_name, last_name) VALUES ('Ada', 'O''Hara'), ('Grace', E'back\\\\slash\nline'); \
    UPDATE public.actor SET first_name = 'Renamed' WHERE actor_id = 3; \
    UPDATE public.actor SET actor_id = 5000 WHERE first_name = 'Grace'; \
    DELETE FROM public.film_actor WHERE actor_id = 2; \
    UPDATE public.payment SET payment_date = payment_date + interval '2 months' WHERE payment_id IN (5, 6); \
    DELETE FROM public.payment WHERE payment_id BETWEEN 100 AND 120; \
    INSERT INTO public.every_type (small, big, exact, unbounded, single, double, flag, day, moment, \
        moment_tz, clock, clock_tz, span, label, padded, body, bytes, document, document_b, \
        xml_body, ident, address, network, mac, bits, spot, area, range_int, range_time, \
        numbers, grid, rating, year, composite, search, price) \
      SELECT small, big, exact, unbounded, single, double, flag, day, moment, \
        moment_tz, clock, clock_tz, span, label, padded, body, bytes, document, document_b, \
        xml_body, ident, address, network, mac, bits, spot, area, range_int, range_time, \
        numbers, grid, rating, year, composite, search, price FROM public.every_type ORDER BY id; \
    UPDATE public.every_type SET label = 'toast kept' WHERE body LIKE 'huge%'; \
    UPDATE public.blobs SET note = 'big value stored out of line, unchanged' WHERE id = 2; \
    DELETE FROM public.tagged WHERE ctid = (SELECT min(ctid) FROM public.tagged WHERE label = 'twin'); \
    UPDATE public.tagged SET label = 'changed' WHERE label = 'other'; \
    INSERT INTO public.append_only VALUES ('first'), ('second'); \
    TRUNCATE public.scratch; \
    INSERT INTO public.scratch VALUES (1, 'after the truncate'); \
    SELECT nextval('public.customer_customer_id_seq'); \
    REFRESH MATERIALIZED VIEW public.rental_by_category;";

/// The second round comes in two parts, with a moment between them to restore to.
const ROUND_TWO_EARLY: &str = "\
    BEGIN; \
    INSERT INTO public.category (name) VALUES ('Documentary II'); \
    UPDATE public.customer SET email = NULL WHERE customer_id < 10; \
    DELETE FROM public.actor WHERE first_name = 'Ada'; \
    COMMIT;";

const ROUND_TWO_LATE: &str = "\
    UPDATE public.every_type SET body = body || ' and more' WHERE body LIKE 'huge%'; \
    INSERT INTO public.payment (customer_id, staff_id, rental_id, amount, payment_date) \
      VALUES (1, 1, 1, 9.99, '2022-07-04 12:00:00+00'); \
    REFRESH MATERIALIZED VIEW public.rental_by_category;";

pub fn backups(dest: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dest)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_dir())
        .collect();
    found.sort();
    found
}

/// Runs `backup` with these extra flags and returns the new backup's folder.
pub fn backup(url: &str, dest: &Path, extra: &[&str]) -> PathBuf {
    let before = backups(dest);
    let mut args = vec!["backup", "--url", url, "--dest", dest.to_str().unwrap()];
    args.extend_from_slice(extra);
    ok(&args);
    let after = backups(dest);
    let new: Vec<&PathBuf> = after.iter().filter(|path| !before.contains(path)).collect();
    assert_eq!(new.len(), 1, "{after:?}");
    new[0].clone()
}

pub fn manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap()
}

/// The whole state a restore must reproduce.
async fn state(
    database: &Database,
) -> (
    Vec<(String, String, String)>,
    Vec<(String, i64, String)>,
    Vec<(String, Option<i64>)>,
) {
    let mut conn = database.connect().await;
    (
        catalog(&mut conn).await,
        contents(&mut conn).await,
        sequences(&mut conn).await,
    )
}

#[tokio::test]
async fn a_chain_of_incremental_backups_restores_the_source_at_each_point() {
    let Some(server) = server() else { return };
    let source = Database::create(&server, "incr").await;
    source.run(PAGILA_SCHEMA).await;
    source.run(PAGILA_DATA).await;
    source.run(EXTRA_TABLES).await;
    let dest = tempfile::tempdir().unwrap();
    let slot = source.name.clone();

    // A writer commits throughout the full backup, so transactions land between the slot's
    // creation and the backup's snapshot: each must be restored exactly once.
    let writer = Writer::start(
        source.connect().await,
        "INSERT INTO public.busy DEFAULT VALUES",
    );
    let (url, dest_path, slot_name) = (source.url.clone(), dest.path().to_owned(), slot.clone());
    let full = tokio::task::spawn_blocking(move || {
        backup(&url, &dest_path, &["--slot", &slot_name, "--jobs", "2"])
    })
    .await
    .unwrap();
    assert!(writer.stop().await > 0, "the writer ran during the backup");
    assert_eq!(manifest(&full)["log"]["slot"], slot.as_str());

    source.run(ROUND_ONE).await;
    let first = backup(
        &source.url,
        dest.path(),
        &["--incremental-from", full.to_str().unwrap()],
    );
    let after_one = state(&source).await;
    let first_manifest = manifest(&first);
    assert_eq!(first_manifest["format"], "groundwork-backup/3");
    assert!(
        first_manifest["changes"]["statements"].as_u64().unwrap() > 50,
        "{first_manifest}"
    );

    // The out-of-line value the update left alone is left out of the replayed UPDATE.
    let records =
        zstd::decode_all(std::fs::File::open(first.join("changes.jsonl.zst")).unwrap()).unwrap();
    let records = String::from_utf8(records).unwrap();
    let blob_update = records
        .lines()
        .find(|line| line.contains("UPDATE \\\"public\\\".\\\"blobs\\\""))
        .expect("the blobs update is among the changes");
    assert!(!blob_update.contains("\\\"big\\\""), "{blob_update}");

    source.run(ROUND_TWO_EARLY).await;
    let mut conn = source.connect().await;
    let between: String = sqlx::query_scalar(
        "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    let at_between = contents(&mut conn).await;
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    source.run(ROUND_TWO_LATE).await;
    let second = backup(
        &source.url,
        dest.path(),
        &["--incremental-from", first.to_str().unwrap()],
    );
    // Nothing changed since: an empty incremental that keeps the position.
    let third = backup(
        &source.url,
        dest.path(),
        &["--incremental-from", second.to_str().unwrap()],
    );
    assert_eq!(manifest(&third)["changes"]["statements"], 0);
    assert_eq!(manifest(&third)["log"], manifest(&second)["log"]);
    let after_all = state(&source).await;

    let verified = ok(&["verify", third.to_str().unwrap()]);
    assert!(verified.contains("3 earlier backups"), "{verified}");
    let listed = ok(&["list", "--dest", dest.path().to_str().unwrap()]);
    assert!(listed.contains("starts a chain"), "{listed}");
    assert_eq!(listed.matches("incremental after").count(), 3, "{listed}");

    // The whole chain, and the chain up to the first incremental, each give the source as
    // it was then: schema, every row (the server's own hash), sequences.
    let latest = Database::create(&server, "incr_latest").await;
    let restored = ok(&[
        "restore",
        "--from",
        third.to_str().unwrap(),
        "--url",
        &latest.url,
        "--jobs",
        "2",
    ]);
    assert!(
        restored.contains("from 3 incremental backups"),
        "{restored}"
    );
    assert_eq!(state(&latest).await, after_all);
    let earlier = Database::create(&server, "incr_first").await;
    ok(&[
        "restore",
        "--from",
        first.to_str().unwrap(),
        "--url",
        &earlier.url,
    ]);
    assert_eq!(state(&earlier).await, after_one);
    // Point in time: the chain up to the moment between the two parts of round two, which
    // falls inside the second incremental; the rest of it and the third are not replayed.
    let at_moment = Database::create(&server, "incr_until").await;
    let stopped = ok(&[
        "restore",
        "--from",
        third.to_str().unwrap(),
        "--url",
        &at_moment.url,
        "--until",
        &between,
    ]);
    assert!(
        stopped.contains("from 2 incremental backups") && stopped.contains("stopped at --until"),
        "{stopped}"
    );
    // The materialized view is computed again at restore, from the rows of that moment.
    let without_view = |tables: Vec<(String, i64, String)>| -> Vec<(String, i64, String)> {
        tables
            .into_iter()
            .filter(|(table, _, _)| table != "rental_by_category")
            .collect()
    };
    assert_eq!(
        without_view(contents(&mut at_moment.connect().await).await),
        without_view(at_between)
    );
    let too_early = dbbackup(&[
        "restore",
        "--from",
        third.to_str().unwrap(),
        "--url",
        &at_moment.url,
        "--clean",
        "--until",
        "2000-01-01T00:00:00Z",
    ]);
    assert_eq!(too_early.code, 2, "{}", too_early.stderr);
    assert!(
        too_early.stderr.contains("before the chain's full backup"),
        "{}",
        too_early.stderr
    );
    let on_full = dbbackup(&[
        "restore",
        "--from",
        full.to_str().unwrap(),
        "--url",
        &at_moment.url,
        "--clean",
        "--until",
        &between,
    ]);
    assert_eq!(on_full.code, 2, "{}", on_full.stderr);

    // Triggers are back on after the replay.
    assert_last_update_trigger_fires(&mut latest.connect().await, 4).await;

    // Branching off an earlier backup would replay changes twice: refused.
    let branch = dbbackup(&[
        "backup",
        "--url",
        &source.url,
        "--dest",
        dest.path().to_str().unwrap(),
        "--incremental-from",
        first.to_str().unwrap(),
    ]);
    assert_eq!(branch.code, 1, "{}", branch.stderr);
    assert!(branch.stderr.contains("moved past"), "{}", branch.stderr);
    let selective = dbbackup(&[
        "restore",
        "--from",
        third.to_str().unwrap(),
        "--url",
        &latest.url,
        "--tables",
        "actor",
    ]);
    assert_eq!(selective.code, 2, "{}", selective.stderr);
    let against = dbbackup(&["verify", third.to_str().unwrap(), "--against", &latest.url]);
    assert_eq!(against.code, 2, "{}", against.stderr);
}

#[tokio::test]
async fn incremental_backups_refuse_what_they_cannot_replay() {
    let Some(server) = server() else { return };
    let source = Database::create(&server, "incr_refuse").await;
    source
        .run("CREATE TABLE keyed (id int PRIMARY KEY, v text); CREATE TABLE loose (v text); INSERT INTO loose VALUES ('a');")
        .await;
    let dest = tempfile::tempdir().unwrap();
    let dest_str = dest.path().to_str().unwrap();
    let full = backup(&source.url, dest.path(), &["--slot", &source.name]);

    // Wrong engines and combinations are usage errors, before anything is written.
    for (args, expected) in [
        (vec!["--slot", "Bad-Name"], "not a replication slot name"),
        (
            vec!["--slot", "x", "--incremental-from", full.to_str().unwrap()],
            "give one of them",
        ),
        (vec!["--slot", "x", "--format", "sql"], "local --dest"),
    ] {
        let mut all = vec!["backup", "--url", &source.url, "--dest", dest_str];
        all.extend(args);
        let run = dbbackup(&all);
        assert_eq!(run.code, 2, "{all:?}: {}", run.stderr);
        assert!(run.stderr.contains(expected), "{all:?}: {}", run.stderr);
    }
    let sqlite = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/a.db", sqlite.path().display());
    let run = dbbackup(&["backup", "--url", &db, "--dest", dest_str, "--slot", "x"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("is an SQLite file"), "{}", run.stderr);

    // An update of a table without a key cannot be replayed: the run fails, is never
    // listed as good, and the slot stays where it was, so nothing is lost.
    source.run("UPDATE loose SET v = 'b'").await;
    let failed = dbbackup(&[
        "backup",
        "--url",
        &source.url,
        "--dest",
        dest_str,
        "--incremental-from",
        full.to_str().unwrap(),
    ]);
    assert_eq!(failed.code, 1, "{}", failed.stderr);
    assert!(
        failed.stderr.contains("REPLICA IDENTITY FULL"),
        "{}",
        failed.stderr
    );
    let listed = ok(&["list", "--dest", dest_str]);
    assert!(listed.contains("FAILED"), "{listed}");
    let mut conn = source.connect().await;
    let position: String = sqlx::query_scalar(
        "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = $1",
    )
    .bind(&source.name)
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(position, manifest(&full)["log"]["lsn"].as_str().unwrap());

    // A schema change ends the chain.
    let other = Database::create(&server, "incr_schema").await;
    other.run("CREATE TABLE t (id int PRIMARY KEY)").await;
    let other_dest = tempfile::tempdir().unwrap();
    let start = backup(&other.url, other_dest.path(), &["--slot", &other.name]);
    other
        .run("ALTER TABLE t ADD COLUMN extra text; INSERT INTO t VALUES (1, 'x')")
        .await;
    let changed = dbbackup(&[
        "backup",
        "--url",
        &other.url,
        "--dest",
        other_dest.path().to_str().unwrap(),
        "--incremental-from",
        start.to_str().unwrap(),
    ]);
    assert_eq!(changed.code, 1, "{}", changed.stderr);
    assert!(
        changed.stderr.contains("schema changed"),
        "{}",
        changed.stderr
    );

    // A chain missing a link, or with a tampered changes file, restores nothing.
    other.run("ALTER TABLE t DROP COLUMN extra").await;
    let fresh = backup(&other.url, other_dest.path(), &["--slot", &other.name]);
    other.run("INSERT INTO t VALUES (2)").await;
    let next = backup(
        &other.url,
        other_dest.path(),
        &["--incremental-from", fresh.to_str().unwrap()],
    );
    let target = Database::create(&server, "incr_target").await;
    let changes = next.join("changes.jsonl.zst");
    let original = std::fs::read(&changes).unwrap();
    let mut tampered = original.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 0xff;
    std::fs::write(&changes, &tampered).unwrap();
    let damaged = dbbackup(&[
        "restore",
        "--from",
        next.to_str().unwrap(),
        "--url",
        &target.url,
    ]);
    assert_eq!(damaged.code, 1, "{}", damaged.stderr);
    assert!(
        damaged.stderr.contains("does not match its checksum"),
        "{}",
        damaged.stderr
    );
    // A change that finds no row (an incremental that does not belong on its full backup,
    // made to look intact): the replay stops and the target is left empty.
    let manifest_path = next.join("manifest.json");
    let original_manifest = std::fs::read_to_string(&manifest_path).unwrap();
    let foreign = zstd::encode_all(
        &b"{\"sql\":\"UPDATE \\\"public\\\".\\\"t\\\" SET \\\"id\\\" = '3' WHERE \\\"id\\\" = '99'\",\"rows\":1}\n{\"commit\":1,\"at\":null}\n"[..],
        3,
    )
    .unwrap();
    std::fs::write(&changes, &foreign).unwrap();
    let mut edited: serde_json::Value = serde_json::from_str(&original_manifest).unwrap();
    edited["changes"]["sha256"] = format!("{:x}", sha2::Sha256::digest(&foreign)).into();
    edited["changes"]["statements"] = 1.into();
    edited["changes"]["transactions"] = 1.into();
    std::fs::write(&manifest_path, edited.to_string()).unwrap();
    let replayed = dbbackup(&[
        "restore",
        "--from",
        next.to_str().unwrap(),
        "--url",
        &target.url,
    ]);
    assert_eq!(replayed.code, 1, "{}", replayed.stderr);
    assert!(
        replayed
            .stderr
            .contains("touched 0 rows where the source touched 1")
            && replayed
                .stderr
                .contains("what had been restored was removed"),
        "{}",
        replayed.stderr
    );
    std::fs::write(&changes, &original).unwrap();
    std::fs::write(&manifest_path, &original_manifest).unwrap();
    let moved = other_dest.path().join("elsewhere");
    std::fs::rename(&fresh, &moved).unwrap();
    let broken = dbbackup(&[
        "restore",
        "--from",
        next.to_str().unwrap(),
        "--url",
        &target.url,
    ]);
    assert_eq!(broken.code, 1, "{}", broken.stderr);
    assert!(broken.stderr.contains("not beside it"), "{}", broken.stderr);
    let mut target_conn = target.connect().await;
    let tables: i64 =
        sqlx::query_scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
            .fetch_one(&mut target_conn)
            .await
            .unwrap();
    assert_eq!(tables, 0, "a refused restore writes nothing");
}
