//! `freelance`: the roadmap's time-tracking CLI (see `groundwork_freelance`).

use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    groundwork_freelance::main(std::env::args_os())
}
