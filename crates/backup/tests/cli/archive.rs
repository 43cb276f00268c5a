//! `--format tar`: a backup as one archive file, listed, verified and restored like a folder.

use std::path::Path;

use crate::sqlite::{assert_same_sample, sampled, url};
use crate::support::{Run, dbbackup, ok};

/// Runs `dbbackup <args> --url <source> --dest <dest> --format tar`.
fn to_archive(args: &[&str], source: &Path, dest: &Path) -> Run {
    let url = url(source);
    let mut args = args.to_vec();
    args.extend([
        "--url",
        &url,
        "--dest",
        dest.to_str().unwrap(),
        "--format",
        "tar",
    ]);
    dbbackup(&args)
}

#[tokio::test]
async fn an_archive_backup_lists_verifies_and_restores_like_a_folder() {
    let dir = tempfile::tempdir().unwrap();
    let (source, dest) = sampled(dir.path()).await;
    let run = to_archive(&["backup"], &source, &dest);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let out = run.stdout;
    let files: Vec<_> = std::fs::read_dir(&dest)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.file_name().unwrap() != "dbbackup-log.jsonl")
        .collect();
    assert_eq!(files.len(), 1, "one file and nothing beside it: {files:?}");
    let archive = &files[0];
    assert!(
        archive.is_file() && archive.extension().unwrap() == "tar",
        "{archive:?}"
    );
    assert!(out.contains(archive.to_str().unwrap()), "{out}");
    let archive = archive.to_str().unwrap();

    let listed = ok(&["list", "--dest", dest.to_str().unwrap()]);
    assert!(listed.contains(".tar  ok"), "{listed}");
    ok(&["verify", archive, "--against", &url(&source)]);
    let restored = dir.path().join("restored.db");
    let out = ok(&["restore", "--from", archive, "--url", &url(&restored)]);
    assert!(out.starts_with("restored 5 tables"), "{out}");
    assert_same_sample(&restored, &source).await;

    // A flipped byte inside a data file is caught before anything is written.
    let mut bytes = std::fs::read(archive).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    let tampered = elsewhere.join(std::path::Path::new(archive).file_name().unwrap());
    std::fs::write(&tampered, &bytes).unwrap();
    let target = dir.path().join("never.db");
    let run = dbbackup(&[
        "restore",
        "--from",
        tampered.to_str().unwrap(),
        "--url",
        &url(&target),
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("does not match its checksum"),
        "{}",
        run.stderr
    );
    assert!(!target.exists(), "nothing written");
    // An archive renamed away from the folder it holds, and a half-written one.
    let renamed = elsewhere.join("renamed.tar");
    std::fs::copy(archive, &renamed).unwrap();
    let run = dbbackup(&["verify", renamed.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("not a dbbackup archive"),
        "{}",
        run.stderr
    );
    std::fs::write(
        dest.join("shop-20000101T000000.000Z.tar.partial"),
        b"cut short",
    )
    .unwrap();
    let listed = ok(&["list", "--dest", dest.to_str().unwrap()]);
    assert!(listed.contains("tar.partial  FAILED"), "{listed}");

    // The folder-only features say so.
    let run = to_archive(&["backup", "--differential-from", archive], &source, &dest);
    assert_eq!(run.code, 2, "{}", run.stderr);
}

#[tokio::test]
async fn a_schedule_of_archives_keeps_the_newest() {
    let dir = tempfile::tempdir().unwrap();
    let (source, dest) = sampled(dir.path()).await;
    let schedule = [
        "schedule",
        "--cron",
        "* * * * * *",
        "--keep",
        "1",
        "--runs",
        "2",
    ];
    let run = to_archive(&schedule, &source, &dest);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.matches(".tar").count(), 2, "{}", run.stdout);
    let archives: Vec<_> = std::fs::read_dir(&dest)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|extension| extension == "tar"))
        .collect();
    assert_eq!(
        archives.len(),
        1,
        "retention deleted the older archive: {archives:?}"
    );
}
