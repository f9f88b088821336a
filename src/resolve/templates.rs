//! The county's text as templates: plan blocks, shared documents and schools' own texts are
//! Markdown with tera expressions, rendered with a school's values escaped for Markdown.

use std::path::Path;

use tera::Tera;

use super::shape::Shape;
use super::strict;
use crate::base::diagnostics::Pos;
use crate::base::diagnostics::SourceError;
use crate::base::numbering::NumberStyle;
use crate::markers::MISSING_SCHEME;
use crate::markers::{self, Part};
use crate::source::schema::Schema;

/// Markdown templates, compiled once: the county's (plan blocks, shared documents), or one
/// school's own texts.
pub struct ContentTemplates {
    tera: Tera,
}

impl ContentTemplates {
    /// Templates of a county that writes numbers in `numbers`' style.
    pub fn new(numbers: NumberStyle) -> Self {
        let mut tera = Tera::default();
        // Every name ends with "", so every template escapes what it interpolates.
        tera.autoescape_on(vec![""]);
        tera.set_escape_fn(escape_markdown);
        tera.register_filter("roc_date", crate::base::roc::roc_date_filter);
        tera.register_filter("training", super::level::training_filter(numbers));
        tera.register_filter("number", super::level::number_filter(numbers));
        withhold_functions(&mut tera);
        ContentTemplates { tera }
    }

    /// Compiles one Markdown template. `first_line` is where `text` starts in `file`.
    pub fn add(
        &mut self,
        name: &str,
        text: &str,
        file: &Path,
        first_line: usize,
    ) -> Result<(), SourceError> {
        self.tera
            .add_raw_template(name, &protect_heading_ids(text))
            .map_err(|e| template_error(&e, file, first_line))
    }

    /// Checks what template `name` (compiled from `text`) names against `scope`.
    pub fn check(
        &self,
        name: &str,
        scope: &Shape,
        schema: &Schema,
        text: &str,
        file: &Path,
        first_line: usize,
    ) -> Vec<SourceError> {
        let Ok(template) = self.tera.get_template(name) else {
            return Vec::new();
        };
        let source = strict::Source {
            text,
            file,
            first_line,
        };
        strict::check(&template.ast, scope, Some(schema), &source)
    }

    pub fn render(
        &self,
        name: &str,
        context: &tera::Context,
        file: &Path,
        first_line: usize,
    ) -> Result<String, SourceError> {
        self.tera
            .render(name, context)
            .map_err(|e| template_error(&e, file, first_line))
    }
}

/// The county's and schools' text reaches nothing outside its data: tera's functions that read
/// the environment, the clock or chance are replaced by ones that say so.
pub fn withhold_functions(tera: &mut tera::Tera) {
    for name in ["get_env", "now", "get_random"] {
        tera.register_function(
            name,
            move |_: &std::collections::HashMap<String, tera::Value>| {
                Err(tera::Error::msg(format!(
                    "`{name}` 不供使用：計畫內容只能取用本縣及學校之資料（county、school 等）"
                )))
            },
        );
    }
}

/// Escapes interpolated data so that it prints literally in Markdown: every ASCII punctuation
/// character gets a backslash (CommonMark allows that for all of them, in text and in link
/// destinations). Line breaks inside a value become `<br>`, so they survive inside table cells.
/// A 【待填】 marker becomes a `missing:` link, which both outputs highlight.
pub fn escape_markdown(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + 8);
    for part in markers::parts(input) {
        match part {
            Part::Text(text) => escape_markdown_text(text, &mut out),
            Part::Marker { path, label } => {
                out.push('[');
                escape_markdown_text(&markers::words(label), &mut out);
                out.push_str("](");
                out.push_str(MISSING_SCHEME);
                out.push_str(path);
                out.push(')');
            }
        }
    }
    out
}

fn escape_markdown_text(input: &str, out: &mut String) {
    let mut lines = input.trim_end_matches('\n').split('\n').peekable();
    while let Some(line) = lines.next() {
        for c in line.trim_end_matches('\r').chars() {
            if c.is_ascii_punctuation() {
                out.push('\\');
            }
            out.push(c);
        }
        if lines.peek().is_some() {
            out.push_str("<br>");
        }
    }
}

/// `{#id}` closes Markdown headings but opens a comment in tera: wrap it in a raw block.
fn protect_heading_ids(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    for line in text.split_inclusive('\n') {
        let body = line.trim_end();
        let is_heading = body.starts_with('#');
        match body.rfind("{#") {
            Some(at) if is_heading && body.ends_with('}') => {
                out.push_str(&body[..at]);
                out.push_str("{% raw %}");
                out.push_str(&body[at..]);
                out.push_str("{% endraw %}");
                out.push_str(&line[body.len()..]);
            }
            _ => out.push_str(line),
        }
    }
    out
}

/// A tera error as a SourceError: the whole chain of causes, and the line when tera gives one.
pub fn template_error(err: &tera::Error, file: &Path, first_line: usize) -> SourceError {
    let mut parts = vec![err.to_string()];
    let mut source = std::error::Error::source(err);
    while let Some(e) = source {
        parts.push(e.to_string());
        source = e.source();
    }
    let full = parts.join(": ");
    let pos = full.lines().find_map(|l| {
        let rest = &l[l.find("--> ")? + 4..];
        let (line, col) = rest.split_once(':')?;
        Some(Pos {
            line: line.trim().parse::<u64>().ok()? + first_line as u64 - 1,
            column: col.trim().parse().ok()?,
        })
    });
    // Keep the message to its meaningful lines: tera's snippet repeats the source.
    let message = full
        .lines()
        .filter(|l| {
            let t = l.trim_start();
            !(t.starts_with('|')
                || t.chars().next().is_some_and(|c| c.is_ascii_digit())
                || t.is_empty())
        })
        .map(|l| {
            let l = l.split(" --> ").next().unwrap_or(l);
            l.trim().trim_start_matches("= ")
        })
        .collect::<Vec<_>>()
        .join(" ");
    SourceError::new(
        file,
        pos.or(Some(Pos {
            line: first_line as u64,
            column: 1,
        })),
        message,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_escape_covers_punctuation_and_line_breaks() {
        assert_eq!(escape_markdown("a*b_c|d"), "a\\*b\\_c\\|d");
        assert_eq!(escape_markdown("第一行\n第二行\n"), "第一行<br>第二行");
        assert_eq!(escape_markdown("陳小華"), "陳小華");
        let marker = markers::encode("ciso.name", "資通安全長姓名");
        assert_eq!(
            escape_markdown(&format!("校長（{marker}）")),
            "校長（[【待填：資通安全長姓名】](missing:ciso.name)）"
        );
    }

    #[test]
    fn heading_ids_survive_tera() {
        let mut t = ContentTemplates::new(NumberStyle::Arabic);
        let text = "## 標題 {#sec-a}\n{{ x }}\n";
        t.add("a", text, Path::new("a.md"), 1).unwrap();
        let mut ctx = tera::Context::new();
        ctx.insert("x", "1. *不是清單*");
        let out = t.render("a", &ctx, Path::new("a.md"), 1).unwrap();
        assert_eq!(out, "## 標題 {#sec-a}\n1\\. \\*不是清單\\*\n");
    }

    #[test]
    fn templates_reach_no_environment_clock_or_chance() {
        for call in ["get_env(name=\"HOME\")", "now()", "get_random(end=9)"] {
            let mut t = ContentTemplates::new(NumberStyle::Arabic);
            t.add("a", &format!("{{{{ {call} }}}}"), Path::new("a.md"), 1)
                .unwrap();
            let err = t
                .render("a", &tera::Context::new(), Path::new("a.md"), 1)
                .unwrap_err();
            assert!(err.message.contains("不供使用"), "{call}: {err}");
        }
    }

    #[test]
    fn parse_errors_point_into_the_file() {
        let mut t = ContentTemplates::new(NumberStyle::Arabic);
        let err = t
            .add("a", "第一行\n{% if %}\n", Path::new("plan/x.md"), 10)
            .unwrap_err();
        assert_eq!(err.pos.unwrap().line, 11, "{err}");
    }
}
