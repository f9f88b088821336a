//! Watching the county repository: notify's events, debounced into one rebuild per save
//! (notify-debouncer-full), sorted by what changed.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use anyhow::{Context, Result};
use notify_debouncer_full::notify::{EventKind, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};

/// What a changed file is to the county.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    /// `schools/<id>.yaml` or one of `schools/<id>/overrides/*.md`.
    School(String),
    Chapter(PathBuf),
    Doc(PathBuf),
    Theme(PathBuf),
    Config,
    Schema(PathBuf),
}

/// Editors save in several steps (write a temporary file, rename it over the original, or delete
/// and recreate): a file's events closer than this to each other make one batch.
const QUIET: Duration = Duration::from_millis(40);

pub struct Watcher {
    // Dropping the debouncer stops the events.
    _debouncer: Debouncer<RecommendedWatcher, RecommendedCache>,
    events: Receiver<DebounceEventResult>,
    root: PathBuf,
    schemas: Option<PathBuf>,
}

impl Watcher {
    /// Watches the county repository (its config, plan, docs, schools and themes) and the
    /// `schemas/` folder, in the repository or beside it.
    pub fn new(root: &Path) -> Result<Watcher> {
        let root = root
            .canonicalize()
            .with_context(|| format!("failed to resolve `{}`", root.display()))?;
        let (tx, events) = mpsc::channel();
        let mut debouncer = new_debouncer(QUIET, None, move |batch| {
            let _ = tx.send(batch);
        })
        .context("failed to start watching files")?;
        debouncer
            .watch(&root, RecursiveMode::Recursive)
            .with_context(|| format!("failed to watch `{}`", root.display()))?;
        let schemas = root
            .parent()
            .map(|p| p.join("schemas"))
            .filter(|dir| dir.is_dir());
        if let Some(dir) = &schemas {
            debouncer
                .watch(dir, RecursiveMode::Recursive)
                .with_context(|| format!("failed to watch `{}`", dir.display()))?;
        }
        Ok(Watcher {
            _debouncer: debouncer,
            events,
            root,
            schemas,
        })
    }

    /// Blocks until a file of the county changed and that save is over. `None` when the
    /// watcher has stopped.
    pub fn next_batch(&self) -> Option<BTreeSet<Change>> {
        loop {
            let mut batch = BTreeSet::new();
            match self.events.recv().ok()? {
                Ok(events) => {
                    for event in events {
                        self.add(&event, &mut batch);
                    }
                }
                // A lost event (queue overflow) may hide any change: taken as a config change,
                // which reloads everything.
                Err(_) => {
                    batch.insert(Change::Config);
                }
            }
            if !batch.is_empty() {
                return Some(batch);
            }
        }
    }

    fn add(&self, event: &notify_debouncer_full::notify::Event, batch: &mut BTreeSet<Change>) {
        // Reads (ours included) are not changes.
        if matches!(event.kind, EventKind::Access(_)) {
            return;
        }
        for path in &event.paths {
            if let Some(change) = classify(&self.root, self.schemas.as_deref(), path) {
                batch.insert(change);
            }
        }
    }
}

/// What `path` is to the county at `root`; `None` for files no build reads and for editors'
/// swap, backup and temporary files.
pub fn classify(root: &Path, schemas: Option<&Path>, path: &Path) -> Option<Change> {
    if let Some(rel) = schemas.and_then(|dir| path.strip_prefix(dir).ok()) {
        return (!is_scratch(rel)).then(|| Change::Schema(path.to_path_buf()));
    }
    let rel = path.strip_prefix(root).ok()?;
    if is_scratch(rel) {
        return None;
    }
    let parts: Vec<&str> = rel
        .components()
        .map(|c| match c {
            Component::Normal(s) => s.to_str(),
            _ => None,
        })
        .collect::<Option<_>>()?;
    let md = |name: &str| name.ends_with(".md");
    Some(match parts.as_slice() {
        ["county.yaml"] => Change::Config,
        ["plan", name] if md(name) => Change::Chapter(path.to_path_buf()),
        ["docs", name] if md(name) => Change::Doc(path.to_path_buf()),
        ["schools", name] => Change::School(name.strip_suffix(".yaml")?.to_string()),
        ["schools", id, "overrides", name] if md(name) => Change::School(id.to_string()),
        ["themes", _, ..] => Change::Theme(path.to_path_buf()),
        ["schemas", _, ..] => Change::Schema(path.to_path_buf()),
        // A release: the county is read again with its editions.
        ["editions", _, ..] => Change::Config,
        _ => return None,
    })
}

/// Editors' scratch files: vim's `.x.swp` and `4913`, emacs' `#x#` and `.#x`, `x~` backups,
/// and anything in a hidden folder (`.git`).
fn is_scratch(rel: &Path) -> bool {
    let hidden_dir = rel
        .parent()
        .into_iter()
        .flat_map(Path::components)
        .any(|c| c.as_os_str().to_string_lossy().starts_with('.'));
    let name = rel
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    hidden_dir
        || name.starts_with('.')
        || name.starts_with('#')
        || name.ends_with('~')
        || name == "4913"
        || [".swp", ".swx", ".swo", ".tmp", ".bak", ".orig"]
            .iter()
            .any(|ext| name.ends_with(ext))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(rel: &str) -> Option<Change> {
        classify(
            Path::new("/c"),
            Some(Path::new("/s")),
            &Path::new("/c").join(rel),
        )
    }

    #[test]
    fn sorts_files_by_what_they_are_to_the_county() {
        assert_eq!(
            change("schools/a-es.yaml"),
            Some(Change::School("a-es".into()))
        );
        assert_eq!(
            change("schools/a-es/overrides/x.md"),
            Some(Change::School("a-es".into()))
        );
        assert_eq!(change("county.yaml"), Some(Change::Config));
        assert_eq!(change("editions/a-es/V1.0"), Some(Change::Config));
        assert_eq!(
            change("editions/a-es/.V1.0.staging-7/public/plan.pdf"),
            None
        );
        assert!(matches!(
            change("plan/01-basis.md"),
            Some(Change::Chapter(_))
        ));
        assert!(matches!(change("docs/x.md"), Some(Change::Doc(_))));
        assert!(matches!(
            change("themes/default/templates/school.html"),
            Some(Change::Theme(_))
        ));
        assert!(matches!(
            classify(
                Path::new("/c"),
                Some(Path::new("/s")),
                Path::new("/s/school.schema.yaml")
            ),
            Some(Change::Schema(_))
        ));
    }

    #[test]
    fn ignores_scratch_files_and_unread_files() {
        for rel in [
            "schools/.a-es.yaml.swp",
            "schools/a-es.yaml~",
            "schools/4913",
            "schools/#a-es.yaml#",
            "schools/.#a-es.yaml",
            "plan/01-basis.md.tmp",
            ".git/index",
            "public/index.html",
            "notes.txt",
            "schools/a-es/overrides/x.md.bak",
        ] {
            assert_eq!(change(rel), None, "{rel}");
        }
    }
}
