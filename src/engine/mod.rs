//! The engine: one county loaded, and everything that is built once for all its schools held
//! for as long as the process lives: the county's text and the theme's templates compiled, every
//! school validated, the shared documents resolved, Typst's library and fonts. `build` asks it
//! for every school, `serve` for one school again after a save and for one school's PDFs.
//!
//! Each school's outputs are keyed by a fingerprint of everything they depend on; with a
//! [`Cache`], an output whose fingerprint is unchanged is reused, never made again.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use anyhow::Result;
use rayon::prelude::*;

mod released;
mod typesetting;

use typesetting::pdf_outputs;

use crate::cache::{Cache, Cached, Fingerprint};
use crate::config::Site;
use crate::dashboard;
use crate::diagnostics::SourceError;
use crate::editions::{self, Drift, Release, ReleaseStatus, Store};
use crate::model::{Profile, SchoolSummary};
use crate::render::document::Document;
use crate::render::pages::{self, ThemePages};
use crate::render::pdf::workers::{Limits, Workers};
use crate::render::pdf::{PdfEngine, PdfSources};
use crate::render::{self, Output, PdfScope};
use crate::resolve::{self, CountyText, ResolvedDoc, ResolvedPlan};
use crate::source::{self, County, SchoolSource};
use crate::validate::{self, SchoolReport, Validated};

pub struct Engine {
    county: County,
    profile: Profile,
    text: CountyText,
    pages: ThemePages,
    /// Every school of the county, validated, by id.
    schools: BTreeMap<String, Validated>,
    docs: Vec<(ResolvedDoc, Document)>,
    /// What each school released; the draft's revision record lists them.
    editions: Store,
    /// Stored files of editions that are not what was released (checked when first asked).
    drifts: OnceLock<Vec<Drift>>,
    /// What every school's pages depend on beside the school: planpress's build, the county's
    /// config and schema, the theme's templates.
    pages_identity: String,
    pdf: OnceLock<std::result::Result<PdfEngine, String>>,
    /// The processes that typeset, within `pdf_limits`.
    workers: OnceLock<Workers>,
    pdf_limits: Limits,
    /// The county's Typst sources; they list every school's name (the appendix), so they are
    /// remade whenever a school changes.
    pdf_sources: OnceLock<std::result::Result<PdfSources, String>>,
    /// The sources a release typesets with: their appendix holds the released edition of each
    /// shared document (made when first needed).
    release_sources: OnceLock<std::result::Result<PdfSources, String>>,
    /// The sources of the shared documents' own PDFs (`appendix: cite`).
    doc_sources: OnceLock<std::result::Result<PdfSources, String>>,
    /// What every PDF depends on beside its school: planpress's build and the theme's fonts
    /// (hashed when first needed: a county's own fonts weigh megabytes).
    pdf_identity: OnceLock<String>,
}

/// The kinds of cache entries: a school's pages, a school's PDFs.
pub const PAGES: &str = "pages";
pub const PDFS: &str = "pdfs";

/// What to make of a school.
#[derive(Debug, Clone, Copy, Default)]
pub struct SchoolOptions {
    /// Typeset its plan, forms and print bundle.
    pub pdf: bool,
    /// Also return the Typst sources and data of its PDFs (`--emit-typst`).
    pub emit_typst: bool,
}

/// A school's outputs: made now, or taken from the cache (and stored there when made).
#[derive(Debug, Default)]
pub struct SchoolFiles {
    pub fresh: Vec<Output>,
    pub cached: Vec<Cached>,
    /// The fingerprints of its pages and of its PDFs.
    pub fingerprints: Vec<String>,
    pub pages: Made,
    pub pdfs: Made,
    /// `<id>/main.typ`, `body.typ`, `forms.typ`, `appendix.typ`, `data.json`.
    pub typst_sources: Vec<(String, Vec<u8>)>,
    /// The text of its PDFs, as a reader finds it in them.
    pub pdf_text: Option<String>,
    /// The text of each released edition's PDFs in the site, by the edition's folder in it.
    pub edition_texts: Vec<(String, String)>,
}

/// A school's outputs, or why it failed.
pub type SchoolResult = Result<SchoolFiles, Failure>;

/// Why a school was not built.
#[derive(Debug)]
pub enum Failure {
    /// Its own files (its data, its own texts, a character no font has): the others go on.
    School(Vec<SourceError>),
    /// The county's theme: every school would fail alike, so the build stops.
    Theme(SourceError),
}

impl From<Vec<SourceError>> for Failure {
    fn from(errors: Vec<SourceError>) -> Failure {
        Failure::School(errors)
    }
}

/// Whether a group of outputs was made by this build or reused.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum Made {
    #[default]
    Not,
    Reused,
    Built,
}

impl Engine {
    /// Loads the county at `root`, compiles its text and theme and validates every school.
    /// A county that cannot be loaded (its config, a chapter, a shared document, the theme) is
    /// an error; a broken school is not, it fails on its own later.
    pub fn load(root: &Path, profile: Profile) -> Result<Engine> {
        Engine::load_at(root, profile, None)
    }

    /// As [`Engine::load`], with the site published at `base_url` whatever county.yaml says.
    pub fn load_at(root: &Path, profile: Profile, base_url: Option<&str>) -> Result<Engine> {
        let mut county = source::load(root)?;
        if let Some(url) = base_url {
            Site::check_base_url(url).map_err(|e| anyhow::anyhow!("--base-url: {e}"))?;
            county.config.site.base_url = Some(url.to_string());
        }
        let editions = Store::load(root)?;
        let text = CountyText::compile(&county)?;
        let pages = ThemePages::new(&county.theme)?;
        let schools = county
            .schools
            .par_iter()
            .map(|s| (s.id.clone(), validate::validate(&county, s, profile)))
            .collect();
        let mut pages_identity = Fingerprint::new("pages");
        pages_identity
            .add(build_identity().as_bytes())
            .add(profile.as_str().as_bytes())
            .add_json(&county.config)
            .add_json(&county.schema.json)
            .add(county.theme.fingerprint("templates").as_bytes());
        let mut engine = Engine {
            county,
            profile,
            text,
            pages,
            schools,
            docs: Vec::new(),
            editions,
            drifts: OnceLock::new(),
            pages_identity: pages_identity.finish(),
            pdf: OnceLock::new(),
            workers: OnceLock::new(),
            pdf_limits: Limits::default(),
            pdf_sources: OnceLock::new(),
            release_sources: OnceLock::new(),
            doc_sources: OnceLock::new(),
            pdf_identity: OnceLock::new(),
        };
        engine.resolve_docs()?;
        Ok(engine)
    }

    /// Loads the county again after a shared file changed, keeping Typst's fonts and the
    /// workers when the theme's fonts did not change. On an error the engine stays as it was.
    pub fn reload(&mut self) -> Result<()> {
        let next = Engine::load(&self.county.root, self.profile)?;
        let previous = std::mem::replace(self, next);
        self.pdf_limits = previous.pdf_limits;
        if self.county.theme.fingerprint("fonts") == previous.county.theme.fingerprint("fonts")
            && let Some(Ok(pdf)) = previous.pdf.into_inner()
        {
            let _ = self.pdf.set(Ok(pdf));
            if let Some(workers) = previous.workers.into_inner() {
                let _ = self.workers.set(workers);
            }
        }
        Ok(())
    }

    /// How long a school's PDFs may take and how much memory they may use; set before the
    /// first PDF.
    pub fn set_pdf_limits(&mut self, limits: Limits) {
        self.pdf_limits = limits;
        self.workers = OnceLock::new();
    }

    pub fn county(&self) -> &County {
        &self.county
    }

    pub fn profile(&self) -> Profile {
        self.profile
    }

    /// Every school's findings, in the county's order.
    pub fn reports(&self) -> impl Iterator<Item = &SchoolReport> {
        self.county
            .schools
            .iter()
            .map(|s| &self.schools[&s.id].report)
    }

    pub fn report(&self, id: &str) -> Option<&SchoolReport> {
        self.schools.get(id).map(|v| &v.report)
    }

    /// Reads one school's files again (its YAML and its own texts) and validates it; a school
    /// whose file is gone leaves the county. Returns whether the shared documents changed with
    /// it (they list every school), and so every school's PDF appendix.
    pub fn reload_school(&mut self, id: &str) -> Result<bool> {
        source::reload_school(&mut self.county, id);
        self.revalidate(id)
    }

    /// As [`Engine::reload_school`], with `text` (from `file`) as the school's data instead of
    /// its file on disk.
    pub fn put_school(&mut self, id: &str, file: PathBuf, text: String) -> Result<bool> {
        source::put_school(&mut self.county, id, file, text);
        self.revalidate(id)
    }

    fn revalidate(&mut self, id: &str) -> Result<bool> {
        match self.county.schools.iter().find(|s| s.id == id) {
            Some(s) => {
                let v = validate::validate(&self.county, s, self.profile);
                self.schools.insert(id.to_string(), v);
            }
            None => {
                self.schools.remove(id);
            }
        }
        let before: Vec<String> = self.docs.iter().map(|(d, _)| d.markdown.clone()).collect();
        self.resolve_docs()?;
        Ok(self.docs.iter().map(|(d, _)| &d.markdown).ne(before.iter()))
    }

    /// The shared documents list every school: they are resolved again when one changes.
    fn resolve_docs(&mut self) -> Result<()> {
        let summaries: Vec<SchoolSummary> = self.summaries().into_iter().map(|(s, _)| s).collect();
        self.docs = resolve::resolve_docs(&self.county, &self.text, &summaries)?
            .into_iter()
            .map(|d| {
                let parsed = Document::parse(&d.markdown);
                (d, parsed)
            })
            .collect();
        self.pdf_sources = OnceLock::new();
        Ok(())
    }

    /// A shared document as the county has it now.
    pub fn doc(&self, id: &str) -> Option<&ResolvedDoc> {
        self.docs.iter().map(|(d, _)| d).find(|d| d.id == id)
    }

    /// Every school's summary and findings, in the county's order.
    fn summaries(&self) -> Vec<(SchoolSummary, &SchoolReport)> {
        self.county
            .schools
            .iter()
            .map(|s| {
                let v = &self.schools[&s.id];
                let summary = match v.data.as_ref() {
                    Some(data) => SchoolSummary::new(&s.id, Some(data)),
                    None => SchoolSummary::from_text(&s.id, &s.text),
                };
                (summary, &v.report)
            })
            .collect()
    }

    fn source(&self, id: &str) -> Option<&SchoolSource> {
        self.county.schools.iter().find(|s| s.id == id)
    }

    /// The school's working draft with every value in place; its revision record lists what
    /// it released.
    pub fn resolve(&self, id: &str) -> Result<ResolvedPlan, Vec<SourceError>> {
        self.resolve_as_of(id, None)
    }

    /// The school's plan as edition `edition` (not yet stored) would freeze it, or as the draft.
    fn resolve_as_of(
        &self,
        id: &str,
        edition: Option<&Release>,
    ) -> Result<ResolvedPlan, Vec<SourceError>> {
        let source = self
            .source(id)
            .ok_or_else(|| vec![SourceError::new(id, None, "no such school")])?;
        let data = match (&source.data, &self.schools[id].data) {
            (Err(e), _) => return Err(vec![e.clone()]),
            (Ok(_), Some(data)) => data,
            (Ok(_), None) => unreachable!("a school that parses has data"),
        };
        let released: Vec<&Release> = self.editions.of(id).iter().map(|e| &e.release).collect();
        let data = editions::as_of(data, &released, edition);
        // An edition links to the editions of the shared documents it cites; the draft to
        // their addresses.
        let cited = match edition {
            Some(_) => self.cited_docs(),
            None => BTreeMap::new(),
        };
        resolve::resolve_school(
            &self.county,
            &self.text,
            source,
            &data,
            self.profile,
            &cited,
        )
    }

    /// Builds the schools `ids` in parallel. `done` gets each school's result as soon as it is
    /// ready, on the thread that built it; its error stops the rest.
    pub fn build_all(
        &self,
        ids: &[&str],
        options: SchoolOptions,
        cache: Option<&Cache>,
        done: impl Fn(&str, SchoolResult) -> Result<()> + Sync,
    ) -> Result<()> {
        ids.par_iter()
            .try_for_each(|id| done(id, self.build_school(id, options, cache)))
    }

    /// A school's pages, and its PDFs when asked, reusing from `cache` what did not change.
    pub fn build_school(
        &self,
        id: &str,
        options: SchoolOptions,
        cache: Option<&Cache>,
    ) -> SchoolResult {
        let source = self
            .source(id)
            .ok_or_else(|| vec![SourceError::new(id, None, "no such school")])?;
        let report = &self.schools[id].report;
        let theme = |e: SourceError| Failure::Theme(e);
        // Its published editions cannot be told apart from a lost one: nothing is published.
        let unreadable = self.editions.problems(id);
        if !unreadable.is_empty() {
            return Err(unreadable.to_vec().into());
        }
        let plan = self.resolve(id)?;
        let doc = OnceLock::new();
        let doc = || doc.get_or_init(|| Document::parse(&plan.markdown()));
        let mut files = SchoolFiles::default();

        let editions = self.editions.of(id);
        let mut fp = Fingerprint::new(PAGES);
        fp.add(self.pages_identity.as_bytes())
            .add_json(&plan)
            .add_json(report)
            .add(source.text.as_bytes())
            .add_json(&editions)
            .add(&[u8::from(options.pdf)]);
        (files.pages, _) = files.reuse_or_make(PAGES, fp.finish(), cache, || {
            let mut pages = pages::school_pages(
                &self.pages,
                &self.county,
                self.profile,
                &plan,
                doc(),
                report,
                source,
                editions,
                options.pdf,
            )
            .map_err(theme)?;
            pages.extend(self.edition_pages(id, &plan, options.pdf)?);
            Ok((pages, None))
        })?;
        // What was released is published as it was, never made again.
        if options.pdf {
            for edition in editions {
                files.cached.extend(self.edition_pdfs(edition)?);
                files.edition_texts.extend(self.edition_text(edition)?);
            }
        }

        if options.pdf || options.emit_typst {
            let (workers, sources) = self.typesetter().map_err(theme)?;
            let job = self.pdf_job(source, &plan, doc(), PdfScope::Everything, true);
            if options.emit_typst {
                files.typst_sources = vec![
                    (format!("{id}/main.typ"), sources.template().into()),
                    (format!("{id}/body.typ"), job.body.clone().into_bytes()),
                    (format!("{id}/forms.typ"), sources.forms_template().into()),
                    (format!("{id}/appendix.typ"), sources.appendix().into()),
                    (format!("{id}/data.json"), job.data.clone()),
                    (format!("{id}/bundle.typ"), render::pdf::BUNDLE_MAIN.into()),
                    (
                        format!("{id}/forms-main.typ"),
                        render::pdf::FORMS_MAIN.into(),
                    ),
                ];
            }
            if options.pdf {
                let fp = self.pdf_fingerprint(sources, &job);
                let (made, text) = files.reuse_or_make(PDFS, fp, cache, || {
                    // An error in the theme's layout is every school's: the county's to fix.
                    let pdf = workers.compile(sources, &job).map_err(|errors| {
                        match errors.iter().find(|e| sources.is_template(&e.file)) {
                            Some(e) => Failure::Theme(e.clone()),
                            None => Failure::School(errors),
                        }
                    })?;
                    let text = pdf.text.clone();
                    Ok((pdf_outputs(id, pdf), Some(text)))
                })?;
                files.pdfs = made;
                files.pdf_text = text;
            }
        }
        Ok(files)
    }

    /// The pages about the whole county: the index (a dashboard of every school), its CSV, the
    /// shared documents (with their own PDFs when `pdf` and the county cites them rather than
    /// appending them to every plan) and the theme's static files. `has_page` says which schools the site
    /// has a page of; `failed` which failed this time, and why.
    pub fn county_pages(
        &self,
        pdf: bool,
        has_page: &dyn Fn(&str) -> bool,
        failed: &BTreeMap<String, String>,
    ) -> Result<Vec<Output>, SourceError> {
        let summaries = self.summaries();
        let statuses: Vec<Option<ReleaseStatus>> = summaries
            .par_iter()
            .map(|(s, _)| self.release_status(&s.id))
            .collect();
        let rows = dashboard::rows(&summaries, &statuses);
        let mut files = vec![
            pages::index_page(
                &self.pages,
                &self.county,
                self.profile,
                &rows,
                &self.editions,
                has_page,
                failed,
            )?,
            dashboard::csv(&rows),
            pages::not_found_page(&self.pages, &self.county, self.profile)?,
            pages::search_page(
                &self.pages,
                &self.county,
                self.profile,
                summaries.iter().map(|(s, _)| s.name.as_str()),
            )?,
        ];
        for (doc, parsed) in &self.docs {
            files.extend(self.doc_pages(doc, parsed, pdf)?);
        }
        files.extend(pages::static_files(&self.county.theme));
        Ok(files)
    }
}

impl SchoolFiles {
    /// Takes the outputs of entry `fp` from the cache, or makes them (and stores them there).
    /// `make` gives the outputs and, for PDFs, the text read in them; the text of what is
    /// reused comes back from the cache with it.
    fn reuse_or_make(
        &mut self,
        kind: &str,
        fp: String,
        cache: Option<&Cache>,
        make: impl FnOnce() -> Result<(Vec<Output>, Option<String>), Failure>,
    ) -> Result<(Made, Option<String>), Failure> {
        // PDFs are reused only with their text, which the public copy is checked for.
        let entry = cache
            .and_then(|c| c.get(kind, &fp))
            .filter(|e| kind != PDFS || e.text.is_some());
        let (made, text) = match entry {
            Some(entry) => {
                self.cached.extend(entry.files);
                (Made::Reused, entry.text)
            }
            None => {
                let (outputs, text) = make()?;
                match cache.map(|c| c.put(kind, &fp, &outputs, text.as_deref())) {
                    Some(Ok(entry)) => self.cached.extend(entry.files),
                    // The cache is a help, not a need: a full disk there still builds the site.
                    _ => self.fresh.extend(outputs),
                }
                (Made::Built, text)
            }
        };
        self.fingerprints.push(format!("{kind}/{fp}"));
        Ok((made, text))
    }
}

/// What identifies this build of planpress in fingerprints: its version, and the size and time
/// of its executable, so that a rebuilt planpress never reuses what an older one made.
pub fn build_identity() -> &'static str {
    static IDENTITY: OnceLock<String> = OnceLock::new();
    IDENTITY.get_or_init(|| {
        let exe = std::env::current_exe()
            .and_then(std::fs::metadata)
            .ok()
            .map(|m| {
                let time = m
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_nanos());
                format!("{}-{time}", m.len())
            })
            .unwrap_or_default();
        format!("planpress {} {exe}", env!("CARGO_PKG_VERSION"))
    })
}
