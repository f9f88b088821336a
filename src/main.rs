use std::process::ExitCode;

use clap::Parser;
use planpress::cli::{self, Cli};
use planpress::cmd::Outcome;

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
