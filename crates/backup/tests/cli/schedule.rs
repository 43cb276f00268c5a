//! `schedule` (ticks, retention) and `--notify-slack` (against a local fake webhook).

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpListener;
use std::sync::mpsc;

use sqlx::Executor as _;

use crate::sqlite::{sampled, url};
use crate::support::{dbbackup, ok, open};

#[tokio::test]
async fn a_schedule_backs_up_on_every_tick_and_keeps_the_newest() {
    let dir = tempfile::tempdir().unwrap();
    let (source, dest) = sampled(dir.path()).await;
    // An interrupted run from long ago: retention clears it once newer good backups exist.
    std::fs::create_dir_all(dest.join("shop-20000101T000000.000Z.partial")).unwrap();
    let run = dbbackup(&[
        "schedule",
        "--cron",
        "* * * * * *",
        "--keep",
        "2",
        "--runs",
        "3",
        "--url",
        &url(&source),
        "--dest",
        dest.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.matches("backed up").count(), 3, "{}", run.stdout);
    let listed: serde_json::Value =
        serde_json::from_str(&ok(&["list", "--dest", dest.to_str().unwrap(), "--json"])).unwrap();
    let statuses: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["complete", "complete"], "{listed:#}");
    let log = std::fs::read_to_string(dest.join("dbbackup-log.jsonl")).unwrap();
    assert_eq!(
        log.lines()
            .filter(|line| line.contains("\"status\":\"complete\""))
            .count(),
        3,
        "{log}"
    );
}

#[test]
fn a_schedule_that_cannot_be_read_or_would_keep_nothing_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    for (cron, keep) in [("61 * * * *", "3"), ("0 3 * * *", "0")] {
        let run = dbbackup(&[
            "schedule",
            "--cron",
            cron,
            "--keep",
            keep,
            "--engine",
            "sqlite",
            "--db",
            "x.db",
            "--dest",
            dir.path().to_str().unwrap(),
        ]);
        assert_eq!(run.code, 2, "{cron}: {}", run.stderr);
    }
}

/// A webhook that answers 200 and hands over each request body.
fn fake_slack(requests: usize) -> (String, mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let (sender, bodies) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(requests) {
            let mut stream = stream.unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0;
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                if line == "\r\n" || line.is_empty() {
                    break;
                }
                if let Some(value) = line.to_lowercase().strip_prefix("content-length:") {
                    length = value.trim().parse().unwrap();
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            stream
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok")
                .unwrap();
            sender.send(String::from_utf8(body).unwrap()).unwrap();
        }
    });
    (
        format!("http://{address}/services/T000/B000/secret"),
        bodies,
    )
}

#[tokio::test]
async fn slack_hears_about_good_and_failed_runs() {
    let dir = tempfile::tempdir().unwrap();
    let (webhook, bodies) = fake_slack(2);
    let (source, dest) = sampled(dir.path()).await;
    ok(&[
        "backup",
        "--url",
        &url(&source),
        "--dest",
        dest.to_str().unwrap(),
        "--notify-slack",
        &webhook,
    ]);
    let good: serde_json::Value = serde_json::from_str(&bodies.recv().unwrap()).unwrap();
    let text = good["text"].as_str().unwrap();
    assert!(
        text.contains("backup of SQLite") && text.contains("complete"),
        "{text}"
    );

    let broken = dir.path().join("fts.db");
    open(&broken)
        .await
        .execute("CREATE VIRTUAL TABLE docs USING fts5(body)")
        .await
        .unwrap();
    let failed = dbbackup(&[
        "backup",
        "--url",
        &url(&broken),
        "--dest",
        dest.to_str().unwrap(),
        "--notify-slack",
        &webhook,
    ]);
    assert_eq!(failed.code, 1);
    let bad: serde_json::Value = serde_json::from_str(&bodies.recv().unwrap()).unwrap();
    let text = bad["text"].as_str().unwrap();
    assert!(
        text.contains("failed") && text.contains("virtual table"),
        "{text}"
    );

    // An unreachable webhook is a warning; the backup still succeeds.
    let run = dbbackup(&[
        "backup",
        "--url",
        &url(&source),
        "--dest",
        dest.to_str().unwrap(),
        "--notify-slack",
        "http://127.0.0.1:1/hook",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("could not notify Slack (127.0.0.1:1)"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("/hook"),
        "the webhook's secret path stays out of messages"
    );
}
