//! A school's YAML as a page: highlighted with syntect, every line addressable (`#L12`), the
//! lines with findings marked and annotated. Sensitive values (`x-sensitive` in the schema) are
//! masked: the page is public.

use serde::Serialize;

use super::html::{classed_html, escape};
use crate::schema::{Schema, Seg};
use crate::source::yaml::{Kind, Node};
use crate::validate::{Finding, Severity};

/// What a sensitive value shows instead of itself.
pub const MASK: &str = "（不公開）";

#[derive(Debug, Serialize)]
pub struct Line<'a> {
    pub no: usize,
    /// Highlighted HTML of the line, its spans closed within it.
    pub html: String,
    /// "error" or "warning" when a finding is on this line.
    pub severity: Option<&'static str>,
    pub findings: Vec<&'a Finding>,
}

pub fn lines<'a>(
    text: &str,
    data: Option<&Node>,
    schema: &Schema,
    findings: &'a [Finding],
    file: &std::path::Path,
) -> Vec<Line<'a>> {
    let mut source: Vec<String> = text.lines().map(str::to_string).collect();
    if let Some(node) = data {
        mask_sensitive(node, schema, &mut Vec::new(), &mut source);
    }
    let masked = source.join("\n") + "\n";
    let html = classed_html(&masked, "yaml").unwrap_or_else(|| escape(&masked));
    split_lines(&html)
        .into_iter()
        .take(source.len())
        .enumerate()
        .map(|(i, html)| {
            let no = i + 1;
            let here: Vec<&Finding> = findings
                .iter()
                .filter(|f| f.file == file && f.line as usize == no)
                .collect();
            let severity = here.iter().map(|f| f.severity).min().map(|s| match s {
                Severity::Error => "error",
                Severity::Warning => "warning",
            });
            Line {
                no,
                html,
                severity,
                findings: here,
            }
        })
        .collect()
}

/// Replaces each sensitive scalar, from its column to the end of its line, with [`MASK`].
fn mask_sensitive(node: &Node, schema: &Schema, path: &mut Vec<Seg>, lines: &mut [String]) {
    match &node.kind {
        Kind::Map(entries) => {
            for (key, value) in entries {
                path.push(Seg::Key(key.name.clone()));
                mask_sensitive(value, schema, path, lines);
                path.pop();
            }
        }
        Kind::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(Seg::Index(i));
                mask_sensitive(item, schema, path, lines);
                path.pop();
            }
        }
        Kind::Null => {}
        _ if schema.is_sensitive(path) => {
            if let Some(line) = lines.get_mut(node.pos.line as usize - 1) {
                let keep: String = line.chars().take(node.pos.column as usize - 1).collect();
                *line = keep + MASK;
            }
        }
        _ => {}
    }
}

/// Cuts highlighted HTML into lines, closing the spans still open at each line's end and
/// opening them again on the next, so that every line stands alone.
fn split_lines(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut open: Vec<&str> = Vec::new();
    for raw in html.split('\n') {
        let mut line: String = open.concat();
        let mut rest = raw;
        while let Some(at) = rest.find('<') {
            line.push_str(&rest[..at]);
            let end = rest[at..].find('>').map_or(rest.len(), |e| at + e + 1);
            let tag = &rest[at..end];
            if tag.starts_with("</") {
                open.pop();
            } else {
                open.push(tag);
            }
            line.push_str(tag);
            rest = &rest[end..];
        }
        line.push_str(rest);
        line.push_str(&"</span>".repeat(open.len()));
        out.push(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_are_closed_per_line() {
        let lines = split_lines("<span class=\"a\">x\ny</span>\nz");
        assert_eq!(
            lines,
            [
                "<span class=\"a\">x</span>",
                "<span class=\"a\">y</span>",
                "z"
            ]
        );
    }

    #[test]
    fn sensitive_values_are_masked() {
        let schema = Schema::parse(crate::schema::BUILTIN, std::path::Path::new("s.yaml")).unwrap();
        let text = "core_systems:\n  - system: 公文系統\n    ip: \"163.27.2.58\"\n";
        let node = crate::source::yaml::parse(text).unwrap();
        let out = lines(
            text,
            Some(&node),
            &schema,
            &[],
            std::path::Path::new("x.yaml"),
        );
        let all: String = out.iter().map(|l| l.html.clone()).collect();
        assert!(!all.contains("163.27"), "{all}");
        assert!(all.contains(MASK));
        assert!(all.contains("公文系統"));
    }
}
