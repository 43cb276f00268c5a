//! `wsload`: the WebSocket load generator of `bench/broadcast.sh`.
//!
//! - `wsload idle`: opens many connections and holds them open, reading and discarding
//!   what arrives; with `--server-pid`, the server's resident memory before and after
//!   gives its memory per connection.
//! - `wsload fanout`: opens many receivers in one room, then one sender sends a few
//!   messages to the room; every receiver measures how long each message took to reach
//!   it. Sender and receivers share one process and one clock, so no clock sync is needed.
//!
//! Both print one JSON object on stdout; progress and errors go to stderr. The message
//! format is the broadcast server's (`{"type":"message","text":...}`); anything else
//! (joins, notices) is read and ignored, so a server that sends no joins works too.

mod conn;
mod fanout;
mod idle;
mod stats;

use clap::{Parser, Subcommand};

/// WebSocket load generator: idle connections and message fan-out.
#[derive(Parser)]
#[command(name = "wsload")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Open many connections and hold them (memory per connection).
    Idle(idle::IdleArgs),
    /// Send messages to a room of many receivers (delivery latency, all delivered).
    Fanout(fanout::FanoutArgs),
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let json = match Cli::parse().command {
        Command::Idle(args) => serde_json::to_string_pretty(&idle::run(args).await?)?,
        Command::Fanout(args) => serde_json::to_string_pretty(&fanout::run(args).await?)?,
    };
    println!("{json}");
    Ok(())
}
