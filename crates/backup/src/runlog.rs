//! `dbbackup-log.jsonl` in the destination folder (for S3 destinations, in
//! `$XDG_STATE_HOME/dbbackup/`): one line per backup run, good or not.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

/// One run.
#[derive(Debug, Serialize)]
pub struct Record<'a> {
    /// Start (RFC 3339).
    pub started_at: &'a str,
    /// End.
    pub finished_at: &'a str,
    /// `complete` or `failed`.
    pub status: &'a str,
    /// Seconds taken.
    pub duration_secs: f64,
    /// Bytes written.
    pub bytes: u64,
    /// Tables written.
    pub tables: usize,
    /// The backup's folder name.
    pub backup: &'a str,
    /// What the database was (no password).
    pub database: &'a str,
    /// The error of a failed run.
    pub error: Option<&'a str>,
}

/// Where runs to S3 are logged: `$XDG_STATE_HOME/dbbackup` (`~/.local/state/dbbackup`),
/// created if needed; `None` when there is no home to put it in.
pub fn local_dir() -> Option<PathBuf> {
    let state = std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".local/state"))
        })?;
    let dir = state.join("dbbackup");
    std::fs::create_dir_all(&dir).ok()?;
    Some(dir)
}

/// The log's file name.
pub const FILE: &str = "dbbackup-log.jsonl";

/// Appends a record; a log that cannot be written is reported on stderr but does not fail
/// the backup it describes.
pub fn append(dest: &Path, record: &Record<'_>) {
    let path = dest.join(FILE);
    let line = match serde_json::to_string(record) {
        Ok(line) => line,
        Err(_) => return,
    };
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut file| writeln!(file, "{line}"));
    if let Err(error) = written {
        eprintln!("dbbackup: could not append to {}: {error}", path.display());
    }
}
