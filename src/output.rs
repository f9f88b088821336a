//! Writing the site: into a staging folder beside the target, then swapped in whole, so that a
//! failed or interrupted build never leaves a half-written site over the previous good one.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use rayon::prelude::*;

use crate::site::Artifact;

/// Writes `artifacts` as the new content of `out`. `keep` names folders (relative to the site
/// root) to carry over from the previous site when the new one lacks them: the pages of a school
/// that failed this time stay as they were.
pub fn write_site(out: &Path, artifacts: &[Artifact], keep: &[String]) -> Result<()> {
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent)
        .with_context(|| format!("failed to create `{}`", parent.display()))?;
    let name = out
        .file_name()
        .with_context(|| format!("`{}` is not a folder name", out.display()))?
        .to_string_lossy()
        .into_owned();
    let staging = parent.join(format!(".{name}.staging-{}", std::process::id()));
    let old = parent.join(format!(".{name}.old-{}", std::process::id()));
    let _ = fs::remove_dir_all(&staging);

    let result = write_files(&staging, artifacts).and_then(|()| {
        for dir in keep {
            let previous = out.join(dir);
            if previous.is_dir() && !staging.join(dir).exists() {
                copy_dir(&previous, &staging.join(dir))?;
            }
        }
        Ok(())
    });
    if let Err(e) = result {
        let _ = fs::remove_dir_all(&staging);
        return Err(e);
    }
    if out.exists() {
        fs::rename(out, &old).with_context(|| {
            format!("failed to move the previous site `{}` aside", out.display())
        })?;
    }
    if let Err(e) = fs::rename(&staging, out) {
        // Put the previous site back rather than leave nothing.
        let _ = fs::rename(&old, out);
        return Err(e)
            .with_context(|| format!("failed to move the new site into `{}`", out.display()));
    }
    let _ = fs::remove_dir_all(&old);
    Ok(())
}

/// Writes files below `dir` as they are, beside whatever is there (no staging).
pub fn write_files(dir: &Path, artifacts: &[Artifact]) -> Result<()> {
    fs::create_dir_all(dir).with_context(|| format!("failed to create `{}`", dir.display()))?;
    artifacts.par_iter().try_for_each(|a| {
        let path = dir.join(&a.path);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)
                .with_context(|| format!("failed to create `{}`", parent.display()))?;
        }
        fs::write(&path, &a.bytes).with_context(|| format!("failed to write `{}`", path.display()))
    })
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    fs::create_dir_all(to).with_context(|| format!("failed to create `{}`", to.display()))?;
    for entry in
        fs::read_dir(from).with_context(|| format!("failed to read `{}`", from.display()))?
    {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), &target)
                .with_context(|| format!("failed to copy `{}`", entry.path().display()))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn artifact(path: &str, text: &str) -> Artifact {
        Artifact {
            path: path.into(),
            bytes: text.as_bytes().to_vec(),
        }
    }

    #[test]
    fn replaces_the_site_whole_and_keeps_failed_schools() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        write_site(
            &out,
            &[
                artifact("index.html", "v1"),
                artifact("schools/a/index.html", "a1"),
                artifact("old.html", "x"),
            ],
            &[],
        )
        .unwrap();
        write_site(&out, &[artifact("index.html", "v2")], &["schools/a".into()]).unwrap();
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "v2");
        assert_eq!(
            fs::read_to_string(out.join("schools/a/index.html")).unwrap(),
            "a1"
        );
        assert!(!out.join("old.html").exists(), "stale files do not survive");
        let leftovers: Vec<_> = fs::read_dir(tmp.path()).unwrap().collect();
        assert_eq!(
            leftovers.len(),
            1,
            "no staging or old folder is left behind"
        );
    }
}
