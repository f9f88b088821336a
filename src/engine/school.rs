//! A school built: its pages and its PDFs, each group reused from the cache when its
//! fingerprint is unchanged, and why a school failed (its own files, or the county's theme).

use std::sync::OnceLock;

use anyhow::Result;
use rayon::prelude::*;

use super::typesetting::pdf_outputs;
use super::{Engine, PAGES, PDFS};
use crate::base::diagnostics::SourceError;
use crate::base::hash::Fingerprint;
use crate::base::routes::Output;
use crate::cache::{Cache, Cached};
use crate::render::document::Document;
use crate::render::pages;
use crate::render::{self, PdfScope};

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
pub type SchoolResult = std::result::Result<SchoolFiles, Failure>;

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
