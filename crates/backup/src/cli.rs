//! The command grammar (`dbbackup` and `groundwork backup`).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::files::Compression;
use crate::target::Engine;

/// Back up, restore and verify PostgreSQL, MySQL/MariaDB and SQLite databases.
#[derive(Debug, Parser)]
#[command(name = "dbbackup", version)]
#[command(after_help = "Examples:\n  \
    dbbackup test-connection --engine sqlite --db app.db\n  \
    dbbackup backup --url sqlite:///srv/app.db --dest /backups\n  \
    dbbackup list --dest /backups\n  \
    dbbackup verify /backups/app-20261121T140000Z\n  \
    dbbackup restore --from /backups/app-20261121T140000Z --url sqlite:///srv/app-restored.db")]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Every command.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Connect and check the credentials, touching nothing.
    TestConnection(ConnectArgs),
    /// Back up a whole database into a new folder under --dest.
    Backup(BackupArgs),
    /// Restore a backup into an empty database (or replace one with --clean).
    Restore(RestoreArgs),
    /// The backups in a folder, good and failed.
    List(ListArgs),
    /// Check a backup's files against its manifest, and optionally a live database against it.
    Verify(VerifyArgs),
    /// Run backups on a cron schedule, keeping the last N (a long-lived process).
    #[command(
        after_help = "Example:\n  dbbackup schedule --cron \"0 3 * * *\" --keep 7 --url sqlite:///srv/app.db --dest /backups"
    )]
    Schedule(ScheduleArgs),
}

/// Which database: `--url`, or `--engine` and the parts.
#[derive(Debug, Args, Clone, Default)]
pub struct ConnectArgs {
    /// postgres://user@host:5432/db, mysql://user@host/db, mariadb://..., or sqlite:///path/file.db
    #[arg(long)]
    pub url: Option<String>,
    /// The engine, when not given by --url.
    #[arg(long, value_enum)]
    pub engine: Option<Engine>,
    /// Server host [default: localhost].
    #[arg(long)]
    pub host: Option<String>,
    /// Server port [default: the engine's].
    #[arg(long)]
    pub port: Option<u16>,
    /// User name.
    #[arg(long)]
    pub user: Option<String>,
    /// Password (visible to other users in process listings: prefer --password-file or DBBACKUP_PASSWORD).
    #[arg(long)]
    pub password: Option<String>,
    /// A file holding the password.
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
    /// Database name (SQLite: the file).
    #[arg(long)]
    pub db: Option<String>,
}

/// `backup`.
#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The database.
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// The folder backups go in (each backup is a new folder inside it).
    #[arg(long, value_name = "DIR")]
    pub dest: PathBuf,
    /// Compression of the data files.
    #[arg(long, value_enum, default_value = "zstd")]
    pub compression: Compression,
    /// `dir`: the checksummed folder that restore and verify read; `sql`: one plain SQL file
    /// for the engine's own client (`sqlite3 new.db < file.sql`).
    #[arg(long, value_enum, default_value = "dir")]
    pub format: Format,
    /// Post the outcome of every run to this Slack incoming-webhook URL.
    #[arg(long, value_name = "URL")]
    pub notify_slack: Option<String>,
    /// A JSON summary on stdout.
    #[arg(long)]
    pub json: bool,
}

/// What `backup` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// The backup folder (manifest, schema, compressed row files).
    Dir,
    /// A plain SQL dump.
    Sql,
}

/// `schedule`.
#[derive(Debug, Args)]
pub struct ScheduleArgs {
    /// When to run: five fields (minute hour day month weekday, "0 3 * * *") or six with
    /// seconds first. Times are UTC.
    #[arg(long)]
    pub cron: String,
    /// Keep the newest N good backups of this database in --dest, deleting older ones.
    #[arg(long, value_name = "N")]
    pub keep: Option<usize>,
    /// Delete good backups older than this many days (the newest is always kept).
    #[arg(long, value_name = "DAYS")]
    pub keep_days: Option<u64>,
    /// Stop after this many runs (default: run until stopped).
    #[arg(long, value_name = "N")]
    pub runs: Option<u64>,
    /// What to back up, and where.
    #[command(flatten)]
    pub backup: BackupArgs,
}

/// `restore`.
#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The backup folder.
    #[arg(long, value_name = "DIR")]
    pub from: PathBuf,
    /// The database to restore into.
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// Replace a target that is not empty.
    #[arg(long)]
    pub clean: bool,
    /// Only these tables (comma-separated), with their indexes and triggers.
    #[arg(long, value_delimiter = ',')]
    pub tables: Option<Vec<String>>,
    /// A JSON summary on stdout.
    #[arg(long)]
    pub json: bool,
}

/// `list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// The folder to look in.
    #[arg(long, value_name = "DIR")]
    pub dest: PathBuf,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
}

/// `verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The backup folder.
    pub backup: PathBuf,
    /// Also compare row counts and checksums with this live database.
    #[arg(long, value_name = "URL")]
    pub against: Option<String>,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
}
