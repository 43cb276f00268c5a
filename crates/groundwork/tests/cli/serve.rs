//! `groundwork serve` as a process.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use serde_json::{Value, json};

use super::harness::{Server, run};

fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::new()
}

#[test]
fn zero_configuration_serves_on_an_sqlite_file_under_data() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[], &[]);
    let hello: Value = client()
        .get(server.url("/hello"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(hello["message"], "Hello, world!");
    assert!(dir.path().join("data/groundwork.db").exists());
    let ready = client().get(server.url("/readyz")).send().unwrap();
    assert_eq!(ready.status(), 200);
    let landing = client()
        .get(server.url("/"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(landing.contains("<code>/auth</code>"));
}

#[test]
fn sigterm_lets_a_slow_request_finish_then_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(dir.path(), &[], &[]);
    let body = br#"{"email": "slow@example.com", "password": "not a real one"}"#;
    let mut stream = TcpStream::connect(server.address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let head = format!(
        "POST /auth/login HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(&body[..10]).unwrap();
    // Give the server a moment to read the head and start the handler, which now waits
    // for the rest of the body: the request is in flight.
    std::thread::sleep(Duration::from_millis(300));
    server.terminate();
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        TcpStream::connect(server.address).is_err(),
        "no new connections after SIGTERM"
    );

    stream.write_all(&body[10..]).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(
        response.starts_with("HTTP/1.1 401"),
        "the in-flight request completed: {response}"
    );
    assert!(response.contains("invalid_credentials"));
    assert_eq!(server.wait_for_exit(Duration::from_secs(30)), Some(0));
    let logs = server.drain_logs().join("\n");
    assert!(
        logs.contains("SIGTERM received") && logs.contains("stopped"),
        "{logs}"
    );
}

#[test]
fn users_created_from_the_cli_can_log_in_to_a_running_server() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[], &[]);
    let created = run(
        dir.path(),
        &[],
        &[
            "users",
            "create",
            "--email",
            "boss@example.com",
            "--password",
            "correct horse",
            "--admin",
        ],
    );
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );

    let http = client();
    let registered = http
        .post(server.url("/auth/register"))
        .json(&json!({"email": "worker@example.com", "password": "another phrase"}))
        .send()
        .unwrap();
    assert_eq!(registered.status(), 201);
    let promoted = run(
        dir.path(),
        &[],
        &["users", "promote", "--email", "Worker@Example.com"],
    );
    assert!(
        promoted.status.success(),
        "{}",
        String::from_utf8_lossy(&promoted.stderr)
    );
    assert!(String::from_utf8_lossy(&promoted.stdout).contains("admin"));

    let login: Value = http
        .post(server.url("/auth/login"))
        .json(&json!({"email": "worker@example.com", "password": "another phrase"}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(login["user"]["role"], "admin");
    let users: Value = http
        .get(server.url("/auth/users"))
        .bearer_auth(login["access_token"].as_str().unwrap())
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(users["total"], 2);
}

#[test]
fn only_and_mount_change_what_is_served_where() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(
        dir.path(),
        &[],
        &["--only", "auth", "--mount", "auth=/accounts"],
    );
    let http = client();
    let response = http
        .post(server.url("/accounts/register"))
        .json(&json!({"email": "moved@example.com", "password": "long enough"}))
        .send()
        .unwrap();
    assert_eq!(response.status(), 201);
    assert_eq!(
        http.get(server.url("/auth/me")).send().unwrap().status(),
        404
    );
}

#[test]
fn tokens_and_accounts_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(dir.path(), &[], &[]);
    let session: Value = client()
        .post(server.url("/auth/register"))
        .json(&json!({"email": "restart@example.com", "password": "long enough"}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    server.terminate();
    assert_eq!(server.wait_for_exit(Duration::from_secs(30)), Some(0));

    // Same data directory, new process: the generated key and the database are reused.
    let restarted = Server::start(dir.path(), &[], &[]);
    let me = client()
        .get(restarted.url("/auth/me"))
        .bearer_auth(session["access_token"].as_str().unwrap())
        .send()
        .unwrap();
    assert_eq!(me.status(), 200);
    let refreshed = client()
        .post(restarted.url("/auth/refresh"))
        .json(&json!({"refresh_token": session["refresh_token"]}))
        .send()
        .unwrap();
    assert_eq!(refreshed.status(), 200);
}

#[test]
fn postgres_needs_an_explicit_migrate_then_serves() {
    let Some(server_url) = groundwork_platform::testing::postgres_url() else {
        eprintln!("skipped: GROUNDWORK_TEST_POSTGRES_URL is not set");
        return;
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (database, url) = runtime.block_on(groundwork_platform::testing::TestDatabase::create(
        &server_url,
    ));
    let dir = tempfile::tempdir().unwrap();
    let env = [
        ("DATABASE_URL", url.as_str()),
        (
            "GROUNDWORK__AUTH__JWT_SECRET",
            "a-shared-secret-for-every-instance!",
        ),
    ];

    let refused = run(dir.path(), &env, &["serve", "--bind", "127.0.0.1:0"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("groundwork migrate"));

    let migrated = run(dir.path(), &env, &["migrate"]);
    assert!(
        migrated.status.success(),
        "{}",
        String::from_utf8_lossy(&migrated.stderr)
    );

    // Two instances on one database behave as one: a token from one works on the other.
    // The second leaves out the books system: its JSON file has one writer, and the first
    // instance holds its lock (see `a_second_server_on_the_books_file_is_refused_clearly`).
    let first = Server::start(dir.path(), &env, &[]);
    let second = Server::start(dir.path(), &env, &["--only", "auth,blog,todo,expenses"]);
    let http = client();
    let session: Value = http
        .post(first.url("/auth/register"))
        .json(&json!({"email": "pg@example.com", "password": "on postgres"}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let me = http
        .get(second.url("/auth/me"))
        .bearer_auth(session["access_token"].as_str().unwrap())
        .send()
        .unwrap();
    assert_eq!(me.status(), 200);
    let refreshed = http
        .post(second.url("/auth/refresh"))
        .json(&json!({"refresh_token": session["refresh_token"]}))
        .send()
        .unwrap();
    assert_eq!(refreshed.status(), 200);
    drop((first, second));
    drop(database);
}

#[test]
fn a_second_server_on_the_books_file_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let _first = Server::start(dir.path(), &[], &["--only", "auth,books"]);
    let second = run(
        dir.path(),
        &[],
        &["serve", "--bind", "127.0.0.1:0", "--only", "books"],
    );
    assert_eq!(second.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(
        stderr.contains("books.json is in use by another process"),
        "{stderr}"
    );
}
