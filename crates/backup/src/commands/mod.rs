//! One module per command.

mod backup;
mod differential;
mod incremental;
mod list;
mod restore;
mod schedule;
mod verify;

use crate::cli::Command;
use crate::error::Result;
use crate::target::Target;

/// Runs a command; its output goes to stdout.
pub async fn run(command: Command) -> Result {
    match command {
        Command::TestConnection(args) => {
            let target = Target::from_args(&args)?;
            let version = target.check().await?;
            println!(
                "connected to {} (server version {version})",
                target.describe()
            );
            Ok(())
        }
        Command::Backup(args) => backup::backup(args).await,
        Command::Restore(args) => restore::restore(args).await,
        Command::List(args) => list::list(&args).await,
        Command::Verify(args) => verify::verify(args).await,
        Command::Schedule(args) => schedule::schedule(args).await,
    }
}
