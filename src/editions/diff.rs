//! What changed between two plans (two editions, or the latest edition and the draft): the data
//! field by field under its Chinese label, and the text chapter by chapter, marked character by
//! character (Chinese has no spaces to find words by).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use serde::Serialize;
use serde_json::Value;
use similar::{ChangeTag, TextDiff};

use crate::base::numbering;
use crate::markers;
use crate::resolve::{PlanPart, ResolvedPlan};
use crate::source::schema::{Schema, Seg};

/// Unchanged text kept around a change, in characters.
const CONTEXT: usize = 24;

#[derive(Debug, Serialize)]
pub struct PlanDiff {
    pub fields: Vec<FieldChange>,
    pub chapters: Vec<ChapterChange>,
}

/// One value of the school's data that changed, appeared or went.
#[derive(Debug, Serialize)]
pub struct FieldChange {
    pub path: String,
    /// 核心資通系統（第 2 筆）／系統名稱.
    pub label: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// A chapter whose text changed, as runs of kept, removed and added text.
#[derive(Debug, Serialize)]
pub struct ChapterChange {
    /// 壹、依據及目的.
    pub title: String,
    pub spans: Vec<Span>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Span {
    pub change: Change,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Kept,
    Removed,
    Added,
}

impl PlanDiff {
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.chapters.is_empty()
    }

    /// Whether the plan's content changed, beside its version and date (a draft keeps the
    /// version of its file until the next release).
    pub fn changes_content(&self) -> bool {
        !self.chapters.is_empty()
            || self
                .fields
                .iter()
                .any(|f| f.path != "plan.version" && f.path != "plan.date")
    }

    /// The changes as text for a terminal: `[-removed-]{+added+}`, as `git diff --word-diff`.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        if self.is_empty() {
            out.push_str("沒有差異\n");
        }
        if !self.fields.is_empty() {
            out.push_str("資料\n");
        }
        for f in &self.fields {
            let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "（無）".into());
            let _ = writeln!(
                out,
                "  {}：{} → {}",
                f.label,
                show(&f.before),
                show(&f.after)
            );
        }
        if !self.chapters.is_empty() {
            out.push_str("本文\n");
        }
        for c in &self.chapters {
            let _ = writeln!(out, "  {}", c.title);
            let mut line = String::from("    ");
            for s in &c.spans {
                match s.change {
                    Change::Kept => line.push_str(&s.text),
                    Change::Removed => {
                        let _ = write!(line, "[-{}-]", s.text);
                    }
                    Change::Added => {
                        let _ = write!(line, "{{+{}+}}", s.text);
                    }
                }
            }
            out.push_str(&line.replace('\n', "\n    "));
            out.push('\n');
        }
        out
    }
}

/// What changed from `old` to `new`. The revision record is left out: it grows by one row with
/// every edition, and the edition says so itself.
pub fn diff(old: &ResolvedPlan, new: &ResolvedPlan, schema: &Schema) -> PlanDiff {
    PlanDiff {
        fields: fields(&old.values, &new.values, schema),
        chapters: chapters(old, new),
    }
}

fn fields(old: &Value, new: &Value, schema: &Schema) -> Vec<FieldChange> {
    let (before, after) = (leaves(old), leaves(new));
    let paths: BTreeSet<&Vec<Seg>> = before.keys().chain(after.keys()).collect();
    paths
        .into_iter()
        .filter(|p| {
            p.first() != Some(&Seg::Key("plan".into()))
                || p.get(1) != Some(&Seg::Key("revisions".into()))
        })
        .filter_map(|path| {
            let (b, a) = (before.get(path), after.get(path));
            (b != a).then(|| FieldChange {
                path: crate::source::schema::dotted(path),
                label: label(schema, path),
                before: b.cloned(),
                after: a.cloned(),
            })
        })
        .collect()
}

/// Every scalar of a school's values by its path.
fn leaves(values: &Value) -> BTreeMap<Vec<Seg>, String> {
    fn walk(v: &Value, path: &mut Vec<Seg>, out: &mut BTreeMap<Vec<Seg>, String>) {
        match v {
            Value::Object(map) => {
                for (k, v) in map {
                    path.push(Seg::Key(k.clone()));
                    walk(v, path, out);
                    path.pop();
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    path.push(Seg::Index(i));
                    walk(v, path, out);
                    path.pop();
                }
            }
            // A field not filled in (its marker) is absent, as an empty one is.
            Value::Null => {}
            Value::String(s) if markers::is_only_marker(s) => {}
            Value::String(s) => {
                out.insert(path.clone(), markers::in_words(s));
            }
            other => {
                out.insert(path.clone(), other.to_string());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(values, &mut Vec::new(), &mut out);
    out
}

/// A field's label from the schema's titles along its path, list items numbered.
fn label(schema: &Schema, path: &[Seg]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut last_title = String::new();
    for n in 1..=path.len() {
        match &path[n - 1] {
            Seg::Index(i) => {
                if let Some(p) = parts.last_mut() {
                    let _ = write!(p, "（第 {} 筆）", i + 1);
                }
            }
            Seg::Key(k) => {
                let title = schema.title(&path[..n]);
                // A field without a title of its own inherits its parent's: say its key.
                let shown = if title.is_empty() || title == last_title {
                    k.clone()
                } else {
                    title.clone()
                };
                last_title = title;
                parts.push(shown);
            }
        }
    }
    parts.join("／")
}

fn chapters(old: &ResolvedPlan, new: &ResolvedPlan) -> Vec<ChapterChange> {
    let text = |plan: &ResolvedPlan, id: &str| {
        plan.chapters.iter().find(|c| c.id == id).map(|c| {
            c.parts
                .iter()
                .filter_map(|p| match p {
                    PlanPart::County { markdown, .. } | PlanPart::School { markdown, .. } => {
                        Some(markdown.trim())
                    }
                    PlanPart::Section { .. } => None,
                })
                .collect::<Vec<_>>()
                .join("\n")
        })
    };
    let mut ids: Vec<(usize, &str, &str)> = new
        .chapters
        .iter()
        .enumerate()
        .map(|(i, c)| (i + 1, c.id.as_str(), c.heading.as_str()))
        .collect();
    for c in &old.chapters {
        if !ids.iter().any(|(_, id, _)| *id == c.id) {
            ids.push((0, &c.id, &c.heading));
        }
    }
    ids.into_iter()
        .filter_map(|(n, id, heading)| {
            let (before, after) = (
                text(old, id).unwrap_or_default(),
                text(new, id).unwrap_or_default(),
            );
            (before != after).then(|| ChapterChange {
                title: match n {
                    0 => format!("（已刪除）{}", heading_title(heading)),
                    n => format!(
                        "{}{}",
                        numbering::heading_marker(1, n),
                        heading_title(heading)
                    ),
                },
                spans: spans(&before, &after),
            })
        })
        .collect()
}

/// `# 依據及目的 {#basis}` → `依據及目的`.
fn heading_title(heading: &str) -> &str {
    let t = heading.trim_start_matches('#').trim();
    t.split(" {#").next().unwrap_or(t).trim()
}

/// The change from `before` to `after` character by character, long unchanged runs cut to the
/// context around the changes.
fn spans(before: &str, after: &str) -> Vec<Span> {
    let diff = TextDiff::from_chars(before, after);
    let mut spans: Vec<Span> = Vec::new();
    for change in diff.iter_all_changes() {
        let kind = match change.tag() {
            ChangeTag::Equal => Change::Kept,
            ChangeTag::Delete => Change::Removed,
            ChangeTag::Insert => Change::Added,
        };
        match spans.last_mut() {
            Some(s) if s.change == kind => s.text.push_str(change.value()),
            _ => spans.push(Span {
                change: kind,
                text: change.value().to_string(),
            }),
        }
    }
    let last = spans.len().saturating_sub(1);
    for (i, s) in spans.iter_mut().enumerate() {
        if s.change != Change::Kept {
            continue;
        }
        let chars: Vec<char> = s.text.chars().collect();
        let keep_head = if i == 0 { 0 } else { CONTEXT };
        let keep_tail = if i == last { 0 } else { CONTEXT };
        if chars.len() > keep_head + keep_tail + 1 {
            let head: String = chars[..keep_head].iter().collect();
            let tail: String = chars[chars.len() - keep_tail..].iter().collect();
            s.text = format!("{head}…{tail}");
        }
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_sentence_is_marked_by_character_with_context() {
        let before = format!("{}本計畫依據第 6 條訂定。", "前".repeat(40));
        let after = format!("{}本計畫依據第 6 條訂定（已修訂）。", "前".repeat(40));
        let spans = spans(&before, &after);
        assert_eq!(spans[0].change, Change::Kept);
        assert!(
            spans[0].text.starts_with('…'),
            "long context is cut: {spans:?}"
        );
        assert_eq!(
            spans[1],
            Span {
                change: Change::Added,
                text: "（已修訂）".into()
            }
        );
        assert_eq!(spans[2].text, "。");
    }
}
