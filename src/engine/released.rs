//! What the engine does with released editions: freezing one, reading one back (its plan, its
//! pages, its stored PDFs), what changed since, and where each school stands.

use std::collections::BTreeMap;

use super::typesetting::pdf_outputs;
use super::{Engine, Failure};
use crate::base::diagnostics::SourceError;
use crate::base::routes::Output;
use crate::base::routes::{self, DRAFT, Route};
use crate::cache::Cached;
use crate::config::AppendixMode;
use crate::editions::{self, DocEdition, Drift, Edition, Files, Release, ReleaseStatus, Store};
use crate::model::Profile;
use crate::render::document::Document;
use crate::render::pages;
use crate::render::pdf::PdfSources;
use crate::render::{self, PdfScope};
use crate::resolve::{ResolvedDoc, ResolvedPlan};

impl Engine {
    pub fn editions(&self) -> &Store {
        &self.editions
    }

    /// The stored files of released editions that are not what was released.
    pub fn drifts(&self) -> &[Drift] {
        self.verify_editions(None)
    }

    /// The stored files of released editions that are not what was released, checked once.
    /// `looks` keeps how each file looked when last found right, between builds: a file that
    /// still looks the same is not read again.
    pub fn verify_editions(&self, looks: Option<&std::path::Path>) -> &[Drift] {
        self.drifts.get_or_init(|| {
            let known: editions::Looks = looks
                .and_then(|file| std::fs::read(file).ok())
                .and_then(|bytes| serde_json::from_slice::<Vec<_>>(&bytes).ok())
                .map(|list| list.into_iter().collect())
                .unwrap_or_default();
            let (drifts, now) = self.editions.verify(&known);
            if let Some(file) = looks {
                let list: Vec<_> = now.into_iter().collect();
                // Only a help: without it the next build reads every file again.
                let _ = serde_json::to_vec(&list).map(|bytes| std::fs::write(file, bytes));
            }
            drifts
        })
    }

    /// A school's latest release, and whether its draft or its stored files moved since.
    pub fn release_status(&self, id: &str) -> Option<ReleaseStatus> {
        let latest = self.editions.of(id).last()?;
        let draft_changed = match (self.edition_plan(latest), self.resolve(id)) {
            (Ok(released), Ok(draft)) => {
                editions::diff::diff(&released, &draft, &self.county.schema).changes_content()
            }
            _ => true,
        };
        Some(ReleaseStatus {
            version: latest.release.version.clone(),
            date: latest.release.date.clone(),
            draft_changed,
            drifted: self.drifts().iter().any(|d| d.school == id),
            law: latest.law.clone(),
        })
    }

    /// The edition of each shared document a plan released now cites.
    pub fn cited_docs(&self) -> BTreeMap<String, String> {
        self.editions
            .cited(self.docs.iter().map(|(d, _)| d.id.as_str()))
    }

    /// What a release of `id` as `edition` freezes: its plan as data, its PDFs (the plan, every
    /// form, the bundle) by their path in the school's folder, and their text as laid out. Its
    /// appendix holds the edition of each shared document it cites.
    pub fn release(
        &self,
        id: &str,
        edition: &Release,
    ) -> Result<(ResolvedPlan, Files, String), Failure> {
        let source = self
            .source(id)
            .ok_or_else(|| vec![SourceError::new(id, None, "no such school")])?;
        let plan = self.resolve_as_of(id, Some(edition))?;
        let (workers, _) = self.typesetter().map_err(Failure::Theme)?;
        let sources = self.release_sources()?;
        let job = self.pdf_job(
            source,
            &plan,
            &Document::parse(&plan.markdown()),
            PdfScope::Everything,
            false,
        );
        let pdf = workers.compile(sources, &job)?;
        let text = pdf.text.clone();
        let files = pdf_outputs(id, pdf)
            .into_iter()
            .filter_map(|o| Some((o.route.within_draft()?, o.bytes)))
            .collect();
        Ok((plan, files, text))
    }

    /// A shared document's pages: its working text, each of its editions as released, and at
    /// its address the latest edition (or the working text while it has none). With `pdf`, in a
    /// county that cites its documents, each text also has its own PDF beside its page.
    pub(super) fn doc_pages(
        &self,
        draft: &ResolvedDoc,
        parsed: &Document,
        pdf: bool,
    ) -> Result<Vec<Output>, SourceError> {
        let id = &draft.id;
        let editions = self.editions.docs_of(id);
        let with_pdf = pdf && self.county.config.appendix == AppendixMode::Cite;
        let mut files = Vec::new();
        let mut page = |doc: &ResolvedDoc, parsed: &Document, at: Route, shown: Option<&_>| {
            let version = shown.map_or(DRAFT.to_string(), |e: &DocEdition| {
                e.release.version.clone()
            });
            let pdf = with_pdf.then(|| Route::DocPdf {
                doc: id.clone(),
                version,
            });
            files.push(pages::doc_page(
                &self.pages,
                &self.county,
                self.profile,
                doc,
                parsed,
                at,
                editions,
                shown,
                pdf.as_ref(),
            )?);
            Ok::<_, SourceError>(pdf)
        };
        let draft_pdf = page(draft, parsed, Route::DocDraft(id.clone()), None)?;
        let mut pdfs = Vec::new();
        pdfs.extend(draft_pdf.map(|route| (route, draft.clone(), None)));
        if editions.is_empty() {
            page(draft, parsed, Route::Doc(id.clone()), None)?;
        }
        for (i, edition) in editions.iter().enumerate() {
            let doc = self.editions.doc_text(edition)?;
            let parsed = Document::parse(&doc.markdown);
            let version = edition.release.version.clone();
            let at = Route::DocEdition {
                doc: id.clone(),
                version,
            };
            let pdf = page(&doc, &parsed, at, Some(edition))?;
            if i + 1 == editions.len() {
                page(&doc, &parsed, Route::Doc(id.clone()), Some(edition))?;
            }
            pdfs.extend(pdf.map(|route| (route, doc, Some(edition))));
        }
        for (route, doc, edition) in pdfs {
            files.push(self.doc_pdf(route, &doc, edition)?);
        }
        Ok(files)
    }

    /// A shared document's own PDF: its text as released in `edition`, or its working text
    /// (marked 草稿).
    fn doc_pdf(
        &self,
        route: Route,
        doc: &ResolvedDoc,
        edition: Option<&DocEdition>,
    ) -> Result<Output, SourceError> {
        let fail = |e: String| SourceError::new(&self.county.root, None, e);
        let engine = self.pdf_engine().map_err(|e| fail(format!("{e:#}")))?;
        let sources = self
            .doc_sources
            .get_or_init(|| PdfSources::for_docs(&self.county.theme).map_err(|e| format!("{e:#}")))
            .as_ref()
            .map_err(|e| fail(e.clone()))?;
        let (workers, _) = self.typesetter()?;
        let job = render::doc_pdf_job(
            doc,
            edition.map(|e| &e.release),
            &self.county.config.name,
            &|c| engine.covers(c),
        );
        let mut pdf = workers.compile(sources, &job).map_err(|errors| {
            errors
                .into_iter()
                .next()
                .unwrap_or_else(|| fail("PDF".into()))
        })?;
        Ok(Output {
            route,
            bytes: pdf.parts.swap_remove(0).1,
        })
    }

    /// The Typst sources of a release: the appendix holds the cited editions of the shared
    /// documents, as they were released.
    fn release_sources(&self) -> Result<&PdfSources, Failure> {
        let cited = self.cited_docs();
        self.release_sources
            .get_or_init(|| {
                let docs = self
                    .docs
                    .iter()
                    .map(|(draft, _)| {
                        let released = self
                            .editions
                            .docs_of(&draft.id)
                            .iter()
                            .find(|e| cited.get(&draft.id) == Some(&e.release.version));
                        match released {
                            None => Ok((draft.clone(), None)),
                            Some(e) => Ok((
                                self.editions.doc_text(e).map_err(|e| e.to_string())?,
                                Some(e.release.version.clone()),
                            )),
                        }
                    })
                    .collect::<Result<Vec<_>, String>>()?;
                self.sources_with(docs.iter().map(|(d, v)| (d, v.as_deref())))
            })
            .as_ref()
            .map_err(|e| Failure::Theme(SourceError::new(&self.county.root, None, e.clone())))
    }

    /// The folder of an edition's copy for this engine's profile.
    fn edition_copy(&self, edition: &Edition) -> std::path::PathBuf {
        self.editions
            .folder(&edition.school, &edition.release.version)
            .join(self.profile.as_str())
    }

    /// The PDFs of an edition's copy, by their path within it. A public copy's PDFs are
    /// published only with their text, which the build searches for sensitive values.
    fn edition_pdf_names(&self, edition: &Edition) -> Vec<String> {
        let prefix = format!("{}/", self.profile.as_str());
        if self.profile == Profile::Public && !edition.files.contains_key(&self.text_file()) {
            return Vec::new();
        }
        edition
            .files
            .keys()
            .filter_map(|k| k.strip_prefix(&prefix))
            .filter(|name| name.ends_with(".pdf") && routes::is_clean(name))
            .map(str::to_string)
            .collect()
    }

    /// An edition's plan as it was frozen, in this engine's copy.
    pub fn edition_plan(&self, edition: &Edition) -> Result<ResolvedPlan, Vec<SourceError>> {
        let file = self.edition_copy(edition).join("plan.json");
        std::fs::read(&file)
            .map_err(|e| e.to_string())
            .and_then(|bytes| serde_json::from_slice(&bytes).map_err(|e| e.to_string()))
            .map_err(|e| {
                vec![SourceError::new(
                    &file,
                    None,
                    format!("已發布版本之計畫無法讀取（{e}）：請自版本控制還原"),
                )]
            })
    }

    /// A school's plan as edition `version` froze it, or its draft (`draft`).
    pub fn plan_of(&self, id: &str, version: &str) -> Result<ResolvedPlan, Vec<SourceError>> {
        if version == routes::DRAFT {
            return self.resolve(id);
        }
        let edition = self
            .editions
            .of(id)
            .iter()
            .find(|e| e.release.version == version)
            .ok_or_else(|| {
                vec![SourceError::new(
                    id,
                    None,
                    format!("no edition {version} of `{id}`"),
                )]
            })?;
        self.edition_plan(edition)
    }

    /// The pages of a school's editions, each from its frozen plan, and of what changed in each
    /// and in the draft (`draft`) since the edition before.
    pub(super) fn edition_pages(
        &self,
        id: &str,
        draft: &ResolvedPlan,
        with_pdf: bool,
    ) -> Result<Vec<Output>, Failure> {
        let editions = self.editions.of(id);
        let plans = editions
            .iter()
            .map(|e| self.edition_plan(e))
            .collect::<Result<Vec<_>, _>>()?;
        let mut pages = Vec::new();
        for (i, (edition, plan)) in editions.iter().zip(&plans).enumerate() {
            let doc = Document::parse(&plan.markdown());
            let names = self.edition_pdf_names(edition);
            let version = &edition.release.version;
            let mut at = vec![Route::Edition {
                school: id.to_string(),
                version: version.clone(),
            }];
            // The latest edition is also the school's own address.
            if i + 1 == editions.len() {
                at.push(Route::Home(id.to_string()));
            }
            for page in at {
                pages.push(
                    pages::edition_page(
                        &self.pages,
                        &self.county,
                        self.profile,
                        plan,
                        &doc,
                        edition,
                        editions,
                        with_pdf.then_some(&names[..]),
                        page,
                    )
                    .map_err(Failure::Theme)?,
                );
            }
            if i > 0 {
                pages.push(self.changes_page(id, &plans[i - 1], plan, version)?);
            }
        }
        if let Some(latest) = plans.last() {
            pages.push(self.changes_page(id, latest, draft, routes::DRAFT)?);
        }
        Ok(pages)
    }

    fn changes_page(
        &self,
        id: &str,
        old: &ResolvedPlan,
        new: &ResolvedPlan,
        to: &str,
    ) -> Result<Output, Failure> {
        let changes = editions::diff::diff(old, new, &self.county.schema);
        pages::changes_page(
            &self.pages,
            &self.county,
            self.profile,
            id,
            old,
            new,
            to,
            &changes,
        )
        .map_err(Failure::Theme)
    }

    /// One PDF of an edition, as stored when it was released; `None` when it has none by that
    /// name.
    pub fn edition_file(&self, id: &str, version: &str, file: &str) -> Option<Vec<u8>> {
        let edition = self
            .editions
            .of(id)
            .iter()
            .find(|e| e.release.version == version)?;
        if !self.edition_pdf_names(edition).iter().any(|n| n == file) {
            return None;
        }
        std::fs::read(self.edition_copy(edition).join(file)).ok()
    }

    /// Where an edition's copy keeps the text of its PDFs, within the edition's folder.
    fn text_file(&self) -> String {
        format!("{}/{}", self.profile.as_str(), editions::PDF_TEXT)
    }

    /// The text of an edition's PDFs and the edition's folder in the site, when the public
    /// site carries them.
    pub(super) fn edition_text(
        &self,
        edition: &Edition,
    ) -> Result<Option<(String, String)>, Failure> {
        if self.profile != Profile::Public || self.edition_pdf_names(edition).is_empty() {
            return Ok(None);
        }
        let file = self
            .editions
            .folder(&edition.school, &edition.release.version)
            .join(self.text_file());
        let text = std::fs::read_to_string(&file).map_err(|e| {
            vec![SourceError::new(
                &file,
                None,
                format!("已發布版本之 PDF 文字無法讀取（{e}）：請自版本控制還原"),
            )]
        })?;
        let dir = Route::Edition {
            school: edition.school.clone(),
            version: edition.release.version.clone(),
        }
        .path();
        let dir = dir.trim_end_matches("index.html").to_string();
        Ok(Some((dir, text)))
    }

    /// The text of each released edition's PDFs that the public site carries, by the edition's
    /// folder in the site; an edition whose text cannot be read has none.
    pub fn released_texts(&self, id: &str) -> Vec<(String, String)> {
        self.editions
            .of(id)
            .iter()
            .filter_map(|e| self.edition_text(e).ok().flatten())
            .collect()
    }

    /// An edition's PDFs, where the store keeps them: the site takes them from there as they
    /// are (linked where the file system allows, read-only as the store keeps them), never
    /// read and written again.
    pub(super) fn edition_pdfs(&self, edition: &Edition) -> Result<Vec<Cached>, Failure> {
        let folder = self.edition_copy(edition);
        let copy = format!("{}/", self.profile.as_str());
        self.edition_pdf_names(edition)
            .into_iter()
            .map(|name| {
                let file = folder.join(&name);
                let size = std::fs::metadata(&file).map_err(|e| {
                    vec![SourceError::new(
                        &file,
                        None,
                        format!("已發布版本之 PDF 無法讀取（{e}）：請自版本控制還原"),
                    )]
                })?;
                let sha256 = edition.files[&format!("{copy}{name}")].clone();
                let route = Route::EditionFile {
                    school: edition.school.clone(),
                    version: edition.release.version.clone(),
                    file: name,
                };
                Ok(Cached {
                    route,
                    file,
                    sha256,
                    size: size.len(),
                })
            })
            .collect()
    }
}
