//! `dbbackup-log.jsonl` in the destination folder: one line per backup run, good or not.

use std::io::Write as _;
use std::path::Path;

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
