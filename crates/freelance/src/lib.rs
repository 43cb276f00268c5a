//! Time tracking for freelancers, the roadmap's "Time-tracking CLI for Freelancers":
//! `freelance start project1`, `freelance stop`, and reports of the time spent and the amount
//! to bill, on the command line or in an interactive mode (`report project1 since 1/2/24`).
//!
//! Entries live in an SQLite file in the XDG data directory. The `freelance` binary and
//! `groundwork track` both call [`main`].

pub mod cli;
mod commands;
pub mod config;
pub mod failure;
mod format;
pub mod report;
pub mod store;
pub mod when;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::{CommandFactory as _, FromArgMatches as _};

use crate::cli::{Cli, Command};
use crate::config::{Config, DateOrder, Paths};
use crate::failure::Failure;
use crate::when::{Calendar, FORMS};

impl Cli {
    /// The grammar with its help text, which names the configured date order.
    pub fn command_with_help(paths: &Paths, order: DateOrder) -> clap::Command {
        Self::command_plain().after_help(format!(
            "Dates and times: {FORMS}.\n\
             1/2/24 reads as {} here (date_order in {}).\n\
             Without a command, the interactive mode starts.\n\n\
             Examples:\n  freelance start project1\n  freelance stop\n  \
             freelance report project1 since 1/2/24\n  freelance rate set project1 85 EUR/h",
            order.describe(),
            paths.config.display()
        ))
    }

    /// The grammar without the configuration-dependent help.
    pub fn command_plain() -> clap::Command {
        Self::command()
    }
}

/// What a clap error means: help or version text to print (`Ok`), or a usage failure.
pub(crate) fn clap_outcome(error: &clap::Error) -> Result<String, Failure> {
    use clap::error::ErrorKind;
    if matches!(
        error.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        return Ok(error.render().to_string());
    }
    // clap's message is several lines (error, tip, usage); keep the error and the tip.
    let rendered = error.render().to_string();
    // The error line, and the indented lines that continue it (missing arguments, possible
    // values), joined into one.
    let mut lines = rendered
        .lines()
        .skip_while(|line| !line.starts_with("error: "));
    let mut message = lines
        .next()
        .and_then(|line| line.strip_prefix("error: "))
        .unwrap_or("the command was not understood")
        .to_owned();
    for continuation in lines.take_while(|line| line.starts_with(' ') && !line.trim().is_empty()) {
        if continuation.trim().starts_with("tip:") {
            break;
        }
        message.push(' ');
        message.push_str(continuation.trim());
    }
    let tip = rendered
        .lines()
        .find_map(|line| line.trim().strip_prefix("tip: "))
        .map(str::to_owned);
    let usage = rendered
        .lines()
        .find_map(|line| line.strip_prefix("Usage: "))
        .map(|usage| format!("usage: {usage}"));
    let hint = tip
        .or(usage)
        .unwrap_or_else(|| "freelance help lists the commands".to_owned());
    Err(Failure::usage(message).hint(hint))
}

/// Runs `freelance` with these arguments (the first is the program name) and returns the
/// exit code: 0 done, 1 failed, 2 not understood.
pub fn main(arguments: impl IntoIterator<Item = OsString>) -> ExitCode {
    let code = match run(arguments.into_iter().collect()) {
        Ok(code) => code,
        Err(failure) => {
            eprintln!("{failure}");
            failure.code
        }
    };
    ExitCode::from(code)
}

fn run(arguments: Vec<OsString>) -> Result<u8, Failure> {
    // Help must work even with a broken config file, so its error waits until after parsing.
    let early_paths = Paths::resolve(None);
    let config = early_paths
        .as_ref()
        .map_err(Clone::clone)
        .and_then(|paths| Config::load(&paths.config));
    let order = config
        .as_ref()
        .map_or(DateOrder::Mdy, |config| config.date_order);
    let help_paths = early_paths.clone().unwrap_or_else(|_| Paths {
        database: "freelance.db".into(),
        config: "config.toml".into(),
        history: "history.txt".into(),
    });
    let cli = match Cli::command_with_help(&help_paths, order)
        .try_get_matches_from(arguments)
        .and_then(|matches| Cli::from_arg_matches(&matches))
    {
        Ok(cli) => cli,
        Err(error) => {
            let text = clap_outcome(&error)?;
            print!("{text}");
            return Ok(0);
        }
    };
    let config = config?;
    let calendar = Calendar::from_config(&config)?;
    let paths = Paths::resolve(cli.db.clone())?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| Failure::failed(format!("cannot start: {error}")))?;
    let mut context = commands::Context::new(config, calendar, paths);
    runtime.block_on(async {
        match cli.command.unwrap_or(Command::Shell) {
            Command::Shell => Ok(commands::shell::shell(&mut context).await),
            command => {
                let mut stdout = std::io::stdout().lock();
                commands::run(&mut context, command, &mut stdout).await?;
                Ok(0)
            }
        }
    })
}
