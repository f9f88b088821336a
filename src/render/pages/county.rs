//! The pages about the whole county: its index, a dashboard of every school, and its shared
//! documents.

use std::collections::BTreeSet;

use serde::Serialize;

use super::{Base, Counts, ThemePages, base};
use crate::diagnostics::SourceError;
use crate::model::{Profile, SchoolSummary};
use crate::render::Output;
use crate::render::document::{Document, TocEntry};
use crate::render::html;
use crate::resolve::ResolvedDoc;
use crate::routes::Route;
use crate::source::County;
use crate::validate::SchoolReport;

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
    profile: Profile,
    doc: &ResolvedDoc,
    parsed: &Document,
) -> Result<Output, SourceError> {
    let page = Route::Doc(doc.id.clone());
    let view = DocPage {
        base: base(county, profile, &page, doc.title.clone()),
        doc,
        schools: county.schools.len(),
        body_html: html::render(parsed, &page),
        toc: &parsed.toc,
    };
    theme.page(page, "doc.html", &view)
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
    profile: Profile,
    rows: &[(&SchoolSummary, &SchoolReport)],
    has_page: &dyn Fn(&str) -> bool,
    failed: &BTreeSet<String>,
) -> Result<Output, SourceError> {
    let page = Route::Index;
    let reports = rows.iter().map(|(_, r)| *r);
    let view = IndexPage {
        base: base(county, profile, &page, county.config.site.title.clone()),
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
    theme.page(page, "index.html", &view)
}
