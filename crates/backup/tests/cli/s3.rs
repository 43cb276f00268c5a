//! S3 destinations, against the local S3-compatible server that `GROUNDWORK_TEST_S3_URL`
//! names (moto in CI): backup, list, verify, restore, retention, and interrupted uploads.

use crate::sqlite::{assert_same_sample, sampled, url};
use crate::support::dbbackup_with;

const BUCKET: &str = "dbbackup-test";

/// The endpoint, or `None` (skipped) when it is not set and not required.
fn endpoint() -> Option<String> {
    crate::support::service("GROUNDWORK_TEST_S3_URL")
        .map(|url| url.trim_end_matches('/').to_owned())
}

/// Runs dbbackup against the endpoint, insisting on `code`.
fn run(endpoint: &str, args: &[&str], code: i32) -> String {
    let env = [
        ("AWS_ACCESS_KEY_ID", "test"),
        ("AWS_SECRET_ACCESS_KEY", "test"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ENDPOINT_URL", endpoint),
    ];
    let out = dbbackup_with(args, &env);
    assert_eq!(
        out.code, code,
        "dbbackup {args:?}: {}{}",
        out.stdout, out.stderr
    );
    format!("{}{}", out.stdout, out.stderr)
}

fn listed(endpoint: &str, dest: &str) -> Vec<serde_json::Value> {
    let out = run(endpoint, &["list", "--dest", dest, "--json"], 0);
    serde_json::from_str::<serde_json::Value>(&out)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test]
async fn backups_go_to_s3_and_come_back() {
    let Some(endpoint) = endpoint() else { return };
    let client = reqwest::Client::new();
    let status = client
        .put(format!("{endpoint}/{BUCKET}"))
        .send()
        .await
        .unwrap()
        .status();
    assert!(
        status.is_success() || status == reqwest::StatusCode::CONFLICT,
        "{status}"
    );
    let prefix = format!(
        "run-{}-{}",
        std::process::id(),
        chrono::Utc::now().timestamp_micros()
    );
    let dest = format!("s3://{BUCKET}/{prefix}");
    let dir = tempfile::tempdir().unwrap();
    let (source, _) = sampled(dir.path()).await;

    let out = run(
        &endpoint,
        &["backup", "--url", &url(&source), "--dest", &dest],
        0,
    );
    assert!(out.contains(&format!("to {dest}/shop-")), "{out}");
    let backups = listed(&endpoint, &dest);
    assert_eq!(backups.len(), 1, "{backups:?}");
    assert_eq!(backups[0]["status"], "complete");
    let backup = backups[0]["backup"].as_str().unwrap().to_owned();
    run(
        &endpoint,
        &["verify", &backup, "--against", &url(&source)],
        0,
    );
    let restored = dir.path().join("restored.db");
    run(
        &endpoint,
        &["restore", "--from", &backup, "--url", &url(&restored)],
        0,
    );
    assert_same_sample(&restored, &source).await;

    // An upload cut short has no manifest: listed as failed, never as good.
    let stray =
        format!("{endpoint}/{BUCKET}/{prefix}/shop-20000101T000000.000Z/data/0001.rows.zst");
    assert!(
        client
            .put(stray)
            .body("partial")
            .send()
            .await
            .unwrap()
            .status()
            .is_success()
    );
    let backups = listed(&endpoint, &dest);
    assert_eq!(backups.len(), 2);
    assert_eq!(backups[0]["status"], "incomplete", "{backups:?}");

    // Retention applies to the bucket: two more runs, keep one.
    run(
        &endpoint,
        &[
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
            &dest,
        ],
        0,
    );
    let backups = listed(&endpoint, &dest);
    let statuses: Vec<&str> = backups
        .iter()
        .map(|b| b["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["complete"], "{backups:?}");

    // A backup that is not there, and an endpoint that does not answer: clear errors.
    let missing = run(&endpoint, &["verify", &format!("{dest}/nothing-here")], 1);
    assert!(missing.contains("holds no backup"), "{missing}");
    let unreachable = dbbackup_with(
        &["backup", "--url", &url(&source), "--dest", &dest],
        &[
            ("AWS_ACCESS_KEY_ID", "test"),
            ("AWS_SECRET_ACCESS_KEY", "test"),
            ("AWS_REGION", "us-east-1"),
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:1"),
        ],
    );
    assert_eq!(unreachable.code, 1, "{}", unreachable.stdout);
    assert!(
        unreachable.stderr.contains("cannot upload to s3://"),
        "{}",
        unreachable.stderr
    );
}
