//! What the fixture county's outputs are, pinned whole: a school's plan as a page and as the
//! Typst source its PDF is typeset from, a form page and the county's dashboard. Any change of
//! output shows here as a diff to review (`cargo insta review`, or `INSTA_UPDATE=always` and
//! read `git diff`), not only where another test happens to look.
//!
//! The fixture county is the example county's text with five of its schools, so these change
//! with the example's own content too.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::harness::{County, read_html, sel};

/// The fixture county built once without PDFs, its Typst sources written beside the site.
fn built() -> &'static (County, PathBuf) {
    static BUILT: OnceLock<(County, PathBuf)> = OnceLock::new();
    BUILT.get_or_init(|| {
        let county = County::fixture();
        let typst = county.dir().join("typst");
        county.build_ok(&["--no-pdf", "--emit-typst", typst.to_str().unwrap()]);
        (county, typst)
    })
}

/// The page's `<main>`, a block element to a line, so that a diff shows what changed.
fn main_of(page: &Path) -> String {
    let html = read_html(page);
    let main = html
        .select(&sel("main"))
        .next()
        .expect("the page has a <main>");
    let mut out = String::new();
    for (i, piece) in main.html().split('<').enumerate() {
        if i > 0 {
            let block = [
                "h1", "h2", "h3", "h4", "p", "li", "tr", "table", "section", "div", "ol", "ul",
                "figure", "nav", "aside", "dl", "dt", "dd", "thead", "tbody", "header", "footer",
            ]
            .iter()
            .any(|tag| {
                piece
                    .strip_prefix(tag)
                    .is_some_and(|rest| rest.starts_with([' ', '>']))
            });
            if block && !out.ends_with('\n') {
                out.push('\n');
            }
            out.push('<');
        }
        out.push_str(piece);
    }
    out.push('\n');
    out
}

#[test]
fn a_school_plan_page() {
    let (county, _) = built();
    // 竹崎高中 has texts of its own: they show framed among the county's.
    let page = county.site("schools/zhuqi-hs/draft/index.html");
    insta::assert_snapshot!("plan_page_zhuqi-hs", main_of(&page));
}

#[test]
fn a_school_plan_as_typst() {
    let (_, typst) = built();
    let body = std::fs::read_to_string(typst.join("zhuqi-hs/body.typ")).unwrap();
    insta::assert_snapshot!("plan_typst_zhuqi-hs", body);
}

#[test]
fn a_form_page() {
    let (county, _) = built();
    let page = county.site("schools/daji-jh/draft/forms/team/index.html");
    insta::assert_snapshot!("form_page_team_daji-jh", main_of(&page));
}

#[test]
fn the_county_dashboard() {
    let (county, _) = built();
    // The dashboard counts the releases of the year it is built in.
    let year = planpress::base::roc::Date::today().roc_year();
    let page = main_of(&county.site("index.html"))
        .replace(&format!("民國 {year} 年"), "民國（建置當年）年");
    insta::assert_snapshot!("dashboard", page);
}
