//! Markdown to Typst markup, over the same pulldown-cmark events as the HTML: one source, two
//! outputs. Every character Typst would read as markup is escaped, so data prints literally.
//!
//! Blocks become function calls (`#table(..)`, `#enum(..)`, `#footnote[..]`) rather than Typst's
//! own markup shorthands, which depend on line starts and indentation.

use std::collections::HashMap;

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, LinkType, Parser, Tag, TagEnd};

use crate::numbering;
use crate::plan::{OVERRIDE_CLOSE, OVERRIDE_OPEN};

/// How a document is placed in its PDF.
#[derive(Debug, Clone, Default)]
pub struct TypstOptions {
    /// Added to every heading level (an appendix sits one level below the plan's chapters).
    pub heading_offset: usize,
    /// Relative links to these shared documents (by id) point to their label in the same PDF.
    pub appended_docs: Vec<String>,
}

/// Converts a whole document. Headings carry their official number (壹、一、(一)) in their text,
/// counted exactly as the HTML counts them, and their `{#id}` as a label.
pub fn to_typst(markdown: &str, options: &TypstOptions) -> String {
    let events: Vec<Event> = Parser::new_ext(markdown, crate::markdown::options()).collect();
    let mut w = Writer {
        options,
        table_columns: column_widths(&events),
        out: String::with_capacity(markdown.len() * 2),
        footnotes: collect_footnotes(&events),
        footnotes_used: HashMap::new(),
        counters: [0; 6],
        lists: Vec::new(),
        pending_space: false,
        tables_seen: 0,
        in_code: false,
        pending_label: String::new(),
        school_parts: Vec::new(),
        links: Vec::new(),
    };
    w.events(&events);
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

/// Relative column widths of every table, in order: a column's share grows with the text its
/// cells hold (damped, so a long column does not crush the others).
fn column_widths(events: &[Event]) -> Vec<Vec<usize>> {
    let mut tables = Vec::new();
    let mut current: Vec<usize> = Vec::new();
    let mut rows = 0usize;
    let mut column = 0usize;
    for e in events {
        match e {
            Event::Start(Tag::Table(aligns)) => {
                current = vec![0; aligns.len()];
                rows = 0;
            }
            Event::Start(Tag::TableHead | Tag::TableRow) => {
                column = 0;
                rows += 1;
            }
            Event::End(TagEnd::TableCell) => column += 1,
            Event::Text(t) | Event::Code(t) => {
                if let Some(c) = current.get_mut(column) {
                    *c += t.chars().count();
                }
            }
            Event::End(TagEnd::Table) => {
                let rows = rows.max(1);
                tables.push(
                    current
                        .iter()
                        .map(|&chars| (chars / rows).clamp(8, 18))
                        .collect(),
                );
            }
            _ => {}
        }
    }
    tables
}

fn collect_footnotes<'a>(events: &[Event<'a>]) -> HashMap<String, Vec<Event<'a>>> {
    let mut defs = HashMap::new();
    let mut current: Option<(String, Vec<Event<'a>>)> = None;
    for e in events {
        match e {
            Event::Start(Tag::FootnoteDefinition(label)) => {
                current = Some((label.to_string(), Vec::new()));
            }
            Event::End(TagEnd::FootnoteDefinition) => {
                if let Some((label, body)) = current.take() {
                    defs.insert(label, body);
                }
            }
            e => {
                if let Some((_, body)) = &mut current {
                    body.push(e.clone());
                }
            }
        }
    }
    defs
}

struct Writer<'o, 'a> {
    options: &'o TypstOptions,
    out: String,
    footnotes: HashMap<String, Vec<Event<'a>>>,
    /// Footnote label → its Typst label once printed, so a second reference points to it.
    footnotes_used: HashMap<String, String>,
    counters: [usize; 6],
    table_columns: Vec<Vec<usize>>,
    tables_seen: usize,
    /// Open lists: `Some(depth among ordered lists)` or `None` for bullets.
    lists: Vec<Option<usize>>,
    /// A soft line break seen, to become a space unless it stands between CJK characters.
    pending_space: bool,
    /// Inside a code block, text goes into a string literal.
    in_code: bool,
    /// The label of the heading being written, put after its closing bracket.
    pending_label: String,
    /// Modes of the school's own parts being written.
    school_parts: Vec<&'static str>,
    /// What closes each open link: a bracket, or a bracket and a label.
    links: Vec<&'static str>,
}

impl<'a> Writer<'_, 'a> {
    fn events(&mut self, events: &[Event<'a>]) {
        let mut skip_depth = 0usize;
        for event in events {
            // Footnote definitions print where they are referenced, not where they stand.
            match event {
                Event::Start(Tag::FootnoteDefinition(_)) => {
                    skip_depth += 1;
                    continue;
                }
                Event::End(TagEnd::FootnoteDefinition) => {
                    skip_depth -= 1;
                    continue;
                }
                _ if skip_depth > 0 => continue,
                _ => {}
            }
            self.event(event);
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

    fn event(&mut self, event: &Event<'a>) {
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
            // The template frames labelled blocks (show rules reach into included files, while
            // its functions do not).
            Event::Html(html) if html.starts_with(OVERRIDE_OPEN) => {
                let mode = if html.contains("mode=replace") {
                    "replace"
                } else {
                    "append"
                };
                self.school_parts.push(mode);
                self.out.push_str("\n#block(width: 100%)[\n");
            }
            Event::Html(html) if html.starts_with(OVERRIDE_CLOSE) => {
                let mode = self.school_parts.pop().unwrap_or("append");
                self.out.push_str(&format!("\n] <school-part-{mode}>\n"));
            }
            // Other raw HTML has no meaning on paper.
            Event::Html(_)
            | Event::InlineHtml(_)
            | Event::InlineMath(_)
            | Event::DisplayMath(_) => {}
            Event::FootnoteReference(label) => self.footnote(label),
            Event::TaskListMarker(done) => self.out.push_str(if *done { "■ " } else { "□ " }),
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
        }
    }

    fn footnote(&mut self, label: &str) {
        if let Some(typst_label) = self.footnotes_used.get(label) {
            self.out.push_str(&format!("#footnote(<{typst_label}>)"));
            return;
        }
        let Some(body) = self.footnotes.get(label).cloned() else {
            return;
        };
        let typst_label = format!("fn-{}", self.footnotes_used.len() + 1);
        self.out.push_str("#footnote[");
        for e in &body {
            match e {
                // A footnote is one paragraph on paper.
                Event::Start(Tag::Paragraph) | Event::End(TagEnd::Paragraph) => {}
                e => self.event(e),
            }
        }
        self.out.push_str(&format!("] <{typst_label}>"));
        self.footnotes_used.insert(label.to_string(), typst_label);
    }

    fn start(&mut self, tag: &Tag<'a>) {
        match tag {
            Tag::Paragraph => {}
            Tag::Heading { level, id, .. } => self.heading(*level, id.as_deref()),
            Tag::BlockQuote(_) => self.out.push_str("\n#quote(block: true)["),
            Tag::CodeBlock(kind) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => info.split_whitespace().next().unwrap_or(""),
                    CodeBlockKind::Indented => "",
                };
                // The code's text follows as one string literal, closed in `end`.
                self.out.push_str(&format!(
                    "\n#raw(block: true, lang: {}, \"",
                    string_literal(lang)
                ));
                self.in_code = true;
            }
            Tag::List(start) => {
                let ordered_depth = start.map(|_| self.lists.iter().flatten().count());
                self.lists.push(ordered_depth);
                match (start, ordered_depth) {
                    (Some(n), Some(depth)) => {
                        let pattern = ["1.", "(1)", "A."][depth.min(2)];
                        self.out.push_str(&format!(
                            "\n#enum(numbering: {}, start: {n}, ",
                            string_literal(pattern)
                        ));
                    }
                    _ => self.out.push_str("\n#list("),
                }
            }
            Tag::Item => self.out.push('['),
            Tag::Table(aligns) => {
                let widths = self
                    .table_columns
                    .get(self.tables_seen)
                    .cloned()
                    .unwrap_or_else(|| vec![1; aligns.len()]);
                self.tables_seen += 1;
                let columns: Vec<String> = widths.iter().map(|w| format!("{w}fr")).collect();
                self.out
                    .push_str(&format!("\n#table(columns: ({},), ", columns.join(", ")));
            }
            Tag::TableHead => self.out.push_str("table.header("),
            Tag::TableCell => self.out.push('['),
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
            TagEnd::Heading(_) => {
                self.out.push(']');
                let label = std::mem::take(&mut self.pending_label);
                self.out.push_str(&label);
                self.out.push('\n');
            }
            TagEnd::BlockQuote(_) => self.out.push_str("]\n"),
            TagEnd::CodeBlock => {
                self.in_code = false;
                self.out.push_str("\")\n");
            }
            TagEnd::List(_) => {
                self.lists.pop();
                self.out.push_str(")\n");
            }
            TagEnd::Item => self.out.push_str("], "),
            TagEnd::Table => self.out.push_str(")\n"),
            TagEnd::TableHead => self.out.push_str("), "),
            TagEnd::TableCell => self.out.push_str("], "),
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

    fn heading(&mut self, level: HeadingLevel, id: Option<&str>) {
        let depth = level as usize;
        self.counters[depth - 1] += 1;
        for deeper in &mut self.counters[depth..] {
            *deeper = 0;
        }
        let number = numbering::heading_marker(depth, self.counters[depth - 1]);
        self.pending_label = id.map(|id| format!(" <{id}>")).unwrap_or_default();
        self.out.push_str(&format!(
            "\n#heading(level: {})[{}",
            depth + self.options.heading_offset,
            escape_text(&number),
        ));
    }

    fn link_start(&mut self, link_type: LinkType, dest: &str) {
        if dest.starts_with(crate::markdown::MISSING_SCHEME) {
            self.out.push_str("#box[");
            self.links.push("] <missing>");
            return;
        }
        self.links.push("]");
        let is_web = dest.starts_with("http://") || dest.starts_with("https://");
        if is_web || link_type == LinkType::Email || dest.starts_with("mailto:") {
            self.out
                .push_str(&format!("#link({})[", string_literal(dest)));
        } else if let Some(doc) = self
            .options
            .appended_docs
            .iter()
            .find(|id| dest.contains(&format!("docs/{id}/")))
        {
            self.out.push_str(&format!("#link(<doc-{doc}>)["));
        } else {
            // A link within the website means nothing on paper: keep the text.
            self.out.push_str("#[");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn convert(md: &str) -> String {
        to_typst(md, &TypstOptions::default())
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
        assert!(out.contains("[二、乙]"), "{out}");
    }
}
