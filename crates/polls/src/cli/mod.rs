//! `groundwork polls watch|vote`: the terminal client. It talks to a running server over
//! HTTP and WebSocket, like any other client would.

mod chart;
mod vote;
mod watch;

use std::path::PathBuf;

use anyhow::{Context, bail};

pub use vote::vote;
pub use watch::watch;

/// The polls client.
#[derive(clap::Subcommand, Debug)]
pub enum PollsCommand {
    /// Show a poll's tallies as a live bar chart, updated as votes arrive.
    #[command(
        after_help = "Examples:\n  groundwork polls watch 0193a5c2-…\n  groundwork polls watch 0193a5c2-… --server https://polls.example.com --plain"
    )]
    Watch(WatchArgs),
    /// Vote (or change your vote) in a poll.
    #[command(
        after_help = "OPTION is the option's number (1 = first), its label, or its id.\n\nExamples:\n  groundwork polls vote 0193a5c2-… 2\n  groundwork polls vote 0193a5c2-… Pizza\n  GROUNDWORK_TOKEN=$JWT groundwork polls vote 0193a5c2-… Sushi Tacos"
    )]
    Vote(VoteArgs),
}

/// Where the server is.
#[derive(clap::Args, Debug, Clone)]
pub struct ServerArgs {
    /// The server's base URL.
    #[arg(
        long,
        env = "GROUNDWORK_SERVER",
        default_value = "http://127.0.0.1:8080"
    )]
    pub server: String,
}

/// `watch` options.
#[derive(clap::Args, Debug)]
pub struct WatchArgs {
    /// The poll's id.
    pub poll: uuid::Uuid,
    /// The server.
    #[command(flatten)]
    pub server: ServerArgs,
    /// Print one line per update instead of the full-screen chart (the default when
    /// stdout is not a terminal).
    #[arg(long)]
    pub plain: bool,
}

/// `vote` options.
#[derive(clap::Args, Debug)]
pub struct VoteArgs {
    /// The poll's id.
    pub poll: uuid::Uuid,
    /// The option(s) to vote for: number (1 = first), label, or id.
    #[arg(required = true)]
    pub options: Vec<String>,
    /// The server.
    #[command(flatten)]
    pub server: ServerArgs,
    /// Vote as this signed-in user (an access token from /auth/login); without it you
    /// vote anonymously with a voter token kept in your config directory.
    #[arg(long, env = "GROUNDWORK_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
}

/// Runs a `polls` subcommand.
pub async fn run(command: PollsCommand) -> anyhow::Result<()> {
    match command {
        PollsCommand::Watch(args) => watch(&args).await,
        PollsCommand::Vote(args) => vote(&args).await,
    }
}

/// The server URL without a trailing slash, checked.
fn base_url(server: &str) -> anyhow::Result<String> {
    let url = url::Url::parse(server).with_context(|| format!("invalid --server {server:?}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        bail!("--server must be an http:// or https:// URL");
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// Where anonymous voter tokens are kept: `$XDG_CONFIG_HOME/groundwork/` or
/// `~/.config/groundwork/`.
fn config_dir() -> anyhow::Result<PathBuf> {
    if let Some(dir) = std::env::var_os("XDG_CONFIG_HOME").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir).join("groundwork"));
    }
    let home = std::env::var_os("HOME").context("neither XDG_CONFIG_HOME nor HOME is set")?;
    Ok(PathBuf::from(home).join(".config").join("groundwork"))
}
