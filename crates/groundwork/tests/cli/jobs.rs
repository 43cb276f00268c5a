//! Job workers as a user runs them. `serve` runs jobs itself unless `--no-workers`; and
//! `kill -9` of a real `groundwork worker` in the middle of webhook deliveries: every job
//! still completes, the killed worker's jobs run again (attempt 2) once their leases
//! expire, and no job is ever delivered by two workers at once.
//!
//! The webhook receiver is a small threaded HTTP server in this test that holds each
//! request for [`HOLD`] and records when each delivery of each job started and ended.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::blocking::Client;
use serde_json::{Value, json};

use crate::harness::{Server, groundwork, run};

const JOBS: usize = 12;
const HOLD: Duration = Duration::from_millis(1500);

/// One delivery as the receiver saw it.
#[derive(Clone, Debug)]
struct Delivery {
    job: i64,
    attempt: i32,
    started: Instant,
    ended: Option<Instant>,
}

type Deliveries = Arc<Mutex<Vec<Delivery>>>;

fn start_receiver() -> (u16, Deliveries) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let deliveries = Deliveries::default();
    let shared = deliveries.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().map_while(Result::ok) {
            let deliveries = shared.clone();
            std::thread::spawn(move || receive(stream, &deliveries));
        }
    });
    (port, deliveries)
}

/// Reads one request, records it, holds it, answers 200.
fn receive(stream: TcpStream, deliveries: &Deliveries) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut headers = HashMap::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
        }
    }
    let length: usize = headers
        .get("content-length")
        .map_or(0, |v| v.parse().unwrap());
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let index = {
        let mut all = deliveries.lock().unwrap();
        all.push(Delivery {
            job: headers["x-groundwork-job"].parse().unwrap(),
            attempt: headers["x-groundwork-attempt"].parse().unwrap(),
            started: Instant::now(),
            ended: None,
        });
        all.len() - 1
    };
    std::thread::sleep(HOLD);
    let mut stream = stream;
    let answered = stream
        .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
        .is_ok();
    if answered {
        deliveries.lock().unwrap()[index].ended = Some(Instant::now());
    }
}

/// `groundwork worker` with its logs drained (a full stderr pipe would block it).
fn start_worker(dir: &std::path::Path, env: &[(&str, &str)]) -> Child {
    let mut child = groundwork(dir, env)
        .args(["worker", "--concurrency", "4"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || for _ in BufReader::new(stderr).lines() {});
    child
}

const ADMIN_EMAIL: &str = "ops@example.com";
const ADMIN_PASSWORD: &str = "a long admin password";

fn create_admin(dir: &std::path::Path, env: &[(&str, &str)]) {
    let created = run(
        dir,
        env,
        &[
            "users",
            "create",
            "--email",
            ADMIN_EMAIL,
            "--password",
            ADMIN_PASSWORD,
            "--admin",
        ],
    );
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
}

/// The admin's access token.
fn login(http: &Client, server: &Server) -> String {
    let login: Value = http
        .post(server.url("/auth/login"))
        .json(&json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    login["access_token"].as_str().unwrap().to_owned()
}

fn succeeded(http: &Client, server: &Server, token: &str) -> u64 {
    let page: Value = http
        .get(server.url("/jobs?state=succeeded&limit=1"))
        .bearer_auth(token)
        .send()
        .unwrap()
        .json()
        .unwrap();
    page["total"].as_u64().unwrap()
}

fn crash_and_recover(env: &[(&str, &str)]) {
    let dir = tempfile::tempdir().unwrap();
    let (port, deliveries) = start_receiver();
    let mut env = env.to_vec();
    env.extend([
        ("GROUNDWORK__JOBS__ALLOW_PRIVATE_TARGETS", "true"),
        ("GROUNDWORK__WORKER__LEASE_SECS", "3"),
        ("GROUNDWORK__RATE_LIMIT__ENABLED", "false"),
    ]);
    let migrated = run(dir.path(), &env, &["migrate"]);
    assert!(
        migrated.status.success(),
        "{}",
        String::from_utf8_lossy(&migrated.stderr)
    );
    create_admin(dir.path(), &env);
    let server = Server::start(dir.path(), &env, &["--no-workers", "--only", "auth,jobs"]);
    let http = Client::new();
    let token = login(&http, &server);
    for i in 0..JOBS {
        let response = http
            .post(server.url("/jobs"))
            .bearer_auth(&token)
            .json(&json!({"kind": "webhook", "payload": {
                "url": format!("http://127.0.0.1:{port}/hook"), "body": {"n": i}}}))
            .send()
            .unwrap();
        assert_eq!(response.status(), 201);
    }

    // The first worker takes four jobs and is killed while the receiver holds them.
    let mut doomed = start_worker(dir.path(), &env);
    let deadline = Instant::now() + Duration::from_secs(30);
    while deliveries.lock().unwrap().len() < 4 {
        assert!(
            Instant::now() < deadline,
            "the first worker never delivered"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    doomed.kill().unwrap(); // SIGKILL: no drain, no release, leases left behind
    doomed.wait().unwrap();
    let killed: Vec<i64> = deliveries.lock().unwrap().iter().map(|d| d.job).collect();

    let mut survivors = [
        start_worker(dir.path(), &env),
        start_worker(dir.path(), &env),
    ];
    let deadline = Instant::now() + Duration::from_secs(60);
    while succeeded(&http, &server, &token) < JOBS as u64 {
        assert!(
            Instant::now() < deadline,
            "not every job completed after the crash"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    for worker in &mut survivors {
        let _ = worker.kill();
        let _ = worker.wait();
    }

    let all = deliveries.lock().unwrap().clone();
    for job in &killed {
        assert!(
            all.iter()
                .any(|d| d.job == *job && d.attempt == 2 && d.ended.is_some()),
            "job {job}, killed mid-delivery, was delivered again as attempt 2: {all:?}"
        );
    }
    assert_eq!(
        all.len(),
        JOBS + killed.len(),
        "no job delivered more than the crash requires"
    );
    for delivery in &all {
        for other in &all {
            if std::ptr::eq(delivery, other) || delivery.job != other.job {
                continue;
            }
            let end = delivery.ended.unwrap_or(delivery.started + HOLD);
            assert!(
                other.started >= end || other.started < delivery.started,
                "job {} was delivered by two workers at once",
                delivery.job
            );
        }
    }
}

#[test]
fn a_killed_worker_s_jobs_run_again_and_never_twice_at_once_on_sqlite() {
    crash_and_recover(&[]);
}

#[test]
fn a_killed_worker_s_jobs_run_again_and_never_twice_at_once_on_postgres() {
    let Some(server_url) = groundwork_platform::testing::postgres_url() else {
        eprintln!("skipped: GROUNDWORK_TEST_POSTGRES_URL is not set");
        return;
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (_database, url) = runtime.block_on(groundwork_platform::testing::TestDatabase::create(
        &server_url,
    ));
    crash_and_recover(&[("DATABASE_URL", url.as_str())]);
}

#[test]
fn serve_runs_jobs_itself_unless_told_not_to() {
    let dir = tempfile::tempdir().unwrap();
    let env = [("GROUNDWORK__RATE_LIMIT__ENABLED", "false")];
    create_admin(dir.path(), &env);
    let http = Client::new();
    let enqueue_noop = |server: &Server| -> (String, i64) {
        let token = login(&http, server);
        let job: Value = http
            .post(server.url("/jobs"))
            .bearer_auth(&token)
            .json(&json!({"kind": "noop"}))
            .send()
            .unwrap()
            .json()
            .unwrap();
        (token, job["id"].as_i64().unwrap())
    };
    let state = |server: &Server, token: &str, id: i64| -> String {
        let job: Value = http
            .get(server.url(&format!("/jobs/{id}")))
            .bearer_auth(token)
            .send()
            .unwrap()
            .json()
            .unwrap();
        job["state"].as_str().unwrap().to_owned()
    };

    let without = Server::start(dir.path(), &env, &["--no-workers", "--only", "auth,jobs"]);
    let (token, waiting) = enqueue_noop(&without);
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        state(&without, &token, waiting),
        "queued",
        "no worker in this process"
    );
    drop(without);

    let with = Server::start(dir.path(), &env, &["--only", "auth,jobs"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while state(&with, &token, waiting) != "succeeded" {
        assert!(
            Instant::now() < deadline,
            "serve's own worker never ran the job"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
