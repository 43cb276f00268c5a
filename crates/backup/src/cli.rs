//! The command grammar (`dbbackup` and `groundwork backup`).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::files::Compression;
use crate::target::Engine;

/// Back up, restore and verify PostgreSQL, MySQL/MariaDB and SQLite databases.
#[derive(Debug, Parser)]
#[command(name = "dbbackup", version)]
#[command(after_help = "Examples:\n  \
    dbbackup test-connection --url postgres://me@db.internal:5432/shop\n  \
    dbbackup backup --url postgres://me@db.internal/shop --dest /backups --jobs 4\n  \
    dbbackup backup --engine mysql --host db.internal --user backup --db shop --dest /backups -W\n  \
    dbbackup backup --url sqlite:///srv/app.db --dest s3://my-bucket/nightly\n  \
    dbbackup list --dest /backups\n  \
    dbbackup verify /backups/shop-20261121T030000.000Z --against postgres://me@localhost/shop\n  \
    dbbackup restore --from /backups/shop-20261121T030000.000Z --url postgres://me@localhost/shop_copy\n  \
    dbbackup backup --url ... --dest /backups --differential-from /backups/shop-20261121T030000.000Z\n  \
    dbbackup backup --url postgres://... --dest /backups --slot shop_chain\n  \
    dbbackup backup --url postgres://... --dest /backups --incremental-from /backups/shop-20261121T030000.000Z\n  \
    dbbackup backup --url mysql://... --dest /backups --incremental-from /backups/shop-20261121T030000.000Z\n\n\
    Passwords: --password-file, DBBACKUP_PASSWORD, PGPASSWORD/MYSQL_PWD, -W (prompt), or the URL.\n\
    S3: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL.")]
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
    /// Ask for the password on the terminal (not echoed).
    #[arg(long, short = 'W')]
    pub ask_password: bool,
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
    /// `dir`: the checksummed folder that restore and verify read; `tar`: that folder as one
    /// archive file; `sql`: one plain SQL file for the engine's own client (psql,
    /// mariadb/mysql, sqlite3).
    #[arg(long, value_enum, default_value = "dir")]
    pub format: Format,
    /// A differential backup: store only the tables whose content changed since this full
    /// backup (a folder in --dest), and refer to its files for the rest.
    #[arg(long, value_name = "BACKUP")]
    pub differential_from: Option<PathBuf>,
    /// PostgreSQL: a full backup that starts a chain of incremental backups, by creating
    /// this logical replication slot (wal_level = logical, and a user with REPLICATION).
    /// The server keeps its WAL from then on until the next incremental backup reads it.
    #[arg(long, value_name = "NAME")]
    pub slot: Option<String>,
    /// An incremental backup holding only the row changes committed since this backup, in
    /// --dest: PostgreSQL, a full backup taken with --slot or the latest incremental after
    /// it; MySQL/MariaDB, any backup taken while the server kept a row-format binary log.
    #[arg(long, value_name = "BACKUP")]
    pub incremental_from: Option<PathBuf>,
    /// Post the outcome of every run to this Slack incoming-webhook URL.
    #[arg(long, value_name = "URL")]
    pub notify_slack: Option<String>,
    /// `--jobs` and `--max-rate`.
    #[command(flatten)]
    pub load: LoadArgs,
    /// A JSON summary on stdout.
    #[arg(long)]
    pub json: bool,
}

/// How hard backup and restore work the database server.
#[derive(Debug, Clone, Copy, Args)]
pub struct LoadArgs {
    /// Tables read or written at once, each on its own connection (PostgreSQL and MySQL).
    #[arg(long, short = 'j', value_name = "N", default_value_t = 2)]
    pub jobs: usize,
    /// At most this many bytes of table data a second, all jobs together: 500K, 20M, 1G
    /// (PostgreSQL and MySQL).
    #[arg(long, value_name = "BYTES", value_parser = parse_rate)]
    pub max_rate: Option<u64>,
}

/// `20M` is 20,000,000 bytes (a second); `K`, `M`, `G` are powers of 1000, `Ki`, `Mi`,
/// `Gi` of 1024; a trailing `B` or `/s` is allowed.
pub fn parse_rate(text: &str) -> Result<u64, String> {
    let trimmed = text
        .trim()
        .trim_end_matches("/s")
        .trim_end_matches(['B', 'b']);
    let split = trimmed
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(split);
    let number: f64 = number
        .parse()
        .map_err(|_| format!("\"{text}\" is not a rate: try 500K, 20M or 1G (bytes a second)"))?;
    let scale: f64 = match unit.to_ascii_lowercase().as_str() {
        "" => 1.0,
        "k" => 1e3,
        "m" => 1e6,
        "g" => 1e9,
        "ki" => 1024.0,
        "mi" => 1024.0 * 1024.0,
        "gi" => 1024.0 * 1024.0 * 1024.0,
        _ => {
            return Err(format!(
                "\"{unit}\" is not a unit: use K, M or G (or Ki, Mi, Gi)"
            ));
        }
    };
    let rate = (number * scale).round();
    if rate < 1.0 {
        return Err("the rate must be at least 1 byte a second".to_owned());
    }
    Ok(rate as u64)
}

/// What `backup` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// The backup folder (manifest, schema, compressed row files).
    Dir,
    /// A plain SQL dump.
    Sql,
    /// One file, `<name>.tar`, holding the backup folder (restore, verify and list read it).
    Tar,
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
    /// The backup: its folder, its `.tar` archive, or s3://bucket/prefix/name.
    #[arg(long, value_name = "BACKUP")]
    pub from: PathBuf,
    /// The database to restore into.
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// Replace a target that is not empty.
    #[arg(long)]
    pub clean: bool,
    /// Only these tables (comma-separated). SQLite: created with their indexes and
    /// triggers. PostgreSQL and MySQL: their data, into tables the target already has.
    #[arg(long, value_delimiter = ',')]
    pub tables: Option<Vec<String>>,
    /// Incremental backups: replay the chain only up to the last transaction
    /// committed at or before this time (2026-11-21T14:05:00Z, or with an offset: +01:00).
    #[arg(long, value_name = "TIME", value_parser = crate::engine::pg_replay::parse_until)]
    pub until: Option<chrono::DateTime<chrono::FixedOffset>>,
    /// `--jobs` and `--max-rate`.
    #[command(flatten)]
    pub load: LoadArgs,
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
    /// The backup: its folder, its `.tar` archive, or s3://bucket/prefix/name.
    pub backup: PathBuf,
    /// Also compare row counts and checksums with this live database.
    #[arg(long, value_name = "URL")]
    pub against: Option<String>,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
}

#[cfg(test)]
mod tests {
    use super::parse_rate;

    #[test]
    fn rates_read_with_units() {
        assert_eq!(parse_rate("500K"), Ok(500_000));
        assert_eq!(parse_rate("20MB/s"), Ok(20_000_000));
        assert_eq!(parse_rate("1.5Gi"), Ok(1_610_612_736));
        assert_eq!(parse_rate("4096"), Ok(4096));
        assert!(parse_rate("fast").is_err());
        assert!(parse_rate("10X").is_err());
        assert!(parse_rate("0").is_err());
    }
}
