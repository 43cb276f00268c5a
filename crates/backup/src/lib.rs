//! The database backup utility, the roadmap's "Database Backup Utility": `dbbackup` (and
//! `groundwork backup`) with `test-connection`, `backup`, `restore`, `list`, `verify` and
//! `schedule`.
//!
//! A backup is a folder: `manifest.json` (written last), the schema as SQL and as JSON, and
//! one compressed, checksummed row file per table. SQLite backups and restores are built;
//! PostgreSQL and MySQL/MariaDB connect and check credentials but cannot back up yet.

mod archive;
pub mod cli;
mod commands;
mod engine;
pub mod error;
mod files;
mod manifest;
mod notify;
mod progress;
mod prompt;
mod remote;
mod rows;
mod runlog;
mod target;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::Parser as _;

use crate::cli::Cli;

/// Runs `dbbackup` with these arguments (the first is the program name).
pub fn main(arguments: impl IntoIterator<Item = OsString>) -> ExitCode {
    let cli = match Cli::try_parse_from(arguments) {
        Ok(cli) => cli,
        Err(error) => error.exit(),
    };
    // rustls needs one process-wide crypto provider when more than one is compiled in.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("dbbackup: cannot start: {error}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(commands::run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{error}");
            ExitCode::from(error.code)
        }
    }
}
