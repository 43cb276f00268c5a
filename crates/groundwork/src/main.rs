//! The `groundwork` binary: `serve` runs every system's HTTP API on one port; `migrate`,
//! `users` and `openapi` manage and describe a deployment. Exit codes: 0 success,
//! 1 failure, 2 usage error.

mod cli;
mod commands;
mod systems;

use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command, UsersCommand};

// mimalloc instead of the system allocator: request handling allocates and frees many
// small objects across threads, where glibc malloc spent about 15% of a list request's CPU
// (perf, bench/blog.sh); see docs/perf.md for the measured difference.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// An error in how the command was invoked (exit code 2), as opposed to a failure while
/// doing the work (exit code 1).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The proxy and the broadcast server are standalone tools with their own runtime and
    // log settings.
    let cli = match cli.command {
        Command::Proxy(args) => return groundwork_proxy::cli::main(args),
        Command::Broadcast(command) => return groundwork_broadcast::cli::main(command),
        Command::Track { args } => {
            let program = std::ffi::OsString::from("groundwork track");
            return groundwork_freelance::main(std::iter::once(program).chain(args));
        }
        Command::Backup { args } => {
            let program = std::ffi::OsString::from("groundwork backup");
            return groundwork_backup::main(std::iter::once(program).chain(args));
        }
        command => Cli { command },
    };
    // rustls needs one process-wide crypto provider when more than one is compiled in.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let _logs =
        groundwork_platform::telemetry::init(groundwork_platform::telemetry::LogFormat::from_env());
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve(args) => commands::serve::run(args).await,
            Command::Worker(args) => commands::worker::run(args).await,
            Command::Migrate(args) => commands::migrate::run(args).await,
            Command::Users(UsersCommand::Create(args)) => commands::users::create(args).await,
            Command::Users(UsersCommand::Promote(args)) => commands::users::promote(args).await,
            Command::Openapi => commands::openapi::run().await,
            Command::Blog(cli::BlogCommand::Seed(args)) => commands::blog::seed(args).await,
            Command::Todo(cli::SeedCommand::Seed(args)) => commands::seed::todo(args).await,
            Command::Expenses(cli::SeedCommand::Seed(args)) => commands::seed::expenses(args).await,
            Command::Books(cli::BooksCommand::Seed(args)) => commands::seed::books(args).await,
            Command::Shortener(cli::ShortenerCommand::Seed(args)) => {
                commands::seed::shortener(args).await
            }
            Command::Fitness(cli::FitnessCommand::Seed(args)) => {
                commands::seed::fitness(args).await
            }
            Command::Polls(command) => groundwork_polls::cli::run(command).await,
            Command::Proxy(_)
            | Command::Broadcast(_)
            | Command::Track { .. }
            | Command::Backup { .. } => {
                unreachable!("handled before the runtime starts")
            }
        }
    });
    // Stop the runtime first so nothing logs after the log writer has flushed.
    drop(runtime);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            if error.downcast_ref::<UsageError>().is_some() {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}
