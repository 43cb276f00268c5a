//! The `caching-proxy` binary as a user runs it: the cache on disk survives a restart,
//! `--clear-cache` from another process empties it while the proxy runs, and mistakes on
//! the command line end with a clear message and exit code 1.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use common::{TestOrigin, client, x_cache};

const BINARY: &str = env!("CARGO_BIN_EXE_caching-proxy");

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The proxy running as its own process; stopped (SIGTERM-like kill) when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn start(port: u16, origin: &str, cache_dir: &Path) -> Running {
    // Its log goes in the cache directory (the proxy reads only `objects/` and `tmp/`
    // there), to say why, should it stop early.
    let log_path = cache_dir.join(format!("proxy-{port}.log"));
    let log = std::fs::File::create(&log_path).unwrap();
    let child = Command::new(BINARY)
        .args([
            "--port",
            &port.to_string(),
            "--origin",
            origin,
            "--cache-dir",
        ])
        .arg(cache_dir)
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap();
    let mut running = Running(child);
    for _ in 0..200 {
        if let Some(status) = running.0.try_wait().unwrap() {
            let log = std::fs::read_to_string(&log_path).unwrap_or_default();
            panic!("caching-proxy exited ({status}) before listening on {port}: {log}");
        }
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return running;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("caching-proxy did not start listening on {port}");
}

async fn x_cache_of(url: &str) -> String {
    let response = client().get(url).send().await.unwrap();
    let cache = x_cache(&response);
    response.bytes().await.unwrap();
    cache
}

fn run(args: &[&str]) -> Output {
    Command::new(BINARY).args(args).output().unwrap()
}

#[tokio::test]
async fn a_restarted_proxy_serves_from_its_disk_cache() {
    let origin = TestOrigin::start().await;
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}/products");
    {
        let _proxy = start(port, &origin.url(), dir.path()).await;
        assert_eq!(x_cache_of(&url).await, "MISS");
        // The disk write happens in the background, just after the response.
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let _proxy = start(port, &origin.url(), dir.path()).await;
    assert_eq!(x_cache_of(&url).await, "HIT");
    assert_eq!(origin.count("/products"), 1);
}

#[tokio::test]
async fn clear_cache_from_another_process_empties_a_running_proxy() {
    let origin = TestOrigin::start().await;
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}/products");
    let _proxy = start(port, &origin.url(), dir.path()).await;
    x_cache_of(&url).await;
    assert_eq!(x_cache_of(&url).await, "HIT");
    tokio::time::sleep(Duration::from_millis(300)).await;

    let cleared = run(&["--clear-cache", "--cache-dir", dir.path().to_str().unwrap()]);
    assert!(cleared.status.success(), "{cleared:?}");
    let said = String::from_utf8_lossy(&cleared.stdout);
    assert!(said.contains("cleared 1 cached responses"), "{said}");

    // The running proxy notices within its poll interval.
    tokio::time::sleep(groundwork_proxy::store::CLEAR_POLL * 3).await;
    assert_eq!(x_cache_of(&url).await, "MISS");
    assert_eq!(origin.count("/products"), 2);
}

#[tokio::test]
async fn a_second_proxy_on_the_same_cache_directory_is_refused() {
    let origin = TestOrigin::start().await;
    let dir = tempfile::tempdir().unwrap();
    let _proxy = start(free_port(), &origin.url(), dir.path()).await;
    let port = free_port().to_string();
    let second = run(&[
        "--port",
        &port,
        "--origin",
        &origin.url(),
        "--cache-dir",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(second.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&second.stderr).contains("another caching-proxy is serving from")
    );
}

#[tokio::test]
async fn command_line_mistakes_exit_with_1_and_say_why() {
    let origin = TestOrigin::start().await;
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path().to_str().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let taken_port = taken.local_addr().unwrap().port().to_string();
    let closed_port = free_port();
    let unreachable = format!("http://127.0.0.1:{closed_port}");
    let cases: [(&[&str], &str); 4] = [
        (
            &[
                "--port",
                &taken_port,
                "--origin",
                &origin.url(),
                "--cache-dir",
                dir,
            ],
            "cannot listen on",
        ),
        (
            &["--port", "0", "--origin", &unreachable, "--cache-dir", dir],
            "cannot reach the origin",
        ),
        (
            &[
                "--port",
                "0",
                "--origin",
                "localhost:3000",
                "--cache-dir",
                dir,
            ],
            "needs a scheme",
        ),
        (
            &[
                "--port",
                "0",
                "--origin",
                "ftp://example.com",
                "--cache-dir",
                dir,
            ],
            "must be http or https",
        ),
    ];
    for (args, message) in cases {
        let output = run(args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
    // Without --port and --origin: a usage error from the argument parser.
    let output = run(&[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--port"));
}
