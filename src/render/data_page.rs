//! A school's data as a page: the fields the schema knows, written out from the parsed file (its
//! comments and any key the schema does not know are not published), each at the line it has in
//! the file (`#L12`), highlighted with syntect, the lines with findings marked and annotated. In
//! the public copy a sensitive value (`x-sensitive` in the schema) shows as （不公開）, whatever
//! its form in the YAML.

use std::collections::BTreeSet;

use serde::Serialize;

use super::html::{classed_html, escape};
use crate::model::MASK;
use crate::source::schema::{Schema, Seg};
use crate::source::yaml::{Kind, Node};
use crate::validate::{Finding, Severity};

#[derive(Debug, Serialize)]
pub struct Line<'a> {
    /// The line of the field in the school's file.
    pub no: u64,
    /// Whether this line carries the page's anchor of `no` (the first line shown for it).
    pub anchor: bool,
    /// Highlighted HTML of the line, its spans closed within it.
    pub html: String,
    /// "error" or "warning" when a finding is on this line.
    pub severity: Option<&'static str>,
    pub findings: Vec<&'a Finding>,
}

/// The page's lines. `mask`: the public copy, sensitive values hidden.
pub fn lines<'a>(
    root: Option<&Node>,
    schema: &Schema,
    findings: &'a [Finding],
    file: &std::path::Path,
    mask: bool,
) -> Vec<Line<'a>> {
    let mut w = Writer {
        schema,
        mask,
        lines: Vec::new(),
    };
    if let Some(root) = root {
        w.mapping(root, &mut Vec::new(), 0);
    }
    let text: String = w.lines.iter().map(|(_, t)| format!("{t}\n")).collect();
    let html = classed_html(&text, "yaml").unwrap_or_else(|| escape(&text));
    let mut anchored = BTreeSet::new();
    w.lines
        .iter()
        .zip(split_lines(&html))
        .map(|((no, _), html)| {
            let anchor = anchored.insert(*no);
            let here: Vec<&Finding> = if anchor {
                findings
                    .iter()
                    .filter(|f| f.file == file && f.line == *no)
                    .collect()
            } else {
                Vec::new()
            };
            let severity = here.iter().map(|f| f.severity).min().map(|s| match s {
                Severity::Error => "error",
                Severity::Warning => "warning",
            });
            Line {
                no: *no,
                anchor,
                html,
                severity,
                findings: here,
            }
        })
        .collect()
}

/// The lines of the file that the page shows, so that other pages link only to those.
pub fn shown_lines(root: Option<&Node>, schema: &Schema) -> BTreeSet<u64> {
    let mut w = Writer {
        schema,
        mask: true,
        lines: Vec::new(),
    };
    if let Some(root) = root {
        w.mapping(root, &mut Vec::new(), 0);
    }
    w.lines.into_iter().map(|(no, _)| no).collect()
}

/// Writes the schema's fields of a school's data back as YAML, line by line with their source
/// line numbers.
struct Writer<'s> {
    schema: &'s Schema,
    mask: bool,
    lines: Vec<(u64, String)>,
}

impl Writer<'_> {
    fn mapping(&mut self, node: &Node, path: &mut Vec<Seg>, indent: usize) {
        let Kind::Map(entries) = &node.kind else {
            return;
        };
        for (key, value) in entries {
            path.push(Seg::Key(key.name.clone()));
            // Keys the schema does not know are not published (a misspelt `IP:` included).
            if self.schema.node(path).is_some() {
                let lead = format!("{}{}:", " ".repeat(indent), key.name);
                self.field(lead, key.pos.line, value, path, indent);
            }
            path.pop();
        }
    }

    /// `lead` is what stands before the value on its first line (`  name:` or `  - name:`).
    fn field(&mut self, lead: String, line: u64, value: &Node, path: &mut Vec<Seg>, indent: usize) {
        if self.mask && self.schema.is_sensitive(path) && value.kind != Kind::Null {
            // Whatever its form: a scalar, a block, a list.
            self.lines.push((line, format!("{lead} {MASK}")));
            return;
        }
        match &value.kind {
            Kind::Map(_) => {
                self.lines.push((line, lead));
                self.mapping(value, path, indent + 2);
            }
            Kind::Seq(items) => {
                self.lines.push((line, lead));
                for (i, item) in items.iter().enumerate() {
                    path.push(Seg::Index(i));
                    self.item(item, path, indent + 2);
                    path.pop();
                }
            }
            Kind::Null => self.lines.push((line, lead)),
            scalar => self.scalar(lead, line, scalar, indent),
        }
    }

    /// A list item: a scalar after its dash, or a mapping whose first field shares the dash's
    /// line.
    fn item(&mut self, item: &Node, path: &mut Vec<Seg>, indent: usize) {
        let dash = format!("{}-", " ".repeat(indent));
        match &item.kind {
            Kind::Map(entries) => {
                let mut first = true;
                for (key, value) in entries {
                    path.push(Seg::Key(key.name.clone()));
                    if self.schema.node(path).is_some() {
                        let lead = if first {
                            format!("{dash} {}:", key.name)
                        } else {
                            format!("{}{}:", " ".repeat(indent + 2), key.name)
                        };
                        first = false;
                        self.field(lead, key.pos.line, value, path, indent + 2);
                    }
                    path.pop();
                }
                if first {
                    self.lines.push((item.pos.line, dash));
                }
            }
            _ => self.field(dash, item.pos.line, item, path, indent),
        }
    }

    fn scalar(&mut self, lead: String, line: u64, kind: &Kind, indent: usize) {
        let text = match kind {
            Kind::Bool(b) => b.to_string(),
            Kind::Int(i) => i.to_string(),
            Kind::Float(f) => f.to_string(),
            Kind::Str(s) if s.contains('\n') => {
                // A block of lines, as it was written.
                self.lines.push((line, format!("{lead} |")));
                for l in s.trim_end_matches('\n').lines() {
                    self.lines
                        .push((line, format!("{}{l}", " ".repeat(indent + 2))));
                }
                return;
            }
            Kind::Str(s) => quoted(s),
            Kind::Null | Kind::Map(_) | Kind::Seq(_) => String::new(),
        };
        self.lines.push((line, format!("{lead} {text}")));
    }
}

/// A string as YAML writes it: plain when it reads back as itself, else double-quoted.
fn quoted(s: &str) -> String {
    let plain = !s.is_empty()
        && !s.starts_with([
            ' ', '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"',
            '%', '@', '`',
        ])
        && !s.ends_with(' ')
        && !s.contains(": ")
        && !s.contains(" #")
        && s.parse::<f64>().is_err()
        && !["true", "false", "null", "~", "yes", "no"].contains(&s.to_ascii_lowercase().as_str());
    if plain {
        s.to_string()
    } else {
        serde_json::to_string(s).expect("a string serializes")
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

    fn page(text: &str, mask: bool) -> (Vec<(u64, String)>, String) {
        let schema = Schema::parse(
            crate::source::schema::BUILTIN,
            std::path::Path::new("s.yaml"),
        )
        .unwrap();
        let node = crate::source::yaml::parse(text).unwrap();
        let out = lines(
            Some(&node),
            &schema,
            &[],
            std::path::Path::new("x.yaml"),
            mask,
        );
        let all: String = out.iter().map(|l| l.html.clone()).collect();
        let numbered = out.iter().map(|l| (l.no, l.html.clone())).collect();
        (numbered, all)
    }

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
    fn sensitive_values_are_masked_whatever_their_form() {
        let text = "# 163.27.9.9 in a comment\ncore_systems:\n  - system: 公文系統\n    ip: |\n      163.27.2.58\n  - system: 校務系統\n    ip: \"163.27.2.59\"\n    IP: 163.27.2.60\nmobile: 0912-345-678\n";
        let (numbered, all) = page(text, true);
        for leak in ["163.27", "0912", "comment", "mobile"] {
            assert!(!all.contains(leak), "{leak}: {all}");
        }
        assert_eq!(all.matches(MASK).count(), 2, "{all}");
        assert!(all.contains("公文系統") && all.contains("校務系統"));
        let system = numbered
            .iter()
            .find(|(_, h)| h.contains("校務系統"))
            .unwrap();
        assert_eq!(system.0, 6, "each field keeps the line it has in the file");

        let (_, internal) = page(text, false);
        assert!(internal.contains("163.27.2.58") && internal.contains("163.27.2.59"));
        assert!(
            !internal.contains("163.27.2.60"),
            "unknown keys are never shown"
        );
    }

    #[test]
    fn strings_that_would_read_back_otherwise_are_quoted() {
        assert_eq!(quoted("嘉義縣"), "嘉義縣");
        assert_eq!(quoted("V1.0"), "V1.0");
        assert_eq!(quoted("1.0"), "\"1.0\"");
        assert_eq!(quoted("a: b"), "\"a: b\"");
        assert_eq!(quoted("- x"), "\"- x\"");
    }
}
