//! The previewed site: the loaded county, its pages in memory, the problems of the last build,
//! and the PDFs compiled so far. Rebuilds replace only what a change touches; a failed school or
//! county keeps its last good pages.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use anyhow::Result;

use super::labels;
use super::reload::{self, Problem};
use super::watch::Change;
use crate::load::{self, County};
use crate::site::{self, BuildOptions, SiteBuild};

pub type Bytes = Arc<Vec<u8>>;

/// What is served: pages by site path, the problems shown over them, and a version that counts
/// the rebuilds that changed anything.
#[derive(Default)]
pub struct Pages {
    pub files: HashMap<String, Bytes>,
    pub version: u64,
    pub problems: Vec<Problem>,
}

pub struct Preview {
    root: PathBuf,
    /// `--school`: only these are built (all when empty).
    selected: Vec<String>,
    county: RwLock<Option<County>>,
    pages: RwLock<Pages>,
    county_problems: Mutex<Vec<Problem>>,
    school_problems: Mutex<BTreeMap<String, Vec<Problem>>>,
    /// By school: every PDF of its last compile (plan, forms, bundle), by site path.
    pdfs: Mutex<HashMap<String, HashMap<String, Bytes>>>,
    /// Bumped whenever cached PDFs are dropped, so that a compile that started before a change
    /// does not store its stale result.
    pdf_epoch: AtomicU64,
}

/// What a rebuild did, for the terminal and the pages.
pub struct Rebuild {
    pub what: String,
    pub millis: u128,
    pub changed: Vec<String>,
    pub problems_changed: bool,
    pub version: u64,
    pub problems: Vec<Problem>,
}

/// Which schools a batch of changes needs rebuilt.
enum Scope {
    Schools(BTreeSet<String>),
    All(String),
}

impl Preview {
    pub fn new(root: PathBuf, selected: Vec<String>) -> Preview {
        Preview {
            root,
            selected,
            county: RwLock::new(None),
            pages: RwLock::new(Pages::default()),
            county_problems: Mutex::new(Vec::new()),
            school_problems: Mutex::new(BTreeMap::new()),
            pdfs: Mutex::new(HashMap::new()),
            pdf_epoch: AtomicU64::new(0),
        }
    }

    pub fn pages(&self) -> std::sync::RwLockReadGuard<'_, Pages> {
        self.pages.read().expect("not poisoned")
    }

    /// The first build.
    pub fn build_all(&self) -> Rebuild {
        self.rebuild(Scope::All("initial build".into()))
    }

    /// Rebuilds what a batch of changes touched: one school's file re-renders that school and
    /// the county pages that list it; anything shared reloads the county and re-renders the
    /// previewed schools.
    pub fn apply(&self, batch: &BTreeSet<Change>) -> Rebuild {
        let shared = batch
            .iter()
            .filter(|c| !matches!(c, Change::School(_)))
            .map(|c| match c {
                Change::Chapter(p) | Change::Doc(p) | Change::Theme(p) | Change::Schema(p) => {
                    self.relative(p)
                }
                Change::Config => "county.yaml".to_string(),
                Change::School(_) => unreachable!("filtered out"),
            })
            .collect::<Vec<_>>();
        let county_broken = self.county.read().expect("not poisoned").is_none()
            || !self
                .county_problems
                .lock()
                .expect("not poisoned")
                .is_empty();
        let scope = if !shared.is_empty() {
            Scope::All(format!("{} changed", shared.join(", ")))
        } else if county_broken {
            Scope::All("county reloaded after its error".into())
        } else {
            Scope::Schools(
                batch
                    .iter()
                    .filter_map(|c| match c {
                        Change::School(id) => Some(id.clone()),
                        _ => None,
                    })
                    .collect(),
            )
        };
        self.rebuild(scope)
    }

    fn relative(&self, path: &std::path::Path) -> String {
        let root = self
            .root
            .canonicalize()
            .unwrap_or_else(|_| self.root.clone());
        path.strip_prefix(&root)
            .unwrap_or(path)
            .display()
            .to_string()
    }

    fn rebuild(&self, scope: Scope) -> Rebuild {
        let started = Instant::now();
        let (what, result) = match scope {
            Scope::All(why) => (
                format!("{why}: rebuilt {}", self.selection()),
                self.rebuild_all(),
            ),
            Scope::Schools(ids) => {
                let list = ids.iter().cloned().collect::<Vec<_>>().join(", ");
                (
                    format!("school {list} changed: rebuilt it and the county pages"),
                    self.rebuild_schools(&ids),
                )
            }
        };
        let (changed, problems_changed) = match result {
            Ok(merge) => self.merge(merge),
            Err(e) => {
                *self.county_problems.lock().expect("not poisoned") = reload::error_problems(&e);
                (Vec::new(), self.refresh_problems())
            }
        };
        let pages = self.pages();
        Rebuild {
            what,
            millis: started.elapsed().as_millis(),
            changed,
            problems_changed,
            version: pages.version,
            problems: pages.problems.clone(),
        }
    }

    fn selection(&self) -> String {
        if self.selected.is_empty() {
            "every school".into()
        } else {
            self.selected.join(", ")
        }
    }

    fn options(&self, schools: Vec<String>) -> BuildOptions {
        BuildOptions {
            schools,
            pdf: false,
            emit_typst: false,
        }
    }

    fn rebuild_all(&self) -> Result<Merge> {
        let county = load::load(&self.root)?;
        // Keep the county that now stands on disk even if it does not render: the next change
        // builds from it.
        let build = site::build(&county, &self.options(self.selected.clone()));
        *self.county.write().expect("not poisoned") = Some(county);
        self.drop_pdfs(None);
        Ok(Merge {
            build: build?,
            replaced: None,
        })
    }

    fn rebuild_schools(&self, ids: &BTreeSet<String>) -> Result<Merge> {
        let mut guard = self.county.write().expect("not poisoned");
        let county = guard.as_mut().expect("a county is loaded");
        for id in ids {
            load::reload_school(county, id)?;
        }
        let present = |id: &String| county.schools.iter().any(|s| &s.id == id);
        let previewed = |id: &String| self.selected.is_empty() || self.selected.contains(id);
        let mut targets: Vec<String> = ids
            .iter()
            .filter(|id| present(id) && previewed(id))
            .cloned()
            .collect();
        if targets.is_empty() {
            // A school outside the preview (or a deleted one) still shows in the county pages:
            // re-render them with the previewed schools.
            targets = self.selected.clone();
        }
        let build = site::build(county, &self.options(targets))?;
        drop(guard);
        self.drop_pdfs(Some(ids));
        Ok(Merge {
            build,
            replaced: Some(ids.clone()),
        })
    }

    /// Lays a build over the served pages and returns the paths that changed and whether the
    /// problems did.
    fn merge(&self, merge: Merge) -> (Vec<String>, bool) {
        let Merge { build, replaced } = merge;
        self.county_problems.lock().expect("not poisoned").clear();
        {
            let mut schools = self.school_problems.lock().expect("not poisoned");
            match &replaced {
                None => schools.clear(),
                Some(ids) => schools.retain(|id, _| !ids.contains(id)),
            }
            schools.extend(reload::build_problems(&build));
        }
        let failed: BTreeSet<&str> = build.failed().map(|(id, _)| id).collect();
        let mut pages = self.pages.write().expect("not poisoned");
        let old = std::mem::take(&mut pages.files);
        let school_of = |path: &str| {
            path.strip_prefix("schools/")
                .and_then(|rest| rest.split_once('/'))
                .map(|(id, _)| id.to_string())
        };
        // A failed school keeps its last good pages; a school rebuilt or deleted loses its old
        // ones; a full rebuild keeps nothing else.
        let mut files: HashMap<String, Bytes> = old
            .iter()
            .filter(|(path, _)| match (&replaced, school_of(path)) {
                (None, Some(id)) => failed.contains(id.as_str()),
                (None, None) => false,
                (Some(ids), Some(id)) => !ids.contains(&id) || failed.contains(id.as_str()),
                (Some(_), None) => true,
            })
            .map(|(p, b)| (p.clone(), b.clone()))
            .collect();
        // A failed school brings no files, so nothing below replaces its last good pages.
        files.extend(
            build
                .artifacts
                .into_iter()
                .map(|a| (a.path, Arc::new(a.bytes))),
        );
        let mut changed: Vec<String> = files
            .iter()
            .filter(|(path, bytes)| old.get(*path) != Some(*bytes))
            .map(|(path, _)| path.clone())
            .chain(old.keys().filter(|p| !files.contains_key(*p)).cloned())
            .collect();
        changed.sort();
        pages.files = files;
        if !changed.is_empty() {
            pages.version += 1;
        }
        drop(pages);
        let problems_changed = self.refresh_problems();
        (changed, problems_changed)
    }

    /// Recomputes the overlay's list; true when it changed (and with it every page).
    fn refresh_problems(&self) -> bool {
        let mut problems = self.county_problems.lock().expect("not poisoned").clone();
        problems.extend(
            self.school_problems
                .lock()
                .expect("not poisoned")
                .values()
                .flatten()
                .cloned(),
        );
        if let Some(county) = self.county.read().expect("not poisoned").as_ref() {
            problems
                .iter_mut()
                .for_each(|p| labels::fill(&county.schema, p));
        }
        let mut pages = self.pages.write().expect("not poisoned");
        if pages.problems == problems {
            return false;
        }
        pages.problems = problems;
        pages.version += 1;
        true
    }

    fn drop_pdfs(&self, schools: Option<&BTreeSet<String>>) {
        let mut pdfs = self.pdfs.lock().expect("not poisoned");
        match schools {
            None => pdfs.clear(),
            Some(ids) => pdfs.retain(|id, _| !ids.contains(id)),
        }
        self.pdf_epoch.fetch_add(1, Ordering::SeqCst);
    }

    /// One of a school's PDFs (its plan, a form, the bundle), by site path: all of them are
    /// compiled on the first request after the school (or anything shared) changed, then kept.
    /// `None` when there is no such school or file.
    pub fn pdf(&self, id: &str, path: &str) -> Option<Result<Bytes, Vec<Problem>>> {
        if let Some(files) = self.pdfs.lock().expect("not poisoned").get(id) {
            return files.get(path).cloned().map(Ok);
        }
        let epoch = self.pdf_epoch.load(Ordering::SeqCst);
        let county = self.county.read().expect("not poisoned");
        let county = county.as_ref()?;
        county.schools.iter().find(|s| s.id == id)?;
        let options = BuildOptions {
            schools: vec![id.to_string()],
            pdf: true,
            emit_typst: false,
        };
        let build = match site::build(county, &options) {
            Ok(build) => build,
            Err(e) => return Some(Err(reload::error_problems(&e))),
        };
        if let Some((_, problems)) = build.failed().next() {
            return Some(Err(problems.iter().map(Problem::from).collect()));
        }
        let files: HashMap<String, Bytes> = build
            .artifacts
            .into_iter()
            .filter(|a| a.path.ends_with(".pdf"))
            .map(|a| (a.path, Arc::new(a.bytes)))
            .collect();
        let wanted = files.get(path).cloned();
        let mut pdfs = self.pdfs.lock().expect("not poisoned");
        if self.pdf_epoch.load(Ordering::SeqCst) == epoch {
            pdfs.insert(id.to_string(), files);
        }
        wanted.map(Ok)
    }
}

struct Merge {
    build: SiteBuild,
    /// The schools rebuilt (or deleted); `None` for a full rebuild.
    replaced: Option<BTreeSet<String>>,
}
