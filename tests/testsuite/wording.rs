//! The example county's plans read the same whichever of their words are the county's data
//! (`terms`, `documents`, `law`, the number style): each plan's page text and PDF text (plan and
//! forms) of a level-C and a level-D school, pinned as snapshots. Moving a phrase out of a
//! chapter into county.yaml must leave them as they are; a deliberate change of wording shows
//! here as a diff to review.

use std::path::Path;

use crate::harness::{example_site, pdf_text, read_html, sel};

/// The text of a page's `<main>`, a line per text node, blank lines dropped.
fn page_text(page: &Path) -> String {
    let html = read_html(page);
    let main = html.select(&sel("main")).next().expect("a <main>");
    let mut out = String::new();
    for piece in main.text() {
        let piece = piece.trim();
        if !piece.is_empty() {
            out.push_str(piece);
            out.push('\n');
        }
    }
    out
}

fn pinned(id: &str) {
    let draft = example_site().join("schools").join(id).join("draft");
    insta::assert_snapshot!(
        format!("example_page_text_{id}"),
        page_text(&draft.join("index.html"))
    );
    insta::assert_snapshot!(
        format!("example_plan_pdf_text_{id}"),
        pdf_text(&draft.join("plan.pdf"))
    );
    insta::assert_snapshot!(
        format!("example_forms_pdf_text_{id}"),
        pdf_text(&draft.join("forms.pdf"))
    );
}

#[test]
fn a_level_c_plan_reads_as_before() {
    pinned("zhuqi-hs");
}

#[test]
fn a_level_d_plan_reads_as_before() {
    pinned("dongshi-jh");
}
