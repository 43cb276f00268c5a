//! `test-connection` and the connection errors every command starts with.

use crate::support::{dbbackup, ok};

#[test]
fn sqlite_files_that_are_missing_or_not_databases_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dbbackup(&[
        "test-connection",
        "--engine",
        "sqlite",
        "--db",
        dir.path().join("none.db").to_str().unwrap(),
    ]);
    assert_eq!(missing.code, 1);
    assert!(
        missing.stderr.contains("does not exist"),
        "{}",
        missing.stderr
    );
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, vec![7u8; 4096]).unwrap();
    let not_db = dbbackup(&[
        "test-connection",
        "--url",
        &format!("sqlite://{}", junk.display()),
    ]);
    assert_eq!(not_db.code, 1);
    assert!(
        not_db.stderr.contains("not an SQLite database"),
        "{}",
        not_db.stderr
    );
    assert_eq!(std::fs::read(&junk).unwrap(), vec![7u8; 4096]);
    let nothing = dbbackup(&["test-connection"]);
    assert_eq!(nothing.code, 2);
    let unknown = dbbackup(&["test-connection", "--url", "oracle://x/y"]);
    assert_eq!(unknown.code, 2);
}

#[test]
fn an_unreachable_server_is_a_clear_error_before_any_file_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("backups");
    let run = dbbackup(&[
        "backup",
        "--url",
        "postgres://nobody@127.0.0.1:1/nothing",
        "--dest",
        dest.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("cannot connect to PostgreSQL nobody@127.0.0.1:1/nothing"),
        "{}",
        run.stderr
    );
    assert!(!dest.exists(), "no half-written backup");
}

/// PostgreSQL and MariaDB, where CI provides them.
#[test]
fn real_servers_answer_and_name_a_missing_database() {
    let required = std::env::var("GROUNDWORK_REQUIRE_SERVICES").is_ok_and(|value| value == "1");
    for (variable, engine) in [
        ("GROUNDWORK_TEST_POSTGRES_URL", "PostgreSQL"),
        ("GROUNDWORK_TEST_MYSQL_URL", "MySQL"),
    ] {
        let Ok(url) = std::env::var(variable) else {
            assert!(!required, "{variable} is required");
            continue;
        };
        let out = ok(&["test-connection", "--url", &url]);
        assert!(out.starts_with(&format!("connected to {engine}")), "{out}");
        let base = url.rsplit_once('/').map_or(url.as_str(), |(base, _)| base);
        let missing = dbbackup(&[
            "test-connection",
            "--url",
            &format!("{base}/no_such_database_here"),
        ]);
        assert_eq!(missing.code, 1, "{}", missing.stderr);
        assert!(
            missing.stderr.contains("no_such_database_here"),
            "{}",
            missing.stderr
        );
        if engine == "MySQL" {
            // PostgreSQL here trusts local users; MariaDB checks passwords.
            let host = base.rsplit_once('@').map_or(base, |(_, host)| host);
            let wrong = dbbackup(&[
                "test-connection",
                "--url",
                &format!("mysql://nobody:wrong@{host}/test"),
            ]);
            assert_eq!(wrong.code, 1);
            assert!(wrong.stderr.contains("Access denied"), "{}", wrong.stderr);
            assert!(
                !wrong.stderr.contains("wrong"),
                "the password is never printed: {}",
                wrong.stderr
            );
        }
    }
}

#[test]
fn help_shows_examples_for_every_engine() {
    let out = ok(&["help"]);
    assert!(out.contains("Examples:"), "{out}");
    for example in [
        "postgres://",
        "--engine mysql",
        "sqlite://",
        "s3://",
        "--differential-from",
    ] {
        assert!(out.contains(example), "{example} in {out}");
    }
}
