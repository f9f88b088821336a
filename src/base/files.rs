//! Listing folders (walkdir): sorted by name, so that what planpress reads and writes never
//! depends on the order a file system happens to return; and writing a file whole at once.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use walkdir::{DirEntry, WalkDir};

/// The entries directly in `dir`, sorted by name; a symbolic link is taken as what it points to.
pub fn children(dir: &Path) -> Result<Vec<DirEntry>> {
    collect(
        WalkDir::new(dir)
            .min_depth(1)
            .max_depth(1)
            .follow_links(true),
        dir,
    )
}

/// Every file below `dir` at any depth, sorted by name within each folder. With `follow_links`
/// a link to a folder is walked (a loop is an error); without, a link is listed as itself.
pub fn files_below(dir: &Path, follow_links: bool) -> Result<Vec<DirEntry>> {
    let walk = WalkDir::new(dir).min_depth(1).follow_links(follow_links);
    let mut files = collect(walk, dir)?;
    files.retain(|e| !e.file_type().is_dir());
    Ok(files)
}

fn collect(walk: WalkDir, dir: &Path) -> Result<Vec<DirEntry>> {
    walk.sort_by_file_name()
        .into_iter()
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("failed to read `{}`", dir.display()))
}
/// Writes `bytes` over `target` at once: a reader sees the old file or the new, never half.
pub fn write_atomically(target: &Path, bytes: &[u8]) -> Result<()> {
    let mut partial = target.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    let written = fs::write(&partial, bytes)
        .and_then(|()| fs::rename(&partial, target))
        .with_context(|| format!("failed to write `{}`", target.display()));
    if written.is_err() {
        let _ = fs::remove_file(&partial);
    }
    written
}
