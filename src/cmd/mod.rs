//! The commands, one file each; `cli` turns arguments into calls here.

pub mod build;
pub mod check;
pub mod diff;
pub mod export;
pub mod import;
pub mod init;
pub mod kit;
pub mod new;
pub mod release;
pub mod start;

use std::io::IsTerminal;

/// What the process should exit with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    /// Some schools failed or have errors; the others were built.
    ContentErrors,
}

/// Colour for a reader at a terminal, unless they asked for none (https://no-color.org).
pub fn color() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}
