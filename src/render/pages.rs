//! The theme's HTML pages: one tera set compiled once, and each page rendered from a typed view
//! made here. Every link a page shows comes from [`Route`]; data is escaped for HTML, and a
//! 【待填】 marker becomes a highlighted `<mark>`.

use std::collections::BTreeSet;

use serde::Serialize;
use tera::{Context, Tera};

use super::Output;
use super::data_page::{self, Line};
use super::document::{Document, TocEntry};
use super::html;
use crate::config::{CountyConfig, Site};
use crate::diagnostics::SourceError;
use crate::markers::{self, Part};
use crate::model::SchoolSummary;
use crate::resolve::forms::Form;
use crate::resolve::templates::template_error;
use crate::resolve::{Cover, ResolvedDoc, ResolvedPlan, Revision};
use crate::routes::Route;
use crate::source::theme::Theme;
use crate::source::{County, SchoolSource};
use crate::validate::{Finding, SchoolReport};

/// The theme's templates, compiled once per county.
pub struct ThemePages {
    tera: Tera,
}

impl ThemePages {
    pub fn new(theme: &Theme) -> Result<ThemePages, SourceError> {
        let mut tera = Tera::default();
        tera.autoescape_on(vec![".html"]);
        tera.set_escape_fn(escape_html);
        tera.register_filter("roc_date", crate::roc::roc_date_filter);
        // Added one by one so that an error names the file it is in.
        for (name, file) in theme.under("templates") {
            let text = std::str::from_utf8(&file.bytes).map_err(|_| {
                SourceError::new(&file.origin, None, "a theme template must be UTF-8")
            })?;
            tera.add_raw_template(name, text)
                .map_err(|e| template_error(&e, &file.origin, 1))?;
        }
        Ok(ThemePages { tera })
    }

    fn render(&self, template: &str, view: &impl Serialize) -> Result<String, String> {
        let context = Context::from_serialize(view).map_err(|e| e.to_string())?;
        self.tera.render(template, &context).map_err(|e| {
            let mut message = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(inner) = source {
                message.push_str(": ");
                message.push_str(&inner.to_string());
                source = inner.source();
            }
            message
        })
    }

    fn page(&self, route: Route, template: &str, view: &impl Serialize) -> Result<Output, String> {
        Ok(Output {
            bytes: self.render(template, view)?.into_bytes(),
            route,
        })
    }
}

/// What every page of the theme gets.
#[derive(Serialize)]
struct Base<'a> {
    page_title: String,
    site: &'a Site,
    county: &'a CountyConfig,
    /// The page's address under the configured base URL.
    canonical: String,
    links: Links,
}

/// Links every page may show.
#[derive(Serialize)]
struct Links {
    index: String,
    style: String,
    highlight: String,
    dashboard_js: String,
    csv: String,
}

fn base<'a>(county: &'a County, page: &Route, title: String) -> Base<'a> {
    let link = |r: Route| r.href_from(page);
    Base {
        page_title: title,
        site: &county.config.site,
        county: &county.config,
        canonical: page.canonical(),
        links: Links {
            index: link(Route::Index),
            style: link(Route::Static("style.css".into())),
            highlight: link(Route::Static(HIGHLIGHT_CSS.into())),
            dashboard_js: link(Route::Static("dashboard.js".into())),
            csv: link(Route::DashboardCsv),
        },
    }
}

/// The stylesheet of highlighted code, made from syntect's theme rather than shipped.
pub const HIGHLIGHT_CSS: &str = "highlight.css";

/// The counts a page shows of a school's findings.
#[derive(Serialize)]
struct Counts {
    errors: usize,
    warnings: usize,
    filled: usize,
    total: usize,
    percent: usize,
}

impl From<&SchoolReport> for Counts {
    fn from(r: &SchoolReport) -> Counts {
        Counts {
            errors: r.errors,
            warnings: r.warnings,
            filled: r.filled,
            total: r.total,
            percent: r.percent(),
        }
    }
}

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
    forms: Vec<FormLink<'a>>,
    chapters: Vec<ChapterToc<'a>>,
    plan_html: String,
}

#[derive(Serialize)]
struct PdfLinks {
    plan: String,
    bundle: String,
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

#[derive(Serialize)]
struct ChapterToc<'a> {
    entry: &'a TocEntry,
    sections: Vec<&'a TocEntry>,
}

/// A school's pages: its plan, its data file and its forms.
pub fn school_pages(
    theme: &ThemePages,
    county: &County,
    plan: &ResolvedPlan,
    doc: &Document,
    report: &SchoolReport,
    source: &SchoolSource,
    with_pdf: bool,
) -> Result<Vec<Output>, SourceError> {
    let id = &plan.school.id;
    let page = Route::School(id.clone());
    let fail = |e: String| SourceError::new(&source.file, None, format!("rendering its page: {e}"));
    let view = SchoolPage {
        base: base(
            county,
            &page,
            format!("{} 資通安全維護計畫", plan.school.name),
        ),
        summary: &plan.school,
        cover: &plan.cover,
        pdf: with_pdf.then(|| PdfLinks {
            plan: Route::PlanPdf(id.clone()).href_from(&page),
            bundle: Route::Bundle(id.clone()).href_from(&page),
        }),
        data_href: Route::SchoolData(id.clone()).href_from(&page),
        check: report.into(),
        findings: finding_links(report, &doc.markers, &page),
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
                pdf_href: with_pdf.then(|| form_pdf_route(id, f).href_from(&page)),
            })
            .collect(),
        chapters: chapter_toc(&doc.toc),
        plan_html: html::render(doc, &page),
    };
    let mut files = vec![theme.page(page, "school.html", &view).map_err(fail)?];
    files.push(data_page(theme, county, plan, report, source).map_err(fail)?);
    for form in &plan.forms {
        files.push(form_page(theme, county, plan, form, with_pdf).map_err(fail)?);
    }
    Ok(files)
}

fn form_route(school: &str, form: &Form) -> Route {
    Route::Form {
        school: school.to_string(),
        slug: form.slug.clone(),
    }
}

fn form_pdf_route(school: &str, form: &Form) -> Route {
    Route::FormPdf {
        school: school.to_string(),
        slug: form.slug.clone(),
    }
}

/// Chapters with their sections nested, for the page's table of contents.
fn chapter_toc(toc: &[TocEntry]) -> Vec<ChapterToc<'_>> {
    let mut chapters: Vec<ChapterToc> = Vec::new();
    for entry in toc {
        match chapters.last_mut() {
            Some(c) if entry.level > 1 => c.sections.push(entry),
            _ if entry.level == 1 => chapters.push(ChapterToc {
                entry,
                sections: Vec::new(),
            }),
            _ => {}
        }
    }
    chapters
}

/// Each finding with where the school page sends the reader: the field's marker when the page
/// shows one, else the line on the data page.
fn finding_links<'a>(
    report: &'a SchoolReport,
    markers_on_page: &[String],
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
            } else if f.file == report.file {
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
    /// In the school's YAML (it has a line on this page), or in one of its own texts.
    here: bool,
    file: String,
}

/// The school's YAML, highlighted, its findings marked on their lines.
fn data_page(
    theme: &ThemePages,
    county: &County,
    plan: &ResolvedPlan,
    report: &SchoolReport,
    source: &SchoolSource,
) -> Result<Output, String> {
    let page = Route::SchoolData(plan.school.id.clone());
    let view = DataPage {
        base: base(county, &page, format!("{} 學校資料", plan.school.name)),
        summary: &plan.school,
        school_href: Route::School(plan.school.id.clone()).href_from(&page),
        source_file: county.relative(&source.file),
        check: report.into(),
        findings: report
            .findings
            .iter()
            .map(|f| DataFinding {
                finding: f,
                here: f.file == source.file,
                file: county.relative(&f.file),
            })
            .collect(),
        lines: data_page::lines(
            &source.text,
            source.data.as_ref().ok(),
            &county.schema,
            &report.findings,
            &source.file,
        ),
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
    plan: &ResolvedPlan,
    form: &Form,
    with_pdf: bool,
) -> Result<Output, String> {
    let id = &plan.school.id;
    let page = form_route(id, form);
    let view = FormPage {
        base: base(county, &page, form.title.clone()),
        summary: &plan.school,
        school_href: Route::School(id.clone()).href_from(&page),
        form,
        form_pdf: with_pdf.then(|| form_pdf_route(id, form).href_from(&page)),
    };
    theme.page(page, "form.html", &view)
}

#[derive(Serialize)]
struct DocPage<'a> {
    #[serde(flatten)]
    base: Base<'a>,
    doc: &'a ResolvedDoc,
    schools: usize,
    body_html: String,
    toc: &'a [TocEntry],
}

/// A shared document's page.
pub fn doc_page(
    theme: &ThemePages,
    county: &County,
    doc: &ResolvedDoc,
    parsed: &Document,
) -> Result<Output, SourceError> {
    let page = Route::Doc(doc.id.clone());
    let view = DocPage {
        base: base(county, &page, doc.title.clone()),
        doc,
        schools: county.schools.len(),
        body_html: html::render(parsed, &page),
        toc: &parsed.toc,
    };
    theme.page(page, "doc.html", &view).map_err(|e| {
        let file = county
            .docs
            .iter()
            .find(|d| d.id == doc.id)
            .map(|d| d.file.clone());
        SourceError::new(
            file.unwrap_or_default(),
            None,
            format!("rendering its page: {e}"),
        )
    })
}

#[derive(Serialize)]
struct IndexPage<'a> {
    #[serde(flatten)]
    base: Base<'a>,
    schools: Vec<IndexRow<'a>>,
    failed: &'a BTreeSet<String>,
    docs: Vec<DocLink<'a>>,
    totals: Totals,
    total_overrides: usize,
    unchanged: usize,
}

#[derive(Serialize)]
struct IndexRow<'a> {
    school: &'a SchoolSummary,
    /// The school's page; none while the site has no page of it.
    href: Option<String>,
    check: Counts,
}

#[derive(Serialize)]
struct DocLink<'a> {
    title: &'a str,
    href: String,
}

#[derive(Serialize)]
struct Totals {
    errors: usize,
    warnings: usize,
    complete: usize,
}

/// The county index: a dashboard of every school, in the order of the county's own lists.
/// `has_page` says which schools have a page in the site being written; `failed` which failed.
pub fn index_page(
    theme: &ThemePages,
    county: &County,
    rows: &[(&SchoolSummary, &SchoolReport)],
    has_page: &dyn Fn(&str) -> bool,
    failed: &BTreeSet<String>,
) -> Result<Output, SourceError> {
    let page = Route::Index;
    let reports = rows.iter().map(|(_, r)| *r);
    let view = IndexPage {
        base: base(county, &page, county.config.site.title.clone()),
        schools: rows
            .iter()
            .map(|(s, r)| IndexRow {
                school: s,
                href: has_page(&s.id).then(|| Route::School(s.id.clone()).href_from(&page)),
                check: (*r).into(),
            })
            .collect(),
        failed,
        docs: county
            .docs
            .iter()
            .map(|d| DocLink {
                title: &d.title,
                href: Route::Doc(d.id.clone()).href_from(&page),
            })
            .collect(),
        totals: Totals {
            errors: reports.clone().map(|r| r.errors).sum(),
            warnings: reports.clone().map(|r| r.warnings).sum(),
            complete: reports.clone().filter(|r| r.errors == 0).count(),
        },
        total_overrides: rows.iter().map(|(s, _)| s.overrides).sum(),
        unchanged: rows.iter().filter(|(s, _)| s.overrides == 0).count(),
    };
    theme.page(page, "index.html", &view).map_err(|e| {
        SourceError::new(
            county.root.join("county.yaml"),
            None,
            format!("rendering the county index: {e}"),
        )
    })
}

/// The theme's static files and the stylesheet of highlighted code.
pub fn static_files(theme: &Theme) -> Vec<Output> {
    let mut files: Vec<Output> = theme
        .under("static")
        .map(|(path, file)| Output {
            route: Route::Static(path.to_string()),
            bytes: file.bytes.to_vec(),
        })
        .collect();
    files.push(Output {
        route: Route::Static(HIGHLIGHT_CSS.into()),
        bytes: html::highlight_css().into_bytes(),
    });
    files
}

/// HTML escaping for theme templates: text and quoted attribute values both. A 【待填】 marker
/// becomes a highlighted `<mark>`.
fn escape_html(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + 16);
    for part in markers::parts(input) {
        match part {
            Part::Text(text) => escape_into(text, &mut out),
            Part::Marker { path, label } => {
                out.push_str("<mark class=\"missing\" data-field=\"");
                escape_into(path, &mut out);
                out.push_str("\">");
                escape_into(&markers::words(label), &mut out);
                out.push_str("</mark>");
            }
        }
    }
    out
}

fn escape_into(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_text_and_attributes_and_marks_markers() {
        assert_eq!(
            escape_html("a<b> & \"c\" 'd' ../x/"),
            "a&lt;b&gt; &amp; &quot;c&quot; &#39;d&#39; ../x/"
        );
        let marker = markers::encode("ciso.name", "資通安全長姓名");
        assert_eq!(
            escape_html(&format!("校長{marker}")),
            "校長<mark class=\"missing\" data-field=\"ciso.name\">【待填：資通安全長姓名】</mark>"
        );
    }
}
