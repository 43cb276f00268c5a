//! `dbbackup`: the roadmap's database backup utility (see `groundwork_backup`).

use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    groundwork_backup::main(std::env::args_os())
}
