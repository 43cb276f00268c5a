//! Runs the binary in an isolated home.

use std::fmt;
use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use tempfile::TempDir;

/// A user's machine: a home directory, a zone and a clock.
pub struct Tracker {
    home: TempDir,
    now: String,
    zone: String,
}

/// What one run printed and returned.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl fmt::Display for Run {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

impl Tracker {
    /// Berlin, Wednesday 6 March 2024 at 16:00.
    pub fn new() -> Self {
        Self {
            home: tempfile::tempdir().unwrap(),
            now: "2024-03-06T16:00:00+01:00".to_owned(),
            zone: "Europe/Berlin".to_owned(),
        }
    }

    /// Moves the clock.
    pub fn at(&mut self, now: &str) -> &mut Self {
        self.now = now.to_owned();
        self
    }

    /// Writes `config.toml`.
    pub fn config(&self, toml: &str) {
        let dir = self.home.path().join("config/freelance");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("config.toml"), toml).unwrap();
    }

    /// The home directory.
    pub fn home(&self) -> &Path {
        self.home.path()
    }

    /// The variables every run gets, and nothing else from the test's environment.
    fn environment(&self) -> Vec<(&'static str, std::ffi::OsString)> {
        let home = self.home.path();
        vec![
            ("HOME", home.into()),
            ("XDG_DATA_HOME", home.join("data").into()),
            ("XDG_CONFIG_HOME", home.join("config").into()),
            ("TZ", self.zone.clone().into()),
            ("FREELANCE_NOW", self.now.clone().into()),
            ("NO_COLOR", "1".into()),
        ]
    }

    /// Runs `freelance <args>`.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_with_input(args, "")
    }

    /// Runs `freelance <args>` with `input` on stdin (a pipe, not a terminal).
    pub fn run_with_input(&self, args: &[&str], input: &str) -> Run {
        let mut command = Command::new(env!("CARGO_BIN_EXE_freelance"));
        command.args(args).env_clear().envs(self.environment());
        self.finish(command, input)
    }

    fn finish(&self, mut command: Command, input: &str) -> Run {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        let output = child.wait_with_output().unwrap();
        let home = self.home.path().display().to_string();
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).replace(&home, "[home]"),
            stderr: String::from_utf8_lossy(&output.stderr).replace(&home, "[home]"),
        }
    }

    /// Runs `freelance` alone in a pseudo-terminal (util-linux `script`), typing `keys`, and
    /// returns what the terminal showed.
    pub fn run_in_terminal(&self, keys: &str) -> Run {
        let mut script = Command::new("script");
        script
            .args([
                "-q",
                "-e",
                "-c",
                env!("CARGO_BIN_EXE_freelance"),
                "/dev/null",
            ])
            .env_clear()
            .envs(self.environment())
            .env("TERM", "xterm")
            .env("PATH", "/usr/bin:/bin");
        self.finish(script, keys)
    }

    /// Runs and insists on success, returning stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let run = self.run(args);
        assert_eq!(run.code, 0, "freelance {args:?} failed:\n{run}");
        run.stdout
    }

    /// The `log --all --json` entries.
    pub fn entries(&self) -> Vec<serde_json::Value> {
        let listed: serde_json::Value =
            serde_json::from_str(&self.ok(&["log", "--all", "--json"])).unwrap();
        listed.as_array().unwrap().clone()
    }
}
