//! The `broadcast-server` binary as a user runs it: `start` in one process, `connect` in
//! others with their stdin piped.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout, Command};

const BINARY: &str = env!("CARGO_BIN_EXE_broadcast-server");

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_server(port: u16, extra: &[&str]) -> Child {
    Command::new(BINARY)
        .args(["start", "--port", &port.to_string()])
        .args(extra)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap()
}

async fn wait_for_port(port: u16) {
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server did not start on {port}");
}

struct Client {
    child: Child,
    output: Lines<BufReader<ChildStdout>>,
}

fn start_client(port: u16, name: &str, extra: &[&str]) -> Client {
    let mut child = Command::new(BINARY)
        .args([
            "connect",
            "--url",
            &format!("ws://127.0.0.1:{port}"),
            "--name",
            name,
        ])
        .args(extra)
        .env_remove("BROADCAST_TOKEN")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let output = BufReader::new(child.stdout.take().unwrap()).lines();
    Client { child, output }
}

impl Client {
    async fn type_line(&mut self, line: &str) {
        let stdin = self.child.stdin.as_mut().unwrap();
        stdin
            .write_all(format!("{line}\n").as_bytes())
            .await
            .unwrap();
        stdin.flush().await.unwrap();
    }

    /// Reads output lines until one contains `needle`; returns it.
    async fn wait_for(&mut self, needle: &str) -> String {
        let found = tokio::time::timeout(Duration::from_secs(15), async {
            while let Some(line) = self.output.next_line().await.unwrap() {
                if line.contains(needle) {
                    return line;
                }
            }
            panic!("output ended before {needle:?}");
        })
        .await;
        found.unwrap_or_else(|_| panic!("no output line with {needle:?} within 15 s"))
    }
}

#[tokio::test]
async fn clients_chat_reconnect_after_a_restart_and_exit_cleanly_on_eof() {
    let port = free_port();
    let mut server = start_server(port, &[]);
    wait_for_port(port).await;
    let mut alice = start_client(port, "alice", &[]);
    let mut bob = start_client(port, "bob", &[]);
    // A client's own join comes back once the server has subscribed it.
    alice.wait_for("* alice joined").await;
    bob.wait_for("* bob joined").await;
    alice.type_line("hello bob").await;
    let line = bob.wait_for("hello bob").await;
    assert!(line.contains("alice: hello bob"), "{line}");

    // SIGTERM: the server closes every client with 1001 and exits 0.
    let pid = server.id().unwrap().to_string();
    std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    let status = tokio::time::timeout(Duration::from_secs(10), server.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "the server exits 0 on SIGTERM: {status}");
    bob.wait_for("going away").await;

    // A new server on the same port: both clients come back on their own.
    let _server = start_server(port, &[]);
    alice.wait_for("* alice joined").await;
    bob.wait_for("* bob joined").await;
    bob.type_line("back again").await;
    alice.wait_for("bob: back again").await;

    // EOF on stdin: the client closes and exits 0.
    drop(alice.child.stdin.take());
    let status = tokio::time::timeout(Duration::from_secs(10), alice.child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "EOF exits 0: {status}");
}

#[tokio::test]
async fn a_wrong_token_is_a_clear_error_and_exit_code_1() {
    let port = free_port();
    let _server = start_server(port, &["--token", "s3cret"]);
    wait_for_port(port).await;
    let client = start_client(port, "mallory", &["--token", "guess"]);
    let output = tokio::time::timeout(Duration::from_secs(10), client.child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("401") && stderr.contains("token"),
        "{stderr}"
    );

    let mut friend = start_client(port, "friend", &["--token", "s3cret", "--room", "vip"]);
    friend.wait_for("* friend joined").await;
    friend.type_line("let me in").await;
    friend.wait_for("friend: let me in").await;
}
