//! The page of a released edition: its plan as it was frozen, its PDFs as they were released,
//! and where it stands among the school's editions.

use serde::Serialize;

use super::{Base, ChapterToc, ThemePages, base, chapter_toc};
use crate::base::diagnostics::SourceError;
use crate::base::roc::Date;
use crate::base::routes::Output;
use crate::base::routes::{DRAFT, Route};
use crate::editions::Edition;
use crate::editions::diff::PlanDiff;
use crate::model::{Profile, SchoolSummary};
use crate::render::document::Document;
use crate::render::html;
use crate::resolve::{Cover, ResolvedPlan, Revision};
use crate::source::County;

/// One of a school's editions, as a link from the page at hand.
#[derive(Clone, Serialize)]
pub struct EditionLink {
    pub version: String,
    /// ROC date.
    pub date: String,
    pub href: String,
    /// The page at hand is this edition.
    pub here: bool,
}

/// The school's editions, newest first, linked from `page`, which shows edition `current` (or
/// the draft).
pub fn edition_links(
    school: &str,
    editions: &[Edition],
    page: &Route,
    current: Option<&str>,
) -> Vec<EditionLink> {
    editions
        .iter()
        .rev()
        .map(|e| {
            let route = Route::Edition {
                school: school.to_string(),
                version: e.release.version.clone(),
            };
            EditionLink {
                version: e.release.version.clone(),
                date: Date::long_from_iso(&e.release.date),
                href: route.href_from(page),
                here: current == Some(e.release.version.as_str()),
            }
        })
        .collect()
}

#[derive(Serialize)]
struct EditionPage<'a> {
    #[serde(flatten)]
    base: Base<'a>,
    summary: &'a SchoolSummary,
    cover: &'a Cover,
    version: &'a str,
    released: String,
    note: &'a str,
    /// The newest edition, when this is an older one.
    latest: Option<EditionLink>,
    editions: Vec<EditionLink>,
    draft_href: String,
    /// What changed since the edition before, when there is one.
    changes_href: Option<String>,
    /// Links to the released PDFs, when the build publishes PDFs.
    plan_pdf: Option<String>,
    bundle_pdf: Option<String>,
    /// Every form in one PDF; an edition released before the forms were one document has a
    /// PDF per form instead.
    forms_pdf: Option<String>,
    form_pdfs: Vec<FormPdf<'a>>,
    /// The edition of each shared document it cites.
    cited: Vec<CitedDoc<'a>>,
    revisions: &'a [Revision],
    chapters: Vec<ChapterToc<'a>>,
    plan_html: String,
}

#[derive(Serialize)]
struct CitedDoc<'a> {
    title: &'a str,
    /// Its version, or none when it was cited before its first release.
    version: Option<&'a str>,
    href: String,
}

#[derive(Serialize)]
struct FormPdf<'a> {
    no: u32,
    title: &'a str,
    href: String,
}

/// The page of `edition`, whose frozen plan is `plan`, at `page`: its own address, or the
/// school's when it is the latest. `all` are the school's editions, oldest first; `pdfs` the
/// edition's PDFs by path, when the site carries them.
#[allow(clippy::too_many_arguments)]
pub fn edition_page(
    theme: &ThemePages,
    county: &County,
    profile: Profile,
    plan: &ResolvedPlan,
    doc: &Document,
    edition: &Edition,
    all: &[Edition],
    pdfs: Option<&[String]>,
    page: Route,
) -> Result<Output, SourceError> {
    let id = &plan.school.id;
    let version = &edition.release.version;
    let file = |name: String| {
        pdfs.filter(|p| p.contains(&name)).map(|_| {
            Route::EditionFile {
                school: id.clone(),
                version: version.clone(),
                file: name,
            }
            .href_from(&page)
        })
    };
    let forms_pdf = file("forms.pdf".into());
    let editions = edition_links(id, all, &page, Some(version));
    let latest = editions.first().filter(|e| !e.here).cloned();
    let view = EditionPage {
        base: base(
            county,
            profile,
            &page,
            format!("{} {version}", plan.school.name),
        )
        .searched_as(
            &page,
            &plan.school.name,
            format!("{} 資通安全維護計畫 {version}", plan.school.name),
        ),
        summary: &plan.school,
        cover: &plan.cover,
        version,
        released: Date::long_from_iso(&edition.release.date),
        note: &edition.release.note,
        latest,
        editions,
        draft_href: Route::School(id.clone()).href_from(&page),
        changes_href: (all.first().map(|e| &e.release.version) != Some(version)).then(|| {
            Route::Changes {
                school: id.clone(),
                to: version.clone(),
            }
            .href_from(&page)
        }),
        plan_pdf: file("plan.pdf".into()),
        bundle_pdf: file("bundle.pdf".into()),
        forms_pdf: forms_pdf.clone(),
        form_pdfs: plan
            .forms
            .iter()
            .filter_map(|f| {
                Some(FormPdf {
                    no: f.no,
                    title: &f.title,
                    href: match &forms_pdf {
                        Some(all) => Route::form_in_pdf(all, &f.slug),
                        None => file(format!("forms/{}.pdf", f.slug))?,
                    },
                })
            })
            .collect(),
        cited: edition
            .docs
            .iter()
            .map(|(doc, version)| {
                let released = version != DRAFT;
                CitedDoc {
                    title: county
                        .docs
                        .iter()
                        .find(|d| d.id == *doc)
                        .map_or(doc.as_str(), |d| d.title.as_str()),
                    version: released.then_some(version.as_str()),
                    href: if released {
                        Route::DocEdition {
                            doc: doc.clone(),
                            version: version.clone(),
                        }
                    } else {
                        Route::Doc(doc.clone())
                    }
                    .href_from(&page),
                }
            })
            .collect(),
        revisions: &plan.revisions,
        chapters: chapter_toc(&doc.toc),
        plan_html: html::render(doc, &page),
    };
    theme.page(page, "edition.html", &view)
}

#[derive(Serialize)]
struct ChangesPage<'a> {
    #[serde(flatten)]
    base: Base<'a>,
    summary: &'a SchoolSummary,
    /// The two plans' editions: `V3.1`, and `V3.2` or 草稿.
    from: &'a str,
    to: String,
    from_href: String,
    to_href: String,
    draft_href: String,
    changes: &'a PlanDiff,
}

/// What changed from `old` to `new`, edition `to` of school `id` (or its draft).
#[allow(clippy::too_many_arguments)]
pub fn changes_page(
    theme: &ThemePages,
    county: &County,
    profile: Profile,
    id: &str,
    old: &ResolvedPlan,
    new: &ResolvedPlan,
    to: &str,
    changes: &PlanDiff,
) -> Result<Output, SourceError> {
    let page = Route::Changes {
        school: id.to_string(),
        to: to.to_string(),
    };
    let edition = |version: &str| {
        if version == DRAFT {
            Route::School(id.to_string())
        } else {
            Route::Edition {
                school: id.to_string(),
                version: version.to_string(),
            }
        }
    };
    let to_name = if to == DRAFT {
        "草稿".to_string()
    } else {
        to.to_string()
    };
    let view = ChangesPage {
        base: base(
            county,
            profile,
            &page,
            format!(
                "{} {} → {} 之差異",
                new.school.name, old.cover.edition, to_name
            ),
        ),
        summary: &new.school,
        from: &old.cover.edition,
        from_href: edition(&old.cover.edition).href_from(&page),
        to_href: edition(to).href_from(&page),
        to: to_name,
        draft_href: Route::School(id.to_string()).href_from(&page),
        changes,
    };
    theme.page(page, "changes.html", &view)
}
