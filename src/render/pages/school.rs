//! A school's pages: its plan, its data file and its forms.

use std::collections::BTreeSet;

use serde::Serialize;

use super::edition::{EditionLink, edition_links};
use super::{Base, ChapterToc, Counts, ThemePages, base, chapter_toc};
use crate::base::diagnostics::SourceError;
use crate::base::routes::Output;
use crate::base::routes::{DRAFT, Route};
use crate::editions::Edition;
use crate::markers;
use crate::model::{Profile, SchoolSummary};
use crate::render::data_page::{self, Line};
use crate::render::document::Document;
use crate::render::html;
use crate::resolve::forms::Form;
use crate::resolve::{Cover, ResolvedPlan, Revision};
use crate::source::{County, SchoolSource};
use crate::validate::{Finding, SchoolReport};

#[derive(Serialize)]
struct SchoolPage<'a> {
    #[serde(flatten)]
    base: Base<'a>,
    summary: &'a SchoolSummary,
    cover: &'a Cover,
    /// Links to the PDFs, when the build makes them.
    pdf: Option<PdfLinks>,
    data_href: String,
    check: Counts,
    findings: Vec<FindingLink<'a>>,
    deviations: Vec<DeviationLink>,
    revisions: &'a [Revision],
    revisions_missing: Option<&'a str>,
    /// The school's released editions, newest first.
    editions: Vec<EditionLink>,
    /// What the draft changes in the latest edition, when there is one.
    changes_href: Option<String>,
    forms: Vec<FormLink<'a>>,
    chapters: Vec<ChapterToc<'a>>,
    plan_html: String,
}

#[derive(Serialize)]
struct PdfLinks {
    plan: String,
    /// Every attachment form, in one document.
    forms: String,
    /// The print bundle: the internal copy's, the one printed to sign.
    bundle: Option<String>,
}

#[derive(Serialize)]
struct FindingLink<'a> {
    finding: &'a Finding,
    kind: &'static str,
    href: String,
}

#[derive(Serialize)]
struct DeviationLink {
    href: String,
    heading: String,
    mode: &'static str,
}

#[derive(Serialize)]
struct FormLink<'a> {
    no: u32,
    title: &'a str,
    href: String,
    pdf_href: Option<String>,
}

/// A school's pages (its working draft): its plan, its data file and its forms; `editions` are
/// what it released, oldest first. A school that released nothing shows its draft at its own
/// address too, saying so.
#[allow(clippy::too_many_arguments)]
pub fn school_pages(
    theme: &ThemePages,
    county: &County,
    profile: Profile,
    plan: &ResolvedPlan,
    doc: &Document,
    report: &SchoolReport,
    source: &SchoolSource,
    editions: &[Edition],
    with_pdf: bool,
) -> Result<Vec<Output>, SourceError> {
    let draft = Draft {
        county,
        profile,
        plan,
        doc,
        report,
        source,
        editions,
        with_pdf,
    };
    let id = &plan.school.id;
    let mut files = vec![draft.plan_page(theme, Route::School(id.clone()))?];
    if editions.is_empty() {
        files.push(draft.plan_page(theme, Route::Home(id.clone()))?);
    }
    files.push(data_page(theme, county, profile, plan, report, source)?);
    for form in &plan.forms {
        files.push(form_page(theme, county, profile, plan, form, with_pdf)?);
    }
    Ok(files)
}

/// What a draft's plan page is made from.
struct Draft<'a> {
    county: &'a County,
    profile: Profile,
    plan: &'a ResolvedPlan,
    doc: &'a Document,
    report: &'a SchoolReport,
    source: &'a SchoolSource,
    editions: &'a [Edition],
    with_pdf: bool,
}

impl Draft<'_> {
    /// The draft's plan as a page at `page`: the draft's own address, or the school's.
    fn plan_page(&self, theme: &ThemePages, page: Route) -> Result<Output, SourceError> {
        let (county, plan, doc, report, editions) =
            (self.county, self.plan, self.doc, self.report, self.editions);
        let id = &plan.school.id;
        let view = SchoolPage {
            base: base(
                county,
                self.profile,
                &page,
                match page {
                    Route::School(_) => format!("{}（草稿）", plan.school.name),
                    _ => plan.school.name.clone(),
                },
            )
            .searched_as(
                &page,
                &plan.school.name,
                format!("{} 資通安全維護計畫", plan.school.name),
            ),
            summary: &plan.school,
            cover: &plan.cover,
            pdf: self.with_pdf.then(|| PdfLinks {
                plan: Route::PlanPdf(id.clone()).href_from(&page),
                forms: Route::FormsPdf(id.clone()).href_from(&page),
                bundle: (self.profile == Profile::Internal)
                    .then(|| Route::Bundle(id.clone()).href_from(&page)),
            }),
            data_href: Route::SchoolData(id.clone()).href_from(&page),
            check: report.into(),
            findings: finding_links(
                report,
                &doc.markers,
                &data_page::shown_lines(self.source.data.as_ref().ok(), &county.schema),
                &page,
            ),
            deviations: plan
                .deviations
                .iter()
                .map(|d| DeviationLink {
                    href: format!("#{}", d.target),
                    heading: doc
                        .toc
                        .iter()
                        .find(|t| t.id == d.target)
                        .map(|h| format!("{}{}", h.number, h.title))
                        .unwrap_or_default(),
                    mode: d.mode.label(),
                })
                .collect(),
            revisions: &plan.revisions,
            revisions_missing: plan.revisions_missing.as_deref(),
            editions: edition_links(id, editions, &page, None),
            changes_href: (!editions.is_empty()).then(|| {
                Route::Changes {
                    school: id.clone(),
                    to: DRAFT.to_string(),
                }
                .href_from(&page)
            }),
            forms: plan
                .forms
                .iter()
                .map(|f| FormLink {
                    no: f.no,
                    // The list names the forms as the county does, without the school's name.
                    title: county
                        .forms
                        .iter()
                        .find(|info| info.slug == f.slug)
                        .map_or(&f.title, |info| &info.title),
                    href: form_route(id, f).href_from(&page),
                    pdf_href: self.with_pdf.then(|| form_pdf_href(id, f, &page)),
                })
                .collect(),
            chapters: chapter_toc(&doc.toc),
            plan_html: html::render(doc, &page),
        };
        theme.page(page, "school.html", &view)
    }
}

fn form_route(school: &str, form: &Form) -> Route {
    Route::Form {
        school: school.to_string(),
        slug: form.slug.clone(),
    }
}

/// A link from `page` to the form within the draft's forms PDF.
fn form_pdf_href(school: &str, form: &Form, page: &Route) -> String {
    Route::form_in_pdf(
        &Route::FormsPdf(school.to_string()).href_from(page),
        &form.slug,
    )
}

/// Each finding with where the school page sends the reader: the field's marker when the page
/// shows one, else its line on the data page when that page shows the line, else the data
/// page's list of findings.
fn finding_links<'a>(
    report: &'a SchoolReport,
    markers_on_page: &[String],
    shown_lines: &BTreeSet<u64>,
    page: &Route,
) -> Vec<FindingLink<'a>> {
    let data = Route::SchoolData(report.school.clone()).href_from(page);
    report
        .findings
        .iter()
        .map(|f| {
            // A missing mapping (staffing) shows as the markers of its fields.
            let marker = markers_on_page.iter().find(|m| {
                *m == &f.path
                    || (!f.path.is_empty()
                        && m.strip_prefix(f.path.as_str())
                            .is_some_and(|rest| rest.starts_with('.')))
            });
            let href = if let Some(marker) = marker {
                format!("#{}", markers::anchor(marker))
            } else if f.file == report.file && shown_lines.contains(&f.line) {
                format!("{data}#L{}", f.line)
            } else {
                format!("{data}#findings")
            };
            FindingLink {
                finding: f,
                kind: f.kind.label(),
                href,
            }
        })
        .collect()
}

#[derive(Serialize)]
struct DataPage<'a> {
    #[serde(flatten)]
    base: Base<'a>,
    summary: &'a SchoolSummary,
    school_href: String,
    /// The school's file within the county repository.
    source_file: String,
    check: Counts,
    findings: Vec<DataFinding<'a>>,
    lines: Vec<Line<'a>>,
}

#[derive(Serialize)]
struct DataFinding<'a> {
    finding: &'a Finding,
    /// In the school's YAML at a line this page shows (else in one of its own texts, or on a
    /// line that is not published).
    here: bool,
    file: String,
}

/// The school's YAML, highlighted, its findings marked on their lines.
fn data_page(
    theme: &ThemePages,
    county: &County,
    profile: Profile,
    plan: &ResolvedPlan,
    report: &SchoolReport,
    source: &SchoolSource,
) -> Result<Output, SourceError> {
    let page = Route::SchoolData(plan.school.id.clone());
    let lines = data_page::lines(
        source.data.as_ref().ok(),
        &county.schema,
        &report.findings,
        &source.file,
        profile == Profile::Public,
    );
    let shown: BTreeSet<u64> = lines.iter().map(|l| l.no).collect();
    let view = DataPage {
        base: base(
            county,
            profile,
            &page,
            format!("{} 學校資料", plan.school.name),
        ),
        summary: &plan.school,
        school_href: Route::School(plan.school.id.clone()).href_from(&page),
        source_file: county.relative(&source.file),
        check: report.into(),
        findings: report
            .findings
            .iter()
            .map(|f| DataFinding {
                finding: f,
                here: f.file == source.file && shown.contains(&f.line),
                file: county.relative(&f.file),
            })
            .collect(),
        lines,
    };
    theme.page(page, "data.html", &view)
}

#[derive(Serialize)]
struct FormPage<'a> {
    #[serde(flatten)]
    base: Base<'a>,
    summary: &'a SchoolSummary,
    school_href: String,
    form: &'a Form,
    form_pdf: Option<String>,
}

/// The page of one filled form, for screen and print.
fn form_page(
    theme: &ThemePages,
    county: &County,
    profile: Profile,
    plan: &ResolvedPlan,
    form: &Form,
    with_pdf: bool,
) -> Result<Output, SourceError> {
    let id = &plan.school.id;
    let page = form_route(id, form);
    let view = FormPage {
        base: base(county, profile, &page, form.title.clone()).searched_as(
            &page,
            &plan.school.name,
            form.title.clone(),
        ),
        summary: &plan.school,
        school_href: Route::School(id.clone()).href_from(&page),
        form,
        form_pdf: with_pdf.then(|| form_pdf_href(id, form, &page)),
    };
    theme.page(page, "form.html", &view)
}
