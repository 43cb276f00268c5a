//! `caching-proxy`: the roadmap's caching proxy CLI (see `groundwork_proxy::cli`).

use std::process::ExitCode;

use clap::Parser;

// mimalloc: the hit path allocates and frees small objects across threads (see
// docs/perf.md, where the same choice was measured for the API server).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The binary's arguments: the shared ones.
#[derive(Parser)]
#[command(name = "caching-proxy", version)]
struct Cli {
    #[command(flatten)]
    args: groundwork_proxy::cli::ProxyArgs,
}

fn main() -> ExitCode {
    groundwork_proxy::cli::main(Cli::parse().args)
}
