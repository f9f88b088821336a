//! The theme's HTML pages: one tera set compiled once, and each page rendered from a typed view
//! made here. Every link a page shows comes from [`Route`]; data is escaped for HTML, and a
//! 【待填】 marker becomes a highlighted `<mark>`.

mod county;
mod edition;
mod school;

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Serialize;
use tera::{Context, Tera};

use super::html::{self, escape_into};
use crate::base::diagnostics::SourceError;
use crate::base::routes::Output;
use crate::base::routes::Route;
use crate::config::{CountyConfig, Site};
use crate::markers::{self, Part};
use crate::model::Profile;
use crate::render::document::TocEntry;
use crate::resolve::templates::template_error;
use crate::source::County;
use crate::source::theme::Theme;
use crate::validate::SchoolReport;

/// Where the search results of the county's shared documents are grouped.
pub const SHARED_GROUP: &str = "全縣共用文件";
pub use county::{doc_page, index_page, not_found_page, search_page};
pub use edition::{EditionLink, changes_page, edition_links, edition_page};
pub use school::school_pages;

/// The theme's templates, compiled once per county.
pub struct ThemePages {
    tera: Tera,
    /// Where each template came from, by name: a template that fails names its file.
    origins: BTreeMap<String, PathBuf>,
}

impl ThemePages {
    pub fn new(theme: &Theme) -> Result<ThemePages, SourceError> {
        let mut tera = Tera::default();
        tera.autoescape_on(vec![".html"]);
        tera.set_escape_fn(escape_html);
        tera.register_filter("roc_date", crate::base::roc::roc_date_filter);
        crate::resolve::templates::withhold_functions(&mut tera);
        // Added one by one so that an error names the file it is in; macro files first, then
        // the layouts, as the pages that import or extend them need them present.
        let mut origins = BTreeMap::new();
        let mut files: Vec<_> = theme.under("templates").collect();
        files.sort_by_key(|(name, file)| {
            let extends = file.bytes.windows(10).any(|w| w == b"{% extends");
            (!name.ends_with("macros.html"), extends)
        });
        for (name, file) in files {
            origins.insert(name.to_string(), file.origin.clone());
            let text = std::str::from_utf8(&file.bytes).map_err(|_| {
                SourceError::new(&file.origin, None, "a theme template must be UTF-8")
            })?;
            tera.add_raw_template(name, text)
                .map_err(|e| template_error(&e, &file.origin, 1))?;
        }
        Ok(ThemePages { tera, origins })
    }

    /// A page from its template and view. The views are typed, so a page that does not render
    /// is the theme's fault, not a school's: the error names the template's file and is the
    /// county's (it would fail every school alike).
    fn page(
        &self,
        route: Route,
        template: &str,
        view: &impl Serialize,
    ) -> Result<Output, SourceError> {
        let origin = self.origins.get(template).cloned().unwrap_or_default();
        let context = Context::from_serialize(view)
            .map_err(|e| SourceError::new(&origin, None, e.to_string()))?;
        let html = self
            .tera
            .render(template, &context)
            .map_err(|e| template_error(&e, &origin, 1))?;
        Ok(Output {
            bytes: html.into_bytes(),
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
    /// The internal copy: not to be indexed, and saying so on every page.
    internal: bool,
    /// The page's full address under the configured base URL, if the county gives one.
    canonical: Option<String>,
    links: Links,
    /// On a searched page: how its results are grouped and titled.
    search: Option<SearchTags>,
}

/// What the search index records of a page (see [`crate::search`]).
#[derive(Serialize)]
struct SearchTags {
    /// The school's name, or [`SHARED_GROUP`].
    group: String,
    title: String,
}

impl Base<'_> {
    /// Marks `page` for the search index when it is one of the searched pages.
    fn searched_as(mut self, page: &Route, group: &str, title: String) -> Self {
        if page.is_searched() {
            self.search = Some(SearchTags {
                group: group.to_string(),
                title,
            });
        }
        self
    }
}

/// Links every page may show.
#[derive(Serialize)]
struct Links {
    index: String,
    style: String,
    highlight: String,
    dashboard_js: String,
    csv: String,
    search: String,
    /// The school's own address, on a school's pages.
    home: Option<String>,
}

/// `title` names the page; the site's title follows it in `<title>`, unless it is the site's.
fn base<'a>(county: &'a County, profile: Profile, page: &Route, title: String) -> Base<'a> {
    let site = &county.config.site;
    let link = |r: Route| href(site, page, r);
    Base {
        page_title: if title == site.title {
            title
        } else {
            format!("{title}｜{}", site.title)
        },
        site,
        county: &county.config,
        internal: profile == Profile::Internal,
        canonical: match page {
            Route::NotFound => None,
            _ => site.address(page),
        },
        links: Links {
            index: link(Route::Index),
            style: link(Route::Static("style.css".into())),
            highlight: link(Route::Static(HIGHLIGHT_CSS.into())),
            dashboard_js: link(Route::Static("dashboard.js".into())),
            csv: link(Route::DashboardCsv),
            search: link(Route::Search),
            home: page.school().map(|id| link(Route::Home(id.to_string()))),
        },
        search: None,
    }
}

/// A link from `page` to `to`. The missing-page page is served at any address: its links are
/// full ones when the site's address is known (else from the site's root, as for the index).
fn href(site: &Site, page: &Route, to: Route) -> String {
    match page {
        Route::NotFound => site.address(&to).unwrap_or_else(|| to.href_from(page)),
        _ => to.href_from(page),
    }
}

/// A chapter of the page's table of contents, with its sections.
#[derive(Serialize)]
pub(super) struct ChapterToc<'a> {
    entry: &'a TocEntry,
    sections: Vec<&'a TocEntry>,
}

/// Chapters with their sections nested, for the page's table of contents.
pub(super) fn chapter_toc(toc: &[TocEntry]) -> Vec<ChapterToc<'_>> {
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
        bytes: html::highlight_css().as_bytes().to_vec(),
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
