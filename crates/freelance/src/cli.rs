//! The command grammar, shared by `freelance`, `groundwork track` and the interactive mode.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::report::GroupBy;

/// Time tracking for freelancers: start, stop, and know what to charge.
#[derive(Debug, Parser)]
#[command(name = "freelance", version, disable_help_subcommand = false)]
pub struct Cli {
    /// The database file [default: $XDG_DATA_HOME/freelance/freelance.db].
    #[arg(long, global = true, env = "FREELANCE_DB", value_name = "FILE")]
    pub db: Option<PathBuf>,
    /// What to do; without one, the interactive mode starts.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Every command.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start tracking a project (stopping whatever runs at the same instant).
    #[command(
        after_help = "Examples:\n  freelance start project1\n  freelance start project1 +design +urgent --at 9:15 --note \"kickoff call\""
    )]
    Start(StartArgs),
    /// Stop the running entry.
    #[command(after_help = "Examples:\n  freelance stop\n  freelance stop project1 --at 17:30")]
    Stop(StopArgs),
    /// What is running, and today's and this week's totals.
    Status(JsonFlag),
    /// Discard the running entry.
    Cancel,
    /// Start the last project again, with its tags.
    Restart(AtArgs),
    /// List entries with their ids (the last 7 days unless told otherwise).
    #[command(
        after_help = "Examples:\n  freelance log\n  freelance log --project project1 --since \"last month\"\n  freelance log --tag design --since 1/2/24 --until 1/31/24"
    )]
    Log(LogArgs),
    /// Record an entry after the fact.
    #[command(
        after_help = "Example:\n  freelance add project1 +meeting --from \"yesterday 14:00\" --to \"yesterday 15:30\""
    )]
    Add(AddArgs),
    /// Change an entry's times, project or note.
    #[command(
        after_help = "Examples:\n  freelance edit 12 --stop 18:00\n  freelance edit 12 --project project2 --note \"\""
    )]
    Edit(EditArgs),
    /// Delete an entry.
    Delete(IdArg),
    /// Projects with their clients, rates and total time.
    Projects(JsonFlag),
    /// Clients with their rates and projects.
    Clients(JsonFlag),
    /// Make a client (created if new) the client of a project.
    #[command(after_help = "Example:\n  freelance assign project1 acme")]
    Assign(AssignArgs),
    /// Hourly rates.
    #[command(subcommand)]
    Rate(RateCommand),
    /// Time and billable amounts.
    #[command(
        after_help = "Examples:\n  freelance report\n  freelance report project1 since 1/2/24\n  freelance report since \"last month\" until \"last month\" --by day\n  freelance report acme this year --by week --csv"
    )]
    Report(ReportArgs),
    /// Write every entry as JSON or CSV.
    Export(ExportArgs),
    /// Import entries from another tool (Watson's frames file).
    #[command(after_help = "Example:\n  freelance import --from watson ~/.config/watson/frames")]
    Import(ImportArgs),
    /// Check the database for overlapping or suspicious entries.
    Doctor,
    /// Show the settings in effect and where the files are.
    Config,
    /// The interactive mode (also what `freelance` alone starts).
    Shell,
}

/// `--json`.
#[derive(Debug, Args)]
pub struct JsonFlag {
    /// Machine-readable output.
    #[arg(long)]
    pub json: bool,
}

/// `start`.
#[derive(Debug, Args)]
pub struct StartArgs {
    /// The project (created the first time it is used).
    pub project: String,
    /// Tags, each written with a leading +.
    #[arg(value_name = "+TAG", allow_hyphen_values = false)]
    pub tags: Vec<String>,
    /// When it started [default: now], e.g. 9:15, "yesterday 17:00".
    #[arg(long, value_name = "WHEN")]
    pub at: Option<String>,
    /// A note for the entry.
    #[arg(long)]
    pub note: Option<String>,
    /// Refuse instead of stopping a running entry (overrides `when_running`).
    #[arg(long)]
    pub refuse: bool,
}

/// `stop`.
#[derive(Debug, Args)]
pub struct StopArgs {
    /// The project expected to be running (an error if another one is).
    pub project: Option<String>,
    /// When it stopped [default: now].
    #[arg(long, value_name = "WHEN")]
    pub at: Option<String>,
}

/// `--at`.
#[derive(Debug, Args)]
pub struct AtArgs {
    /// When [default: now].
    #[arg(long, value_name = "WHEN")]
    pub at: Option<String>,
}

/// `log`.
#[derive(Debug, Args)]
pub struct LogArgs {
    /// Only this project.
    #[arg(long)]
    pub project: Option<String>,
    /// From this date or time [default: 6 days ago].
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,
    /// Up to the end of this date, or this time.
    #[arg(long, value_name = "WHEN")]
    pub until: Option<String>,
    /// Only entries with this tag (with or without the +).
    #[arg(long)]
    pub tag: Option<String>,
    /// Every entry ever.
    #[arg(long, conflicts_with = "since")]
    pub all: bool,
    /// Machine-readable output.
    #[arg(long)]
    pub json: bool,
}

/// `add`.
#[derive(Debug, Args)]
pub struct AddArgs {
    /// The project.
    pub project: String,
    /// Tags, each written with a leading +.
    #[arg(value_name = "+TAG")]
    pub tags: Vec<String>,
    /// When it started.
    #[arg(long, value_name = "WHEN")]
    pub from: String,
    /// When it stopped.
    #[arg(long, value_name = "WHEN")]
    pub to: String,
    /// A note.
    #[arg(long)]
    pub note: Option<String>,
}

/// `edit`.
#[derive(Debug, Args)]
pub struct EditArgs {
    /// The entry's id (from `freelance log`).
    pub id: String,
    /// New start; a bare time is on the entry's own day.
    #[arg(long, value_name = "WHEN")]
    pub start: Option<String>,
    /// New stop; a bare time is on the entry's own day.
    #[arg(long, value_name = "WHEN")]
    pub stop: Option<String>,
    /// Move it to another project.
    #[arg(long)]
    pub project: Option<String>,
    /// New note ("" clears it).
    #[arg(long)]
    pub note: Option<String>,
    /// Add a tag (repeatable).
    #[arg(long = "tag", value_name = "TAG")]
    pub add_tags: Vec<String>,
    /// Remove a tag (repeatable).
    #[arg(long = "untag", value_name = "TAG")]
    pub remove_tags: Vec<String>,
}

/// An entry id.
#[derive(Debug, Args)]
pub struct IdArg {
    /// The entry's id (from `freelance log`).
    pub id: String,
}

/// `assign`.
#[derive(Debug, Args)]
pub struct AssignArgs {
    /// The project.
    pub project: String,
    /// Its client.
    pub client: String,
}

/// `rate ...`.
#[derive(Debug, Subcommand)]
pub enum RateCommand {
    /// Set the hourly rate of a project or a client (a project's own rate wins).
    #[command(
        after_help = "Examples:\n  freelance rate set project1 85 EUR/h\n  freelance rate set acme 120 USD/h\n  freelance rate set --client acme 95"
    )]
    Set(RateSetArgs),
    /// Every rate.
    List(JsonFlag),
}

/// `rate set`.
#[derive(Debug, Args)]
pub struct RateSetArgs {
    /// The project or client.
    pub name: String,
    /// The rate: `85 EUR/h`, `85EUR/h`, `€85/h`, or `85` in the configured currency.
    #[arg(required = true, num_args = 1..)]
    pub rate: Vec<String>,
    /// The name is a project.
    #[arg(long, conflicts_with = "client")]
    pub project: bool,
    /// The name is a client.
    #[arg(long)]
    pub client: bool,
}

/// `report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// `[project or client ...] [since WHEN] [until WHEN]`, or a range alone (`last month`).
    #[arg(value_name = "WORDS", allow_hyphen_values = false)]
    pub words: Vec<String>,
    /// How to group the lines.
    #[arg(long, value_enum, default_value = "project")]
    pub by: GroupBy,
    /// Only entries with this tag.
    #[arg(long)]
    pub tag: Option<String>,
    /// Round each entry to this many minutes (overrides the config; 0 for exact).
    #[arg(long, value_name = "MINUTES")]
    pub round: Option<u32>,
    /// JSON output.
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// CSV output.
    #[arg(long)]
    pub csv: bool,
}

/// `export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// JSON (the default).
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// CSV.
    #[arg(long)]
    pub csv: bool,
    /// Only entries from this date or time.
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,
    /// Only entries up to this date or time.
    #[arg(long, value_name = "WHEN")]
    pub until: Option<String>,
}

/// Tools `import` reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ImportSource {
    /// Watson's `frames` file (`~/.config/watson/frames`).
    Watson,
}

/// `import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Which tool the file comes from.
    #[arg(long, value_enum)]
    pub from: ImportSource,
    /// The file.
    pub file: PathBuf,
}
