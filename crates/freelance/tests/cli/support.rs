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

    /// Runs `freelance` alone in a pseudo-terminal (util-linux `script`), typing each of
    /// `lines` (Enter included) once the prompt is shown, and returns what the terminal
    /// showed. Typing ahead would race the line editor: it switches the terminal between
    /// raw and cooked mode around each command, and keys typed meanwhile can be dropped.
    pub fn run_in_terminal(&self, lines: &[&str]) -> Run {
        let mut child = Command::new("script")
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
            .env("PATH", "/usr/bin:/bin")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let shown = std::sync::Arc::new(std::sync::Mutex::new(Vec::<u8>::new()));
        let reader = {
            let shown = shown.clone();
            let mut stdout = child.stdout.take().unwrap();
            std::thread::spawn(move || {
                let mut buffer = [0u8; 4096];
                while let Ok(read @ 1..) = std::io::Read::read(&mut stdout, &mut buffer) {
                    shown.lock().unwrap().extend_from_slice(&buffer[..read]);
                }
            })
        };
        let mut stdin = child.stdin.take().unwrap();
        let mut typed_at = 0;
        for line in lines {
            // A fresh prompt: after the last line break since the previous Enter.
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
            loop {
                let text = String::from_utf8_lossy(&shown.lock().unwrap()[typed_at..]).into_owned();
                let prompted = text
                    .rfind('\n')
                    .is_some_and(|at| text[at..].contains("freelance> "));
                if prompted {
                    break;
                }
                if std::time::Instant::now() > deadline {
                    let _ = child.kill();
                    panic!("no prompt before typing {line:?}; the terminal showed:\n{text}");
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            typed_at = shown.lock().unwrap().len();
            stdin.write_all(line.as_bytes()).unwrap();
            stdin.flush().unwrap();
        }
        drop(stdin);
        let output = child.wait_with_output().unwrap();
        reader.join().unwrap();
        let home = self.home.path().display().to_string();
        let stdout = String::from_utf8_lossy(&shown.lock().unwrap()).replace(&home, "[home]");
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout,
            stderr: String::from_utf8_lossy(&output.stderr).replace(&home, "[home]"),
        }
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
