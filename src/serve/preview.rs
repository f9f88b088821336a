//! The previewed site: one [`Engine`] over the county, its pages in memory, the problems of the
//! last build, and the PDFs compiled so far. A save re-renders what it touched: a school's file
//! that school and the county pages that list it; a shared file reloads the county. A PDF
//! request compiles that school only. A failed school or county keeps its last good pages.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use anyhow::Result;

use super::labels;
use super::reload::{self, Problem};
use super::watch::Change;
use crate::base::diagnostics::SourceError;
use crate::base::routes;
use crate::base::routes::Output;
use crate::engine::{Engine, Failure, SchoolOptions};
use crate::model::Profile;
use crate::render::PdfScope;

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
    profile: Profile,
    /// `--school`: only these are built (all when empty).
    selected: Vec<String>,
    engine: RwLock<Option<Engine>>,
    /// The county did not load or render at the last try: the next change reloads it whole.
    county_broken: Mutex<bool>,
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

/// A school's pages, or why it failed.
type SchoolPages = Result<Vec<Output>, Vec<SourceError>>;

/// The pages a rebuild made, to lay over the served ones.
struct Merge {
    files: Vec<Output>,
    /// The schools rebuilt (or deleted); `None` for a full rebuild.
    replaced: Option<BTreeSet<String>>,
    /// The schools that failed, with the first reason.
    failed: BTreeMap<String, String>,
    problems: Vec<(String, Vec<Problem>)>,
}

impl Preview {
    pub fn new(root: PathBuf, selected: Vec<String>, profile: Profile) -> Preview {
        Preview {
            root,
            profile,
            selected,
            engine: RwLock::new(None),
            county_broken: Mutex::new(false),
            pages: RwLock::new(Pages::default()),
            county_problems: Mutex::new(Vec::new()),
            school_problems: Mutex::new(BTreeMap::new()),
            pdfs: Mutex::new(HashMap::new()),
            pdf_epoch: AtomicU64::new(0),
        }
    }

    /// `f` over the loaded county's engine, while no rebuild changes it; none before the first.
    pub fn with_engine<T>(&self, f: impl FnOnce(&Engine) -> T) -> Option<T> {
        self.engine.read().expect("not poisoned").as_ref().map(f)
    }

    pub fn pages(&self) -> std::sync::RwLockReadGuard<'_, Pages> {
        self.pages.read().expect("not poisoned")
    }

    /// The first build.
    pub fn build_all(&self) -> Rebuild {
        self.rebuild(None, "initial build".into())
    }

    /// Rebuilds what a batch of changes touched.
    pub fn apply(&self, batch: &BTreeSet<Change>) -> Rebuild {
        let shared: Vec<String> = batch
            .iter()
            .filter_map(|c| match c {
                Change::Chapter(p) | Change::Doc(p) | Change::Theme(p) | Change::Schema(p) => {
                    Some(self.relative(p))
                }
                Change::Config => Some("county.yaml".to_string()),
                Change::School(_) => None,
            })
            .collect();
        let broken = *self.county_broken.lock().expect("not poisoned");
        if !shared.is_empty() {
            self.rebuild(None, format!("{} changed", shared.join(", ")))
        } else if broken {
            self.rebuild(None, "county reloaded after its error".into())
        } else {
            let ids: BTreeSet<String> = batch
                .iter()
                .filter_map(|c| match c {
                    Change::School(id) => Some(id.clone()),
                    _ => None,
                })
                .collect();
            let list = ids.iter().cloned().collect::<Vec<_>>().join(", ");
            self.rebuild(
                Some(ids),
                format!("school {list} changed: rebuilt it and the county pages"),
            )
        }
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

    /// `schools`: the schools whose files changed; `None` reloads the county.
    fn rebuild(&self, schools: Option<BTreeSet<String>>, why: String) -> Rebuild {
        let started = Instant::now();
        let what = match &schools {
            Some(_) => why,
            None => format!("{why}: rebuilt {}", self.selection()),
        };
        let result = match schools {
            Some(ids) => self.rebuild_schools(ids),
            None => self.rebuild_all(),
        };
        let (changed, problems_changed) = match result {
            Ok(merge) => {
                *self.county_broken.lock().expect("not poisoned") = false;
                self.merge(merge)
            }
            Err(e) => {
                *self.county_broken.lock().expect("not poisoned") = true;
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

    fn previewed(&self, id: &str) -> bool {
        self.selected.is_empty() || self.selected.iter().any(|s| s == id)
    }

    fn rebuild_all(&self) -> Result<Merge> {
        let mut guard = self.engine.write().expect("not poisoned");
        self.drop_pdfs(None);
        // Fonts and the Typst library outlive a reload when the theme's fonts did not change;
        // a county that fails to load leaves the last good one in place.
        match guard.as_mut() {
            Some(engine) => engine.reload()?,
            None => *guard = Some(Engine::load(&self.root, self.profile)?),
        }
        let engine = guard.as_ref().expect("loaded above");
        let ids: Vec<String> = engine
            .county()
            .schools
            .iter()
            .map(|s| s.id.clone())
            .filter(|id| self.previewed(id))
            .collect();
        self.render(engine, ids, None)
    }

    fn rebuild_schools(&self, ids: BTreeSet<String>) -> Result<Merge> {
        let mut guard = self.engine.write().expect("not poisoned");
        let engine = guard.as_mut().expect("a county is loaded");
        let mut shared_changed = false;
        for id in &ids {
            shared_changed |= engine.reload_school(id)?;
        }
        // Every school's PDF appends the shared documents, which list every school.
        self.drop_pdfs((!shared_changed).then_some(&ids));
        let engine = &*engine;
        let targets: Vec<String> = ids
            .iter()
            .filter(|id| self.previewed(id) && engine.report(id).is_some())
            .cloned()
            .collect();
        self.render(engine, targets, Some(ids))
    }

    /// Renders `ids` and the county pages (a school outside the preview, or a deleted one,
    /// still shows in them).
    fn render(
        &self,
        engine: &Engine,
        ids: Vec<String>,
        replaced: Option<BTreeSet<String>>,
    ) -> Result<Merge> {
        let results: Mutex<Vec<(String, SchoolPages)>> = Mutex::new(Vec::new());
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        engine.build_all(&ids, SchoolOptions::default(), None, |id, built| {
            let pages = match built {
                Ok(files) => Ok(files.fresh),
                Err(Failure::School(errors)) => Err(errors),
                // The theme fails every school: shown as the county's problem.
                Err(Failure::Theme(e)) => return Err(e.into()),
            };
            results
                .lock()
                .expect("not poisoned")
                .push((id.to_string(), pages));
            Ok(())
        })?;
        // By id, so that the overlay lists problems the same way every time.
        let mut results = results.into_inner().expect("not poisoned");
        results.sort_by(|a, b| a.0.cmp(&b.0));
        let mut files = Vec::new();
        let mut failed = BTreeMap::new();
        let mut problems = Vec::new();
        for (id, result) in results {
            let mut own: Vec<Problem> = Vec::new();
            match result {
                Ok(outputs) => files.extend(outputs),
                Err(errors) => {
                    own.extend(errors.iter().map(Problem::from));
                    let reason = errors.first().map(ToString::to_string).unwrap_or_default();
                    failed.insert(id.clone(), reason);
                }
            }
            if let Some(report) = engine.report(&id) {
                own.extend(reload::schema_problems(report));
            }
            if !own.is_empty() {
                problems.push((id, own));
            }
        }
        // Schools with pages once this merge is done: the ones rendered now, and the others
        // already served (a failed one keeps its last good pages).
        let served = self.pages();
        let mut has_page: BTreeSet<String> = served
            .files
            .keys()
            .filter_map(|p| routes::school_of(p).map(str::to_string))
            .filter(|id| match &replaced {
                None => failed.contains_key(id),
                Some(ids) => !ids.contains(id) || failed.contains_key(id),
            })
            .collect();
        drop(served);
        has_page.extend(
            files
                .iter()
                .filter_map(|o| o.route.school().map(str::to_string)),
        );
        files.extend(engine.county_pages(false, &|id| has_page.contains(id), &failed)?);
        Ok(Merge {
            files,
            replaced,
            failed,
            problems,
        })
    }

    /// Lays a build over the served pages and returns the paths that changed and whether the
    /// problems did.
    fn merge(&self, merge: Merge) -> (Vec<String>, bool) {
        let Merge {
            files: built,
            replaced,
            failed,
            problems,
        } = merge;
        self.county_problems.lock().expect("not poisoned").clear();
        {
            let mut schools = self.school_problems.lock().expect("not poisoned");
            match &replaced {
                None => schools.clear(),
                Some(ids) => schools.retain(|id, _| !ids.contains(id)),
            }
            schools.extend(problems);
        }
        let mut pages = self.pages.write().expect("not poisoned");
        let old = std::mem::take(&mut pages.files);
        // A failed school keeps its last good pages; a school rebuilt or deleted loses its old
        // ones; a full rebuild keeps nothing else.
        let mut files: HashMap<String, Bytes> = old
            .iter()
            .filter(|(path, _)| match (&replaced, routes::school_of(path)) {
                (None, Some(id)) => failed.contains_key(id),
                (None, None) => false,
                (Some(ids), Some(id)) => !ids.contains(id) || failed.contains_key(id),
                (Some(_), None) => true,
            })
            .map(|(p, b)| (p.clone(), b.clone()))
            .collect();
        // A failed school brings no files, so nothing below replaces its last good pages.
        files.extend(
            built
                .into_iter()
                .map(|o| (o.route.path(), Arc::new(o.bytes))),
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
        if let Some(engine) = self.engine.read().expect("not poisoned").as_ref() {
            problems
                .iter_mut()
                .for_each(|p| labels::fill(&engine.county().schema, p));
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

    /// One of a school's PDFs (its plan, its forms, the internal copy's bundle), by site path,
    /// compiled on the first request after the school (or anything shared) changed, then kept.
    /// The plan alone is typeset for the plan (what a school previews most); the forms' PDF
    /// or the bundle typesets everything and keeps it all. `None` when there is no such school or
    /// file.
    pub fn pdf(&self, id: &str, path: &str) -> Option<Result<Bytes, Vec<Problem>>> {
        if let Some(pdf) = self
            .pdfs
            .lock()
            .expect("not poisoned")
            .get(id)
            .and_then(|files| files.get(path))
        {
            return Some(Ok(pdf.clone()));
        }
        let scope = match routes::Route::parse(path) {
            Some(routes::Route::PlanPdf(_)) => PdfScope::Plan,
            // A released edition's PDFs are what was released: read, never compiled.
            Some(routes::Route::EditionFile {
                school,
                version,
                file,
            }) => {
                let guard = self.engine.read().expect("not poisoned");
                let bytes = guard.as_ref()?.edition_file(&school, &version, &file)?;
                return Some(Ok(Arc::new(bytes)));
            }
            _ => PdfScope::Everything,
        };
        let epoch = self.pdf_epoch.load(Ordering::SeqCst);
        let guard = self.engine.read().expect("not poisoned");
        let engine = guard.as_ref()?;
        engine.report(id)?;
        let compiled = engine.compile_pdfs(id, scope);
        drop(guard);
        let files: HashMap<String, Bytes> = match compiled {
            Ok(outputs) => outputs
                .into_iter()
                .map(|o| (o.route.path(), Arc::new(o.bytes)))
                .collect(),
            Err(problems) => return Some(Err(problems.iter().map(Problem::from).collect())),
        };
        let wanted = files.get(path).cloned();
        let mut pdfs = self.pdfs.lock().expect("not poisoned");
        if self.pdf_epoch.load(Ordering::SeqCst) == epoch {
            pdfs.entry(id.to_string()).or_default().extend(files);
        }
        wanted.map(Ok)
    }
}
