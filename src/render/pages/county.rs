//! The pages about the whole county: its index, a dashboard of every school, and its shared
//! documents.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::EditionLink;
use super::{Base, Counts, ThemePages, base, href};
use crate::base::diagnostics::SourceError;
use crate::base::roc::Date;
use crate::base::routes::Output;
use crate::base::routes::{DRAFT, Route};
use crate::dashboard::{self, Missing, Row};
use crate::editions::{DocEdition, ReleaseStatus, Store};
use crate::model::{Profile, SchoolSummary};
use crate::render::document::{Document, TocEntry};
use crate::render::html;
use crate::resolve::{ResolvedDoc, Revision};
use crate::source::County;

#[derive(Serialize)]
struct DocPage<'a> {
    #[serde(flatten)]
    base: Base<'a>,
    doc: &'a ResolvedDoc,
    schools: usize,
    /// The edition shown, or none for the working text.
    version: Option<&'a str>,
    /// ROC date of the edition shown.
    released: Option<String>,
    /// The newest edition, when an older one is shown.
    latest: Option<EditionLink>,
    editions: Vec<EditionLink>,
    draft_href: String,
    /// The document's 修訂紀錄: its releases up to the one shown.
    revisions: Vec<Revision>,
    /// Its own PDF, when the county publishes one.
    pdf_href: Option<String>,
    body_html: String,
    toc: &'a [TocEntry],
}

/// A shared document's page at `page`: its working text (`shown` none) or one of its
/// `editions` (oldest first), whose text is `doc`.
#[allow(clippy::too_many_arguments)]
pub fn doc_page(
    theme: &ThemePages,
    county: &County,
    profile: Profile,
    doc: &ResolvedDoc,
    parsed: &Document,
    page: Route,
    editions: &[DocEdition],
    shown: Option<&DocEdition>,
    pdf: Option<&Route>,
) -> Result<Output, SourceError> {
    let version = shown.map(|e| e.release.version.as_str());
    let links: Vec<EditionLink> = editions
        .iter()
        .rev()
        .map(|e| {
            let route = Route::DocEdition {
                doc: doc.id.clone(),
                version: e.release.version.clone(),
            };
            EditionLink {
                version: e.release.version.clone(),
                date: Date::long_from_iso(&e.release.date),
                href: route.href_from(&page),
                here: version == Some(e.release.version.as_str()),
            }
        })
        .collect();
    let upto = match shown {
        Some(e) => editions.iter().position(|x| x == e).map_or(0, |i| i + 1),
        None => editions.len(),
    };
    let view = DocPage {
        base: base(
            county,
            profile,
            &page,
            match version {
                Some(v) => format!("{} {v}", doc.title),
                None => doc.title.clone(),
            },
        )
        .searched_as(&page, super::SHARED_GROUP, doc.title.clone()),
        doc,
        schools: county.schools.len(),
        version,
        released: shown.map(|e| Date::long_from_iso(&e.release.date)),
        latest: links
            .first()
            .filter(|l| shown.is_some() && !l.here)
            .cloned(),
        draft_href: Route::DocDraft(doc.id.clone()).href_from(&page),
        revisions: editions[..upto]
            .iter()
            .map(|e| Revision {
                version: e.release.version.clone(),
                date: Date::long_from_iso(&e.release.date),
                content: e.release.note.clone(),
                unit: e.release.unit.clone(),
                reviser: e.release.reviser.clone(),
                approver: e.release.approver.clone(),
            })
            .collect(),
        editions: links,
        pdf_href: pdf.map(|r| r.href_from(&page)),
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
    /// The schools that failed this time, by name, and why.
    failed: Vec<(&'a str, &'a str)>,
    docs: Vec<DocLink<'a>>,
    totals: Totals,
    /// The mandatory fields most schools leave empty.
    missing: Vec<Missing>,
    /// What the rows can be filtered by, in the county's order.
    choices: Choices<'a>,
    columns: &'static [&'static str],
    /// Releases by ROC year, newest first, and the schools that never released.
    years: Vec<YearReleases>,
    unreleased: usize,
    total_overrides: usize,
    unchanged: usize,
}

#[derive(Serialize)]
struct IndexRow<'a> {
    school: &'a SchoolSummary,
    /// The school's page (its latest edition, or its draft); none while the site has no page
    /// of it.
    href: Option<String>,
    /// Its draft, where the findings are shown.
    draft_href: Option<String>,
    check: Counts,
    release: Option<ReleaseCell<'a>>,
    /// The edition of the act its plan cites, and whether the county follows another now.
    law: String,
    law_differs: bool,
    /// Why it failed this time, if it did.
    failure: Option<&'a str>,
    /// For the filters: `failed`, `errors` or `clean`; `released`, `changed` (released, then
    /// edited) or `unreleased`; whether it released in the build's ROC year.
    state: &'static str,
    release_state: &'static str,
    released_this_year: bool,
}

#[derive(Serialize)]
struct Choices<'a> {
    kinds: Vec<&'a str>,
    townships: Vec<&'a str>,
    levels: Vec<&'a str>,
}

/// The school's latest release on the dashboard.
#[derive(Serialize)]
struct ReleaseCell<'a> {
    status: &'a ReleaseStatus,
    /// ROC date.
    date: String,
    href: Option<String>,
    changes_href: Option<String>,
}

/// The releases of one ROC year, and how many schools they cover.
#[derive(Serialize)]
struct YearReleases {
    year: i32,
    schools: usize,
    /// `(school name, versions)`.
    released: Vec<(String, Vec<String>)>,
}

#[derive(Serialize)]
struct DocLink<'a> {
    title: &'a str,
    href: String,
}

#[derive(Serialize)]
struct Totals {
    schools: usize,
    errors: usize,
    warnings: usize,
    /// Schools without errors, and with.
    complete: usize,
    with_errors: usize,
    failed: usize,
    /// The build's ROC year and the schools that released in it.
    year: i32,
    released_this_year: usize,
}

/// The county index: a dashboard of every school, in the order of the county's own lists.
/// `has_page` says which schools have a page in the site being written; `failed` which failed,
/// and why.
#[allow(clippy::too_many_arguments)]
pub fn index_page(
    theme: &ThemePages,
    county: &County,
    profile: Profile,
    rows: &[Row],
    editions: &Store,
    has_page: &dyn Fn(&str) -> bool,
    failed: &BTreeMap<String, String>,
) -> Result<Output, SourceError> {
    let page = Route::Index;
    let year = Date::today().roc_year();
    let released_in = |r: &Row| {
        r.release
            .and_then(|s| Date::parse_iso(&s.date))
            .map(|d| d.roc_year())
    };
    let schools: Vec<IndexRow> = rows
        .iter()
        .map(|row| {
            let s = row.school;
            let shown = has_page(&s.id);
            let failure = failed.get(&s.id).map(String::as_str);
            let (law, law_differs) = dashboard::law_cited(row.release, county.config.law.as_ref());
            IndexRow {
                school: s,
                href: shown.then(|| Route::Home(s.id.clone()).href_from(&page)),
                draft_href: shown.then(|| Route::School(s.id.clone()).href_from(&page)),
                check: row.report.into(),
                release: row.release.map(|status| ReleaseCell {
                    status,
                    date: Date::long_from_iso(&status.date),
                    href: shown.then(|| {
                        Route::Edition {
                            school: s.id.clone(),
                            version: status.version.clone(),
                        }
                        .href_from(&page)
                    }),
                    changes_href: (shown && status.draft_changed).then(|| {
                        Route::Changes {
                            school: s.id.clone(),
                            to: DRAFT.to_string(),
                        }
                        .href_from(&page)
                    }),
                }),
                failure,
                state: match (failure, row.report.errors) {
                    (Some(_), _) => "failed",
                    (None, 0) => "clean",
                    _ => "errors",
                },
                release_state: match row.release {
                    None => "unreleased",
                    Some(r) if r.draft_changed => "changed",
                    Some(_) => "released",
                },
                released_this_year: released_in(row) == Some(year),
                law,
                law_differs,
            }
        })
        .collect();
    let distinct = |of: fn(&SchoolSummary) -> &str| {
        let mut seen = BTreeSet::new();
        rows.iter()
            .map(|r| of(r.school))
            .filter(|v| !v.is_empty() && seen.insert(*v))
            .collect::<Vec<&str>>()
    };
    let mut levels = distinct(|s| &s.level);
    levels.sort();
    let reports = rows.iter().map(|r| r.report);
    let view = IndexPage {
        base: base(county, profile, &page, county.config.site.title.clone()),
        totals: Totals {
            schools: rows.len(),
            errors: reports.clone().map(|r| r.errors).sum(),
            warnings: reports.clone().map(|r| r.warnings).sum(),
            complete: schools.iter().filter(|r| r.state == "clean").count(),
            with_errors: schools.iter().filter(|r| r.state == "errors").count(),
            failed: schools.iter().filter(|r| r.state == "failed").count(),
            year,
            released_this_year: schools.iter().filter(|r| r.released_this_year).count(),
        },
        missing: dashboard::most_missing(rows, &county.schema, 10),
        choices: Choices {
            kinds: distinct(|s| &s.kind),
            townships: distinct(|s| &s.township),
            levels,
        },
        columns: &dashboard::COLUMNS,
        failed: schools
            .iter()
            .filter_map(|r| Some((r.school.name.as_str(), r.failure?)))
            .collect(),
        schools,
        years: years(rows, editions),
        unreleased: rows.iter().filter(|r| r.release.is_none()).count(),
        docs: county
            .docs
            .iter()
            .map(|d| DocLink {
                title: &d.title,
                href: Route::Doc(d.id.clone()).href_from(&page),
            })
            .collect(),
        total_overrides: rows.iter().map(|r| r.school.overrides).sum(),
        unchanged: rows.iter().filter(|r| r.school.overrides == 0).count(),
    };
    theme.page(page, "index.html", &view)
}

/// Which schools released what, year by year (ROC), newest year first.
fn years(rows: &[Row], editions: &Store) -> Vec<YearReleases> {
    let mut by_year: BTreeMap<i32, Vec<(String, Vec<String>)>> = BTreeMap::new();
    for row in rows {
        let mut versions: BTreeMap<i32, Vec<String>> = BTreeMap::new();
        for e in editions.of(&row.school.id) {
            if let Some(date) = Date::parse_iso(&e.release.date) {
                versions
                    .entry(date.roc_year())
                    .or_default()
                    .push(e.release.version.clone());
            }
        }
        for (year, versions) in versions {
            by_year
                .entry(year)
                .or_default()
                .push((row.school.name.clone(), versions));
        }
    }
    by_year
        .into_iter()
        .rev()
        .map(|(year, released)| YearReleases {
            year,
            schools: released.len(),
            released,
        })
        .collect()
}

#[derive(Serialize)]
struct NotFoundPage<'a> {
    #[serde(flatten)]
    base: Base<'a>,
    docs: Vec<DocLink<'a>>,
}

/// `404.html`: what a web server shows for an address the site does not have, with the way
/// back to the county index and its shared documents.
pub fn not_found_page(
    theme: &ThemePages,
    county: &County,
    profile: Profile,
) -> Result<Output, SourceError> {
    let page = Route::NotFound;
    let view = NotFoundPage {
        base: base(county, profile, &page, "找不到網頁".into()),
        docs: county
            .docs
            .iter()
            .map(|d| DocLink {
                title: &d.title,
                href: href(&county.config.site, &page, Route::Doc(d.id.clone())),
            })
            .collect(),
    };
    theme.page(page, "404.html", &view)
}

#[derive(Serialize)]
struct SearchPage<'a> {
    #[serde(flatten)]
    base: Base<'a>,
    /// What results can be narrowed to: every school, then the shared documents.
    groups: Vec<&'a str>,
    search_js: String,
}

/// The search page: the query runs in the browser over the site's index ([`crate::search`]).
pub fn search_page<'a>(
    theme: &ThemePages,
    county: &'a County,
    profile: Profile,
    schools: impl Iterator<Item = &'a str>,
) -> Result<Output, SourceError> {
    let page = Route::Search;
    let view = SearchPage {
        base: base(county, profile, &page, "搜尋".into()),
        groups: schools.chain([super::SHARED_GROUP]).collect(),
        search_js: Route::Static("search.js".into()).href_from(&page),
    };
    theme.page(page, "search.html", &view)
}
