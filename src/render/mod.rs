//! The render stage: a school's [`ResolvedPlan`] becomes its pages and PDFs. The plan's
//! Markdown is parsed once into a [`Document`]; the HTML and the Typst markup are two walks
//! over it.

pub mod columns;
pub mod data_page;
pub mod document;
pub mod html;
pub mod pages;
pub mod pdf;
pub mod typst;

use serde_json::json;

use crate::markers;
use crate::resolve::{ResolvedDoc, ResolvedPlan};
use crate::roc::Date;
use crate::routes::Route;
use document::Document;
use pdf::PdfJob;
use typst::TypstOptions;

/// A file of the site, rendered.
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

/// The county's shared documents as the appendix of every plan, each under its own label so
/// that the plan's links to it stay links on paper. A character no font has (in a school's
/// name the documents list) prints as 〓: it is that school's to fix, and its own PDF fails on
/// it, but it must not cost every other school its plan.
pub fn appendix<'a>(
    docs: impl IntoIterator<Item = &'a ResolvedDoc>,
    printable: &dyn Fn(char) -> bool,
) -> String {
    let options = TypstOptions {
        heading_offset: 1,
        appended_docs: Vec::new(),
    };
    let mut out = String::new();
    for doc in docs {
        let parsed = Document::parse(doc.appended());
        out.push_str(&format!(
            "#pagebreak(weak: true)\n#heading(level: 1)[附錄：{}] <doc-{}>\n",
            typst::escape_text(&doc.title),
            doc.id
        ));
        out.push_str(&typst::render(&parsed, &options));
    }
    out.chars()
        .map(|c| {
            if c.is_ascii() || printable(c) {
                c
            } else {
                '〓'
            }
        })
        .collect()
}

/// The date of a plan that gives none (a draft): the bytes must not depend on the clock.
const UNDATED: Date = Date {
    year: 2000,
    month: 1,
    day: 1,
};

/// How much of a school's document to typeset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PdfScope {
    /// The plan and its forms, and the print bundle where the profile has one.
    Everything,
    /// The plan alone: what the dev server typesets when only the plan is asked for.
    Plan,
}

/// A school's document for Typst: the plan's markup and the data the template lays out.
/// `name` names the document in errors (the school's file); `draft` marks every page 草稿 (all
/// but a released edition); `bundle` asks for the print bundle with everything.
pub fn pdf_job(
    name: &str,
    plan: &ResolvedPlan,
    doc: &Document,
    appended_docs: &[String],
    scope: PdfScope,
    draft: bool,
    bundle: bool,
) -> PdfJob {
    let everything = scope == PdfScope::Everything;
    let data = json!({
        "title": format!("{} 資通安全維護計畫", plan.school.name),
        "author": plan.school.name,
        "name": plan.school.name,
        // A draft without them shows markers on its cover.
        "edition": plan.cover.edition,
        "date": plan.cover.date,
        "revisions": plan.revisions,
        // A working draft, marked 草稿 on every page; a released edition is not.
        "draft": draft,
        "school": plan.values,
        "missing": plan.missing_lists,
        // The template lays out the forms it is given.
        "forms": if everything { &plan.forms[..] } else { &[] },
    });
    // Markers become `(missing: …)` dictionaries that the template highlights.
    let data = markers::for_typst(&data);
    let options = TypstOptions {
        heading_offset: 0,
        appended_docs: appended_docs.to_vec(),
    };
    let date = plan
        .values
        .pointer("/plan/date")
        .and_then(serde_json::Value::as_str)
        .and_then(Date::parse_iso)
        .unwrap_or(UNDATED);
    PdfJob {
        name: name.to_string(),
        body: typst::render(doc, &options),
        data: serde_json::to_vec_pretty(&data).expect("JSON values serialize"),
        date,
        ident: format!("planpress-{}-{}", plan.school.id, plan.school.edition),
        forms: everything,
        bundle: everything && bundle,
    }
}
