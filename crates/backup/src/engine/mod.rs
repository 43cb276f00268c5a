//! Engine-specific dumping and loading: SQLite, PostgreSQL, and MySQL/MariaDB.

pub mod mysql;
pub mod mysql_binlog;
pub mod mysql_incremental;
pub mod mysql_replay;
pub mod mysql_restore;
pub mod mysql_schema;
pub mod mysql_text;
pub mod mysql_wire;
pub mod pg_decode;
pub mod pg_incremental;
pub mod pg_replay;
pub mod pg_schema;
pub mod postgres;
pub mod postgres_restore;
pub mod postgres_text;
pub mod sqlite;
pub mod sqlite_text;
pub mod stream;

use std::path::Path;

use crate::error::{BackupError, Result};
use crate::files;
use crate::manifest::{Manifest, SchemaEntry};

/// What a backup wrote, for the manifest.
pub struct Dumped {
    /// The server's (or SQLite library's) version.
    pub version: String,
    /// Engine settings restored with the schema: SQLite's `user_version`, `application_id`
    /// and `sqlite_sequence`; PostgreSQL's sequence positions and views to refresh.
    pub settings: serde_json::Map<String, serde_json::Value>,
    /// The schema files.
    pub schema: Vec<SchemaEntry>,
    /// The data files.
    pub tables: Vec<crate::manifest::TableEntry>,
}

/// What a restore did.
pub struct Restored {
    /// Tables restored.
    pub tables: usize,
    /// Rows loaded.
    pub rows: u64,
}

/// The error of a full restore that failed part way, after its attempt (`cleaned`) to
/// remove what it had made.
pub fn failed_restore(error: &BackupError, cleaned: &Result) -> BackupError {
    BackupError::failed(match cleaned {
        Ok(()) => format!("{}; what had been restored was removed", error.message),
        Err(_) => format!(
            "{}; the database holds a partial restore (run restore again with --clean)",
            error.message
        ),
    })
}

/// A table's load must give the rows its manifest lists.
pub fn check_rows(entry: &crate::manifest::TableEntry, rows: u64) -> Result<u64> {
    if rows == entry.rows {
        Ok(rows)
    } else {
        Err(BackupError::failed(format!(
            "table {}: {rows} rows loaded, the backup lists {}",
            entry.name, entry.rows
        )))
    }
}

/// Writes a schema file (plain text, synced) and lists it for the manifest.
pub fn write_schema(dir: &Path, file: &str, text: &str) -> Result<SchemaEntry> {
    let path = dir.join(file);
    let write = || -> std::io::Result<()> {
        use std::io::Write as _;
        let mut out = std::fs::File::options()
            .write(true)
            .create_new(true)
            .open(&path)?;
        out.write_all(text.as_bytes())?;
        out.sync_all()
    };
    write().map_err(|error| BackupError::io("write", &path, &error))?;
    Ok(SchemaEntry {
        file: file.to_owned(),
        sha256: files::sha256_of(&path)?,
    })
}

/// How far a chain's replay went.
#[derive(Debug, Default)]
pub struct Replayed {
    /// Incremental backups replayed (the last one perhaps in part).
    pub incrementals: usize,
    pub statements: u64,
    pub transactions: u64,
    /// The commit time of the last transaction replayed.
    pub last_commit: Option<String>,
    /// `--until` stopped it before the end of the chain.
    pub stopped: bool,
}

impl Replayed {
    /// Counts one incremental backup's replay, which must have replayed all its manifest
    /// lists unless `--until` stopped it.
    pub fn add(
        &mut self,
        changes: &crate::manifest::ChangesEntry,
        statements: u64,
        transactions: u64,
        last_commit: Option<String>,
        stopped: bool,
    ) -> Result {
        let complete = statements == changes.statements && transactions == changes.transactions;
        if !stopped && !complete {
            return Err(BackupError::failed(format!(
                "{}: replayed {statements} statements in {transactions} transactions, the manifest lists {} in {}",
                changes.file, changes.statements, changes.transactions
            )));
        }
        self.incrementals += 1;
        self.statements += statements;
        self.transactions += transactions;
        if last_commit.is_some() {
            self.last_commit = last_commit;
        }
        self.stopped = stopped;
        Ok(())
    }
}

/// What an engine does to bring a restored full backup forward through its incrementals.
pub(crate) trait ChainReplay {
    /// Restores the chain's full backup into the empty target.
    async fn restore_full(
        &self,
        dir: &Path,
        manifest: &Manifest,
        how: &ChainRestore<'_>,
    ) -> Result<Restored>;
    /// Replays one incremental backup's changes.
    async fn replay(
        &self,
        dir: &Path,
        manifest: &Manifest,
        until: Option<chrono::DateTime<chrono::FixedOffset>>,
        replayed: &mut Replayed,
    ) -> Result;
    /// Once, after the last incremental replayed: the engine's counters (sequences,
    /// AUTO_INCREMENT) as that backup recorded them.
    async fn finish(&self, last: &Manifest) -> Result;
    /// Empties the target after a failure.
    async fn wipe(&self) -> Result;
}

/// Restores a chain: its full backup (`chain[0]`), then each incremental in order, up to
/// the last transaction committed at or before `how.until` when it is given
/// (point-in-time recovery). A replay that fails empties the target, as a failed full
/// restore does.
pub(crate) async fn restore_chain(
    engine: &impl ChainReplay,
    how: &ChainRestore<'_>,
) -> Result<(Restored, Replayed)> {
    let ((full_dir, full), increments) = how.split()?;
    let restored = engine.restore_full(full_dir, full, how).await?;
    let replayed = replay_increments(engine, increments, how.until).await?;
    Ok((restored, replayed))
}

/// Replays `increments` in order (up to `until`), then finishes with the last one
/// replayed. A failure empties the target, as a failed full restore does.
async fn replay_increments(
    engine: &impl ChainReplay,
    increments: &[ChainLink],
    until: Option<chrono::DateTime<chrono::FixedOffset>>,
) -> Result<Replayed> {
    let mut replayed = Replayed::default();
    let mut last = None;
    for (dir, manifest) in increments {
        if let Err(error) = engine.replay(dir, manifest, until, &mut replayed).await {
            return Err(emptied(engine, dir, &error).await);
        }
        last = Some((dir, manifest));
        if replayed.stopped {
            break;
        }
    }
    if let Some((dir, manifest)) = last
        && let Err(error) = engine.finish(manifest).await
    {
        return Err(emptied(engine, dir, &error).await);
    }
    Ok(replayed)
}

/// After a failed replay of `dir`: empties the target and says what happened.
async fn emptied(engine: &impl ChainReplay, dir: &Path, error: &BackupError) -> BackupError {
    let cleaned = engine.wipe().await;
    failed_restore(
        &BackupError::failed(format!("{}: {}", dir.display(), error.message)),
        &cleaned,
    )
}

/// A backup of a chain: its folder and manifest.
pub type ChainLink = (std::path::PathBuf, Manifest);

/// What a chain's restore is asked to do (the target's connection aside).
pub struct ChainRestore<'a> {
    /// The full backup first, then each incremental in order.
    pub chain: &'a [ChainLink],
    pub database: &'a str,
    pub clean: bool,
    pub jobs: usize,
    pub throttle: &'a stream::Throttle,
    pub quiet: bool,
    /// Replay only transactions committed at or before this time.
    pub until: Option<chrono::DateTime<chrono::FixedOffset>>,
}

impl ChainRestore<'_> {
    /// The full backup and the incrementals; `--until` must not be before the full one.
    pub fn split(&self) -> Result<(&ChainLink, &[ChainLink])> {
        let Some((full, increments)) = self.chain.split_first() else {
            return Err(BackupError::failed("the backup chain is empty"));
        };
        if let Some(until) = self.until
            && chrono::DateTime::parse_from_rfc3339(&full.1.started_at)
                .is_ok_and(|started| until < started)
        {
            return Err(BackupError::usage(format!(
                "--until {until} is before the chain's full backup ({})",
                full.1.started_at
            ))
            .hint("restore an older chain, or give a later time"));
        }
        Ok((full, increments))
    }
}
