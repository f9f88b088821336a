//! Markdown to HTML, with the official numbering, a table of contents, footnotes numbered across
//! the whole document, accessible tables and highlighted code.
//!
//! Authors write plain Markdown headings; the number of a heading (壹、一、(一)、1.、(1)) is
//! decided here from its depth, so that inserting a section renumbers everything after it.

use std::collections::HashMap;
use std::sync::OnceLock;

use pulldown_cmark::{
    Alignment, CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd,
};
use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

use crate::markers;
use crate::numbering;
use crate::plan::{OVERRIDE_CLOSE, OVERRIDE_OPEN, OverrideMode};

/// A heading of the first two levels, for the table of contents.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TocEntry {
    pub level: usize,
    pub id: String,
    pub number: String,
    pub title: String,
}

#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub html: String,
    pub toc: Vec<TocEntry>,
    /// Field paths of the 【待填】 markers, in order of first appearance; each first one has
    /// the id [`markers::anchor`] of its path.
    pub markers: Vec<String>,
}

/// Links to `missing:<field path>` mark a value the school has not filled in; both outputs
/// print them as highlighted markers.
pub const MISSING_SCHEME: &str = "missing:";

pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_STRIKETHROUGH
}

/// Renders a whole document. Headings of Markdown level L become `<h(L+1)>`: the page title is
/// the `<h1>`.
pub fn to_html(markdown: &str) -> Rendered {
    let mut r = HtmlRenderer::default();
    let events: Vec<Event> = Parser::new_ext(markdown, options()).collect();
    let mut out: Vec<Event> = Vec::with_capacity(events.len());
    let mut iter = events.into_iter();
    while let Some(event) = iter.next() {
        r.event(event, &mut iter, &mut out);
    }
    r.flush_footnotes(&mut out);
    let mut html = String::with_capacity(markdown.len() * 2);
    pulldown_cmark::html::push_html(&mut html, out.into_iter());
    Rendered {
        html,
        toc: r.toc,
        markers: r.markers,
    }
}

#[derive(Default)]
struct HtmlRenderer<'a> {
    /// Counters of headings by Markdown level 1..=6.
    counters: [usize; 6],
    toc: Vec<TocEntry>,
    generated_ids: usize,
    /// Footnote label → number, in order of first reference across the document.
    footnote_numbers: HashMap<String, usize>,
    footnote_defs: HashMap<String, Vec<Event<'a>>>,
    /// Numbers referenced but not yet printed.
    pending_footnotes: Vec<(usize, String)>,
    alignments: Vec<Alignment>,
    cell: usize,
    in_head: bool,
    /// Inside a `missing:` link (they do not nest with other links).
    in_missing: usize,
    markers: Vec<String>,
}

impl<'a> HtmlRenderer<'a> {
    fn event(
        &mut self,
        event: Event<'a>,
        rest: &mut impl Iterator<Item = Event<'a>>,
        out: &mut Vec<Event<'a>>,
    ) {
        match event {
            Event::Start(Tag::Heading { level, id, .. }) => {
                let inner = take_until(rest, |e| matches!(e, Event::End(TagEnd::Heading(_))));
                self.heading(level, id, inner, out);
            }
            Event::Start(Tag::FootnoteDefinition(label)) => {
                let inner = take_until(rest, |e| {
                    matches!(e, Event::End(TagEnd::FootnoteDefinition))
                });
                self.footnote_defs.insert(label.to_string(), inner);
            }
            Event::FootnoteReference(label) => {
                let next = self.footnote_numbers.len() + 1;
                let n = *self
                    .footnote_numbers
                    .entry(label.to_string())
                    .or_insert_with(|| {
                        self.pending_footnotes.push((next, label.to_string()));
                        next
                    });
                out.push(Event::InlineHtml(
                    format!(
                        "<sup class=\"fnref\"><a href=\"#fn-{n}\" id=\"fnref-{n}\" aria-label=\"註 {n}\">{n}</a></sup>"
                    )
                    .into(),
                ));
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => {
                        info.split_whitespace().next().unwrap_or("").to_string()
                    }
                    CodeBlockKind::Indented => String::new(),
                };
                let code: String = take_until(rest, |e| matches!(e, Event::End(TagEnd::CodeBlock)))
                    .into_iter()
                    .filter_map(|e| match e {
                        Event::Text(t) => Some(t.into_string()),
                        _ => None,
                    })
                    .collect();
                out.push(Event::Html(highlight(&code, &lang).into()));
            }
            Event::Html(html) if html.starts_with(OVERRIDE_OPEN) => {
                out.push(Event::Html(override_open(&html).into()));
            }
            Event::Html(html) if html.starts_with(OVERRIDE_CLOSE) => {
                out.push(Event::Html("</div>\n".into()));
            }
            Event::Start(Tag::Link { dest_url, .. }) if dest_url.starts_with(MISSING_SCHEME) => {
                let field = &dest_url[MISSING_SCHEME.len()..];
                // Only the first marker of a field gets the id the findings summary links to.
                let id = if self.markers.iter().any(|m| m == field) {
                    String::new()
                } else {
                    self.markers.push(field.to_string());
                    format!(" id=\"{}\"", escape_attr(&markers::anchor(field)))
                };
                out.push(Event::InlineHtml(
                    format!(
                        "<mark class=\"missing\" data-field=\"{}\"{id}>",
                        escape_attr(field),
                    )
                    .into(),
                ));
                self.in_missing += 1;
            }
            Event::End(TagEnd::Link) if self.in_missing > 0 => {
                self.in_missing -= 1;
                out.push(Event::InlineHtml("</mark>".into()));
            }
            Event::Start(Tag::Table(aligns)) => {
                self.alignments = aligns.clone();
                out.push(Event::Html("<div class=\"table-wrap\">".into()));
                out.push(Event::Start(Tag::Table(aligns)));
            }
            Event::End(TagEnd::Table) => {
                out.push(Event::End(TagEnd::Table));
                out.push(Event::Html("</div>\n".into()));
            }
            Event::Start(Tag::TableHead) => {
                self.in_head = true;
                self.cell = 0;
                out.push(Event::Start(Tag::TableHead));
            }
            Event::End(TagEnd::TableHead) => {
                self.in_head = false;
                out.push(Event::End(TagEnd::TableHead));
            }
            // Header cells get `scope="col"` (accessibility guideline); pulldown-cmark does not.
            Event::Start(Tag::TableCell) if self.in_head => {
                let align = match self.alignments.get(self.cell) {
                    Some(Alignment::Left) => " style=\"text-align:left\"",
                    Some(Alignment::Center) => " style=\"text-align:center\"",
                    Some(Alignment::Right) => " style=\"text-align:right\"",
                    _ => "",
                };
                out.push(Event::InlineHtml(
                    format!("<th scope=\"col\"{align}>").into(),
                ));
            }
            Event::End(TagEnd::TableCell) if self.in_head => {
                self.cell += 1;
                out.push(Event::InlineHtml("</th>".into()));
            }
            other => out.push(other),
        }
    }

    fn heading(
        &mut self,
        level: HeadingLevel,
        id: Option<CowStr<'a>>,
        inner: Vec<Event<'a>>,
        out: &mut Vec<Event<'a>>,
    ) {
        let depth = level as usize;
        if depth == 1 {
            // Footnotes of a chapter print at its end, before the next chapter starts.
            self.flush_footnotes(out);
        }
        self.counters[depth - 1] += 1;
        for deeper in &mut self.counters[depth..] {
            *deeper = 0;
        }
        let number = numbering::heading_marker(depth, self.counters[depth - 1]);
        let id = match id {
            Some(id) => id.to_string(),
            None => {
                self.generated_ids += 1;
                format!("h-{}", self.generated_ids)
            }
        };
        let title: String = inner
            .iter()
            .filter_map(|e| match e {
                Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
                _ => None,
            })
            .collect();
        if depth <= 2 {
            self.toc.push(TocEntry {
                level: depth,
                id: id.clone(),
                number: number.clone(),
                title,
            });
        }
        let h = (depth + 1).min(6);
        out.push(Event::Html(
            format!(
                "<h{h} id=\"{}\"><span class=\"num\">{number}</span>",
                escape_attr(&id)
            )
            .into(),
        ));
        out.extend(inner);
        out.push(Event::Html(format!("</h{h}>\n").into()));
    }

    fn flush_footnotes(&mut self, out: &mut Vec<Event<'a>>) {
        let pending: Vec<(usize, String)> = std::mem::take(&mut self.pending_footnotes);
        let (ready, waiting): (Vec<_>, Vec<_>) = pending
            .into_iter()
            .partition(|(_, label)| self.footnote_defs.contains_key(label));
        self.pending_footnotes = waiting;
        if ready.is_empty() {
            return;
        }
        out.push(Event::Html(
            "<aside class=\"footnotes\" aria-label=\"註釋\"><ol>\n".into(),
        ));
        for (n, label) in ready {
            let def = self.footnote_defs.remove(&label).unwrap_or_default();
            out.push(Event::Html(
                format!("<li id=\"fn-{n}\" value=\"{n}\">").into(),
            ));
            out.extend(def);
            out.push(Event::Html(
                format!(
                    " <a href=\"#fnref-{n}\" class=\"fnback\" aria-label=\"回到內文\">↩</a></li>\n"
                )
                .into(),
            ));
        }
        out.push(Event::Html("</ol></aside>\n".into()));
    }
}

/// Collects the events up to (and without) the matching end; nesting of the same tag does not
/// occur for headings, footnote definitions and code blocks.
fn take_until<'a>(
    rest: &mut impl Iterator<Item = Event<'a>>,
    is_end: impl Fn(&Event<'a>) -> bool,
) -> Vec<Event<'a>> {
    let mut inner = Vec::new();
    for e in rest.by_ref() {
        if is_end(&e) {
            break;
        }
        inner.push(e);
    }
    inner
}

/// `<!-- planpress:override mode=append target=controls -->` → an open frame with its badge.
fn override_open(comment: &str) -> String {
    let field = |name: &str| {
        comment
            .split_whitespace()
            .find_map(|w| w.strip_prefix(name))
            .unwrap_or("")
            .to_string()
    };
    let mode = field("mode=");
    let target = field("target=");
    let label = if mode == "replace" {
        OverrideMode::Replace.label()
    } else {
        OverrideMode::Append.label()
    };
    format!(
        "<div class=\"override override-{}\" data-target=\"{}\"><p class=\"override-badge\">{label}</p>\n",
        escape_attr(&mode),
        escape_attr(&target)
    )
}

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// A code block with syntect's CSS classes (the theme ships the stylesheet).
fn highlight(code: &str, lang: &str) -> String {
    match classed_html(code, lang) {
        Some(html) => format!(
            "<pre class=\"code\" data-lang=\"{}\"><code>{html}</code></pre>\n",
            escape_attr(lang)
        ),
        // A text the grammar cannot parse is shown unhighlighted rather than failing the page.
        None => format!(
            "<pre class=\"code\"><code>{}</code></pre>\n",
            escape_attr(code)
        ),
    }
}

/// Code as HTML with syntect's CSS classes; `None` when the grammar fails on it.
pub fn classed_html(code: &str, lang: &str) -> Option<String> {
    let set = syntaxes();
    let syntax = set
        .find_syntax_by_token(lang)
        .unwrap_or_else(|| set.find_syntax_plain_text());
    let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, set, ClassStyle::Spaced);
    for line in LinesWithEndings::from(code) {
        generator
            .parse_html_for_line_which_includes_newline(line)
            .ok()?;
    }
    Some(generator.finalize())
}

/// The stylesheet for highlighted code, from one of syntect's built-in themes.
pub fn highlight_css() -> String {
    let themes = syntect::highlighting::ThemeSet::load_defaults();
    themes
        .themes
        .get("InspiredGitHub")
        .and_then(|t| syntect::html::css_for_theme_with_class_style(t, ClassStyle::Spaced).ok())
        .unwrap_or_default()
}

pub fn escape_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    pulldown_cmark_escape::escape_html(&mut out, s).expect("writing to a String");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_are_numbered_by_depth() {
        let r =
            to_html("# 依據 {#basis}\n\n# 範圍 {#scope}\n\n## 甲 {#a}\n\n### 子\n\n## 乙 {#b}\n");
        let numbers: Vec<&str> = r.toc.iter().map(|t| t.number.as_str()).collect();
        assert_eq!(numbers, ["壹、", "貳、", "一、", "二、"]);
        assert!(
            r.html
                .contains("<h2 id=\"scope\"><span class=\"num\">貳、</span>範圍</h2>")
        );
        assert!(r.html.contains("<span class=\"num\">(一)</span>子</h4>"));
    }

    #[test]
    fn footnotes_are_numbered_across_chapters_and_printed_per_chapter() {
        let md = "# 一 {#a}\n\n甲[^x]\n\n[^x]: 註甲\n\n# 二 {#b}\n\n乙[^y]\n\n[^y]: 註乙\n";
        let html = to_html(md).html;
        assert!(html.contains("href=\"#fn-2\""));
        let first_aside = html.find("<aside").unwrap();
        let second_chapter = html.find("id=\"b\"").unwrap();
        assert!(first_aside < second_chapter);
        assert!(html.contains("<li id=\"fn-2\" value=\"2\">"));
    }

    #[test]
    fn table_headers_have_scope() {
        let html = to_html("| 甲 | 乙 |\n|---|:-:|\n| 1 | 2 |\n").html;
        assert!(html.contains("<th scope=\"col\">甲</th>"), "{html}");
        assert!(html.contains("<th scope=\"col\" style=\"text-align:center\">乙</th>"));
        assert!(html.contains("<td>1</td>"));
    }

    #[test]
    fn missing_values_become_marks() {
        let html = to_html("資安長：[【待填：資通安全長姓名】](missing:ciso.name)\n").html;
        assert!(html.contains("<mark class=\"missing\" data-field=\"ciso.name\" id=\"missing-ciso-name\">【待填：資通安全長姓名】</mark>"), "{html}");
    }

    #[test]
    fn code_is_highlighted_with_classes() {
        let html = to_html("```yaml\nname: 東石國中\n```\n").html;
        assert!(html.contains("class=\"code\""));
        assert!(html.contains("<span class="), "{html}");
    }

    #[test]
    fn override_markers_become_frames() {
        let md = "<!-- planpress:override mode=append target=controls -->\n\n本校自行維運。\n\n<!-- /planpress:override -->\n";
        let html = to_html(md).html;
        assert!(html.contains("<div class=\"override override-append\" data-target=\"controls\"><p class=\"override-badge\">本校增列</p>"));
        assert!(html.contains("本校自行維運。"));
        assert!(html.trim_end().ends_with("</div>"));
    }
}
