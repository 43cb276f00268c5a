//! Differential backups (`--differential-from`), on SQLite files: only changed tables are
//! stored, restores read the rest from the full backup, and retention keeps that full
//! backup while a differential one needs it.

use sqlx::Executor as _;

use crate::sqlite::{assert_same_sample, backed_up, url};
use crate::support::{dbbackup, ok, open};

fn manifest(dir: &std::path::Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap()
}

fn newest(dest: &std::path::Path) -> std::path::PathBuf {
    let mut found: Vec<_> = std::fs::read_dir(dest)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_dir())
        .collect();
    found.sort();
    found.pop().unwrap()
}

#[tokio::test]
async fn only_changed_tables_are_stored_and_restores_read_the_rest_from_the_full_backup() {
    let dir = tempfile::tempdir().unwrap();
    let (source, dest, full) = backed_up(dir.path()).await;
    let mut conn = open(&source).await;
    conn.execute("INSERT INTO events VALUES ('late', 'after the full backup')")
        .await
        .unwrap();
    drop(conn);
    let summary: serde_json::Value = serde_json::from_str(&ok(&[
        "backup",
        "--url",
        &url(&source),
        "--dest",
        dest.to_str().unwrap(),
        "--differential-from",
        full.to_str().unwrap(),
        "--json",
    ]))
    .unwrap();
    let full_name = full.file_name().unwrap().to_str().unwrap();
    assert_eq!(summary["basedOn"], full_name);
    assert_eq!(summary["tables"], 5, "{summary:#}");
    assert_eq!(summary["unchanged"], 4, "all but events: {summary:#}");
    let differential = newest(&dest);
    let written: Vec<_> = std::fs::read_dir(differential.join("data"))
        .unwrap()
        .collect();
    assert_eq!(written.len(), 1, "only the changed table's file is stored");
    let tables = manifest(&differential)["tables"].clone();
    let events = tables
        .as_array()
        .unwrap()
        .iter()
        .find(|table| table["name"] == "events")
        .unwrap();
    assert!(events.get("base").is_none(), "{events}");
    assert!(
        ok(&["list", "--dest", dest.to_str().unwrap()])
            .contains(&format!("differential of {full_name}"))
    );

    ok(&[
        "verify",
        differential.to_str().unwrap(),
        "--against",
        &url(&source),
    ]);
    let restored = dir.path().join("restored.db");
    ok(&[
        "restore",
        "--from",
        differential.to_str().unwrap(),
        "--url",
        &url(&restored),
    ]);
    assert_same_sample(&restored, &source).await;

    // Without its full backup, a differential backup is refused before anything is written.
    let moved = dir.path().join("elsewhere");
    std::fs::rename(&full, &moved).unwrap();
    let orphan = dbbackup(&[
        "restore",
        "--from",
        differential.to_str().unwrap(),
        "--url",
        &url(&dir.path().join("orphan.db")),
    ]);
    assert_eq!(orphan.code, 1);
    assert!(
        orphan.stderr.contains("is not beside it any more"),
        "{}",
        orphan.stderr
    );
    assert!(!dir.path().join("orphan.db").exists());

    // A differential backup cannot be the base of another, nor can a backup elsewhere.
    for (base, why) in [
        (&differential, "itself a differential"),
        (&moved, "not in the --dest folder"),
    ] {
        let refused = dbbackup(&[
            "backup",
            "--url",
            &url(&source),
            "--dest",
            dest.to_str().unwrap(),
            "--differential-from",
            base.to_str().unwrap(),
        ]);
        assert_eq!(refused.code, 2, "{}", refused.stderr);
        assert!(refused.stderr.contains(why), "{}", refused.stderr);
    }
}

#[tokio::test]
async fn retention_keeps_a_full_backup_while_a_kept_differential_reads_from_it() {
    let dir = tempfile::tempdir().unwrap();
    let (source, dest, full) = backed_up(dir.path()).await;
    let run = dbbackup(&[
        "schedule",
        "--cron",
        "* * * * * *",
        "--keep",
        "1",
        "--runs",
        "2",
        "--url",
        &url(&source),
        "--dest",
        dest.to_str().unwrap(),
        "--differential-from",
        full.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut left: Vec<_> = std::fs::read_dir(&dest)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_dir())
        .collect();
    left.sort();
    assert_eq!(
        left.len(),
        2,
        "the full backup and the newest differential: {left:?}"
    );
    assert_eq!(left[0], full);
    assert_eq!(
        manifest(&left[1])["based_on"],
        full.file_name().unwrap().to_str().unwrap()
    );
    let restored = dir.path().join("restored.db");
    ok(&[
        "restore",
        "--from",
        left[1].to_str().unwrap(),
        "--url",
        &url(&restored),
    ]);
    assert_same_sample(&restored, &source).await;
}
