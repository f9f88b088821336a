//! axe-core (WCAG 2.1 A and AA rules, and its best practices) in headless Chromium over every
//! kind of page: the county index, a school's page, its data page, a form, a shared document,
//! what changed since an edition, and the search page with results. `.ci/run` fetches axe-core
//! from the npm registry.

use std::fs;

use crate::browser::{StaticServer, dom_after_scripts};
use crate::harness::*;

/// axe-core's script, where `.ci/run` puts it.
fn axe() -> Option<Vec<u8>> {
    fs::read(repo().join("target/axe-core/package/axe.min.js")).ok()
}

/// Runs axe once the page and its own scripts are done, and writes what it found into the
/// page for the test to read.
const RUN: &str = "window.addEventListener('load', () => setTimeout(() => axe.run(document, \
  { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } }) \
  .then((r) => { const p = document.createElement('pre'); p.id = 'axe-violations'; \
  p.textContent = JSON.stringify(r.violations.map((v) => ({ id: v.id, impact: v.impact, \
  nodes: v.nodes.length, first: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }))); \
  document.body.append(p); }), 3000));";

/// What axe found on a page, as `RUN` wrote it into the page.
fn violations(dom: &str, page: &str) -> serde_json::Value {
    let html = scraper::Html::parse_document(dom);
    let report = html
        .select(&sel("#axe-violations"))
        .next()
        .map(text)
        .unwrap_or_else(|| panic!("axe ran on {page}"));
    serde_json::from_str(&report).unwrap()
}

#[test]
fn every_kind_of_page_passes_axe_core() {
    let Some(axe) = axe() else {
        missing("axe-core");
        return;
    };
    let county = County::fixture();
    county.release_school("dongshi-jh", "V3.1", "依新版範本修訂");
    county.edit("schools/dongshi-jh.yaml", |t| {
        t.replacen("name: 黃振榮", "name: 黃振華", 1)
    });
    county.build_ok(&["--no-pdf"]);
    let server = StaticServer::injecting(&county.out, axe, RUN);
    let pages = [
        "index.html",
        "schools/dongshi-jh/index.html",
        "schools/dongshi-jh/draft/data/index.html",
        "schools/dongshi-jh/draft/forms/team/index.html",
        "docs/incident-procedure/index.html",
        "schools/dongshi-jh/changes/draft/index.html",
        "search/index.html?q=%E8%B3%87%E9%80%9A%E5%AE%89%E5%85%A8",
    ];
    let mut found = Vec::new();
    for page in pages {
        let Some(dom) = dom_after_scripts(&format!("{}{page}", server.base)) else {
            missing("Chromium");
            return;
        };
        let violations = violations(&dom, page);
        if !violations.as_array().unwrap().is_empty() {
            found.push(format!("{page}: {violations}"));
        }
    }
    assert!(
        found.is_empty(),
        "axe-core violations:\n{}",
        found.join("\n")
    );
}

/// The preview's form (編輯資料) of a school with findings beside its fields, as the preview
/// serves it, checked by axe like the site's pages.
#[test]
fn the_preview_form_passes_axe_core() {
    let Some(axe) = axe() else {
        missing("axe-core");
        return;
    };
    let county = County::fixture();
    let preview = crate::server::Server::start(env!("CARGO_BIN_EXE_planpress"), &county.root, &[]);
    let form = preview.get("/_edit/daji-jh/");
    assert_eq!(form.status, 200);
    let dir = county.dir().join("form");
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("index.html"), &form.body).unwrap();
    let server = StaticServer::injecting(&dir, axe, RUN);
    let Some(dom) = dom_after_scripts(&format!("{}index.html", server.base)) else {
        missing("Chromium");
        return;
    };
    assert_eq!(violations(&dom, "the form"), serde_json::json!([]));
}
