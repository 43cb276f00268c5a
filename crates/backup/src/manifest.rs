//! `manifest.json`: what a backup holds, written last. A backup is good only when its
//! manifest says `"status": "complete"`; a run that fails writes `"failed"` with the error,
//! and a run killed outright leaves no manifest at all.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{BackupError, Result};
use crate::files::Compression;

/// The format this build writes for full and differential backups.
pub const FORMAT: &str = "groundwork-backup/2";

/// The format of incremental backups: a new name, so that a dbbackup that does not know
/// them refuses them instead of restoring an empty backup.
pub const INCREMENTAL_FORMAT: &str = "groundwork-backup/3";

/// The file name.
pub const FILE: &str = "manifest.json";

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Every file written, synced and listed.
    Complete,
    /// The run stopped with an error; the files are not to be trusted.
    Failed,
}

/// One table's data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableEntry {
    /// The table's name.
    pub name: String,
    /// Rows written.
    pub rows: u64,
    /// The order-independent content checksum (see `rows::Checksum`).
    pub checksum: String,
    /// The data file, relative to the backup directory.
    pub file: String,
    /// Its size on disk.
    pub bytes: u64,
    /// Its SHA-256 on disk.
    pub sha256: String,
    /// SQLite: the first column of the data is the rowid (kept, since other tables and
    /// applications may refer to it).
    #[serde(default)]
    pub rowid: bool,
    /// How the data file encodes rows.
    #[serde(default)]
    pub encoding: Encoding,
    /// PostgreSQL and MySQL: the table as SQL names it (quoted, schema-qualified for PostgreSQL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sql_name: Option<String>,
    /// PostgreSQL and MySQL: the columns in the data file, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<String>,
    /// Differential backups: the full backup (a sibling folder) that holds this unchanged
    /// table's file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<String>,
}

impl TableEntry {
    /// Where the data file is: in the backup, or in its full backup.
    pub fn data_path(&self, dir: &Path) -> PathBuf {
        match (&self.base, dir.parent()) {
            (Some(base), Some(parent)) => parent.join(base).join(&self.file),
            _ => dir.join(&self.file),
        }
    }
}

/// The encoding of a data file (before compression).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Encoding {
    /// dbbackup's typed row stream (`rows::RowWriter`).
    #[default]
    Rows,
    /// PostgreSQL `COPY ... TO STDOUT` text: one row per line; the checksum covers each line.
    Copy,
}

/// A schema file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemaEntry {
    /// Relative path.
    pub file: String,
    /// Its SHA-256 on disk.
    pub sha256: String,
}

/// Where a PostgreSQL backup chain continues: the logical replication slot that keeps the
/// changes made since, and the position (LSN) this backup holds everything up to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogPosition {
    /// The slot's name.
    pub slot: String,
    /// The last commit (its end) this backup includes; the next incremental starts after it.
    pub lsn: String,
}

/// An incremental backup's row changes: `changes.jsonl.<zst|gz>`, one JSON record a line
/// (`{"sql": ..., "rows": 1}` for a statement, `{"commit": xid, "at": time}` after each
/// transaction's statements).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangesEntry {
    /// Relative path.
    pub file: String,
    /// Its size on disk.
    pub bytes: u64,
    /// Its SHA-256 on disk.
    pub sha256: String,
    /// Lines in the file and their checksum (as for `COPY` data).
    pub lines: u64,
    pub checksum: String,
    /// Transactions and statements it replays.
    pub transactions: u64,
    pub statements: u64,
    /// Commit times of the first and last transaction (the server's clock).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_commit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_commit: Option<String>,
}

impl ChangesEntry {
    /// A changes file as written, before its counts are filled in.
    pub fn written(
        file: String,
        written: crate::files::Written,
        lines: &crate::rows::Checksum,
    ) -> Self {
        Self {
            file,
            bytes: written.bytes,
            sha256: written.sha256,
            lines: lines.rows,
            checksum: lines.hex(),
            transactions: 0,
            statements: 0,
            first_commit: None,
            last_commit: None,
        }
    }
}

/// The whole manifest.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Manifest {
    /// [`FORMAT`].
    pub format: String,
    /// The tool's version.
    pub tool_version: String,
    /// `sqlite`, `postgres` or `mysql`.
    pub engine: String,
    /// The server's version string (SQLite's library version).
    pub server_version: String,
    /// The database's name (the file name for SQLite).
    pub database: String,
    /// Compression of every file.
    pub compression: Compression,
    /// When the snapshot was taken (RFC 3339).
    pub started_at: String,
    /// When the manifest was written.
    pub finished_at: String,
    /// How the run ended.
    pub status: Status,
    /// The error of a failed run.
    pub error: Option<String>,
    /// Engine settings restored with the schema (SQLite: `user_version`, `application_id`).
    pub settings: serde_json::Map<String, serde_json::Value>,
    /// Schema files: `pre-data` (tables) first, `post-data` (indexes, triggers, views) after the data.
    pub schema: Vec<SchemaEntry>,
    /// Table data, in restore order.
    pub tables: Vec<TableEntry>,
    /// Differential backups: the full backup (a sibling folder) unchanged tables come from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub based_on: Option<String>,
    /// PostgreSQL backups an incremental one can follow: the slot and position.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log: Option<LogPosition>,
    /// Incremental backups: the backup (a sibling folder) whose position this one continues
    /// from; a chain of them leads back to a full backup.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follows: Option<String>,
    /// Incremental backups: the row changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changes: Option<ChangesEntry>,
}

impl Manifest {
    /// Reads a backup directory's manifest.
    pub fn read(dir: &Path) -> Result<Self> {
        let path = dir.join(FILE);
        let text = std::fs::read_to_string(&path).map_err(|error| {
            BackupError::io("read", &path, &error).hint(format!(
                "{} is not a finished backup (dbbackup list shows the backups in a folder)",
                dir.display()
            ))
        })?;
        Self::parse(&text, dir)
    }

    /// A manifest's text, from the backup `origin` (for messages).
    pub fn parse(text: &str, origin: &Path) -> Result<Self> {
        let manifest: Self = serde_json::from_str(text).map_err(|error| {
            BackupError::failed(format!(
                "the manifest of {} is damaged: {error}",
                origin.display()
            ))
        })?;
        if manifest.format != FORMAT && manifest.format != INCREMENTAL_FORMAT {
            return Err(BackupError::failed(format!(
                "{} is in format {}, this dbbackup reads {FORMAT} and {INCREMENTAL_FORMAT}",
                origin.display(),
                manifest.format
            )));
        }
        Ok(manifest)
    }

    /// Writes the manifest atomically (a temporary file, synced, then renamed).
    pub fn write(&self, dir: &Path) -> Result {
        let path = dir.join(FILE);
        let temporary = dir.join(format!("{FILE}.tmp"));
        let text = serde_json::to_string_pretty(self)
            .map_err(|error| BackupError::failed(format!("cannot write the manifest: {error}")))?;
        let write = || -> std::io::Result<()> {
            use std::io::Write as _;
            let mut file = std::fs::File::create(&temporary)?;
            file.write_all(text.as_bytes())?;
            file.sync_all()?;
            std::fs::rename(&temporary, &path)?;
            sync_dir(dir)
        };
        write().map_err(|error| BackupError::io("write", &path, &error))
    }

    /// Bytes of the data files this backup holds itself (not those of its full backup).
    pub fn total_bytes(&self) -> u64 {
        self.tables
            .iter()
            .filter(|table| table.base.is_none())
            .map(|table| table.bytes)
            .chain(self.changes.iter().map(|changes| changes.bytes))
            .sum()
    }

    /// The backup this one needs beside it: a differential's full backup, or the backup an
    /// incremental follows.
    pub fn depends_on(&self) -> Option<&String> {
        self.based_on.as_ref().or(self.follows.as_ref())
    }
}

/// Syncs a directory so a rename in it survives a crash.
pub fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

/// A backup found in a destination folder.
#[derive(Clone, Debug)]
pub struct Found {
    /// Its directory.
    pub dir: PathBuf,
    /// Its manifest, or why it has none.
    pub manifest: std::result::Result<Manifest, String>,
}

/// Every backup directory under `dest`, oldest first (names start with their time).
pub fn scan(dest: &Path) -> Result<Vec<Found>> {
    let entries = std::fs::read_dir(dest).map_err(|error| BackupError::io("list", dest, &error))?;
    let mut found: Vec<Found> = entries
        .filter_map(std::result::Result::ok)
        .filter_map(|entry| {
            let dir = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            let manifest = if dir.is_dir() {
                if dir.join(FILE).exists() {
                    Manifest::read(&dir).map_err(|error| error.message)
                } else {
                    Err("no manifest: the run was interrupted".to_owned())
                }
            } else if name.ends_with(".tar") {
                crate::archive::read_manifest(&dir)
            } else if name.ends_with(".tar.partial") {
                Err("an unfinished archive: the run was interrupted".to_owned())
            } else {
                return None;
            };
            Some(Found { dir, manifest })
        })
        .collect();
    found.sort_by(|a, b| a.dir.cmp(&b.dir));
    Ok(found)
}
