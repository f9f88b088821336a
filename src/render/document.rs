//! A Markdown text parsed once into the document both outputs render.
//!
//! Everything that must read the same on the page and on paper is decided here, once: the
//! official number of every heading (壹、一、(一)、1.、(1)), footnote numbers across the whole
//! document and the chapter whose end lists each note, the school's own parts as regions, the
//! 【待填】 markers, each table's column widths and each ordered list's numbering depth. The HTML
//! and Typst writers are two walks over these events that decide nothing of their own.

use std::collections::HashMap;

use std::sync::OnceLock;

use pulldown_cmark::{Alignment, CodeBlockKind, CowStr, Event, Options, Parser, Tag, TagEnd};
use serde::Serialize;

use crate::base::numbering::{self, ListNumbering};
use crate::markers::MISSING_SCHEME;
use crate::render::columns::{self, Columns};
use crate::source::plan::{OVERRIDE_CLOSE, OVERRIDE_OPEN, OverrideMode};

/// A heading of the first two levels, for the tables of contents.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TocEntry {
    pub level: usize,
    pub id: String,
    pub number: String,
    pub title: String,
}

#[derive(Debug, Clone, Default)]
pub struct Document {
    pub events: Vec<Ev>,
    /// The body of footnote `n` at `footnotes[n - 1]`, numbered in order of first reference.
    pub footnotes: Vec<Vec<Ev>>,
    pub toc: Vec<TocEntry>,
    /// Field paths of the 【待填】 markers, in order of first appearance.
    pub markers: Vec<String>,
}

/// One event of a document: Markdown as parsed, or what the document decided about it.
#[derive(Debug, Clone, PartialEq)]
pub enum Ev {
    /// A Markdown event that needs no decision (text, paragraphs, emphasis, cells, links …).
    Md(Event<'static>),
    HeadingStart {
        /// 1 for a chapter (`#`).
        depth: usize,
        /// The official number, 壹、 or (一).
        number: String,
        /// The author's `{#id}`, or one made up for the page's anchors (`h-3`).
        id: String,
        /// Whether the author gave the id (only those are labels in print).
        authored: bool,
    },
    HeadingEnd {
        depth: usize,
    },
    /// A reference to footnote `number`; `first` where the note is referenced for the first time.
    FootnoteRef {
        number: usize,
        first: bool,
    },
    /// Where a page lists the notes first referenced since the last such place: before each
    /// chapter and at the end.
    Footnotes(Vec<usize>),
    /// The school's own text, replacing or added to the county's block `target`.
    RegionStart {
        mode: OverrideMode,
        target: String,
    },
    RegionEnd,
    /// A value the school has not filled in; `first` on the first marker of its field, which is
    /// where the findings summary links to.
    MissingStart {
        field: String,
        first: bool,
    },
    MissingEnd,
    Code {
        lang: String,
        code: String,
    },
    /// A table and each column's relative width, declared or from the text its cells hold.
    TableStart {
        aligns: Vec<Alignment>,
        widths: Vec<usize>,
    },
    /// A table cell; a kept one (a name, a term) is never broken inside.
    CellStart {
        keep: bool,
    },
    /// A list; an ordered one knows its numbering, declared or by its depth.
    ListStart {
        start: Option<u64>,
        numbering: Option<ListNumbering>,
    },
}

pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_STRIKETHROUGH
}

impl Document {
    pub fn parse(markdown: &str) -> Document {
        let mut footnote_defs: HashMap<String, Vec<Event<'static>>> = HashMap::new();
        let mut body = Vec::new();
        let mut events = Parser::new_ext(markdown, options()).map(Event::into_static);
        while let Some(e) = events.next() {
            match e {
                // Definitions print where they are referenced (paper) or at the chapter's end
                // (page), never where they stand.
                Event::Start(Tag::FootnoteDefinition(label)) => {
                    let def = take_until(&mut events, |e| {
                        matches!(e, Event::End(TagEnd::FootnoteDefinition))
                    });
                    footnote_defs.insert(label.to_string(), def);
                }
                e => body.push(e),
            }
        }
        let mut b = Builder {
            footnote_defs,
            ..Builder::default()
        };
        let mut out = Vec::with_capacity(body.len());
        b.events(body, &mut out);
        if !b.pending_notes.is_empty() {
            out.push(Ev::Footnotes(std::mem::take(&mut b.pending_notes)));
        }
        Document {
            events: out,
            footnotes: b
                .footnotes
                .into_iter()
                .map(Option::unwrap_or_default)
                .collect(),
            toc: b.toc,
            markers: b.markers,
        }
    }
}

#[derive(Default)]
struct Builder {
    footnote_defs: HashMap<String, Vec<Event<'static>>>,
    /// Label → number, in order of first reference.
    footnote_numbers: HashMap<String, usize>,
    footnotes: Vec<Option<Vec<Ev>>>,
    pending_notes: Vec<usize>,
    /// Heading counters by Markdown level 1..=6.
    counters: [usize; 6],
    generated_ids: usize,
    toc: Vec<TocEntry>,
    markers: Vec<String>,
    in_missing: bool,
    /// Open links and images whose address was dropped (their end is dropped too).
    unsafe_links: usize,
    unsafe_images: usize,
    /// Open lists: `Some(depth among ordered lists)` or `None` for bullets.
    lists: Vec<Option<usize>>,
    /// The numbering the block just read declares for the list that follows it.
    declared: Option<ListNumbering>,
}

impl Builder {
    fn events(&mut self, events: Vec<Event<'static>>, out: &mut Vec<Ev>) {
        let mut tables = columns::of_tables(&events).into_iter();
        let mut cells = Vec::new().into_iter();
        let mut iter = events.into_iter();
        while let Some(event) = iter.next() {
            // A declaration holds for the block right after it only.
            let declared = self.declared.take();
            match event {
                Event::Start(Tag::Heading { level, id, .. }) => {
                    let inner =
                        take_until(&mut iter, |e| matches!(e, Event::End(TagEnd::Heading(_))));
                    self.heading(level as usize, id.map(|i| i.to_string()), inner, out);
                }
                Event::FootnoteReference(label) => self.footnote(&label, out),
                Event::Start(Tag::CodeBlock(kind)) => {
                    let lang = match kind {
                        CodeBlockKind::Fenced(info) => {
                            info.split_whitespace().next().unwrap_or("").to_string()
                        }
                        CodeBlockKind::Indented => String::new(),
                    };
                    let code =
                        take_until(&mut iter, |e| matches!(e, Event::End(TagEnd::CodeBlock)))
                            .into_iter()
                            .filter_map(|e| match e {
                                Event::Text(t) => Some(t.into_string()),
                                _ => None,
                            })
                            .collect();
                    out.push(Ev::Code { lang, code });
                }
                Event::Start(Tag::HtmlBlock) => {
                    let html: String =
                        take_until(&mut iter, |e| matches!(e, Event::End(TagEnd::HtmlBlock)))
                            .into_iter()
                            .filter_map(|e| match e {
                                Event::Html(h) | Event::Text(h) => Some(h.into_string()),
                                _ => None,
                            })
                            .collect();
                    self.html_block(&html, out);
                }
                Event::Html(html) => self.html_block(&html, out),
                Event::InlineHtml(html) => out.push(inline_html(html)),
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }) if !is_safe_link(&dest_url) => {
                    // The text stays; a `javascript:` or `data:` address does not.
                    self.unsafe_links += 1;
                    let _ = (link_type, title, id);
                }
                Event::End(TagEnd::Link) if self.unsafe_links > 0 && !self.in_missing => {
                    self.unsafe_links -= 1;
                }
                Event::Start(Tag::Image { dest_url, .. }) if !is_safe_link(&dest_url) => {
                    self.unsafe_images += 1;
                }
                Event::End(TagEnd::Image) if self.unsafe_images > 0 => {
                    self.unsafe_images -= 1;
                }
                Event::Start(Tag::Link { dest_url, .. })
                    if dest_url.starts_with(MISSING_SCHEME) =>
                {
                    let field = dest_url[MISSING_SCHEME.len()..].to_string();
                    let first = !self.markers.contains(&field);
                    if first {
                        self.markers.push(field.clone());
                    }
                    self.in_missing = true;
                    out.push(Ev::MissingStart { field, first });
                }
                Event::End(TagEnd::Link) if self.in_missing => {
                    self.in_missing = false;
                    out.push(Ev::MissingEnd);
                }
                Event::Start(Tag::Table(aligns)) => {
                    let Columns { widths, keep } = tables.next().unwrap_or_default();
                    cells = keep.into_iter();
                    out.push(Ev::TableStart { aligns, widths });
                }
                Event::Start(Tag::TableCell) => {
                    let keep = cells.next().unwrap_or(false);
                    out.push(Ev::CellStart { keep });
                }
                Event::Start(Tag::List(start)) => {
                    let ordered_depth = start.map(|_| self.lists.iter().flatten().count());
                    self.lists.push(ordered_depth);
                    let numbering = ordered_depth
                        .map(|depth| declared.unwrap_or(ListNumbering::by_depth(depth)));
                    out.push(Ev::ListStart { start, numbering });
                }
                Event::End(TagEnd::List(ordered)) => {
                    self.lists.pop();
                    out.push(Ev::Md(Event::End(TagEnd::List(ordered))));
                }
                other => out.push(Ev::Md(other)),
            }
        }
    }

    /// A block of raw HTML: a list's declared numbering or a table's widths (a wrong one is the
    /// county's check to report; the widths were read before), a region of the school's own
    /// text, or HTML kept to what is harmless.
    fn html_block(&mut self, html: &str, out: &mut Vec<Ev>) {
        if crate::source::plan::table_widths(html).is_some() {
            return;
        }
        match ListNumbering::declaration(html) {
            Some(declared) => self.declared = declared.ok(),
            None => out.push(html_block(html)),
        }
    }

    fn heading(
        &mut self,
        depth: usize,
        id: Option<String>,
        inner: Vec<Event<'static>>,
        out: &mut Vec<Ev>,
    ) {
        if depth == 1 && !self.pending_notes.is_empty() {
            // A chapter's notes are listed at its end, before the next chapter starts.
            out.push(Ev::Footnotes(std::mem::take(&mut self.pending_notes)));
        }
        self.counters[depth - 1] += 1;
        for deeper in &mut self.counters[depth..] {
            *deeper = 0;
        }
        let number = numbering::heading_marker(depth, self.counters[depth - 1]);
        let authored = id.is_some();
        let id = id.unwrap_or_else(|| {
            self.generated_ids += 1;
            format!("h-{}", self.generated_ids)
        });
        if depth <= 2 {
            let title = inner
                .iter()
                .filter_map(|e| match e {
                    Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
                    _ => None,
                })
                .collect();
            self.toc.push(TocEntry {
                level: depth,
                id: id.clone(),
                number: number.clone(),
                title,
            });
        }
        out.push(Ev::HeadingStart {
            depth,
            number,
            id,
            authored,
        });
        self.events(inner, out);
        out.push(Ev::HeadingEnd { depth });
    }

    fn footnote(&mut self, label: &str, out: &mut Vec<Ev>) {
        if let Some(&number) = self.footnote_numbers.get(label) {
            out.push(Ev::FootnoteRef {
                number,
                first: false,
            });
            return;
        }
        let Some(def) = self.footnote_defs.remove(label) else {
            // A reference without its note prints as written, so that the author sees it.
            out.push(Ev::Md(Event::Text(format!("[^{label}]").into())));
            return;
        };
        let number = self.footnotes.len() + 1;
        self.footnote_numbers.insert(label.to_string(), number);
        self.footnotes.push(None);
        out.push(Ev::FootnoteRef {
            number,
            first: true,
        });
        self.pending_notes.push(number);
        let mut body = Vec::new();
        self.events(def, &mut body);
        self.footnotes[number - 1] = Some(body);
    }
}

/// A block of raw HTML: a school's own part opening or closing, or anything else, which goes
/// through the sanitizer (county and school text come from many hands; a page is public).
fn html_block(html: &str) -> Ev {
    let trimmed = html.trim_start();
    if trimmed.starts_with(OVERRIDE_OPEN) {
        let field = |name: &str| {
            trimmed
                .split_whitespace()
                .find_map(|w| w.strip_prefix(name))
                .unwrap_or("")
                .to_string()
        };
        let mode = if field("mode=") == "replace" {
            OverrideMode::Replace
        } else {
            OverrideMode::Append
        };
        return Ev::RegionStart {
            mode,
            target: field("target="),
        };
    }
    if trimmed.starts_with(OVERRIDE_CLOSE) {
        return Ev::RegionEnd;
    }
    Ev::Md(Event::Html(sanitize(html).into()))
}

/// Raw HTML in a block, kept to a small set of harmless tags and attributes: no script, style,
/// frame, form or event handler, and links to the web and mail only.
fn sanitize(html: &str) -> String {
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    CLEANER
        .get_or_init(|| {
            let mut b = ammonia::Builder::empty();
            b.add_tags([
                "a",
                "b",
                "strong",
                "i",
                "em",
                "u",
                "s",
                "sub",
                "sup",
                "br",
                "p",
                "span",
                "div",
                "ul",
                "ol",
                "li",
                "table",
                "thead",
                "tbody",
                "tr",
                "th",
                "td",
                "caption",
                "blockquote",
                "code",
                "pre",
                "abbr",
            ])
            .add_tag_attributes("a", ["href"])
            .add_tag_attributes("th", ["colspan", "rowspan", "scope"])
            .add_tag_attributes("td", ["colspan", "rowspan"])
            .add_tag_attributes("abbr", ["title"])
            .url_schemes(["http", "https", "mailto"].into())
            .link_rel(Some("noopener noreferrer"));
            b
        })
        .clean(html)
        .to_string()
}

/// Inline raw HTML: a line break or a plain emphasis tag passes; anything else shows as the
/// text it is, so that an author sees it was not taken as markup.
fn inline_html(html: CowStr<'static>) -> Ev {
    const ALLOWED: [&str; 13] = [
        "<br>", "<br/>", "<br />", "<sub>", "</sub>", "<sup>", "</sup>", "<u>", "</u>", "<b>",
        "</b>", "<i>", "</i>",
    ];
    if ALLOWED.contains(&html.trim().to_ascii_lowercase().as_str()) {
        Ev::Md(Event::InlineHtml(html))
    } else {
        Ev::Md(Event::Text(html))
    }
}

/// Addresses a page may link to: relative ones (`#…`, `site:`, a path; `//host` is the web
/// too), the web, mail; never `javascript:`, `data:` or another scheme.
fn is_safe_link(dest: &str) -> bool {
    let scheme = dest
        .split_once(':')
        .map(|(s, _)| s)
        .filter(|s| !s.contains(['/', '?', '#']));
    match scheme {
        None => true,
        Some(s) => ["http", "https", "mailto", "site", "missing"]
            .iter()
            .any(|ok| s.trim().eq_ignore_ascii_case(ok)),
    }
}

/// Collects the events up to (and without) the matching end; headings, footnote definitions
/// and code blocks do not nest in themselves.
fn take_until(
    rest: &mut impl Iterator<Item = Event<'static>>,
    is_end: impl Fn(&Event<'static>) -> bool,
) -> Vec<Event<'static>> {
    let mut inner = Vec::new();
    for e in rest.by_ref() {
        if is_end(&e) {
            break;
        }
        inner.push(e);
    }
    inner
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_s_declared_widths_and_kept_cells_reach_both_outputs() {
        use crate::render::typst::{self, TypstOptions};
        let md = "<!-- planpress:table 1 3 -->\n| 姓名 | 職掌 |\n|---|---|\n| 陳素梅 | 資通安全防護設施建置、資通安全事件通報及應變業務之推動 |\n";
        let doc = Document::parse(md);
        assert!(doc.events.contains(&Ev::TableStart {
            aligns: vec![Alignment::None; 2],
            widths: vec![1, 3],
        }));
        let typst = typst::render(&doc, &TypstOptions::default());
        assert!(typst.contains("columns: (1fr, 3fr,)"), "{typst}");
        assert!(typst.contains("[#box[陳素梅]]"), "{typst}");
        assert!(
            !typst.contains("#box[資通安全防護"),
            "running text wraps: {typst}"
        );
        assert!(!typst.contains("planpress:table"), "{typst}");
        let route = crate::base::routes::Route::Index;
        let html = crate::render::html::render(&doc, &route);
        assert!(
            html.contains(
                "<colgroup><col style=\"width:25.0%\"><col style=\"width:75.0%\"></colgroup>"
            ),
            "{html}"
        );
        assert!(html.contains("<td class=\"keep\">陳素梅</td>"), "{html}");
        assert!(html.contains("<th scope=\"col\">姓名</th>"), "{html}");
        assert!(!html.contains("planpress:table"), "{html}");
    }

    #[test]
    fn headings_are_numbered_once_by_depth() {
        let doc = Document::parse(
            "# 依據 {#basis}\n\n# 範圍 {#scope}\n\n## 甲 {#a}\n\n### 子\n\n## 乙 {#b}\n",
        );
        let numbers: Vec<&str> = doc.toc.iter().map(|t| t.number.as_str()).collect();
        assert_eq!(numbers, ["壹、", "貳、", "一、", "二、"]);
        assert!(doc.events.contains(&Ev::HeadingStart {
            depth: 3,
            number: "(一)".into(),
            id: "h-1".into(),
            authored: false,
        }));
    }

    #[test]
    fn footnotes_are_numbered_across_chapters_and_listed_per_chapter() {
        let doc = Document::parse(
            "# 一 {#a}\n\n甲[^x]乙[^x]\n\n[^x]: 註甲\n\n# 二 {#b}\n\n丙[^y]\n\n[^y]: 註乙\n",
        );
        let refs: Vec<&Ev> = doc
            .events
            .iter()
            .filter(|e| matches!(e, Ev::FootnoteRef { .. } | Ev::Footnotes(_)))
            .collect();
        assert_eq!(
            refs,
            [
                &Ev::FootnoteRef {
                    number: 1,
                    first: true
                },
                &Ev::FootnoteRef {
                    number: 1,
                    first: false
                },
                &Ev::Footnotes(vec![1]),
                &Ev::FootnoteRef {
                    number: 2,
                    first: true
                },
                &Ev::Footnotes(vec![2]),
            ]
        );
        assert_eq!(doc.footnotes.len(), 2);
    }

    #[test]
    fn raw_html_is_sanitized_and_unsafe_addresses_dropped() {
        let md = "<div onclick=\"x()\"><script>alert(1)</script><b>粗</b><iframe src=\"http://e\"></iframe></div>\n\n文字<script>alert(2)</script>與<br>換行\n\n[按我](javascript:alert(3)) [網站](https://e.example) ![圖](data:image/png;base64,AA)\n";
        let html = crate::render::html::render(
            &Document::parse(md),
            &crate::base::routes::Route::School("a".into()),
        );
        for gone in ["<script", "onclick", "<iframe", "javascript:", "data:image"] {
            assert!(!html.contains(gone), "{gone}: {html}");
        }
        assert!(html.contains("<b>粗</b>"), "{html}");
        assert!(
            html.contains("&lt;script&gt;alert(2)"),
            "inline tags show as text: {html}"
        );
        assert!(html.contains("<br>"), "{html}");
        assert!(
            html.contains("按我"),
            "the text of a dropped link stays: {html}"
        );
        assert!(html.contains("href=\"https://e.example\""), "{html}");
    }

    #[test]
    fn regions_markers_tables_and_lists_are_decided_here() {
        let md = "<!-- planpress:override mode=replace target=x -->\n\n本校[【待填：姓名】](missing:ciso.name)與[【待填：姓名】](missing:ciso.name)\n\n<!-- /planpress:override -->\n\n| 名稱 | 說明 |\n|---|---|\n| 一個很長很長很長很長很長很長很長很長的名稱 | 短 |\n\n1. 甲\n   1. 乙\n";
        let doc = Document::parse(md);
        assert!(doc.events.contains(&Ev::RegionStart {
            mode: OverrideMode::Replace,
            target: "x".into()
        }));
        let firsts: Vec<bool> = doc
            .events
            .iter()
            .filter_map(|e| match e {
                Ev::MissingStart { first, .. } => Some(*first),
                _ => None,
            })
            .collect();
        assert_eq!(firsts, [true, false]);
        assert_eq!(doc.markers, ["ciso.name"]);
        // The long name has the room, the short note what it needs.
        assert!(doc.events.iter().any(|e| matches!(
            e,
            Ev::TableStart { widths, .. } if widths[0] > 8 * widths[1]
        )));
        assert_eq!(
            list_numbering(&doc),
            [
                Some(ListNumbering::Decimal),
                Some(ListNumbering::DecimalParen)
            ]
        );
    }

    fn list_numbering(doc: &Document) -> Vec<Option<ListNumbering>> {
        doc.events
            .iter()
            .filter_map(|e| match e {
                Ev::ListStart { numbering, .. } => Some(*numbering),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_list_is_numbered_as_the_line_before_it_declares() {
        let md = "<!-- planpress:list 一、 -->\n1. 甲\n   <!-- planpress:list （一） -->\n   1. 乙\n2. 丙\n\n<!-- planpress:list 一、 -->\n\n段落。\n\n1. 丁\n\n- 戊\n";
        let doc = Document::parse(md);
        assert_eq!(
            list_numbering(&doc),
            [
                Some(ListNumbering::Han),
                Some(ListNumbering::HanParen),
                Some(ListNumbering::Decimal),
                None
            ],
            "a declaration holds for the list right after it"
        );
        assert!(
            !doc.events
                .iter()
                .any(|e| matches!(e, Ev::Md(Event::Html(_))))
        );
    }
}
