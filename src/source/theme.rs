//! Theme files: the default theme is compiled into the binary, so `planpress` works from any
//! county repository; a county overrides any file by putting one at the same relative path under
//! its own `themes/<theme>/`.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use include_dir::{Dir, include_dir};

use crate::base::files;
use crate::base::hash::Fingerprint;

static DEFAULT_THEME: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

/// One theme file: where it came from (for error messages) and its bytes. Built-in files are
/// borrowed from the binary, not copied (the theme carries fonts of several megabytes).
#[derive(Debug, Clone)]
pub struct ThemeFile {
    pub origin: PathBuf,
    pub bytes: Cow<'static, [u8]>,
}

/// The theme as one set of files, county overrides laid over the built-in default.
#[derive(Debug, Clone, Default)]
pub struct Theme {
    files: BTreeMap<String, ThemeFile>,
}

impl Theme {
    /// The built-in theme, overlaid with `<root>/themes/<name>/` when that folder exists.
    pub fn load(root: &Path, name: &str) -> Result<Theme> {
        let mut theme = Theme::default();
        collect_embedded(&DEFAULT_THEME, &mut theme.files);
        let county_dir = root.join("themes").join(name);
        if county_dir.is_dir() {
            collect_dir(root, &county_dir, &mut theme.files)?;
        } else if name != "default" {
            anyhow::bail!(
                "theme `{name}` not found: expected a folder `{}`",
                county_dir.display()
            );
        }
        Ok(theme)
    }

    pub fn get(&self, path: &str) -> Option<&ThemeFile> {
        self.files.get(path)
    }

    /// Files below a folder of the theme, with paths relative to that folder.
    pub fn under<'a>(&'a self, folder: &'a str) -> impl Iterator<Item = (&'a str, &'a ThemeFile)> {
        self.files.iter().filter_map(move |(path, file)| {
            path.strip_prefix(folder)
                .and_then(|rest| rest.strip_prefix('/'))
                .map(|rest| (rest, file))
        })
    }

    /// What the files below `folder` are, for fingerprints: a county's own files by their
    /// bytes; built-in ones by name, since planpress's build identifies them.
    pub fn fingerprint(&self, folder: &str) -> String {
        let mut f = Fingerprint::new("theme");
        for (path, file) in self.under(folder) {
            f.add(path.as_bytes());
            if let Cow::Owned(bytes) = &file.bytes {
                f.add(bytes);
            }
        }
        f.finish()
    }

    /// The text of a theme file that must exist.
    pub fn text(&self, path: &str) -> Result<(&Path, &str)> {
        let file = self
            .get(path)
            .with_context(|| format!("the theme has no file `{path}`"))?;
        let text = std::str::from_utf8(&file.bytes)
            .with_context(|| format!("`{}` is not UTF-8", file.origin.display()))?;
        Ok((&file.origin, text))
    }
}

fn collect_embedded(dir: &Dir<'static>, out: &mut BTreeMap<String, ThemeFile>) {
    for file in dir.files() {
        let rel = file.path().to_string_lossy().replace('\\', "/");
        out.insert(
            rel.clone(),
            ThemeFile {
                origin: PathBuf::from("themes/default").join(&rel),
                bytes: Cow::Borrowed(file.contents()),
            },
        );
    }
    for sub in dir.dirs() {
        collect_embedded(sub, out);
    }
}

fn collect_dir(root: &Path, dir: &Path, out: &mut BTreeMap<String, ThemeFile>) -> Result<()> {
    for entry in files::files_below(dir, true)? {
        let path = entry.into_path();
        let rel = path
            .strip_prefix(dir)
            .expect("walked below dir")
            .to_string_lossy()
            .replace('\\', "/");
        let bytes = super::text::read_bytes(root, &path, super::text::THEME_FILE_LIMIT)?;
        out.insert(
            rel,
            ThemeFile {
                origin: path,
                bytes: Cow::Owned(bytes),
            },
        );
    }
    Ok(())
}
