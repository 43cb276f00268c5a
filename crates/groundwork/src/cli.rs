//! Command-line syntax (clap derive). Each subcommand's behaviour lives in `commands/`.
//! No `Debug` derives: `users create` carries a password.

use std::net::SocketAddr;

use clap::{Args, Parser, Subcommand};

/// Groundwork: production backends from the backend-projects roadmap, in one binary.
///
/// Configuration comes from ./groundwork.toml (optional) and GROUNDWORK__SECTION__KEY
/// environment variables; with none, everything runs on an SQLite file under ./data/.
#[derive(Parser)]
#[command(name = "groundwork", version, about, long_about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Serve every system's HTTP API (migrating the embedded database first).
    #[command(
        after_help = "Examples:\n  groundwork serve\n  groundwork serve --bind 0.0.0.0:8080 --only auth\n  groundwork serve --mount auth=/accounts"
    )]
    Serve(ServeArgs),
    /// Run background-job workers (and cron schedules) in this process, apart from the API.
    #[command(
        after_help = "Examples:\n  groundwork worker\n  groundwork worker --queues webhooks,email --concurrency 32\n  groundwork worker --metrics-bind 127.0.0.1:9100"
    )]
    Worker(WorkerArgs),
    /// Apply pending database migrations of every system.
    Migrate(MigrateArgs),
    /// Manage user accounts directly in the database (works while `serve` runs).
    #[command(subcommand)]
    Users(UsersCommand),
    /// Print the OpenAPI 3.1 document of every system to stdout.
    Openapi,
    /// Blog tools.
    #[command(subcommand)]
    Blog(BlogCommand),
    /// To-do list tools.
    #[command(subcommand)]
    Todo(SeedCommand),
    /// Expense tracker tools.
    #[command(subcommand)]
    Expenses(SeedCommand),
    /// Book catalog tools.
    #[command(subcommand)]
    Books(BooksCommand),
    /// Fitness tracker tools.
    #[command(subcommand)]
    Fitness(FitnessCommand),
    /// URL shortener tools.
    #[command(subcommand)]
    Shortener(ShortenerCommand),
    /// The caching proxy (the same as the `caching-proxy` command).
    #[command(
        after_help = "Examples:\n  groundwork proxy --port 3000 --origin http://dummyjson.com\n  groundwork proxy --clear-cache"
    )]
    Proxy(groundwork_proxy::cli::ProxyArgs),
    /// The broadcast server and its client (the same as the `broadcast-server` command).
    #[command(subcommand)]
    Broadcast(groundwork_broadcast::cli::BroadcastCommand),
    /// Real-time polls: watch a poll's tallies live, or vote from the terminal.
    #[command(subcommand)]
    Polls(groundwork_polls::cli::PollsCommand),
    /// Time tracking for freelancers (the same as the `freelance` command; `groundwork track
    /// --help` lists its commands).
    #[command(disable_help_flag = true)]
    Track {
        /// The `freelance` command's arguments, passed on unchanged.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<std::ffi::OsString>,
    },
    /// Database backups (the same as the `dbbackup` command; `groundwork backup --help` lists
    /// its commands).
    #[command(disable_help_flag = true)]
    Backup {
        /// The `dbbackup` command's arguments, passed on unchanged.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<std::ffi::OsString>,
    },
}

#[derive(Subcommand)]
pub enum BlogCommand {
    /// Fill a freshly migrated database with a large, deterministic data set (benchmarks).
    #[command(
        after_help = "Every seeded user (seed0@example.com, seed1@example.com, ...) has the password 'seed password'."
    )]
    Seed(SeedArgs),
}

#[derive(Args)]
pub struct SeedArgs {
    /// Users, each with a profile following 10 others.
    #[arg(long, default_value_t = 10_000)]
    pub users: usize,
    /// Articles, each with two tags.
    #[arg(long, default_value_t = 100_000)]
    pub articles: usize,
    /// Comments.
    #[arg(long, default_value_t = 500_000)]
    pub comments: usize,
    /// Favorites.
    #[arg(long, default_value_t = 1_000_000)]
    pub favorites: usize,
    /// Seed of the random choices (same seed, same data).
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}

/// `seed` for the systems whose rows belong to accounts (to-do items, expenses).
#[derive(Subcommand)]
pub enum SeedCommand {
    /// Fill a freshly migrated database with accounts and rows owned by them (benchmarks).
    #[command(
        after_help = "Every seeded user (seed0@example.com, seed1@example.com, ...) has the password 'seed password'."
    )]
    Seed(OwnedSeedArgs),
}

#[derive(Args)]
pub struct OwnedSeedArgs {
    /// Accounts.
    #[arg(long, default_value_t = 1_000)]
    pub users: usize,
    /// Rows, spread evenly over the accounts.
    #[arg(long, default_value_t = 100_000)]
    pub items: usize,
    /// Seed of the random choices (same seed, same data).
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}

#[derive(Subcommand)]
pub enum BooksCommand {
    /// Write a books file of generated books (benchmarks); refuses a non-empty file.
    Seed(BooksSeedArgs),
}

#[derive(Args)]
pub struct BooksSeedArgs {
    /// Books.
    #[arg(long, default_value_t = 100_000)]
    pub books: usize,
    /// Seed of the random choices (same seed, same data).
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}

#[derive(Subcommand)]
pub enum FitnessCommand {
    /// Give one account (seed0@example.com) years of training history (benchmarks).
    #[command(after_help = "The seeded user's password is 'seed password'.")]
    Seed(FitnessSeedArgs),
}

#[derive(Args)]
pub struct FitnessSeedArgs {
    /// Years of history, six workouts a week.
    #[arg(long, default_value_t = 5)]
    pub years: u32,
    /// Seed of the random choices (same seed, same data).
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}

#[derive(Subcommand)]
pub enum ShortenerCommand {
    /// Fill a freshly migrated database with anonymous links (benchmarks).
    Seed(ShortenerSeedArgs),
}

#[derive(Args)]
pub struct ShortenerSeedArgs {
    /// Links, each with a random code of `shortener.code_length` characters.
    #[arg(long, default_value_t = 1_000_000)]
    pub links: usize,
    /// Write the codes to this file, one per line.
    #[arg(long, value_name = "FILE")]
    pub codes: Option<std::path::PathBuf>,
}

#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080, or server.bind from config].
    #[arg(long, value_name = "ADDR")]
    pub bind: Option<SocketAddr>,
    /// Mount only these systems (comma-separated names).
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    pub only: Vec<String>,
    /// Mount a system somewhere other than its default path, as NAME=/PATH (repeatable).
    #[arg(long, value_name = "NAME=/PATH")]
    pub mount: Vec<String>,
    /// Apply pending migrations before serving, even on PostgreSQL.
    #[arg(long)]
    pub migrate: bool,
    /// Run no job workers in this process (separate `groundwork worker` processes do).
    #[arg(long)]
    pub no_workers: bool,
}

#[derive(Args)]
pub struct WorkerArgs {
    /// Take jobs only from these queues (comma-separated) [default: all, or worker.queues].
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    pub queues: Vec<String>,
    /// Jobs run at once [default: 16, or worker.concurrency].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=10000))]
    pub concurrency: Option<u16>,
    /// Jobs claimed ahead of free slots, started as slots free: more throughput for many
    /// short jobs, but claimed jobs wait here while other workers may be idle [default: 0,
    /// or worker.prefetch].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(0..=10000))]
    pub prefetch: Option<u16>,
    /// Serve Prometheus metrics (`GET /metrics`) and `GET /health` on this address.
    #[arg(long, value_name = "ADDR")]
    pub metrics_bind: Option<SocketAddr>,
}

#[derive(Args)]
pub struct MigrateArgs {
    /// Only list pending migrations.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Subcommand)]
pub enum UsersCommand {
    /// Create an account (use --admin for the first administrator).
    #[command(
        after_help = "Example:\n  groundwork users create --email admin@example.com --password 'long passphrase' --admin"
    )]
    Create(CreateUserArgs),
    /// Give an existing account the admin role.
    Promote(PromoteArgs),
}

#[derive(Args)]
pub struct CreateUserArgs {
    /// Email address of the new account.
    #[arg(long)]
    pub email: String,
    /// Password (or set GROUNDWORK_PASSWORD; or use --password-stdin).
    #[arg(
        long,
        env = "GROUNDWORK_PASSWORD",
        hide_env_values = true,
        required_unless_present = "password_stdin"
    )]
    pub password: Option<String>,
    /// Read the password from the first line of stdin (keeps it out of process listings).
    #[arg(long, conflicts_with = "password")]
    pub password_stdin: bool,
    /// Display name.
    #[arg(long)]
    pub name: Option<String>,
    /// Make the account an administrator.
    #[arg(long)]
    pub admin: bool,
    /// Print the account as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct PromoteArgs {
    /// Email address of the account.
    #[arg(long)]
    pub email: String,
}
