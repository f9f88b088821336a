//! Which folders planpress may write a site into, and the clearing up after killed builds.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use super::{Manifest, parent};
use crate::base::files;
use crate::base::routes::Route;
use crate::source;

/// Refuses output folders that hold (or are) something else: the county repository or one of
/// its own folders (a site of its own inside it, as `public/`, is allowed: the county is read
/// from its named folders only), the current folder or one above it, a home folder.
pub(super) fn refuse_foreign_places(out: &Path, root: &Path) -> Result<()> {
    let target = resolved(out)?;
    let shown = out.display();
    let cwd = std::env::current_dir()
        .and_then(fs::canonicalize)
        .context("failed to read the current folder")?;
    let root = fs::canonicalize(root)
        .with_context(|| format!("failed to resolve `{}`", root.display()))?;
    let home_var = if cfg!(windows) { "USERPROFILE" } else { "HOME" };
    let home = std::env::var_os(home_var).and_then(|h| fs::canonicalize(h).ok());
    let county_folder = target
        .strip_prefix(&root)
        .ok()
        .and_then(|inside| inside.components().next())
        .map(|first| first.as_os_str().to_string_lossy().into_owned())
        .filter(|first| source::INPUTS.contains(&first.as_str()));
    let refusal = if target.parent().is_none() {
        Some("is the root of the file system".to_string())
    } else if target == cwd {
        Some("is the current folder".to_string())
    } else if home.as_ref() == Some(&target) {
        Some("is a home folder".to_string())
    } else if root.starts_with(&target) {
        Some(format!("holds the county repository `{}`", root.display()))
    } else if let Some(folder) = county_folder {
        Some(format!(
            "is the county's own `{folder}` in `{}`",
            root.display()
        ))
    } else if cwd.starts_with(&target) {
        Some("holds the current folder".to_string())
    } else {
        None
    };
    match refusal {
        Some(why) => bail!(
            "refusing to write the site into `{shown}`: it {why}. planpress replaces its output \
             folder whole, so it writes only into a folder of its own (absent, empty, or a site it \
             built), e.g. `--out public`; nothing was changed"
        ),
        None => Ok(()),
    }
}

/// The absolute, symlink-free form of a path that may not exist yet.
fn resolved(path: &Path) -> Result<PathBuf> {
    let absolute = std::path::absolute(path)
        .with_context(|| format!("failed to resolve `{}`", path.display()))?;
    // `..` after a folder that does not exist yet is resolved by name, as the OS will.
    let mut lexical = PathBuf::new();
    for part in absolute.components() {
        match part {
            std::path::Component::ParentDir => {
                lexical.pop();
            }
            std::path::Component::CurDir => {}
            other => lexical.push(other),
        }
    }
    let absolute = lexical;
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(real) = fs::canonicalize(existing) {
            let mut out = real;
            out.extend(rest.iter().rev());
            return Ok(out);
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => return Ok(absolute),
        }
    }
}

/// A site planpress may replace: absent, empty, or with a manifest listing every file in it.
pub(super) fn check_ownership(out: &Path) -> Result<Option<Manifest>> {
    if !out.exists() {
        return Ok(None);
    }
    if !out.is_dir() {
        bail!(
            "refusing to write the site into `{}`: it is a file; nothing was changed",
            out.display()
        );
    }
    let files = files_under(out)?;
    if files.is_empty() {
        return Ok(None);
    }
    let manifest = Manifest::read(out)?;
    let listed = |f: &String| {
        manifest
            .as_ref()
            .is_some_and(|m| m.files.contains_key(f) || *f == Route::Manifest.path())
    };
    let foreign: Vec<&String> = files.iter().filter(|f| !listed(f)).collect();
    if foreign.is_empty() {
        return Ok(manifest);
    }
    let shown: Vec<String> = foreign.iter().take(5).map(|f| format!("`{f}`")).collect();
    let more = match foreign.len() {
        n if n > 5 => format!(" and {} more", n - 5),
        _ => String::new(),
    };
    let why = if manifest.is_some() {
        "holds files that planpress did not write"
    } else {
        "is not a site planpress built (it has no manifest; planpress before 0.2 wrote none, so \
         remove a site an earlier version built and build again) and is not empty"
    };
    bail!(
        "refusing to write the site into `{}`: it {why}: {}{more}. planpress replaces its output \
         folder whole; move these files away or choose another --out. Nothing was changed",
        out.display(),
        shown.join(", ")
    )
}

/// Every file below `dir` (symbolic links included), as site paths.
fn files_under(dir: &Path) -> Result<Vec<String>> {
    Ok(files::files_below(dir, false)?
        .iter()
        .map(|entry| {
            let rel = entry.path().strip_prefix(dir).expect("walked below dir");
            rel.components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/")
        })
        .collect())
}

/// After a build that was killed: the previous site put back if the kill came between the two
/// renames of the swap, and the staging and old folders removed. Also clears the folders that
/// planpress versions before the work folder left beside the site.
pub(super) fn recover(out: &Path, work: &Path) -> Result<()> {
    let name = out
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    // Ours, and those that versions before the work folder left beside the site.
    let mut stagings = Vec::new();
    let mut olds = Vec::new();
    for (dir, staging, old) in [
        (
            work.to_path_buf(),
            "staging-".to_string(),
            "old-".to_string(),
        ),
        (
            parent(out),
            format!(".{name}.staging-"),
            format!(".{name}.old-"),
        ),
    ] {
        for entry in
            fs::read_dir(&dir).with_context(|| format!("failed to read `{}`", dir.display()))?
        {
            let path = entry?.path();
            let file = path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            if !path.is_dir() {
                continue;
            }
            if file.starts_with(&staging) {
                stagings.push(path);
            } else if file.starts_with(&old) {
                olds.push(path);
            }
        }
    }
    // A kill between the two renames of a swap left the previous site aside: put back the
    // newest, ours before an earlier version's.
    olds.sort_by_key(|dir| {
        (
            dir.starts_with(work),
            fs::metadata(dir).and_then(|m| m.modified()).ok(),
        )
    });
    if !out.exists()
        && let Some(old) = olds.pop()
    {
        fs::rename(&old, out).with_context(|| format!("failed to restore `{}`", out.display()))?;
    }
    for dir in stagings.iter().chain(&olds) {
        fs::remove_dir_all(dir).with_context(|| format!("failed to remove `{}`", dir.display()))?;
    }
    Ok(())
}
