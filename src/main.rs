use std::process::ExitCode;

use clap::Parser;
use planpress::cli::{self, Cli};
use planpress::cmd::Outcome;

// Typst's layout allocates and frees small objects at a high rate: with jemalloc a county's
// PDFs take 12 % less CPU than with the system's allocator, at the same peak memory.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    match cli::run(Cli::parse()) {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::ContentErrors) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
