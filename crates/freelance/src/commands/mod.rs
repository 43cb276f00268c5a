//! One module per group of commands; `run` dispatches.

mod entries;
mod projects;
mod report;
mod settings;
pub mod shell;
mod tracking;
mod transfer;

use std::io::Write;

use chrono::{DateTime, Utc};

use crate::cli::Command;
use crate::config::{Config, Paths};
use crate::failure::{Failure, Outcome};
use crate::store::Store;
use crate::when::Calendar;

/// What every command works with. The database is opened on first use, so `config` and
/// `help` work even when it cannot be.
pub struct Context {
    /// Settings in effect.
    pub config: Config,
    /// Zone, now and date conventions.
    pub calendar: Calendar,
    /// File locations.
    pub paths: Paths,
    store: Option<Store>,
}

impl Context {
    /// A context for the given settings.
    pub fn new(config: Config, calendar: Calendar, paths: Paths) -> Self {
        Self {
            config,
            calendar,
            paths,
            store: None,
        }
    }

    /// The database, opened (and created) on first use.
    pub async fn store(&mut self) -> Outcome<&mut Store> {
        if self.store.is_none() {
            self.store = Some(Store::open(&self.paths.database).await?);
        }
        self.store
            .as_mut()
            .ok_or_else(|| Failure::failed("the database is not open"))
    }

    /// The current instant as UTC seconds.
    pub fn now(&self) -> i64 {
        self.calendar.now.timestamp()
    }

    /// A `--at`-style phrase as UTC seconds; `None` means now. The future is refused.
    pub fn past_instant(&self, text: Option<&str>, what: &str) -> Outcome<i64> {
        let Some(text) = text else {
            return Ok(self.now());
        };
        let instant = self.calendar.instant(text)?;
        self.not_future(instant, what)
    }

    /// Refuses instants after now (a minute of leeway for clocks and typing).
    pub fn not_future(&self, instant: DateTime<Utc>, what: &str) -> Outcome<i64> {
        if instant.timestamp() > self.now() + 60 {
            return Err(Failure::usage(format!(
                "{what} {} is in the future",
                self.calendar.label_instant(instant)
            ))
            .hint("for a time before midnight, say which day: \"yesterday 23:50\""));
        }
        Ok(instant.timestamp())
    }
}

/// Runs one command, writing its output to `out`.
pub async fn run(context: &mut Context, command: Command, out: &mut dyn Write) -> Outcome {
    match command {
        Command::Start(args) => tracking::start(context, args, out).await,
        Command::Stop(args) => tracking::stop(context, args, out).await,
        Command::Status(args) => tracking::status(context, args.json, out).await,
        Command::Cancel => tracking::cancel(context, out).await,
        Command::Restart(args) => tracking::restart(context, args, out).await,
        Command::Log(args) => entries::log(context, args, out).await,
        Command::Add(args) => entries::add(context, args, out).await,
        Command::Edit(args) => entries::edit(context, args, out).await,
        Command::Delete(args) => entries::delete(context, &args.id, out).await,
        Command::Projects(args) => projects::projects(context, args.json, out).await,
        Command::Clients(args) => projects::clients(context, args.json, out).await,
        Command::Assign(args) => projects::assign(context, args, out).await,
        Command::Rate(command) => projects::rate(context, command, out).await,
        Command::Report(args) => report::report(context, args, out).await,
        Command::Export(args) => transfer::export(context, args, out).await,
        Command::Import(args) => transfer::import(context, args, out).await,
        Command::Doctor => settings::doctor(context, out).await,
        Command::Config => settings::show(context, out),
        Command::Shell => Err(Failure::usage("already in the interactive mode")),
    }
}

/// Writes to the output; a closed pipe (`freelance log | head`) is not an error worth a
/// message, so it ends the command quietly.
pub fn emit(out: &mut dyn Write, text: &str) -> Outcome {
    match out.write_all(text.as_bytes()) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(error) => Err(Failure::failed(format!("cannot write the output: {error}"))),
    }
}

/// Writes a JSON document (pretty, with a final newline), for `--json`.
pub fn emit_json(out: &mut dyn Write, document: &serde_json::Value) -> Outcome {
    emit(out, &format!("{document:#}\n"))
}

/// Tags from `+word` arguments: the `+` is required, so a misplaced word is caught.
pub fn parse_tags(words: &[String]) -> Outcome<Vec<String>> {
    words
        .iter()
        .map(|word| {
            let tag = word.strip_prefix('+').ok_or_else(|| {
                Failure::usage(format!("\"{word}\" is not a tag: tags start with +"))
                    .hint("freelance start project1 +design; quote a project name with spaces")
            })?;
            if tag.is_empty()
                || tag.chars().count() > 50
                || tag.chars().any(|c| c.is_whitespace() || c.is_control())
            {
                return Err(Failure::usage(format!(
                    "\"{word}\" is not a tag: a tag is 1 to 50 characters without spaces"
                )));
            }
            Ok(tag.to_owned())
        })
        .collect()
}

/// An entry id as typed: `12` or `#12`.
pub fn parse_id(text: &str) -> Outcome<i64> {
    text.trim()
        .trim_start_matches('#')
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| {
            Failure::usage(format!("\"{text}\" is not an entry id"))
                .hint("ids are the numbers freelance log shows")
        })
}
