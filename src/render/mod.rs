//! The render stage: a school's [`ResolvedPlan`] becomes its pages and PDFs. The plan's
//! Markdown is parsed once into a [`Document`]; the HTML and the Typst markup are two walks
//! over it.

pub mod columns;
pub mod crawlers;
pub mod data_page;
pub mod document;
pub mod html;
pub mod pages;
pub mod pdf;
pub mod typst;

use serde_json::json;

use crate::base::roc::Date;
use crate::base::routes::Route;
use crate::config::{AppendixMode, CountyConfig};
use crate::editions::Release;
use crate::markers;
use crate::resolve::{ResolvedDoc, ResolvedPlan};
use document::Document;
use pdf::PdfJob;
use typst::TypstOptions;

/// The county's shared documents as the appendix of every plan, each under its own label so
/// that the plan's links to it stay links on paper: appended whole (as rendered with `in_plan`),
/// or cited by title, edition and address when the county publishes them apart
/// (`appendix: cite`). `docs` come with the edition the plan cites (`None`: the working text).
/// A character no font has (in a school's name the documents list) prints as 〓: it is that
/// school's to fix, and its own PDF fails on it, but it must not cost every other school its
/// plan.
pub fn appendix<'a>(
    docs: impl IntoIterator<Item = (&'a ResolvedDoc, Option<&'a str>)>,
    config: &CountyConfig,
    printable: &dyn Fn(char) -> bool,
) -> String {
    let mut out = String::new();
    for (i, (doc, version)) in docs.into_iter().enumerate() {
        let title = format!("附錄：{}", doc.title);
        match config.appendix {
            AppendixMode::Append => out.push_str(&doc_markup(doc, &title, doc.appended())),
            AppendixMode::Cite => {
                if i == 0 {
                    out.push_str("#pagebreak(weak: true)\n");
                }
                out.push_str(&citation(doc, &title, version, config));
            }
        }
    }
    printable_only(&out, printable)
}

/// A shared document as Typst markup under a first-level heading `title`, labelled
/// `<doc-<id>>`, from a new page.
fn doc_markup(doc: &ResolvedDoc, title: &str, markdown: &str) -> String {
    let options = TypstOptions {
        heading_offset: 1,
        appended_docs: Vec::new(),
    };
    format!(
        "#pagebreak(weak: true)\n#heading(level: 1)[{}] <doc-{}>\n{}",
        typst::escape_text(title),
        doc.id,
        typst::render(&Document::parse(markdown), &options)
    )
}

/// Where a plan's appendix sends the reader for a document published apart: its edition's
/// address (the latest edition's, or the working text's, for a draft), in full when the county
/// says where its site is.
fn citation(
    doc: &ResolvedDoc,
    title: &str,
    version: Option<&str>,
    config: &CountyConfig,
) -> String {
    let route = match version {
        Some(v) => Route::DocEdition {
            doc: doc.id.clone(),
            version: v.to_string(),
        },
        None => Route::Doc(doc.id.clone()),
    };
    let edition = version.map_or(String::new(), |v| format!("，版次 {v}"));
    let address = match config.site.address(&route) {
        Some(url) => {
            format!(
                "，全文見 #link({})[{}]",
                typst::string_literal(&url),
                typst::escape_text(&url)
            )
        }
        None => "，全文見本縣資通安全維護計畫網站".to_string(),
    };
    format!(
        "#heading(level: 1)[{}] <doc-{}>\n\n本文件為{}共用文件，另行發布{}{}。\n\n",
        typst::escape_text(title),
        doc.id,
        typst::escape_text(&config.name),
        typst::escape_text(&edition),
        address,
    )
}

/// A shared document as the body of its own PDF: its title, then its whole text.
pub fn doc_body(doc: &ResolvedDoc, printable: &dyn Fn(char) -> bool) -> String {
    printable_only(&doc_markup(doc, &doc.title, &doc.markdown), printable)
}

fn printable_only(markup: &str, printable: &dyn Fn(char) -> bool) -> String {
    markup
        .chars()
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

/// A shared document's own PDF: its text (from `doc_body`), titled as itself, its edition in
/// the header and its release date as the PDF's date; the working text (`release` none) is
/// marked 草稿.
pub fn doc_pdf_job(
    doc: &ResolvedDoc,
    release: Option<&Release>,
    county: &str,
    printable: &dyn Fn(char) -> bool,
) -> PdfJob {
    let data = json!({
        "title": doc.title,
        "author": county,
        "edition": release.map_or("草稿".to_string(), |r| format!("版次：{}", r.version)),
        "draft": release.is_none(),
    });
    PdfJob {
        name: format!("docs/{}", doc.id),
        body: doc_body(doc, printable),
        data: serde_json::to_vec_pretty(&data).expect("JSON values serialize"),
        date: release
            .and_then(|r| Date::parse_iso(&r.date))
            .unwrap_or(UNDATED),
        ident: format!(
            "planpress-doc-{}-{}",
            doc.id,
            release.map_or(crate::base::routes::DRAFT, |r| &r.version)
        ),
        forms: false,
        bundle: false,
    }
}

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
