//! The engine's typesetting side: Typst's library and fonts, the county's Typst sources, the
//! worker processes that typeset, and a school's PDF job and its fingerprint.

use anyhow::{Result, anyhow};

use super::{Engine, PDFS};
use crate::base::diagnostics::SourceError;
use crate::base::hash::Fingerprint;
use crate::base::program::build_identity;
use crate::base::routes::Output;
use crate::base::routes::Route;
use crate::model::Profile;
use crate::render::document::Document;
use crate::render::pdf::workers::Workers;
use crate::render::pdf::{PdfEngine, PdfJob, PdfOutput, PdfSources};
use crate::render::{self, PdfScope};
use crate::resolve::{ResolvedDoc, ResolvedPlan};
use crate::source::SchoolSource;

impl Engine {
    /// Typst's library and fonts, loaded on first use.
    pub fn pdf_engine(&self) -> Result<&PdfEngine> {
        self.pdf
            .get_or_init(|| PdfEngine::new(&self.county.theme).map_err(|e| format!("{e:#}")))
            .as_ref()
            .map_err(|e| anyhow!("{e}"))
    }

    /// The sources of drafts: their appendix holds the shared documents' working text, or
    /// cites each at its address (with its latest edition, if it has one).
    pub(super) fn pdf_sources(&self) -> Result<&PdfSources> {
        self.pdf_sources
            .get_or_init(|| {
                self.sources_with(self.docs.iter().map(|(d, _)| {
                    let latest = self.editions.docs_of(&d.id).last();
                    (d, latest.map(|e| e.release.version.as_str()))
                }))
            })
            .as_ref()
            .map_err(|e| anyhow!("{e}"))
    }

    /// The theme's Typst sources with `docs`, each with the edition cited, as every plan's
    /// appendix.
    pub(super) fn sources_with<'a>(
        &self,
        docs: impl IntoIterator<Item = (&'a ResolvedDoc, Option<&'a str>)>,
    ) -> Result<PdfSources, String> {
        let engine = self.pdf_engine().map_err(|e| format!("{e:#}"))?;
        let appendix = render::appendix(docs, &self.county.config, &|c| engine.covers(c));
        PdfSources::new(&self.county.theme, appendix).map_err(|e| format!("{e:#}"))
    }

    /// Stops the typesetting workers that wait for work: a build calls it when its PDFs are
    /// done, so that their memory (about 170 MB each) is free for the search index.
    pub fn stop_typesetting(&self) {
        if let Some(workers) = self.workers.get() {
            workers.stop_idle();
        }
    }

    /// The workers with the county's sources, or why there are none (the theme's fault: it has
    /// no fonts, or no layout).
    pub(super) fn typesetter(&self) -> Result<(&Workers, &PdfSources), SourceError> {
        let origin = || {
            self.county
                .theme
                .get(crate::render::pdf::PLAN_TEMPLATE)
                .map(|f| f.origin.clone())
                .unwrap_or_default()
        };
        let fail = |e: anyhow::Error| SourceError::new(origin(), None, format!("PDF: {e:#}"));
        let engine = self.pdf_engine().map_err(fail)?;
        let workers = self
            .workers
            .get_or_init(|| Workers::new(engine, self.pdf_limits));
        Ok((workers, self.pdf_sources().map_err(fail)?))
    }

    pub(super) fn pdf_job(
        &self,
        source: &SchoolSource,
        plan: &ResolvedPlan,
        doc: &Document,
        scope: PdfScope,
        draft: bool,
    ) -> PdfJob {
        let appended: Vec<String> = self.docs.iter().map(|(d, _)| d.id.clone()).collect();
        let name = source.file.to_str().unwrap_or(&source.id);
        // The print bundle (the plan and every form in one file) is for printing to sign, which
        // is done from the internal copy; the public site offers the plan and each form.
        let bundle = self.profile == Profile::Internal;
        render::pdf_job(name, plan, doc, &appended, scope, draft, bundle)
    }

    /// Everything a school's PDFs depend on: planpress's build and the fonts, the theme's
    /// layouts, the county's appendix, the school's own markup and data, and which documents
    /// are made (a public and an internal build of a school without sensitive values have the
    /// same data, and only the internal one has the print bundle).
    pub(super) fn pdf_fingerprint(&self, sources: &PdfSources, job: &PdfJob) -> String {
        let identity = self.pdf_identity.get_or_init(|| {
            let mut f = Fingerprint::new("typesetter");
            f.add(build_identity().as_bytes())
                .add(self.county.theme.fingerprint("fonts").as_bytes());
            f.finish()
        });
        let mut fp = Fingerprint::new(PDFS);
        fp.add(identity.as_bytes())
            .add(sources.template().as_bytes())
            .add(sources.forms_template().as_bytes())
            .add(sources.appendix().as_bytes())
            .add(job.body.as_bytes())
            .add(&job.data)
            .add_json(&(job.date.year, job.date.month, job.date.day))
            .add(job.ident.as_bytes())
            .add_json(&(job.forms, job.bundle));
        fp.finish()
    }

    /// A school's PDFs only (the dev server asks for them when one is opened): all of them, or
    /// the plan alone.
    pub fn compile_pdfs(&self, id: &str, scope: PdfScope) -> Result<Vec<Output>, Vec<SourceError>> {
        let source = self
            .source(id)
            .ok_or_else(|| vec![SourceError::new(id, None, "no such school")])?;
        let plan = self.resolve(id)?;
        let (workers, sources) = self.typesetter().map_err(|e| vec![e])?;
        let doc = Document::parse(&plan.markdown());
        let job = self.pdf_job(source, &plan, &doc, scope, true);
        Ok(pdf_outputs(id, workers.compile(sources, &job)?))
    }
}

pub(super) fn pdf_outputs(id: &str, pdf: PdfOutput) -> Vec<Output> {
    let mut files: Vec<Output> = pdf
        .parts
        .into_iter()
        .map(|(part, bytes)| Output {
            route: Route::pdf_part(id, &part).expect("the typesetter's parts are plan and forms"),
            bytes,
        })
        .collect();
    files.extend(pdf.bundle.map(|bytes| Output {
        route: Route::Bundle(id.to_string()),
        bytes,
    }));
    files
}
