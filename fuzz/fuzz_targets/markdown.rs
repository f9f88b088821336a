//! Any text as the county's or a school's Markdown: parsed once, written as HTML and as Typst
//! markup, never a panic. (That the markup prints a value literally and compiles is a property
//! test in src/render/pdf.)
#![no_main]

use libfuzzer_sys::fuzz_target;
use planpress::render::document::Document;
use planpress::render::{html, typst};
use planpress::resolve::templates::escape_markdown;
use planpress::base::routes::Route;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let page = Route::School("fuzz".into());
    for markdown in [text.to_string(), escape_markdown(&text)] {
        let doc = Document::parse(&markdown);
        let _ = html::render(&doc, &page);
        let _ = typst::render(&doc, &typst::TypstOptions::default());
    }
});
