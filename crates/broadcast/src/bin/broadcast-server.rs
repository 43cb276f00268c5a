//! `broadcast-server`: the roadmap's broadcast server CLI (see `groundwork_broadcast::cli`).

use std::process::ExitCode;

use clap::Parser;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Broadcast server: every message a client sends reaches every client in its room.
#[derive(Parser)]
#[command(name = "broadcast-server", version)]
struct Cli {
    #[command(subcommand)]
    command: groundwork_broadcast::cli::BroadcastCommand,
}

fn main() -> ExitCode {
    groundwork_broadcast::cli::main(Cli::parse().command)
}
