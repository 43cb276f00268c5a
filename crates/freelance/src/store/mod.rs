//! The SQLite file: opening it safely, its schema, and the rules the schema enforces.
//!
//! Times are UTC seconds since the epoch. The rule that at most one entry runs is a unique
//! index over running entries, so two `freelance start` racing in two terminals cannot both
//! win: each runs in a `BEGIN IMMEDIATE` transaction (writers queue on SQLite's lock) and the
//! index refuses a second running row whatever the code above it does.

pub mod entries;
pub mod projects;

use std::path::{Path, PathBuf};
use std::str::FromStr as _;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{Connection as _, Executor as _, Row as _};

use crate::failure::{Failure, Outcome};

/// Marks the file as ours (`PRAGMA application_id`, "FRLN"), so `--db` pointed at another
/// program's SQLite file is refused instead of altered.
const APPLICATION_ID: i64 = 0x4652_4C4E;

/// The schema version this build writes (`PRAGMA user_version`).
const SCHEMA_VERSION: i64 = 1;

const SCHEMA: &str = "
CREATE TABLE clients (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    rate_cents INTEGER,
    currency TEXT
);
CREATE TABLE projects (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    client_id INTEGER REFERENCES clients(id) ON DELETE SET NULL,
    rate_cents INTEGER,
    currency TEXT
);
CREATE TABLE entries (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id),
    start INTEGER NOT NULL,
    stop INTEGER,
    note TEXT,
    -- Where an imported entry came from ('watson:<frame id>'), so importing twice is harmless.
    origin TEXT,
    CHECK (stop IS NULL OR stop >= start)
);
-- Every running entry has the same key here, so a second one is a unique violation. Queries
-- for the running entry say `(stop IS NULL) = 1 AND stop IS NULL` so SQLite uses it.
CREATE UNIQUE INDEX entries_one_running ON entries ((stop IS NULL)) WHERE stop IS NULL;
-- Reports read (start, stop, project_id) from this index alone.
CREATE INDEX entries_by_start ON entries (start, stop, project_id);
-- One-bucket reports read this per project: already grouped, no sort.
CREATE INDEX entries_by_project_span ON entries (project_id, start, stop);
CREATE UNIQUE INDEX entries_by_origin ON entries (origin) WHERE origin IS NOT NULL;
CREATE TABLE entry_tags (
    entry_id INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
    tag TEXT NOT NULL COLLATE NOCASE,
    PRIMARY KEY (entry_id, tag)
) WITHOUT ROWID;
CREATE INDEX entry_tags_by_tag ON entry_tags (tag, entry_id);
-- The longest entry ever stored bounds how far before a range an overlapping entry can
-- start, which lets range queries use entries_by_start on both ends. It only grows.
CREATE TABLE facts (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO facts (name, value) VALUES ('longest_entry_secs', 0);
CREATE TRIGGER entries_longest_on_insert AFTER INSERT ON entries
WHEN NEW.stop - NEW.start > (SELECT value FROM facts WHERE name = 'longest_entry_secs')
BEGIN
    UPDATE facts SET value = NEW.stop - NEW.start WHERE name = 'longest_entry_secs';
END;
CREATE TRIGGER entries_longest_on_update AFTER UPDATE OF start, stop ON entries
WHEN NEW.stop - NEW.start > (SELECT value FROM facts WHERE name = 'longest_entry_secs')
BEGIN
    UPDATE facts SET value = NEW.stop - NEW.start WHERE name = 'longest_entry_secs';
END;
";

/// An open database.
pub struct Store {
    /// The connection every query goes through.
    pub conn: SqliteConnection,
    /// Where the file is, for messages.
    pub path: PathBuf,
}

impl Store {
    /// Opens (creating it and its directory if missing) the database at `path`. A file that
    /// is not SQLite, is damaged, or belongs to another program is refused and left as it is.
    pub async fn open(path: &Path) -> Outcome<Self> {
        if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|error| {
                Failure::failed(format!("cannot create {}: {error}", dir.display()))
            })?;
        }
        let options = SqliteConnectOptions::from_str("sqlite:")
            .map_err(|error| Failure::failed(error.to_string()))?
            .filename(path)
            .create_if_missing(true)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        let conn = SqliteConnection::connect_with(&options)
            .await
            .map_err(|error| unusable(path, &error))?;
        let mut store = Self {
            conn,
            path: path.to_owned(),
        };
        store.prepare().await?;
        Ok(store)
    }

    /// Checks the file is ours and creates or upgrades the schema.
    async fn prepare(&mut self) -> Outcome {
        let (application_id, version, objects) = self
            .identity()
            .await
            .map_err(|error| unusable(&self.path, &error))?;
        if application_id == APPLICATION_ID && version == SCHEMA_VERSION {
            return Ok(());
        }
        if application_id == APPLICATION_ID && version > SCHEMA_VERSION {
            return Err(Failure::failed(format!(
                "{} was written by a newer freelance (schema {version}, this one knows {SCHEMA_VERSION})",
                self.path.display()
            ))
            .hint("upgrade freelance; the file was not changed"));
        }
        if application_id != APPLICATION_ID && (application_id != 0 || objects > 0) {
            return Err(Failure::failed(format!(
                "{} is an SQLite database of another program, not freelance's",
                self.path.display()
            ))
            .hint("point --db (or FREELANCE_DB) at a freelance database or a new file; this one was not changed"));
        }
        // A new file. Two first runs may race here: the loser finds the schema made.
        let mut txn = self.conn.begin_with("BEGIN IMMEDIATE").await?;
        let made: i64 = sqlx::query_scalar("SELECT user_version FROM pragma_user_version")
            .fetch_one(&mut *txn)
            .await?;
        if made == 0 {
            txn.execute(SCHEMA).await?;
            txn.execute(sqlx::AssertSqlSafe(format!(
                "PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {SCHEMA_VERSION};"
            )))
            .await?;
        }
        txn.commit().await?;
        // WAL lets `status` read while another terminal writes; it is a property of the file.
        self.conn.execute("PRAGMA journal_mode = WAL").await?;
        Ok(())
    }

    async fn identity(&mut self) -> Result<(i64, i64, i64), sqlx::Error> {
        let row = sqlx::query(
            "SELECT (SELECT application_id FROM pragma_application_id), \
                    (SELECT user_version FROM pragma_user_version), \
                    (SELECT count(*) FROM sqlite_master)",
        )
        .fetch_one(&mut self.conn)
        .await?;
        Ok((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?))
    }
}

/// The message for a file SQLite cannot use: not a database, damaged, or unreadable.
fn unusable(path: &Path, error: &sqlx::Error) -> Failure {
    Failure::failed(format!(
        "cannot use {}: {}",
        path.display(),
        database_message(error)
    ))
    .hint("the file was left untouched; restore it from a backup, or pass --db <new file>")
}

/// SQLite's own words for an error, without sqlx's wrapping.
fn database_message(error: &sqlx::Error) -> String {
    error
        .as_database_error()
        .map_or_else(|| error.to_string(), |db| db.message().to_owned())
}

/// True when the error is SQLite refusing a row for a UNIQUE constraint.
pub fn is_unique_violation(error: &sqlx::Error) -> bool {
    error
        .as_database_error()
        .is_some_and(|db| db.kind() == sqlx::error::ErrorKind::UniqueViolation)
}

/// The `facts` bound on entry length, for range queries.
pub async fn longest_entry_secs(conn: &mut SqliteConnection) -> Outcome<i64> {
    Ok(
        sqlx::query_scalar("SELECT value FROM facts WHERE name = 'longest_entry_secs'")
            .fetch_one(conn)
            .await?,
    )
}
