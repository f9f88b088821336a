//! What the schema says of a school file: missing and malformed values, unknown keys (with a
//! "did you mean"), recommended fields left out, and 「○」 placeholders left from a template.

use std::path::Path;

use jsonschema::error::ValidationErrorKind;
use jsonschema::paths::LocationSegment;
use serde_json::Value;

use super::{Checker, Finding, Kind, Severity, key_position, place, pointer, position};
use crate::base::diagnostics::did_you_mean;
use crate::model::MASK;
use crate::source::schema::{self, PLACEHOLDER, Schema, Seg, dotted};
use crate::source::yaml::{Kind as YamlKind, Node, Pos};

impl Checker<'_> {
    /// 「○○○」 left from a template, anywhere in the data.
    pub(super) fn placeholders(&mut self, node: &Node, path: &mut Vec<Seg>) {
        match &node.kind {
            YamlKind::Str(s) if s.contains(PLACEHOLDER) => {
                let label = place(self.schema, path);
                // Part of a phone or an IP may stand beside the 「○」: never repeated.
                let shown = if self.schema.is_sensitive(path) {
                    String::new()
                } else {
                    format!("「{s}」")
                };
                self.push(
                    path,
                    Kind::Placeholder,
                    Severity::Error,
                    node.pos,
                    format!("{label}仍為預留文字{shown}"),
                    Some("請填入實際內容".to_string()),
                );
            }
            YamlKind::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    path.push(Seg::Index(i));
                    self.placeholders(item, path);
                    path.pop();
                }
            }
            YamlKind::Map(entries) => {
                for (key, value) in entries {
                    path.push(Seg::Key(key.name.clone()));
                    self.placeholders(value, path);
                    path.pop();
                }
            }
            _ => {}
        }
    }

    /// 「○」 in a school's own Markdown text.
    pub(super) fn placeholder_text(&mut self, file: &Path, body: &str, first_line: usize) {
        for (i, line) in body.lines().enumerate() {
            if let Some(at) = line.find(PLACEHOLDER) {
                let pos = Pos {
                    line: (first_line + i) as u64,
                    column: line[..at].chars().count() as u64 + 1,
                };
                self.push_at(
                    file,
                    &[],
                    Kind::Placeholder,
                    Severity::Error,
                    pos,
                    "本校文字中仍有預留文字「○」".to_string(),
                    Some("請填入實際內容".to_string()),
                );
            }
        }
    }

    pub(super) fn schema_errors(&mut self, node: &Node, data: &Value) {
        // Empty values and placeholders are left out, so that the schema calls them missing
        // (not "wrong type"), and placeholders are reported once, as placeholders.
        let instance =
            prune(self.schema, &mut Vec::new(), data).unwrap_or(Value::Object(Default::default()));
        for err in self.schema.errors(&instance) {
            let path: Vec<Seg> = err
                .instance_path()
                .iter()
                .map(|s| match s {
                    LocationSegment::Property(p) => Seg::Key(p.to_string()),
                    LocationSegment::Index(i) => Seg::Index(i),
                })
                .collect();
            self.schema_error(node, data, path, err.kind());
        }
    }

    fn schema_error(
        &mut self,
        node: &Node,
        data: &Value,
        path: Vec<Seg>,
        kind: &ValidationErrorKind,
    ) {
        let label = place(self.schema, &path);
        match kind {
            ValidationErrorKind::Required { property } => {
                let mut field = path.clone();
                field.push(Seg::Key(property.as_str().unwrap_or_default().to_string()));
                if is_placeholder(lookup(data, &field)) {
                    return;
                }
                let (pos, _) = position(node, &field);
                // What the field takes, for a reader without the schema at hand.
                let hint = self
                    .expected(&field)
                    .or_else(|| self.schema.description(&field));
                self.push(
                    &field,
                    Kind::Missing,
                    Severity::Error,
                    pos,
                    format!("尚未填寫「{}」", place(self.schema, &field)),
                    hint,
                );
            }
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                for key in unexpected {
                    let mut field = path.clone();
                    field.push(Seg::Key(key.clone()));
                    let pos =
                        key_position(node, &field).unwrap_or_else(|| position(node, &field).0);
                    let known = self.schema.property_names(&path);
                    let hint = did_you_mean(key, &known)
                        .map(|k| {
                            let mut p = path.clone();
                            p.push(Seg::Key(k.to_string()));
                            format!("是否為「{k}」（{}）？", self.schema.title(&p))
                        })
                        .or_else(|| {
                            Some(format!(
                                "{}可用之欄位：{}",
                                where_label(&label),
                                known.join("、")
                            ))
                        });
                    self.findings.push(Finding {
                        school: self.school.to_string(),
                        file: self.file.to_path_buf(),
                        path: dotted(&field),
                        pointer: pointer(&field),
                        place: label.clone(),
                        label: self.schema.title(&path),
                        kind: Kind::UnknownKey,
                        severity: Severity::Error,
                        line: pos.line,
                        column: pos.column,
                        message: format!("未知欄位「{key}」"),
                        hint,
                    });
                }
            }
            ValidationErrorKind::MinItems { limit } => {
                let have = lookup(data, &path)
                    .and_then(Value::as_array)
                    .map_or(0, |a| a.iter().filter(|v| !is_placeholder(Some(v))).count());
                self.push_field(
                    node,
                    &path,
                    Kind::Rule,
                    Severity::Error,
                    format!("{label}至少須有 {limit} 筆，目前 {have} 筆"),
                    self.schema.description(&path),
                );
            }
            ValidationErrorKind::MaxLength { limit } => {
                let count = lookup(data, &path)
                    .and_then(Value::as_str)
                    .map_or(0, |s| s.chars().count());
                self.push_field(
                    node,
                    &path,
                    Kind::Invalid,
                    Severity::Error,
                    format!("{label}過長：共 {count} 字，上限 {limit} 字"),
                    Some(format!("計畫只印出前 {limit} 字；請精簡此欄")),
                );
            }
            ValidationErrorKind::Minimum { limit } => {
                let value = lookup(data, &path).map(show).unwrap_or_default();
                self.push_field(
                    node,
                    &path,
                    Kind::Invalid,
                    Severity::Error,
                    format!("{label}應至少為 {limit}，目前為 {value}"),
                    self.schema.description(&path),
                );
            }
            ValidationErrorKind::MaxItems { limit } => {
                let count = lookup(data, &path)
                    .and_then(Value::as_array)
                    .map_or(0, Vec::len);
                self.push_field(
                    node,
                    &path,
                    Kind::Invalid,
                    Severity::Error,
                    format!("{label}過多：共 {count} 筆，上限 {limit} 筆"),
                    Some(format!("計畫只列出前 {limit} 筆")),
                );
            }
            _ => {
                // A finding is shown on public pages: a sensitive value is never repeated in it.
                let value = match lookup(data, &path) {
                    _ if self.schema.is_sensitive(&path) => MASK.to_string(),
                    Some(v) => show(&self.redacted(v, &mut path.clone())),
                    None => String::new(),
                };
                let hint = self
                    .expected(&path)
                    .or_else(|| self.schema.description(&path));
                self.push_field(
                    node,
                    &path,
                    Kind::Invalid,
                    Severity::Error,
                    format!("{label}格式不符：{value}"),
                    hint,
                );
            }
        }
    }

    /// A value as a message may quote it: its sensitive parts (a mapping's fields) masked.
    fn redacted(&self, value: &Value, path: &mut Vec<Seg>) -> Value {
        if self.schema.is_sensitive(path) {
            return Value::String(MASK.to_string());
        }
        match value {
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| {
                        path.push(Seg::Key(k.clone()));
                        let shown = self.redacted(v, path);
                        path.pop();
                        (k.clone(), shown)
                    })
                    .collect(),
            ),
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| {
                        path.push(Seg::Index(i));
                        let shown = self.redacted(v, path);
                        path.pop();
                        shown
                    })
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    /// What a field takes, in words: its choices or its type.
    fn expected(&self, path: &[Seg]) -> Option<String> {
        let choices = self.schema.choices(path);
        if !choices.is_empty() {
            return Some(format!("應為下列之一：{}", choices.join("、")));
        }
        let node = self.schema.node(path)?;
        let ty = self.schema.keyword(node, "type")?.as_str()?;
        let words = match ty {
            "integer" => "整數",
            "number" => "數字",
            "boolean" => " true（是）或 false（否）",
            "array" => "清單（以「- 」逐項列出）",
            "object" => "對照表（欄位: 值）",
            _ => return None,
        };
        Some(format!("應為{words}"))
    }

    /// Optional fields a complete plan still has: a warning when absent, at every depth (a team
    /// member without an extension, a contact without an e-mail).
    pub(super) fn recommended(&mut self, node: &Node, data: &Value) {
        self.recommended_under(node, data, &mut Vec::new());
    }

    fn recommended_under(&mut self, node: &Node, value: &Value, path: &mut Vec<Seg>) {
        match value {
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    path.push(Seg::Index(i));
                    self.recommended_under(node, item, path);
                    path.pop();
                }
            }
            Value::Object(map) => {
                let keys: Vec<String> = self
                    .schema
                    .property_names(path)
                    .into_iter()
                    .map(str::to_string)
                    .collect();
                for key in keys {
                    path.push(Seg::Key(key.clone()));
                    match map.get(&key) {
                        Some(child) if !schema::is_empty(child) => {
                            self.recommended_under(node, child, path);
                        }
                        child => {
                            if self.schema.is_recommended(path) && !is_placeholder(child) {
                                let label = place(self.schema, path);
                                self.push_field(
                                    node,
                                    path,
                                    Kind::Missing,
                                    Severity::Warning,
                                    format!("建議填寫{label}"),
                                    self.schema.description(path),
                                );
                            }
                        }
                    }
                    path.pop();
                }
            }
            _ => {}
        }
    }
}

fn where_label(label: &str) -> String {
    if label.is_empty() {
        "學校資料".to_string()
    } else {
        label.to_string()
    }
}

fn lookup<'v>(data: &'v Value, path: &[Seg]) -> Option<&'v Value> {
    path.iter().try_fold(data, |v, seg| match seg {
        Seg::Key(k) => v.get(k),
        Seg::Index(i) => v.get(i),
    })
}

fn is_placeholder(v: Option<&Value>) -> bool {
    matches!(v, Some(Value::String(s)) if s.contains(PLACEHOLDER))
}

/// A value as a message quotes it: a long one cut, with its length.
fn show(v: &Value) -> String {
    const SHOWN: usize = 40;
    let text = match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let count = text.chars().count();
    let shown: String = text.chars().take(SHOWN).collect();
    match (v, count > SHOWN) {
        (Value::String(_), false) => format!("「{shown}」"),
        (Value::String(_), true) => format!("「{shown}…」（共 {count} 字）"),
        (_, false) => shown,
        (_, true) => format!("{shown}…"),
    }
}

/// The data without empty values (null, blank or placeholder text, empty lists, and optional
/// mappings with nothing in them).
fn prune(schema: &Schema, path: &mut Vec<Seg>, v: &Value) -> Option<Value> {
    match v {
        Value::Object(map) => {
            let mut kept = serde_json::Map::new();
            for (k, item) in map {
                path.push(Seg::Key(k.clone()));
                if let Some(item) = prune(schema, path, item) {
                    kept.insert(k.clone(), item);
                }
                path.pop();
            }
            // A required mapping's emptiness is the schema's to report, field by field.
            let required = match path.split_last() {
                None => true,
                Some((Seg::Key(k), parent)) => schema.required(parent).contains(&k.as_str()),
                Some((Seg::Index(_), _)) => false,
            };
            (required || !kept.is_empty()).then_some(Value::Object(kept))
        }
        Value::Array(items) => {
            let mut kept = Vec::new();
            for (i, item) in items.iter().enumerate() {
                path.push(Seg::Index(i));
                kept.extend(prune(schema, path, item));
                path.pop();
            }
            (!kept.is_empty()).then_some(Value::Array(kept))
        }
        other => (!schema::is_empty(other)).then(|| other.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_get_a_suggestion() {
        let known = ["name", "short_name", "township", "contacts"];
        assert_eq!(did_you_mean("contact", &known), Some("contacts"));
        assert_eq!(did_you_mean("townshp", &known), Some("township"));
        assert_eq!(did_you_mean("zzz", &known), None);
    }
}
