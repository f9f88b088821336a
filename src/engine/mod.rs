//! The engine: one county loaded, and everything that is built once for all its schools held
//! for as long as the process lives: the county's text and the theme's templates compiled, every
//! school validated, the shared documents resolved, Typst's library and fonts. `build` asks it
//! for every school, `serve` for one school again after a save and for one school's PDFs.
//!
//! Each school's outputs are keyed by a fingerprint of everything they depend on; with a
//! [`Cache`](crate::cache::Cache), an output whose fingerprint is unchanged is reused, never made again.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use anyhow::Result;
use rayon::prelude::*;

mod released;
mod school;
mod typesetting;

pub use school::{Failure, Made, SchoolFiles, SchoolOptions, SchoolResult};

use crate::base::diagnostics::{SourceError, SourceErrors};
use crate::base::hash::Fingerprint;
use crate::base::routes::Output;
use crate::config::Site;
use crate::dashboard;
use crate::editions::{self, Drift, Release, ReleaseStatus, Store};
use crate::model::{Profile, SchoolSummary};
use crate::render::document::Document;
use crate::render::pages::{self, ThemePages};
use crate::render::pdf::workers::{Limits, Workers};
use crate::render::pdf::{PdfEngine, PdfSources};
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

impl Engine {
    /// Loads the county at `root`, compiles its text and theme and validates every school.
    /// A county that cannot be loaded (its config, a chapter, a shared document, the theme) is
    /// an error; a broken school is not, it fails on its own later.
    pub fn load(root: &Path, profile: Profile) -> Result<Engine> {
        Engine::load_at(root, profile, None)
    }

    /// As [`Engine::load`], with the site published at `base_url` whatever county.yaml says.
    pub fn load_at(root: &Path, profile: Profile, base_url: Option<&str>) -> Result<Engine> {
        let wrong = validate::check_county_file(root);
        if !wrong.is_empty() {
            return Err(SourceErrors(wrong).into());
        }
        let mut county = source::load(root)?;
        if let Some(url) = base_url {
            Site::check_base_url(url).map_err(|e| anyhow::anyhow!("--base-url: {e}"))?;
            county.config.site.base_url = Some(url.to_string());
        }
        let editions = Store::load(root)?;
        let text = CountyText::compile(&county).map_err(SourceErrors)?;
        let pages = ThemePages::new(&county.theme)?;
        let schools = county
            .schools
            .par_iter()
            .map(|s| (s.id.clone(), validate::validate(&county, s, profile)))
            .collect();
        let mut pages_identity = Fingerprint::new("pages");
        pages_identity
            .add(crate::base::program::build_identity().as_bytes())
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
            dashboard::csv(&rows, self.county.config.law.as_ref()),
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
