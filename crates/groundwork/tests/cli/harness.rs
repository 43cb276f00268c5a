//! Running the binary: a scratch directory, a clean environment, and a server handle that
//! knows its address from the `listening` log line.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// A `groundwork` command in `dir` with no Groundwork configuration inherited from the
/// test environment, JSON logs, and any extra variables given.
pub fn groundwork(dir: &Path, env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_groundwork"));
    command
        .current_dir(dir)
        .env("LOG_FORMAT", "json")
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1");
    for (key, _) in std::env::vars() {
        if key.starts_with("GROUNDWORK__")
            || key == "DATABASE_URL"
            || key == "REDIS_URL"
            || key == "GROUNDWORK_CONFIG"
        {
            command.env_remove(key);
        }
    }
    for (key, value) in env {
        command.env(key, value);
    }
    command
}

/// Runs a command to completion.
pub fn run(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> Output {
    groundwork(dir, env)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run groundwork")
}

/// A running `groundwork serve`.
pub struct Server {
    pub child: Child,
    pub address: SocketAddr,
    pub logs: mpsc::Receiver<String>,
}

impl Server {
    /// Starts `serve --bind 127.0.0.1:0` and waits for its `listening` line.
    pub fn start(dir: &Path, env: &[(&str, &str)], extra_args: &[&str]) -> Self {
        let mut child = groundwork(dir, env)
            .args(["serve", "--bind", "127.0.0.1:0"])
            .args(extra_args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start groundwork serve");
        let stderr = child.stderr.take().unwrap();
        let (sender, logs) = mpsc::channel();
        std::thread::spawn(move || {
            // Keep draining even when nobody listens, so the server never blocks on a
            // full stderr pipe.
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = sender.send(line);
            }
        });
        let address = loop {
            let line = logs
                .recv_timeout(Duration::from_secs(60))
                .expect("the server logged `listening` within 60 s");
            let Ok(event) = serde_json::from_str::<serde_json::Value>(&line) else {
                continue;
            };
            if event["fields"]["message"] == "listening" {
                let url = event["fields"]["address"].as_str().unwrap();
                break url.trim_start_matches("http://").parse().unwrap();
            }
        };
        Self {
            child,
            address,
            logs,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// Log lines received so far (after the `listening` line).
    pub fn drain_logs(&self) -> Vec<String> {
        self.logs.try_iter().collect()
    }

    /// Sends SIGTERM.
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits (bounded) for the process to exit and returns its exit code.
    pub fn wait_for_exit(&mut self, within: Duration) -> Option<i32> {
        let deadline = std::time::Instant::now() + within;
        while std::time::Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("the server did not exit within {within:?}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
