//! `kill -9` during a stream of book writes, repeated: the JSON file always parses and
//! holds every write the server acknowledged.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};

use super::harness::Server;

const ROUNDS: usize = 5;
const WRITERS: usize = 8;

fn ids_in_file(path: &std::path::Path) -> HashSet<String> {
    let text = std::fs::read_to_string(path).expect("the books file exists");
    let document: Value = serde_json::from_str(&text).expect("the books file parses");
    document["books"]
        .as_array()
        .unwrap()
        .iter()
        .map(|book| book["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_killed_server_leaves_a_whole_file_with_every_acknowledged_write() {
    let dir = tempfile::tempdir().unwrap();
    let env = [("GROUNDWORK__RATE_LIMIT__ENABLED", "false")];
    let file = dir.path().join("data/books.json");
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let mut token = String::new();
    let mut acknowledged = HashSet::new();
    for round in 0..ROUNDS {
        let mut server = Server::start(dir.path(), &env, &["--only", "auth,books"]);
        if round == 0 {
            let registered: Value = client
                .post(server.url("/auth/register"))
                .json(&json!({"email": "crash@example.com", "password": "correct horse battery"}))
                .send()
                .unwrap()
                .json()
                .unwrap();
            token = registered["access_token"].as_str().unwrap().to_owned();
        }
        let listed: Value = client
            .get(server.url("/books?limit=1"))
            .send()
            .unwrap()
            .json()
            .unwrap();
        let in_file = if file.exists() {
            ids_in_file(&file).len()
        } else {
            0
        };
        assert_eq!(
            listed["total"].as_u64().unwrap() as usize,
            in_file,
            "the restarted server serves what the file holds"
        );

        let stop = Arc::new(AtomicBool::new(false));
        let acked = Arc::new(Mutex::new(Vec::new()));
        let writers: Vec<_> = (0..WRITERS)
            .map(|w| {
                let (client, url, token) = (client.clone(), server.url("/books"), token.clone());
                let (stop, acked) = (stop.clone(), acked.clone());
                std::thread::spawn(move || {
                    let mut n = 0;
                    while !stop.load(Ordering::Relaxed) {
                        let body = json!({"title": format!("r{round} w{w} n{n}"), "authors": ["Crash Test"]});
                        let Ok(response) = client.post(&url).bearer_auth(&token).json(&body).send() else {
                            break; // the server is gone
                        };
                        if response.status() == 201 {
                            let book: Value = response.json().unwrap();
                            acked.lock().unwrap().push(book["id"].as_str().unwrap().to_owned());
                        }
                        n += 1;
                    }
                })
            })
            .collect();
        // Let writes flow, then kill without warning, at a different moment each round.
        std::thread::sleep(Duration::from_millis(300 + 137 * round as u64));
        server.child.kill().unwrap();
        server.child.wait().unwrap();
        stop.store(true, Ordering::Relaxed);
        for writer in writers {
            writer.join().unwrap();
        }
        acknowledged.extend(acked.lock().unwrap().drain(..));

        let stored = ids_in_file(&file);
        let lost: Vec<_> = acknowledged.difference(&stored).collect();
        assert!(
            lost.is_empty(),
            "round {round}: acknowledged but not in the file: {lost:?}"
        );
        assert!(
            !acknowledged.is_empty(),
            "round {round}: no write was acknowledged"
        );
    }
}
