//! The site's addresses. Every file planpress writes has a [`Route`]; this module is the only
//! place that turns one into a path in the site or a link between pages, and the only place that
//! reads a path back (the dev server's requests); and what stands at an address: a rendered
//! [`Output`], an edition's version label.
//!
//! Links are relative (`../../index.html`), with an explicit `index.html`, so that a site works
//! from disk and under any sub-path of a web server.

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

/// Whether `version` can name an edition (and its folder): `V1.0`, `2.1`.
pub fn valid_version(version: &str) -> bool {
    let digits = version.strip_prefix(['V', 'v']).unwrap_or(version);
    !digits.is_empty()
        && digits
            .split('.')
            .all(|n| !n.is_empty() && n.len() <= 4 && n.bytes().all(|b| b.is_ascii_digit()))
}

/// The version a label names, without its note: `V1.0（初版）` → `V1.0`. A plan's version may
/// carry a note in parentheses, as signed plans write it; the edition is the version alone.
pub fn version_id(label: &str) -> &str {
    let label = label.trim();
    let note = label
        .strip_suffix('）')
        .and_then(|l| l.rfind('（'))
        .or_else(|| label.strip_suffix(')').and_then(|l| l.rfind('(')));
    match note {
        Some(at) if at > 0 => label[..at].trim_end(),
        _ => label,
    }
}

/// A file of the site, rendered: where it goes and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    pub route: Route,
    pub bytes: Vec<u8>,
}

#[cfg(test)]
impl Output {
    /// A file at a site path, for tests.
    pub fn at(path: &str, text: &str) -> Output {
        Output {
            route: Route::parse(path).expect("a site path"),
            bytes: text.as_bytes().to_vec(),
        }
    }
}

/// A file of the site.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Route {
    /// The county index: the dashboard of every school.
    Index,
    /// The dashboard as CSV.
    DashboardCsv,
    /// A theme asset under `static/`.
    Static(String),
    /// A document shared by the county (the incident procedure), at its address: its latest
    /// released edition, or its working text while it has none.
    Doc(String),
    /// A shared document's working text.
    DocDraft(String),
    /// A released edition of a shared document.
    DocEdition { doc: String, version: String },
    /// A shared document's own PDF, in the folder of its working text (`version` is `draft`)
    /// or of one of its editions: `docs/<doc>/<version>/<doc>.pdf`.
    DocPdf { doc: String, version: String },
    /// A school's address: its latest released edition, or its draft while it has none.
    Home(String),
    /// A school's working draft: its plan as the data says now. The draft's files (its data
    /// page, forms and PDFs) live in the draft's folder, beside the released editions' folders.
    School(String),
    /// A school's YAML as a page.
    SchoolData(String),
    /// One attachment form of a school's draft.
    Form { school: String, slug: String },
    /// The draft's plan as PDF.
    PlanPdf(String),
    /// The draft's attachment forms, all in one PDF; a form is a destination in it
    /// ([`Route::form_in_pdf`]).
    FormsPdf(String),
    /// The plan and all forms in one PDF.
    Bundle(String),
    /// What changed in a school's edition `to` (a version, or `draft`) since the one before.
    Changes { school: String, to: String },
    /// A released edition of a school's plan.
    Edition { school: String, version: String },
    /// A file of a released edition as it was released: `plan.pdf`, `forms/<slug>.pdf`,
    /// `bundle.pdf`.
    EditionFile {
        school: String,
        version: String,
        file: String,
    },
    /// The list of files planpress wrote, with their hashes.
    Manifest,
    /// Every page's full address, for search engines; only when the site's address is known.
    Sitemap,
    /// What crawlers may read: all of the public copy, nothing of the internal one.
    Robots,
    /// The page a web server shows for an address the site does not have.
    NotFound,
    /// The search page.
    Search,
    /// A file of the search index, under `pagefind/`.
    SearchIndex(String),
}

/// What names the working draft where an edition's version could stand.
pub const DRAFT: &str = "draft";

/// Markdown links to `site:<path>` point to a file of the site; each output resolves them
/// (a relative link on a page, a label in a PDF).
pub const SITE_SCHEME: &str = "site:";

/// Characters kept out of a path segment of a link.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'\\')
    .add(b'`')
    .add(b'{')
    .add(b'}');

impl Route {
    /// Whether the search index takes this page: what a school publishes as its plan now (its
    /// address, not its draft nor older editions, which would repeat it), its forms and the
    /// shared documents.
    pub fn is_searched(&self) -> bool {
        matches!(self, Route::Home(_) | Route::Form { .. } | Route::Doc(_))
    }

    /// The path of the file in the site, `/`-separated, without a leading slash.
    pub fn path(&self) -> String {
        match self {
            Route::Index => "index.html".into(),
            Route::DashboardCsv => "dashboard.csv".into(),
            Route::Static(file) => format!("static/{file}"),
            Route::Doc(id) => format!("docs/{id}/index.html"),
            Route::DocDraft(id) => format!("docs/{id}/{DRAFT}/index.html"),
            Route::DocEdition { doc, version } => format!("docs/{doc}/{version}/index.html"),
            Route::DocPdf { doc, version } => format!("docs/{doc}/{version}/{doc}.pdf"),
            Route::Home(id) => format!("{}index.html", school_dir(id)),
            Route::School(id) => format!("{}index.html", draft_dir(id)),
            Route::SchoolData(id) => format!("{}data/index.html", draft_dir(id)),
            Route::Form { school, slug } => {
                format!("{}forms/{slug}/index.html", draft_dir(school))
            }
            Route::PlanPdf(id) => format!("{}plan.pdf", draft_dir(id)),
            Route::FormsPdf(id) => format!("{}forms.pdf", draft_dir(id)),
            Route::Bundle(id) => format!("{}bundle.pdf", draft_dir(id)),
            Route::Changes { school, to } => {
                format!("{}changes/{to}/index.html", school_dir(school))
            }
            Route::Edition { school, version } => {
                format!("{}{version}/index.html", school_dir(school))
            }
            Route::EditionFile {
                school,
                version,
                file,
            } => format!("{}{version}/{file}", school_dir(school)),
            Route::Manifest => ".planpress-manifest.json".into(),
            Route::Sitemap => "sitemap.xml".into(),
            Route::Robots => "robots.txt".into(),
            Route::NotFound => "404.html".into(),
            Route::Search => "search/index.html".into(),
            Route::SearchIndex(file) => format!("pagefind/{file}"),
        }
    }

    /// The school a file belongs to.
    pub fn school(&self) -> Option<&str> {
        match self {
            Route::Home(id)
            | Route::School(id)
            | Route::SchoolData(id)
            | Route::PlanPdf(id)
            | Route::Bundle(id)
            | Route::Form { school: id, .. }
            | Route::FormsPdf(id)
            | Route::Changes { school: id, .. }
            | Route::Edition { school: id, .. }
            | Route::EditionFile { school: id, .. } => Some(id),
            _ => None,
        }
    }

    /// The path of a draft's file within the draft's folder (`plan.pdf`, `forms/x.pdf`): where
    /// a release keeps it within the edition's.
    pub fn within_draft(&self) -> Option<String> {
        let dir = draft_dir(self.school()?);
        self.path().strip_prefix(&dir).map(str::to_string)
    }

    /// The PDF of one part of a school's document: `plan` or `forms`.
    pub fn pdf_part(school: &str, part: &str) -> Option<Route> {
        match part {
            "plan" => Some(Route::PlanPdf(school.into())),
            "forms" => Some(Route::FormsPdf(school.into())),
            _ => None,
        }
    }

    /// A link from `from` to one form within the forms' PDF `forms_pdf` (a draft's, or an
    /// edition's file): the named destination that the form's heading carries, which PDF
    /// viewers open at; one that does not know it opens the first page.
    pub fn form_in_pdf(forms_pdf: &str, slug: &str) -> String {
        format!("{forms_pdf}#nameddest=form-{slug}")
    }

    /// A relative link from the page at `from` to this file.
    pub fn href_from(&self, from: &Route) -> String {
        relative(&from.path(), &self.path())
    }

    /// The address under the site's base URL: the path without a trailing `index.html`.
    pub fn canonical(&self) -> String {
        let path = self.path();
        match path.strip_suffix("index.html") {
            Some(dir) => dir.to_string(),
            None => path,
        }
    }

    /// A link to this file for Markdown text, resolved by each output (see [`SITE_SCHEME`]).
    pub fn site_link(&self) -> String {
        format!("{SITE_SCHEME}{}", self.path())
    }

    /// The route of a site path, for the files planpress writes.
    pub fn parse(path: &str) -> Option<Route> {
        let parts: Vec<&str> = path.split('/').collect();
        let own = |s: &str| s.to_string();
        Some(match parts.as_slice() {
            ["index.html"] => Route::Index,
            ["dashboard.csv"] => Route::DashboardCsv,
            [".planpress-manifest.json"] => Route::Manifest,
            ["sitemap.xml"] => Route::Sitemap,
            ["robots.txt"] => Route::Robots,
            ["404.html"] => Route::NotFound,
            ["search", "index.html"] => Route::Search,
            ["pagefind", rest @ ..] if !rest.is_empty() => Route::SearchIndex(rest.join("/")),
            ["static", rest @ ..] if !rest.is_empty() => Route::Static(rest.join("/")),
            ["docs", id, "index.html"] => Route::Doc(own(id)),
            ["docs", id, DRAFT, "index.html"] => Route::DocDraft(own(id)),
            ["docs", id, version, file]
                if (*version == DRAFT || valid_version(version))
                    && file.strip_suffix(".pdf") == Some(*id) =>
            {
                Route::DocPdf {
                    doc: own(id),
                    version: own(version),
                }
            }
            ["docs", id, version, "index.html"] if valid_version(version) => Route::DocEdition {
                doc: own(id),
                version: own(version),
            },
            ["schools", id, "index.html"] => Route::Home(own(id)),
            ["schools", id, DRAFT, "index.html"] => Route::School(own(id)),
            ["schools", id, DRAFT, "data", "index.html"] => Route::SchoolData(own(id)),
            ["schools", id, DRAFT, "plan.pdf"] => Route::PlanPdf(own(id)),
            ["schools", id, DRAFT, "bundle.pdf"] => Route::Bundle(own(id)),
            ["schools", id, DRAFT, "forms", slug, "index.html"] => Route::Form {
                school: own(id),
                slug: own(slug),
            },
            ["schools", id, DRAFT, "forms.pdf"] => Route::FormsPdf(own(id)),
            ["schools", id, "changes", to, "index.html"] if *to == DRAFT || valid_version(to) => {
                Route::Changes {
                    school: own(id),
                    to: own(to),
                }
            }
            ["schools", id, version, "index.html"] if valid_version(version) => Route::Edition {
                school: own(id),
                version: own(version),
            },
            ["schools", id, version, rest @ ..] if valid_version(version) && !rest.is_empty() => {
                Route::EditionFile {
                    school: own(id),
                    version: own(version),
                    file: rest.join("/"),
                }
            }
            _ => return None,
        })
        .filter(|r| r.path() == path && is_clean(path))
    }
}

/// A site path of plain names: no empty, `.` or `..` segment can make it leave the site.
pub fn is_clean(path: &str) -> bool {
    path.split('/')
        .all(|s| !s.is_empty() && s != "." && s != ".." && !s.contains('\\'))
}

/// The folder of a school's files, with its trailing slash.
pub fn school_dir(id: &str) -> String {
    format!("schools/{id}/")
}

/// The folder of a school's working draft, with its trailing slash.
pub fn draft_dir(id: &str) -> String {
    format!("{}{DRAFT}/", school_dir(id))
}

/// The school a site path belongs to, if any.
pub fn school_of(path: &str) -> Option<&str> {
    path.strip_prefix("schools/")?
        .split_once('/')
        .map(|(id, _)| id)
}

/// The file a folder's address stands for: `schools/a/` is `schools/a/index.html`, `` the
/// county index.
pub fn folder_index(folder: &str) -> String {
    format!("{folder}index.html")
}

/// The draft of one school previewed alone, as the dev server prints it
/// (`/schools/<id>/draft/`).
pub fn school_url_path(id: &str) -> String {
    format!("/{}", Route::School(id.into()).canonical())
}

/// Resolves a link of Markdown text on the page at `page`. A `site:` link names a file of the
/// site. A relative link on a school's page (`forms/team/index.html` in a chapter) is relative
/// to the school's draft folder, wherever the page stands (the draft, the school's address, an
/// edition). Other links stay as written.
pub fn resolve_link<'a>(dest: &'a str, page: &Route) -> std::borrow::Cow<'a, str> {
    let target = match dest.strip_prefix(SITE_SCHEME) {
        Some(target) => target.to_string(),
        None => match page.school() {
            Some(id) if is_relative(dest) => format!("{}{dest}", draft_dir(id)),
            _ => return dest.into(),
        },
    };
    let (path, fragment) = match target.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (target.as_str(), None),
    };
    let mut href = relative(&page.path(), path);
    if let Some(f) = fragment {
        href.push('#');
        href.push_str(f);
    }
    href.into()
}

/// A link to a file beside the page: no scheme, not from the root, not a fragment alone.
fn is_relative(dest: &str) -> bool {
    let scheme = dest
        .split_once(':')
        .is_some_and(|(s, _)| !s.is_empty() && !s.contains(['/', '#', '?']));
    !scheme && !dest.is_empty() && !dest.starts_with(['/', '#', '?']) && !dest.starts_with("../")
}

/// A relative link from the file at `from` to the file at `to` (both site paths).
fn relative(from: &str, to: &str) -> String {
    let from_dirs: Vec<&str> = from.split('/').collect::<Vec<_>>();
    let from_dirs = &from_dirs[..from_dirs.len() - 1];
    let to_parts: Vec<&str> = to.split('/').collect();
    let (to_dirs, file) = to_parts.split_at(to_parts.len() - 1);
    let common = from_dirs
        .iter()
        .zip(to_dirs)
        .take_while(|(a, b)| a == b)
        .count();
    let mut href = "../".repeat(from_dirs.len() - common);
    for part in to_dirs[common..].iter().chain(file) {
        href.extend(utf8_percent_encode(part, SEGMENT));
        href.push('/');
    }
    href.pop();
    href
}

#[cfg(test)]
mod tests {
    use super::*;

    fn school(id: &str) -> Route {
        Route::School(id.into())
    }

    #[test]
    fn a_version_note_is_not_the_version() {
        assert_eq!(version_id("V1.0（初版）"), "V1.0");
        assert_eq!(version_id("V2.1 (修訂)"), "V2.1");
        assert_eq!(version_id("V1.0"), "V1.0");
        assert_eq!(
            version_id("（初版）"),
            "（初版）",
            "a note alone is no version"
        );
        assert!(valid_version(version_id("V1.0（初版）")));
    }

    #[test]
    fn versions_name_folders_safely() {
        for ok in ["V1.0", "v2", "1.10.2"] {
            assert!(valid_version(ok), "{ok}");
        }
        for bad in ["", "V", "V1.", "../V1", "V1.0/x", "V1 .0", "V12345"] {
            assert!(!valid_version(bad), "{bad}");
        }
    }

    #[test]
    fn links_are_relative_and_short() {
        let page = school("a-es");
        assert_eq!(Route::PlanPdf("a-es".into()).href_from(&page), "plan.pdf");
        assert_eq!(Route::Index.href_from(&page), "../../../index.html");
        assert_eq!(
            Route::Doc("incident".into()).href_from(&page),
            "../../../docs/incident/index.html"
        );
        let home = Route::Home("a-es".into());
        assert_eq!(page.href_from(&home), "draft/index.html");
        assert_eq!(home.href_from(&page), "../index.html");
        assert_eq!(
            Route::Edition {
                school: "a-es".into(),
                version: "V1.0".into()
            }
            .href_from(&home),
            "V1.0/index.html"
        );
        let form = Route::Form {
            school: "a-es".into(),
            slug: "team".into(),
        };
        assert_eq!(form.href_from(&page), "forms/team/index.html");
        assert_eq!(page.href_from(&form), "../../index.html");
        assert_eq!(
            Route::form_in_pdf(&Route::FormsPdf("a-es".into()).href_from(&form), "team"),
            "../../forms.pdf#nameddest=form-team"
        );
        assert_eq!(
            page.href_from(&Route::Index),
            "schools/a-es/draft/index.html"
        );
        assert_eq!(home.href_from(&Route::Index), "schools/a-es/index.html");
        assert_eq!(
            Route::Static("style.css".into()).href_from(&Route::SchoolData("a".into())),
            "../../../../static/style.css"
        );
    }

    #[test]
    fn odd_ids_are_encoded_in_links() {
        assert_eq!(
            Route::Home("a b#c".into()).href_from(&Route::Index),
            "schools/a%20b%23c/index.html"
        );
    }

    #[test]
    fn paths_read_back_as_routes() {
        let routes = [
            Route::Index,
            Route::DashboardCsv,
            Route::Static("dashboard.js".into()),
            Route::Doc("incident".into()),
            Route::DocDraft("incident".into()),
            Route::DocEdition {
                doc: "incident".into(),
                version: "V1.0".into(),
            },
            Route::DocPdf {
                doc: "incident".into(),
                version: DRAFT.into(),
            },
            Route::DocPdf {
                doc: "incident".into(),
                version: "V1.0".into(),
            },
            Route::Home("a".into()),
            school("a"),
            Route::SchoolData("a".into()),
            Route::Form {
                school: "a".into(),
                slug: "team".into(),
            },
            Route::PlanPdf("a".into()),
            Route::FormsPdf("a".into()),
            Route::Bundle("a".into()),
            Route::Edition {
                school: "a".into(),
                version: "V1.0".into(),
            },
            Route::Changes {
                school: "a".into(),
                to: "draft".into(),
            },
            Route::EditionFile {
                school: "a".into(),
                version: "V1.0".into(),
                file: "forms/team.pdf".into(),
            },
            Route::Manifest,
            Route::Sitemap,
            Route::Robots,
            Route::NotFound,
            Route::Search,
            Route::SearchIndex("fragment/zh-hant-tw_1.pf_fragment".into()),
        ];
        for r in routes {
            assert_eq!(Route::parse(&r.path()), Some(r.clone()), "{r:?}");
        }
        assert_eq!(Route::parse("schools/a/other.html"), None);
        assert_eq!(Route::parse("schools/../index.html"), None);
        assert_eq!(Route::parse("schools//index.html"), None);
        assert_eq!(Route::parse("schools/a/forms/x.txt"), None);
        assert_eq!(Route::parse("schools/a/V1.0/../../x.pdf"), None);
        assert_eq!(Route::parse("schools/a/plan.pdf"), None);
        assert_eq!(
            Route::PlanPdf("a".into()).within_draft().as_deref(),
            Some("plan.pdf")
        );
    }

    #[test]
    fn site_links_resolve_from_the_page() {
        let page = school("a");
        let link = Route::Doc("incident".into()).site_link();
        assert_eq!(
            resolve_link(&link, &page),
            "../../../docs/incident/index.html"
        );
        assert_eq!(
            resolve_link("site:docs/x/index.html#part", &Route::Index),
            "docs/x/index.html#part"
        );
        assert_eq!(
            resolve_link("forms/team/index.html", &page),
            "forms/team/index.html"
        );
        // Chapters link a school's forms beside its draft, from every page that shows a plan.
        let edition = Route::Edition {
            school: "a".into(),
            version: "V1.0".into(),
        };
        assert_eq!(
            resolve_link("forms/team/index.html#x", &edition),
            "../draft/forms/team/index.html#x"
        );
        assert_eq!(
            resolve_link("forms/team/index.html", &Route::Home("a".into())),
            "draft/forms/team/index.html"
        );
        for kept in [
            "https://example.org/a",
            "mailto:a@b.tw",
            "#part",
            "/x",
            "../x",
        ] {
            assert_eq!(resolve_link(kept, &edition), kept);
        }
        assert_eq!(resolve_link("forms/x", &Route::Doc("d".into())), "forms/x");
    }
}
