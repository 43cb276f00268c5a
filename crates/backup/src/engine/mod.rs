//! Engine-specific dumping and loading. SQLite is built; PostgreSQL and MySQL/MariaDB
//! connect and check credentials (`test-connection`) but cannot yet back up or restore.

pub mod sqlite;
pub mod sqlite_text;

use crate::error::{BackupError, Result};
use crate::target::Target;

/// The refusal for engines whose backup is not built yet.
pub fn not_built(target: &Target) -> BackupError {
    BackupError::failed(format!(
        "backing up and restoring {} databases is not built yet; only SQLite is",
        target.engine().name()
    ))
    .hint("test-connection works for every engine; see docs/systems/backup.md for what is done")
}

/// Fails unless the engine's backup is built.
pub fn require_built(target: &Target) -> Result {
    match target {
        Target::Sqlite(_) => Ok(()),
        _ => Err(not_built(target)),
    }
}
