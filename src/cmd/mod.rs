//! The commands, one file each; `cli` turns arguments into calls here.

pub mod build;
pub mod check;
pub mod diff;
pub mod import;
pub mod init;
pub mod kit;
pub mod new;
pub mod release;
pub mod start;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use crate::source::County;

/// What the process should exit with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    /// Some schools failed or have errors; the others were built.
    ContentErrors,
}

/// The county repository: the one given, else `./content` when it has a county.yaml, else the
/// current folder.
pub fn resolve_root(root: Option<PathBuf>) -> PathBuf {
    root.unwrap_or_else(|| {
        let content = Path::new("content");
        if content.join("county.yaml").is_file() {
            content.to_path_buf()
        } else {
            PathBuf::from(".")
        }
    })
}

/// The ids of the schools `wanted` (every school when none is named), in the county's order; a
/// name that is not a school of the county is an error.
pub fn select<'c>(county: &'c County, wanted: &[String]) -> Result<Vec<&'c str>> {
    for id in wanted {
        if !county.schools.iter().any(|s| &s.id == id) {
            bail!(
                "no school `{id}` in `{}`",
                county.root.join("schools").display()
            );
        }
    }
    Ok(county
        .schools
        .iter()
        .map(|s| s.id.as_str())
        .filter(|id| wanted.is_empty() || wanted.iter().any(|w| w == id))
        .collect())
}

/// Colour for a reader at a terminal, unless they asked for none (https://no-color.org).
pub fn color() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}
