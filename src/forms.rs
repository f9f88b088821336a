//! The attachment forms (附件表單): one YAML definition per form under the county's `forms/`,
//! shared by every school, resolved per school into plain blocks that one HTML template and one
//! Typst template lay out.
//!
//! A definition is a list of generic blocks (tables, key–value fields, paragraphs, lists,
//! signature lines, notes). Text may hold placeholders, resolved here so that the templates never
//! look data up themselves:
//! - `{blank}` / `{blank:N}`: a ruled blank of N characters, for pen;
//! - `{box}` / `{box:x}`: an empty / checked checkbox (□ / ■);
//! - `{path|label|field}`: a value of the school's data (`school.ciso.name`, `level.code`, or a
//!   derived value such as `unit_head`), shown as the 【待填：label】 marker when missing; `field`
//!   is the school file's path the marker points to (default: `path` without `school.`).

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::diagnostics::SourceError;
use crate::load::FormInfo;
use crate::numbering;
use crate::roc::Date;
use crate::yaml;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormDef {
    pub title: String,
    /// Printed on A4 landscape (wide tables).
    #[serde(default)]
    landscape: bool,
    /// A 編號 line for the filing number.
    #[serde(default)]
    number: bool,
    /// The label of a date line to fill by pen (製表日期, 填表日期 …).
    #[serde(default)]
    date: Option<String>,
    /// The title reads "<school> <ROC year> 年度…".
    #[serde(default)]
    year_in_title: bool,
    blocks: Vec<Block>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Block {
    Heading {
        text: String,
    },
    Paragraph {
        text: String,
    },
    List {
        numbering: ListNumbering,
        items: Vec<String>,
    },
    Fields {
        /// Label–value pairs per row.
        #[serde(default = "two")]
        pairs: usize,
        fields: Vec<Field>,
    },
    Table(Table),
    Signatures {
        items: Vec<Field>,
    },
    Note {
        text: String,
    },
    /// 中華民國　年　月　日, for the date of signing.
    DateLine,
    Pagebreak,
}

fn two() -> usize {
    2
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum ListNumbering {
    /// 一、二、
    Plain,
    /// (一)(二)
    Paren,
    /// 1. 2.
    Arabic,
    /// 第一條、第二條
    Article,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Field {
    label: String,
    #[serde(default)]
    value: String,
    /// The value takes the rest of the row.
    #[serde(default)]
    span: bool,
}

/// A table's rows come from a list in the data (`from`), fixed rows, groups of items (the first
/// column spans each group) and/or blank rows for pen, in that order.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    columns: Vec<Column>,
    #[serde(default)]
    from: Option<String>,
    /// Names the `from` list in the marker shown when the school has none.
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    rows: Vec<Vec<String>>,
    #[serde(default)]
    groups: Vec<Group>,
    #[serde(default)]
    blank_rows: usize,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Column {
    label: String,
    #[serde(default = "one")]
    width: f64,
    #[serde(default)]
    kind: ColumnKind,
    /// With `from`: the key of each item shown in this column.
    #[serde(default)]
    field: Option<String>,
    /// With `from`: a fixed text for every item.
    #[serde(default)]
    value: Option<String>,
}

fn one() -> f64 {
    1.0
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum ColumnKind {
    /// Filled from the row (its data item, fixed cells or group item).
    #[default]
    Text,
    /// An empty checkbox to tick by pen.
    Check,
    /// An empty cell for pen.
    Blank,
    /// The row's number, 1-based.
    Number,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Group {
    name: String,
    items: Vec<Cells>,
}

/// A group item: one text (the second column) or several (the text columns after the first).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum Cells {
    One(String),
    Many(Vec<String>),
}

impl Cells {
    fn texts(&self) -> Vec<&str> {
        match self {
            Cells::One(s) => vec![s.as_str()],
            Cells::Many(v) => v.iter().map(String::as_str).collect(),
        }
    }
}

/// Reads `dir/NN-slug.yaml`: the number and the address of a form come from its file name.
pub fn load(dir: &Path) -> Result<Vec<FormInfo>> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("failed to read `{}`", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    let mut forms = Vec::new();
    for file in files {
        let stem = file.file_stem().unwrap_or_default().to_string_lossy();
        let Some((no, slug)) = stem
            .split_once('-')
            .and_then(|(n, s)| Some((n.parse::<u32>().ok()?, s.to_string())))
        else {
            bail!(SourceError::new(
                &file,
                None,
                "a form file is named NN-slug.yaml (its number and address)"
            ));
        };
        let text = std::fs::read_to_string(&file)
            .with_context(|| format!("failed to read `{}`", file.display()))?;
        let def: FormDef =
            yaml::from_str(&text).map_err(|e| SourceError::new(&file, Some(e.pos), e.message))?;
        for t in def.texts() {
            parse(t).map_err(|e| SourceError::new(&file, None, format!("in `{t}`: {e}")))?;
        }
        forms.push(FormInfo {
            no,
            slug,
            title: def.title.clone(),
            def,
        });
    }
    Ok(forms)
}

impl FormDef {
    /// Every text that may hold placeholders.
    fn texts(&self) -> Vec<&str> {
        let mut out = Vec::new();
        for block in &self.blocks {
            match block {
                Block::Heading { text } | Block::Paragraph { text } | Block::Note { text } => {
                    out.push(text.as_str())
                }
                Block::List { items, .. } => out.extend(items.iter().map(String::as_str)),
                Block::Fields { fields, .. } | Block::Signatures { items: fields } => {
                    out.extend(fields.iter().map(|f| f.value.as_str()))
                }
                Block::Table(t) => {
                    out.extend(t.columns.iter().filter_map(|c| c.value.as_deref()));
                    out.extend(t.rows.iter().flatten().map(String::as_str));
                    for g in &t.groups {
                        out.push(&g.name);
                        out.extend(g.items.iter().flat_map(Cells::texts));
                    }
                }
                Block::DateLine | Block::Pagebreak => {}
            }
        }
        out
    }
}

/// A piece of text as written in a definition.
#[derive(Debug, PartialEq)]
enum Piece<'a> {
    Text(&'a str),
    Blank(u32),
    Check(bool),
    Value {
        path: &'a str,
        label: &'a str,
        field: Option<&'a str>,
    },
}

fn parse(text: &str) -> Result<Vec<Piece<'_>>, String> {
    let mut pieces = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        if open > 0 {
            pieces.push(Piece::Text(&rest[..open]));
        }
        let close = rest[open..].find('}').ok_or("a `{` without its `}`")? + open;
        let inner = &rest[open + 1..close];
        pieces.push(match inner.split_once(':').unwrap_or((inner, "")) {
            ("blank", "") => Piece::Blank(4),
            ("blank", n) => Piece::Blank(n.parse().map_err(|_| format!("`{{{inner}}}`"))?),
            ("box", "") => Piece::Check(false),
            ("box", "x") => Piece::Check(true),
            _ => {
                let mut parts = inner.split('|');
                let path = parts.next().unwrap_or_default();
                let label = parts
                    .next()
                    .ok_or_else(|| format!("`{{{inner}}}` needs a label: {{path|label}}"))?;
                Piece::Value {
                    path,
                    label,
                    field: parts.next(),
                }
            }
        });
        rest = &rest[close + 1..];
    }
    if !rest.is_empty() {
        pieces.push(Piece::Text(rest));
    }
    Ok(pieces)
}

/// What a form's placeholders may name: the school's data under `school`, its level's
/// obligations under `level`, where it reports under `report`, and values derived here.
pub fn lookup(school: &Value, level: &Value, report: &Value) -> Value {
    let num = |key: &str| {
        school
            .pointer(&format!("/staffing/{key}"))
            .and_then(Value::as_u64)
    };
    let security_staff = match (num("security_dedicated"), num("security_part_time")) {
        (None, None) => None,
        (a, b) => Some(a.unwrap_or(0) + b.unwrap_or(0)),
    };
    let staff_total = || {
        [num("it_staff"), num("general_staff"), num("managers")]
            .into_iter()
            .try_fold(security_staff?, |sum, n| Some(sum + n?))
    };
    json!({
        "school": school,
        "level": level,
        "report": report,
        "unit_head": unit_head(school),
        "handler": school.pointer("/contacts/0/name"),
        "security_staff": security_staff,
        "staff_total": staff_total(),
        "plan_year": plan_year(school),
    })
}

/// The head of the unit in charge of security (教務處 → 教務主任), found in the team.
fn unit_head(school: &Value) -> Option<&str> {
    let unit = school.get("security_unit")?.as_str()?;
    let stem = unit.trim_end_matches(['處', '室', '組']);
    school
        .get("team")?
        .as_array()?
        .iter()
        .find(|m| m.get("title").and_then(Value::as_str) == Some(&format!("{stem}主任")))
        .and_then(|m| m.get("name")?.as_str())
}

fn plan_year(school: &Value) -> Option<String> {
    let date = Date::parse_iso(school.pointer("/plan/date")?.as_str()?)?;
    Some((date.year - 1911).to_string())
}

/// A form for one school: plain blocks of resolved text, the same for the page and the PDF.
pub fn resolve(form: &FormInfo, school_name: &str, data: &Value) -> Value {
    let def = &form.def;
    let title = if def.year_in_title {
        let year = data["plan_year"].as_str().unwrap_or("　　");
        let rest = def.title.strip_prefix("年度").unwrap_or(&def.title);
        format!("{school_name} {year} 年度{rest}")
    } else {
        format!("{school_name}{}", def.title)
    };
    let blocks: Vec<Value> = def.blocks.iter().map(|b| block(b, data)).collect();
    json!({
        "no": form.no,
        "slug": form.slug,
        "title": title,
        "landscape": def.landscape,
        "number": def.number,
        "date": def.date,
        "blocks": blocks,
    })
}

fn block(block: &Block, data: &Value) -> Value {
    let segs = |t: &str| segments(t, data);
    match block {
        Block::Heading { text } => json!({ "kind": "heading", "text": segs(text) }),
        Block::Paragraph { text } => json!({ "kind": "paragraph", "text": segs(text) }),
        Block::Note { text } => json!({ "kind": "note", "text": segs(text) }),
        Block::List { numbering, items } => {
            let items: Vec<Value> = items
                .iter()
                .enumerate()
                .map(|(i, t)| json!({ "marker": marker(*numbering, i + 1), "text": segs(t) }))
                .collect();
            json!({ "kind": "list", "items": items })
        }
        Block::Fields { pairs, fields } => {
            let pairs = (*pairs).max(1);
            let mut rows: Vec<Vec<Value>> = Vec::new();
            let mut used = pairs;
            for f in fields {
                if f.span || used == pairs {
                    rows.push(Vec::new());
                    used = 0;
                }
                let span = if f.span { 2 * (pairs - used) - 1 } else { 1 };
                rows.last_mut()
                    .expect("a row was just started")
                    .push(json!({ "label": f.label, "value": segs(&f.value), "span": span }));
                used = if f.span { pairs } else { used + 1 };
            }
            // A short last row still fills the width.
            if let Some(last) = rows.last_mut() {
                let filled: usize = last
                    .iter()
                    .map(|c| 1 + c["span"].as_u64().unwrap_or(1) as usize)
                    .sum();
                if let Some(cell) = last.last_mut() {
                    cell["span"] =
                        json!(cell["span"].as_u64().unwrap_or(1) as usize + 2 * pairs - filled);
                }
            }
            json!({ "kind": "fields", "columns": 2 * pairs, "rows": rows })
        }
        Block::Table(t) => table(t, data),
        Block::Signatures { items } => {
            let items: Vec<Value> = items
                .iter()
                .map(|f| json!({ "label": f.label, "value": segs(&f.value) }))
                .collect();
            json!({ "kind": "signatures", "items": items })
        }
        Block::DateLine => json!({ "kind": "date_line" }),
        Block::Pagebreak => json!({ "kind": "pagebreak" }),
    }
}

fn marker(numbering: ListNumbering, n: usize) -> String {
    match numbering {
        ListNumbering::Plain => format!("{}、", numbering::plain(n)),
        ListNumbering::Paren => format!("({})", numbering::plain(n)),
        ListNumbering::Arabic => format!("{n}."),
        ListNumbering::Article => format!("第{}條", numbering::plain(n)),
    }
}

fn table(t: &Table, data: &Value) -> Value {
    let columns: Vec<Value> = t
        .columns
        .iter()
        .map(|c| json!({ "label": c.label, "width": c.width }))
        .collect();
    let mut rows: Vec<Value> = Vec::new();
    let mut number = 0;
    // Fills a row: text columns take `texts` in order, the others are pen cells.
    let mut row = |texts: &mut dyn Iterator<Item = Value>, skip: usize, pen: bool| {
        number += 1;
        let cells: Vec<Value> = t.columns[skip..]
            .iter()
            .map(|c| match c.kind {
                ColumnKind::Text => cell(texts.next().unwrap_or_else(|| json!([]))),
                ColumnKind::Check => centred(cell(json!([{ "check": false }]))),
                ColumnKind::Blank => cell(json!([])),
                ColumnKind::Number => centred(cell(json!([{ "t": number.to_string() }]))),
            })
            .collect();
        json!({ "pen": pen, "cells": cells })
    };

    if let Some(path) = &t.from {
        let items = pointer(data, &format!("school.{path}"))
            .and_then(Value::as_array)
            .filter(|a| !a.is_empty());
        match items {
            Some(items) => {
                for (i, item) in items.iter().enumerate() {
                    let mut texts =
                        t.columns
                            .iter()
                            .filter(|c| c.kind == ColumnKind::Text)
                            .map(|c| match (&c.field, &c.value) {
                                (Some(key), _) => json!([value_seg(
                                    item.get(key),
                                    &c.label,
                                    &format!("{path}.{i}.{key}")
                                )]),
                                (None, Some(text)) => segments(text, data),
                                (None, None) => json!([]),
                            });
                    rows.push(row(&mut texts, 0, false));
                }
            }
            None => {
                let label = t.label.as_deref().unwrap_or(path);
                rows.push(json!({ "pen": false, "cells": [{
                    "text": [value_seg(None, label, path)],
                    "rowspan": 1,
                    "colspan": t.columns.len(),
                }] }));
            }
        }
    }
    for fixed in &t.rows {
        let mut texts = fixed.iter().map(|s| segments(s, data));
        rows.push(row(&mut texts, 0, false));
    }
    for group in &t.groups {
        for (i, item) in group.items.iter().enumerate() {
            let mut texts = item.texts().into_iter().map(|s| segments(s, data));
            let mut r = row(&mut texts, 1, false);
            if i == 0 {
                let mut head = cell(segments(&group.name, data));
                head["rowspan"] = json!(group.items.len());
                r["cells"].as_array_mut().expect("cells").insert(0, head);
            }
            rows.push(r);
        }
    }
    for _ in 0..t.blank_rows {
        rows.push(row(&mut std::iter::empty(), 0, true));
    }
    json!({ "kind": "table", "columns": columns, "rows": rows })
}

fn cell(text: Value) -> Value {
    json!({ "text": text, "rowspan": 1, "colspan": 1 })
}

fn centred(mut cell: Value) -> Value {
    cell["center"] = json!(true);
    cell
}

/// `a.b.0.c` (or `a.b[0].c`) in the lookup data.
fn pointer<'v>(data: &'v Value, path: &str) -> Option<&'v Value> {
    let path = path.replace(['[', ']'], ".").replace("..", ".");
    data.pointer(&format!(
        "/{}",
        path.trim_end_matches('.').replace('.', "/")
    ))
}

fn segments(text: &str, data: &Value) -> Value {
    // Definitions were checked when loaded.
    let pieces = parse(text).unwrap_or_default();
    Value::Array(
        pieces
            .into_iter()
            .map(|p| match p {
                Piece::Text(t) => json!({ "t": t }),
                Piece::Blank(n) => json!({ "blank": n }),
                Piece::Check(c) => json!({ "check": c }),
                Piece::Value { path, label, field } => {
                    let field =
                        field.unwrap_or_else(|| path.strip_prefix("school.").unwrap_or(path));
                    value_seg(pointer(data, path), label, field)
                }
            })
            .collect(),
    )
}

/// A data value for the templates' `val`: a string, or null / `{missing, field}` when missing.
fn value_seg(v: Option<&Value>, label: &str, field: &str) -> Value {
    let v = match v {
        Some(Value::String(s)) => json!(s.trim()),
        Some(Value::Number(n)) => json!(n.to_string()),
        Some(m @ Value::Object(o)) if o.contains_key("missing") => m.clone(),
        _ => Value::Null,
    };
    json!({ "v": v, "label": label, "field": field })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_parse() {
        assert_eq!(
            parse("立{blank:6}於{school.name|學校名稱}{box}{box:x}").unwrap(),
            vec![
                Piece::Text("立"),
                Piece::Blank(6),
                Piece::Text("於"),
                Piece::Value {
                    path: "school.name",
                    label: "學校名稱",
                    field: None
                },
                Piece::Check(false),
                Piece::Check(true),
            ]
        );
        assert!(parse("{school.name}").is_err());
        assert!(parse("{blank").is_err());
    }

    #[test]
    fn the_unit_head_is_found_in_the_team() {
        let school = json!({
            "security_unit": "教務處",
            "team": [{ "title": "校長", "name": "甲" }, { "title": "教務主任", "name": "乙" }],
        });
        assert_eq!(unit_head(&school), Some("乙"));
    }

    #[test]
    fn staff_total_needs_every_count() {
        let data = lookup(
            &json!({ "staffing": { "security_part_time": 1, "it_staff": 2, "general_staff": 70, "managers": 7 } }),
            &json!({}),
            &json!({}),
        );
        assert_eq!(data["security_staff"], 1);
        assert_eq!(data["staff_total"], 80);
        let partial = lookup(
            &json!({ "staffing": { "it_staff": 2 } }),
            &json!({}),
            &json!({}),
        );
        assert!(partial["staff_total"].is_null());
    }
}
