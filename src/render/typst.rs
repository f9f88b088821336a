//! A [`Document`] as Typst markup for the PDF. Every character Typst would read as markup is
//! escaped, so that data prints literally; blocks become function calls (`#table(..)`,
//! `#enum(..)`, `#footnote[..]`) rather than Typst's shorthands, which depend on line starts.

use pulldown_cmark::{Event, LinkType, Tag, TagEnd};

use super::document::{Document, Ev};
use crate::base::numbering::ListNumbering;
use crate::base::routes::{self, Route};

/// How a document is placed in its PDF.
#[derive(Debug, Clone, Default)]
pub struct TypstOptions {
    /// Added to every heading level (an appendix sits one level below the plan's chapters).
    pub heading_offset: usize,
    /// Links to these shared documents (by id) point to their label in the same PDF.
    pub appended_docs: Vec<String>,
}

/// Written before each chapter and section (a first- or second-level heading outside any block),
/// where the PDF's world cuts the body into a file per section. A Typst comment, so the body
/// compiles the same whole or cut; no text can make it, as `/` is escaped and strings hold no
/// line break.
pub const SECTION_MARK: &str = "\n// planpress:section\n";

/// The document as Typst markup. Headings carry their official number in their text and their
/// id as a label; a footnote prints where it is first referenced, later references point to it.
pub fn render(doc: &Document, options: &TypstOptions) -> String {
    let mut w = Writer {
        doc,
        options,
        out: String::with_capacity(doc.events.len() * 16),
        pending_space: false,
        in_code: false,
        pending_label: String::new(),
        regions: Vec::new(),
        links: Vec::new(),
        kept_cell: false,
    };
    w.events(&doc.events);
    w.out
}

/// Escapes text for Typst markup: every character that could start markup, a shorthand or a
/// comment gets a backslash.
pub fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '#'
                | '$'
                | '*'
                | '_'
                | '`'
                | '<'
                | '@'
                | '['
                | ']'
                | '~'
                | '-'
                | '+'
                | '='
                | '/'
                | '.'
                | '\''
                | '"'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A Typst string literal.
pub fn string_literal(text: &str) -> String {
    format!("\"{}\"", string_body(text))
}

/// The inside of a Typst string literal.
fn string_body(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Characters between which a line break in the source is no space (Chinese, Japanese and
/// full-width punctuation).
fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF | 0x20000..=0x2FFFF)
}

struct Writer<'d> {
    /// The cell being written is kept on one line (in a box, which never breaks).
    kept_cell: bool,
    doc: &'d Document,
    options: &'d TypstOptions,
    out: String,
    /// A soft line break seen, to become a space unless it stands between CJK characters.
    pending_space: bool,
    /// Inside a code block, text goes into a string literal.
    in_code: bool,
    /// The label of the heading being written, put after its closing bracket.
    pending_label: String,
    /// Modes of the school's own parts being written.
    regions: Vec<&'static str>,
    /// What closes each open link: a bracket, or a bracket and a label.
    links: Vec<&'static str>,
}

impl<'d> Writer<'d> {
    fn events(&mut self, events: &'d [Ev]) {
        for e in events {
            self.event(e);
        }
    }

    fn text(&mut self, text: &str) {
        if std::mem::take(&mut self.pending_space) {
            let before = self.out.chars().last();
            let after = text.chars().next();
            let cjk = before.is_some_and(is_cjk) || after.is_some_and(is_cjk);
            if !cjk && before.is_some_and(|c| !c.is_whitespace()) {
                self.out.push(' ');
            }
        }
        self.out.push_str(&escape_text(text));
    }

    fn event(&mut self, event: &'d Ev) {
        match event {
            Ev::HeadingStart {
                depth,
                number,
                id,
                authored,
            } => {
                if *authored {
                    self.pending_label = format!(" <{id}>");
                }
                // An appended document is one entry of the plan's contents: its own headings
                // are not listed there.
                let outlined = if self.options.heading_offset > 0 {
                    ", outlined: false"
                } else {
                    ""
                };
                let level = depth + self.options.heading_offset;
                if level <= 2 && self.regions.is_empty() && self.links.is_empty() && !self.in_code {
                    self.out.push_str(SECTION_MARK);
                }
                self.out.push_str(&format!(
                    "\n#heading(level: {}{outlined})[{}",
                    level,
                    escape_text(number),
                ));
            }
            Ev::HeadingEnd { .. } => {
                self.out.push(']');
                let label = std::mem::take(&mut self.pending_label);
                self.out.push_str(&label);
                self.out.push('\n');
            }
            Ev::FootnoteRef {
                number,
                first: false,
            } => self.out.push_str(&format!("#footnote(<fn-{number}>)")),
            Ev::FootnoteRef {
                number,
                first: true,
            } => {
                self.out.push_str("#footnote[");
                for e in &self.doc.footnotes[number - 1] {
                    match e {
                        // A footnote is one paragraph on paper.
                        Ev::Md(Event::Start(Tag::Paragraph) | Event::End(TagEnd::Paragraph)) => {}
                        e => self.event(e),
                    }
                }
                self.out.push_str(&format!("] <fn-{number}>"));
            }
            // On paper a note prints at its reference.
            Ev::Footnotes(_) => {}
            // The template frames labelled blocks (show rules reach into included files, while
            // its functions do not).
            Ev::RegionStart { mode, .. } => {
                self.regions.push(mode.as_str());
                self.out.push_str("\n#block(width: 100%)[\n");
            }
            Ev::RegionEnd => {
                let mode = self.regions.pop().unwrap_or("append");
                self.out.push_str(&format!("\n] <school-part-{mode}>\n"));
            }
            Ev::MissingStart { .. } => self.out.push_str("#box["),
            Ev::MissingEnd => self.out.push_str("] <missing>"),
            Ev::Code { lang, code } => self.out.push_str(&format!(
                "\n#raw(block: true, lang: {}, {})\n",
                string_literal(lang),
                string_literal(code)
            )),
            Ev::CellStart { keep } => {
                self.kept_cell = *keep;
                self.out.push_str(if *keep { "[#box[" } else { "[" });
            }
            Ev::TableStart { widths, .. } => {
                let columns: Vec<String> = widths.iter().map(|w| format!("{w}fr")).collect();
                self.out
                    .push_str(&format!("\n#table(columns: ({},), ", columns.join(", ")));
            }
            Ev::ListStart { start, numbering } => match (start, numbering) {
                (Some(n), Some(numbering)) => {
                    // 、 is a full-width glyph: its own space is the gap before the text.
                    let gap = if *numbering == ListNumbering::Han {
                        "body-indent: 0em, "
                    } else {
                        ""
                    };
                    self.out.push_str(&format!(
                        "\n#enum(numbering: {}, start: {n}, {gap}",
                        string_literal(numbering.typst_pattern())
                    ));
                }
                _ => self.out.push_str("\n#list("),
            },
            Ev::Md(e) => self.markdown(e),
        }
    }

    fn markdown(&mut self, event: &Event<'static>) {
        match event {
            Event::Text(t) if self.in_code => self.out.push_str(&string_body(t)),
            Event::Text(t) => self.text(t),
            Event::Code(t) => self.out.push_str(&format!("#raw({});", string_literal(t))),
            Event::SoftBreak => self.pending_space = true,
            Event::HardBreak => self.out.push_str("#linebreak();"),
            Event::Rule => self.out.push_str("\n#line(length: 100%)\n"),
            Event::InlineHtml(html) if html.trim().eq_ignore_ascii_case("<br>") => {
                self.out.push_str("#linebreak();")
            }
            // Other raw HTML has no meaning on paper.
            Event::Html(_)
            | Event::InlineHtml(_)
            | Event::InlineMath(_)
            | Event::DisplayMath(_)
            | Event::FootnoteReference(_) => {}
            Event::TaskListMarker(done) => self.out.push_str(if *done { "■ " } else { "□ " }),
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
        }
    }

    fn start(&mut self, tag: &Tag<'static>) {
        match tag {
            Tag::BlockQuote(_) => self.out.push_str("\n#quote(block: true)["),
            Tag::Item => self.out.push('['),
            Tag::TableHead => self.out.push_str("table.header("),
            Tag::Emphasis => self.out.push_str("#emph["),
            Tag::Strong => self.out.push_str("#strong["),
            Tag::Strikethrough => self.out.push_str("#strike["),
            Tag::Link {
                link_type,
                dest_url,
                ..
            } => self.link_start(*link_type, dest_url),
            Tag::Image { dest_url, .. } => {
                self.out
                    .push_str(&format!("#box[{}", escape_text(&format!("[{dest_url}]"))));
            }
            _ => {}
        }
    }

    fn end(&mut self, tag: &TagEnd) {
        match tag {
            TagEnd::Paragraph => self.out.push_str("\n\n"),
            TagEnd::BlockQuote(_) => self.out.push_str("]\n"),
            TagEnd::List(_) | TagEnd::Table => self.out.push_str(")\n"),
            TagEnd::Item => self.out.push_str("], "),
            TagEnd::TableHead => self.out.push_str("), "),
            TagEnd::TableCell => {
                self.out.push_str(if std::mem::take(&mut self.kept_cell) {
                    "]], "
                } else {
                    "], "
                });
            }
            TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough | TagEnd::Image => {
                self.out.push(']')
            }
            TagEnd::Link => {
                let close = self.links.pop().unwrap_or("]");
                self.out.push_str(close);
            }
            _ => {}
        }
    }

    fn link_start(&mut self, link_type: LinkType, dest: &str) {
        self.links.push("]");
        let is_web = dest.starts_with("http://") || dest.starts_with("https://");
        if is_web || link_type == LinkType::Email || dest.starts_with("mailto:") {
            self.out
                .push_str(&format!("#link({})[", string_literal(dest)));
            return;
        }
        let appended = dest.strip_prefix(routes::SITE_SCHEME).and_then(|path| {
            match Route::parse(path.split('#').next().unwrap_or(path)) {
                Some(Route::Doc(id)) => self.options.appended_docs.contains(&id).then_some(id),
                _ => None,
            }
        });
        match appended {
            Some(doc) => self.out.push_str(&format!("#link(<doc-{doc}>)[")),
            // A link within the website means nothing on paper: keep the text.
            None => self.out.push_str("#["),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn convert(md: &str) -> String {
        render(&Document::parse(md), &TypstOptions::default())
    }

    #[test]
    fn each_chapter_and_section_is_marked_where_its_file_begins_but_not_inside_a_block() {
        let out = convert(
            "# 壹、依據\n\n本文 // 斜線\n\n## 一、細節\n\n# 貳、範圍\n\n\
             <!-- planpress:override mode=append target=x -->\n\n# 本校章\n\n\
             <!-- /planpress:override -->\n",
        );
        assert_eq!(out.matches(SECTION_MARK).count(), 3, "{out}");
        let after = out.split(SECTION_MARK).nth(1).unwrap();
        assert!(
            after.trim_start().starts_with("#heading(level: 1)"),
            "{out}"
        );
        // Text never makes the mark: its slashes are escaped.
        assert!(out.contains("\\/\\/"), "{out}");
    }

    #[test]
    fn special_characters_are_escaped() {
        let out = convert("a # $ * _ @ < > ` \\ [ ] ~ - + = / . ' \" : b\n");
        assert!(out.contains("\\#"), "{out}");
        assert!(!out.contains(" # "), "{out}");
    }

    #[test]
    fn soft_breaks_between_chinese_are_dropped() {
        let out = convert("第一行\n第二行\n\nword\nnext\n");
        assert!(out.contains("第一行第二行"), "{out}");
        assert!(out.contains("word next"), "{out}");
    }

    #[test]
    fn school_parts_and_missing_values_are_labelled() {
        let md = "<!-- planpress:override mode=replace target=x -->\n\n本校文字[【待填：資通安全長姓名】](missing:ciso.name)\n\n<!-- /planpress:override -->\n";
        let out = convert(md);
        assert!(
            out.contains("#box[【待填：資通安全長姓名】] <missing>"),
            "{out}"
        );
        assert!(out.contains("] <school-part-replace>"), "{out}");
    }

    #[test]
    fn headings_carry_numbers_and_labels() {
        let out = convert("# 依據 {#basis}\n\n## 甲 {#a}\n\n## 乙\n");
        assert!(
            out.contains("#heading(level: 1)[壹、依據] <basis>"),
            "{out}"
        );
        assert!(out.contains("[二、乙]\n"), "{out}");
    }

    #[test]
    fn a_footnote_prints_once_and_is_referenced_after() {
        let out = convert("甲[^x]乙[^x]\n\n[^x]: 註\n");
        assert!(out.contains("#footnote[註] <fn-1>"), "{out}");
        assert!(out.contains("#footnote(<fn-1>)"), "{out}");
    }

    #[test]
    fn links_to_appended_documents_stay_links() {
        let doc =
            Document::parse("見[程序](site:docs/incident/index.html)與[表](forms/x/index.html)\n");
        let out = render(
            &doc,
            &TypstOptions {
                heading_offset: 0,
                appended_docs: vec!["incident".into()],
            },
        );
        assert!(out.contains("#link(<doc-incident>)[程序]"), "{out}");
        assert!(out.contains("#[表]"), "{out}");
    }
}
