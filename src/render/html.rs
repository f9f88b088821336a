//! A [`Document`] as HTML for a page: numbered headings one level below the page's `<h1>`,
//! footnotes listed at the end of each chapter, accessible tables, highlighted code, the
//! school's own parts in frames and missing values as `<mark>`.

use std::sync::OnceLock;

use pulldown_cmark::{Alignment, CowStr, Event, Tag, TagEnd};
use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

use super::document::{Document, Ev};
use crate::base::routes::{self, Route};
use crate::markers;

/// The document as HTML on the page at `page` (which `site:` links are made relative to).
pub fn render(doc: &Document, page: &Route) -> String {
    let mut w = Writer {
        doc,
        page,
        out: Vec::with_capacity(doc.events.len() + 64),
        aligns: Vec::new(),
        cell: 0,
        in_head: false,
    };
    w.events(&doc.events);
    let mut html = String::with_capacity(doc.events.len() * 24);
    pulldown_cmark::html::push_html(&mut html, w.out.into_iter());
    html
}

struct Writer<'d> {
    doc: &'d Document,
    page: &'d Route,
    out: Vec<Event<'d>>,
    aligns: Vec<Alignment>,
    cell: usize,
    in_head: bool,
}

impl<'d> Writer<'d> {
    fn events(&mut self, events: &'d [Ev]) {
        for e in events {
            self.event(e);
        }
    }

    fn html(&mut self, html: String) {
        self.out.push(Event::Html(html.into()));
    }

    fn inline(&mut self, html: String) {
        self.out.push(Event::InlineHtml(html.into()));
    }

    fn event(&mut self, event: &'d Ev) {
        match event {
            Ev::HeadingStart {
                depth, number, id, ..
            } => {
                let h = (depth + 1).min(6);
                self.html(format!(
                    "<h{h} id=\"{}\"><span class=\"num\">{number}</span>",
                    escape(id)
                ));
            }
            Ev::HeadingEnd { depth } => self.html(format!("</h{}>\n", (depth + 1).min(6))),
            Ev::FootnoteRef { number: n, first } => {
                // Only the first reference carries the id the note links back to.
                let id = if *first {
                    format!(" id=\"fnref-{n}\"")
                } else {
                    String::new()
                };
                self.inline(format!(
                    "<sup class=\"fnref\"><a href=\"#fn-{n}\"{id} aria-label=\"註 {n}\">{n}</a></sup>"
                ));
            }
            Ev::Footnotes(numbers) => {
                // Named by their numbers: each chapter's notes are a landmark of their own.
                let label = match numbers.as_slice() {
                    [n] => format!("註 {n}"),
                    [first, .., last] => format!("註 {first} 至 {last}"),
                    [] => String::new(),
                };
                self.html(format!(
                    "<aside class=\"footnotes\" aria-label=\"註釋：{label}\"><ol>\n"
                ));
                for &n in numbers {
                    self.html(format!("<li id=\"fn-{n}\" value=\"{n}\">"));
                    self.events(&self.doc.footnotes[n - 1]);
                    self.html(format!(
                        " <a href=\"#fnref-{n}\" class=\"fnback\" aria-label=\"回到內文\">↩</a></li>\n"
                    ));
                }
                self.html("</ol></aside>\n".into());
            }
            Ev::RegionStart { mode, target } => self.html(format!(
                "<div class=\"override override-{}\" data-target=\"{}\"><p class=\"override-badge\">{}</p>\n",
                mode.as_str(),
                escape(target),
                mode.label()
            )),
            Ev::RegionEnd => self.html("</div>\n".into()),
            Ev::MissingStart { field, first } => {
                let id = if *first {
                    format!(" id=\"{}\"", escape(&markers::anchor(field)))
                } else {
                    String::new()
                };
                self.inline(format!(
                    "<mark class=\"missing\" data-field=\"{}\"{id}>",
                    escape(field)
                ));
            }
            Ev::MissingEnd => self.inline("</mark>".into()),
            Ev::Code { lang, code } => self.html(highlight(code, lang)),
            Ev::TableStart { aligns, widths } => {
                self.aligns = aligns.clone();
                self.html("<div class=\"table-wrap\">".into());
                self.out.push(Event::Start(Tag::Table(aligns.clone())));
                // The same shares the PDF's columns get.
                let total: usize = widths.iter().sum::<usize>().max(1);
                let cols: String = widths
                    .iter()
                    .map(|w| format!("<col style=\"width:{:.1}%\">", *w as f64 * 100.0 / total as f64))
                    .collect();
                self.html(format!("<colgroup>{cols}</colgroup>"));
            }
            Ev::CellStart { keep } => {
                let align = match self.aligns.get(self.cell) {
                    Some(Alignment::Left) => " style=\"text-align:left\"",
                    Some(Alignment::Center) => " style=\"text-align:center\"",
                    Some(Alignment::Right) => " style=\"text-align:right\"",
                    _ => "",
                };
                // Header cells get `scope="col"` (accessibility guideline); a kept cell (a name,
                // a term) does not wrap.
                match (self.in_head, keep) {
                    (true, _) => self.inline(format!("<th scope=\"col\"{align}>")),
                    (false, true) => self.inline(format!("<td class=\"keep\"{align}>")),
                    (false, false) => self.inline(format!("<td{align}>")),
                }
            }
            Ev::ListStart {
                start: Some(n),
                numbering: Some(numbering),
            } => {
                // Numbered by the theme's stylesheet, by class.
                let start = if *n == 1 {
                    String::new()
                } else {
                    format!(" start=\"{n}\"")
                };
                self.html(format!("<ol class=\"{}\"{start}>\n", numbering.class()));
            }
            Ev::ListStart { start, .. } => self.out.push(Event::Start(Tag::List(*start))),
            Ev::Md(e) => self.markdown(e),
        }
    }

    fn markdown(&mut self, event: &'d Event<'static>) {
        match event {
            Event::End(TagEnd::Table) => {
                self.out.push(Event::End(TagEnd::Table));
                self.html("</div>\n".into());
            }
            Event::Start(Tag::TableHead) => {
                self.in_head = true;
                self.cell = 0;
                self.out.push(event.clone());
            }
            Event::End(TagEnd::TableHead) => {
                self.in_head = false;
                self.out.push(event.clone());
            }
            Event::Start(Tag::TableRow) => {
                self.cell = 0;
                self.out.push(event.clone());
            }
            Event::End(TagEnd::TableCell) => {
                self.cell += 1;
                self.inline(if self.in_head { "</th>" } else { "</td>" }.into());
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let href = routes::resolve_link(dest_url, self.page).into_owned();
                self.out.push(Event::Start(Tag::Link {
                    link_type: *link_type,
                    dest_url: CowStr::from(href),
                    title: title.clone(),
                    id: id.clone(),
                }));
            }
            other => self.out.push(other.clone()),
        }
    }
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
            escape(lang)
        ),
        // A text the grammar cannot parse is shown unhighlighted rather than failing the page.
        None => format!("<pre class=\"code\"><code>{}</code></pre>\n", escape(code)),
    }
}

/// Code as HTML with syntect's CSS classes; `None` when the grammar fails on it.
pub fn classed_html(code: &str, lang: &str) -> Option<String> {
    let set = syntaxes();
    let syntax = set
        .find_syntax_by_token(lang)
        .unwrap_or_else(|| set.find_syntax_plain_text());
    let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, set, CLASSES);
    for line in LinesWithEndings::from(code) {
        generator
            .parse_html_for_line_which_includes_newline(line)
            .ok()?;
    }
    Some(generator.finalize())
}

/// Highlighted tokens' classes, prefixed: syntect names them after grammar scopes (`num`,
/// `table`, `name`), which would otherwise take the theme's own styles.
const CLASSES: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

/// The lightest a token's colour may be: 4.5:1 (WCAG AA) against the darkest background a
/// highlighted line has (a line with an error, #fde7e5).
const MAX_TEXT_LUMINANCE: f64 = (0.837 + 0.05) / 4.5 - 0.05;

/// Relative luminance of an sRGB colour (WCAG 2.1).
fn luminance([r, g, b]: [u8; 3]) -> f64 {
    let channel = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
}

/// A `#rrggbb` text colour darkened, keeping its hue, until it reads on every line.
fn readable(hex: &str) -> Option<String> {
    let rgb = u32::from_str_radix(hex.strip_prefix('#')?, 16).ok()?;
    let original = [(rgb >> 16) as u8, (rgb >> 8) as u8, rgb as u8];
    let mut scale = 1.0;
    let mut rgb = original;
    while luminance(rgb) > MAX_TEXT_LUMINANCE {
        scale -= 0.01;
        rgb = original.map(|c| (f64::from(c) * scale) as u8);
    }
    Some(format!("#{:02x}{:02x}{:02x}", rgb[0], rgb[1], rgb[2]))
}

/// The stylesheet for highlighted code, from one of syntect's built-in themes.
pub fn highlight_css() -> &'static str {
    static CSS: OnceLock<String> = OnceLock::new();
    CSS.get_or_init(|| {
        let themes = syntect::highlighting::ThemeSet::load_defaults();
        themes
            .themes
            .get("InspiredGitHub")
            .and_then(|t| syntect::html::css_for_theme_with_class_style(t, CLASSES).ok())
            .unwrap_or_default()
            .lines()
            .map(|line| match line.trim().strip_prefix("color:") {
                Some(value) => readable(value.trim().trim_end_matches(';'))
                    .map_or_else(|| line.to_string(), |c| format!(" color: {c};")),
                None => line.to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n")
    })
}

/// Text escaped for HTML, in an element or a quoted attribute value.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    escape_into(text, &mut out);
    out
}

pub fn escape_into(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_token_colour_reads_on_every_line() {
        let css = highlight_css();
        let colours: Vec<&str> = css
            .lines()
            .filter_map(|l| l.trim().strip_prefix("color:"))
            .map(|v| v.trim().trim_end_matches(';'))
            .collect();
        assert!(colours.len() > 20);
        for c in colours {
            let rgb = u32::from_str_radix(&c[1..], 16).unwrap();
            let l = luminance([(rgb >> 16) as u8, (rgb >> 8) as u8, rgb as u8]);
            assert!((0.837 + 0.05) / (l + 0.05) >= 4.5, "{c}");
        }
        assert!(css.contains(".hl-entity") && !css.contains("\n.entity"));
    }

    fn to_html(md: &str) -> String {
        render(&Document::parse(md), &Route::School("a".into()))
    }

    #[test]
    fn headings_carry_their_number_one_level_down() {
        let html = to_html("# 依據 {#basis}\n\n# 範圍 {#scope}\n\n## 甲 {#a}\n\n### 子\n");
        assert!(html.contains("<h2 id=\"scope\"><span class=\"num\">貳、</span>範圍</h2>"));
        assert!(html.contains("<span class=\"num\">(一)</span>子</h4>"));
    }

    #[test]
    fn footnotes_print_at_the_end_of_their_chapter() {
        let md = "# 一 {#a}\n\n甲[^x]\n\n[^x]: 註甲\n\n# 二 {#b}\n\n乙[^y]\n\n[^y]: 註乙\n";
        let html = to_html(md);
        assert!(html.contains("href=\"#fn-2\""));
        let first_aside = html.find("<aside").unwrap();
        let second_chapter = html.find("id=\"b\"").unwrap();
        assert!(first_aside < second_chapter);
        assert!(html.contains("<li id=\"fn-2\" value=\"2\">"));
        assert!(
            html.contains("aria-label=\"註釋：註 1\"")
                && html.contains("aria-label=\"註釋：註 2\"")
        );
    }

    #[test]
    fn table_headers_have_scope() {
        let html = to_html("| 甲 | 乙 |\n|---|:-:|\n| 1 | 2 |\n");
        assert!(html.contains("<th scope=\"col\">甲</th>"), "{html}");
        assert!(html.contains("<th scope=\"col\" style=\"text-align:center\">乙</th>"));
        assert!(html.contains("<td class=\"keep\">1</td>"), "{html}");
        assert!(html.contains("<td class=\"keep\" style=\"text-align:center\">2</td>"));
    }

    #[test]
    fn missing_values_become_marks() {
        let html = to_html("資安長：[【待填：資通安全長姓名】](missing:ciso.name)\n");
        assert!(html.contains("<mark class=\"missing\" data-field=\"ciso.name\" id=\"missing-ciso-name\">【待填：資通安全長姓名】</mark>"), "{html}");
    }

    #[test]
    fn code_is_highlighted_with_classes() {
        let html = to_html("```yaml\nname: 東石國中\n```\n");
        assert!(html.contains("class=\"code\""));
        assert!(html.contains("<span class="), "{html}");
    }

    #[test]
    fn school_parts_become_frames() {
        let md = "<!-- planpress:override mode=append target=controls -->\n\n本校自行維運。\n\n<!-- /planpress:override -->\n";
        let html = to_html(md);
        assert!(html.contains("<div class=\"override override-append\" data-target=\"controls\"><p class=\"override-badge\">本校增列</p>"));
        assert!(html.contains("本校自行維運。"));
        assert!(html.trim_end().ends_with("</div>"));
    }

    #[test]
    fn site_links_are_relative_to_the_page() {
        let html = to_html("見[程序](site:docs/incident/index.html)。\n");
        assert!(
            html.contains("<a href=\"../../../docs/incident/index.html\">程序</a>"),
            "{html}"
        );
    }
}
