//! The non-serving commands: help, version, usage errors, migrate, users, openapi.

use super::harness::run;

#[test]
fn help_and_version_work_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let version = run(dir.path(), &[], &["--version"]);
    assert!(version.status.success());
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        format!("groundwork {}", env!("CARGO_PKG_VERSION"))
    );
    let help = String::from_utf8_lossy(&run(dir.path(), &[], &["--help"]).stdout).into_owned();
    for command in ["serve", "migrate", "users", "openapi"] {
        assert!(help.contains(command), "{help}");
    }
    for args in [
        &["serve", "--help"][..],
        &["users", "create", "--help"],
        &["users", "promote", "--help"],
        &["migrate", "--help"],
    ] {
        assert!(run(dir.path(), &[], args).status.success(), "{args:?}");
    }
}

#[test]
fn usage_errors_exit_with_code_2() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["serve", "--bogus"][..],
        &["serve", "--only", "nonexistent"],
        &["serve", "--mount", "auth"],
        &["serve", "--bind", "not-an-address"],
        &["users", "create", "--email", "x@example.com"],
        &[
            "users",
            "create",
            "--email",
            "not-an-email",
            "--password",
            "long enough",
        ],
        &[
            "users",
            "create",
            "--email",
            "x@example.com",
            "--password",
            "short",
        ],
        &["frobnicate"],
    ] {
        let output = run(dir.path(), &[], args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(!output.stderr.is_empty(), "{args:?} explains itself");
    }
    assert!(
        !dir.path().join("data").exists(),
        "usage errors touch nothing"
    );
}

#[test]
fn migrate_applies_once_then_reports_up_to_date() {
    let dir = tempfile::tempdir().unwrap();
    let pending = run(dir.path(), &[], &["migrate", "--dry-run"]);
    assert!(String::from_utf8_lossy(&pending.stdout).contains("pending auth/"));
    let first = run(dir.path(), &[], &["migrate"]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(
        String::from_utf8_lossy(&first.stdout)
            .contains("applied auth/m20261120_000001_create_users_and_refresh_tokens")
    );
    assert!(dir.path().join("data/groundwork.db").exists());
    let second = run(dir.path(), &[], &["migrate"]);
    assert!(second.status.success());
    assert!(second.stdout.is_empty());
    assert!(String::from_utf8_lossy(&second.stderr).contains("up to date"));
}

#[test]
fn users_create_refuses_duplicates_with_exit_code_1() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "users",
        "create",
        "--email",
        "root@example.com",
        "--password",
        "correct horse",
        "--admin",
        "--json",
    ];
    let created = run(dir.path(), &[], &args);
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let user: serde_json::Value = serde_json::from_slice(&created.stdout).unwrap();
    assert_eq!(user["role"], "admin");
    assert_eq!(user["email"], "root@example.com");
    let again = run(dir.path(), &[], &args);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    let missing = run(
        dir.path(),
        &[],
        &["users", "promote", "--email", "ghost@example.com"],
    );
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("user not found"));
}

#[test]
fn a_password_can_come_from_stdin() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let mut child = super::harness::groundwork(dir.path(), &[])
        .args([
            "users",
            "create",
            "--email",
            "stdin@example.com",
            "--password-stdin",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"piped secret phrase\n")
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("stdin@example.com"));
}

#[test]
fn openapi_prints_the_document() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(dir.path(), &[], &["openapi"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(document["openapi"], "3.1.0");
    assert!(document["paths"]["/auth/login"]["post"].is_object());
    assert!(
        !dir.path().join("data").exists(),
        "describing the API needs no database"
    );
}

#[test]
fn track_runs_the_freelance_command_on_the_same_database() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("hours.db");
    let database = database.to_str().unwrap();
    let env = [("FREELANCE_DB", database), ("TZ", "UTC")];
    let started = run(dir.path(), &env, &["track", "start", "project1", "+design"]);
    assert!(started.status.success(), "{started:?}");
    assert!(String::from_utf8_lossy(&started.stdout).starts_with("Started project1 +design"));
    let status = run(dir.path(), &env, &["track", "status", "--json"]);
    let status: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(status["running"]["project"], "project1");
    let help = run(dir.path(), &env, &["track", "--help"]);
    assert!(String::from_utf8_lossy(&help.stdout).contains("report"));
    let wrong = run(dir.path(), &env, &["track", "stop", "project2"]);
    assert_eq!(wrong.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("project1 is (since"));
}

#[test]
fn backup_runs_the_dbbackup_command() {
    let dir = tempfile::tempdir().unwrap();
    let help = run(dir.path(), &[], &["backup", "--help"]);
    assert!(help.status.success());
    let help = String::from_utf8_lossy(&help.stdout).into_owned();
    for command in ["test-connection", "backup", "restore", "list", "verify"] {
        assert!(help.contains(command), "{help}");
    }
    let missing = run(
        dir.path(),
        &[],
        &[
            "backup",
            "test-connection",
            "--engine",
            "sqlite",
            "--db",
            "nope.db",
        ],
    );
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("nope.db does not exist"));
}
