//! The commands, one file each; `cli` turns arguments into calls here.

pub mod build;
pub mod check;
pub mod diff;
pub mod new;
pub mod release;

use std::path::{Path, PathBuf};

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
