//! The polls terminal client as a user runs it: `groundwork serve` in one process,
//! `groundwork polls watch --plain` in another, votes from a third.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

use reqwest::blocking::Client;
use serde_json::{Value, json};

use crate::harness::{Server, groundwork, run};

#[test]
fn watch_shows_each_vote_as_it_arrives_and_the_final_result() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    let config = config.to_str().unwrap();
    let mut server = Server::start(dir.path(), &[], &["--only", "auth,polls"]);
    let base = server.url("");
    let base = base.trim_end_matches('/');
    let http = Client::new();
    let registered: Value = http
        .post(format!("{base}/auth/register"))
        .json(&json!({"email": "owner@example.com", "password": "a long enough password"}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let token = registered["access_token"].as_str().unwrap().to_owned();
    let poll: Value = http
        .post(format!("{base}/polls"))
        .bearer_auth(&token)
        .json(&json!({"question": "Lunch?", "options": ["Pizza", "Sushi"]}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let id = poll["id"].as_str().unwrap().to_owned();

    let mut watcher = groundwork(dir.path(), &[])
        .args(["polls", "watch", &id, "--server", base, "--plain"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (lines_tx, lines) = mpsc::channel();
    let stdout = watcher.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = lines_tx.send(line);
        }
    });
    let next = || {
        lines
            .recv_timeout(Duration::from_secs(10))
            .expect("an update within 10 s")
    };
    assert_eq!(
        next(),
        "Lunch? | Pizza 0 (0%) | Sushi 0 (0%) | 0 voters, open"
    );

    // Anonymous votes from two "people" (two config directories, two voter tokens).
    for (who, choice) in [("alice", "2"), ("bob", "pizza")] {
        let home = format!("{config}/{who}");
        let voted = run(
            dir.path(),
            &[("XDG_CONFIG_HOME", home.as_str())],
            &["polls", "vote", &id, choice, "--server", base],
        );
        assert!(
            voted.status.success(),
            "{}",
            String::from_utf8_lossy(&voted.stderr)
        );
    }
    let stdout = String::from_utf8(
        run(
            dir.path(),
            &[("XDG_CONFIG_HOME", &format!("{config}/alice"))],
            &["polls", "vote", &id, "Pizza", "--server", base],
        )
        .stdout,
    )
    .unwrap();
    assert!(stdout.contains("voted for Pizza"), "{stdout}");
    let bad = run(
        dir.path(),
        &[("XDG_CONFIG_HOME", &format!("{config}/alice"))],
        &["polls", "vote", &id, "7", "--server", base],
    );
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("1. Pizza, 2. Sushi"));

    // Updates arrive as they happen (coalesced, so not necessarily one per vote); the
    // last one before the close has alice's changed vote.
    let mut last = String::new();
    while !last.contains("Pizza 2 (100%) | Sushi 0 (0%) | 2 voters") {
        last = next();
    }
    let closed = http
        .post(format!("{base}/polls/{id}/close"))
        .bearer_auth(&token)
        .send()
        .unwrap();
    assert_eq!(closed.status(), 200);
    assert_eq!(
        next(),
        "Lunch? | Pizza 2 (100%) | Sushi 0 (0%) | 2 voters, closed"
    );
    let status = watcher.wait().unwrap();
    assert!(status.success(), "watch exits 0 once the poll is closed");
    server.child.kill().unwrap();
}
