//! The county's form definitions filled in for one school: plain blocks of resolved text, the
//! same for the page and the PDF, so that the templates never look data up themselves.
//!
//! Placeholders in a definition's text resolve here: `{blank:N}` to a ruled blank of N
//! characters for pen, `{box}` / `{box:x}` to □ / ■, and `{path|label|field}` to a value of the
//! school (`school.ciso.name`, `level.code`, or a derived value such as `unit_head`), which is
//! the 【待填：label】 marker when missing; `field` is the school file's path the marker points
//! to (default: `path` without `school.`).

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::base::numbering;
use crate::base::roc::Date;
use crate::source::FormInfo;
use crate::source::forms::{Block, Cells, ColumnKind, ListNumbering, Piece, Table, parse};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Form {
    pub no: u32,
    pub slug: String,
    /// The school's name and the form's title.
    pub title: String,
    pub landscape: bool,
    /// A 編號 line for the filing number.
    pub number: bool,
    /// The label of a date line to fill by pen (製表日期 …).
    pub date: Option<String>,
    pub blocks: Vec<FormBlock>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FormBlock {
    Heading {
        text: Vec<Seg>,
    },
    Paragraph {
        text: Vec<Seg>,
    },
    Note {
        text: Vec<Seg>,
    },
    List {
        items: Vec<ListItem>,
    },
    /// Label–value cells; `columns` counts labels and values.
    Fields {
        columns: usize,
        rows: Vec<Vec<FieldCell>>,
    },
    Table {
        columns: Vec<ColumnHead>,
        rows: Vec<Row>,
    },
    Signatures {
        items: Vec<Signature>,
    },
    DateLine,
    Pagebreak,
}

/// A piece of resolved text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Seg {
    Text {
        t: String,
    },
    /// A ruled blank, its width in characters.
    Blank {
        blank: u32,
    },
    Check {
        check: bool,
    },
    /// A value of the school; `None` (or a marker) when it is missing.
    Value {
        v: Option<String>,
        label: String,
        field: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListItem {
    pub marker: String,
    pub text: Vec<Seg>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldCell {
    pub label: String,
    pub value: Vec<Seg>,
    /// Columns the value takes.
    pub span: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnHead {
    pub label: String,
    /// Relative width.
    pub width: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// A row for pen, tall enough to write in.
    pub pen: bool,
    pub cells: Vec<Cell>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    pub text: Vec<Seg>,
    pub rowspan: usize,
    pub colspan: usize,
    pub center: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signature {
    pub label: String,
    pub value: Vec<Seg>,
}

/// What a form's placeholders may name: the school's data under `school`, its level's
/// obligations under `level`, where it reports under `report`, the law the county cites under
/// `law`, and values derived here.
pub fn lookup(school: &Value, level: &Value, report: &Value, law: &Value) -> Value {
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
        "law": law,
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

/// A form for one school; `data` is what [`lookup`] made.
pub fn resolve(form: &FormInfo, school_name: &str, data: &Value) -> Form {
    let def = &form.def;
    let title = if def.year_in_title {
        let year = data["plan_year"].as_str().unwrap_or("　　");
        let rest = def.title.strip_prefix("年度").unwrap_or(&def.title);
        format!("{school_name} {year} 年度{rest}")
    } else {
        format!("{school_name}{}", def.title)
    };
    Form {
        no: form.no,
        slug: form.slug.clone(),
        title,
        landscape: def.landscape,
        number: def.number,
        date: def.date.clone(),
        blocks: def.blocks.iter().map(|b| block(b, data)).collect(),
    }
}

fn block(block: &Block, data: &Value) -> FormBlock {
    let segs = |t: &str| segments(t, data);
    match block {
        Block::Heading { text } => FormBlock::Heading { text: segs(text) },
        Block::Paragraph { text } => FormBlock::Paragraph { text: segs(text) },
        Block::Note { text } => FormBlock::Note { text: segs(text) },
        Block::List { numbering, items } => FormBlock::List {
            items: items
                .iter()
                .enumerate()
                .map(|(i, t)| ListItem {
                    marker: marker(*numbering, i + 1),
                    text: segs(t),
                })
                .collect(),
        },
        Block::Fields { pairs, fields } => {
            let pairs = (*pairs).max(1);
            let mut rows: Vec<Vec<FieldCell>> = Vec::new();
            let mut used = pairs;
            for f in fields {
                if f.span || used == pairs {
                    rows.push(Vec::new());
                    used = 0;
                }
                let span = if f.span { 2 * (pairs - used) - 1 } else { 1 };
                rows.last_mut()
                    .expect("a row was just started")
                    .push(FieldCell {
                        label: f.label.clone(),
                        value: segs(&f.value),
                        span,
                    });
                used = if f.span { pairs } else { used + 1 };
            }
            // A short last row still fills the width.
            if let Some(last) = rows.last_mut() {
                let filled: usize = last.iter().map(|c| 1 + c.span).sum();
                if let Some(cell) = last.last_mut() {
                    cell.span += 2 * pairs - filled;
                }
            }
            FormBlock::Fields {
                columns: 2 * pairs,
                rows,
            }
        }
        Block::Table(t) => table(t, data),
        Block::Signatures { items } => FormBlock::Signatures {
            items: items
                .iter()
                .map(|f| Signature {
                    label: f.label.clone(),
                    value: segs(&f.value),
                })
                .collect(),
        },
        Block::DateLine => FormBlock::DateLine,
        Block::Pagebreak => FormBlock::Pagebreak,
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

fn table(t: &Table, data: &Value) -> FormBlock {
    let columns = t
        .columns
        .iter()
        .map(|c| ColumnHead {
            label: c.label.clone(),
            width: c.width,
        })
        .collect();
    let mut rows: Vec<Row> = Vec::new();
    let mut number = 0;
    // Fills a row: text columns take `texts` in order, the others are pen cells.
    let mut row = |texts: &mut dyn Iterator<Item = Vec<Seg>>, skip: usize, pen: bool| {
        number += 1;
        let cells = t.columns[skip..]
            .iter()
            .map(|c| match c.kind {
                ColumnKind::Text => cell(texts.next().unwrap_or_default(), false),
                ColumnKind::Check => cell(vec![Seg::Check { check: false }], true),
                ColumnKind::Blank => cell(Vec::new(), false),
                ColumnKind::Number => cell(
                    vec![Seg::Text {
                        t: number.to_string(),
                    }],
                    true,
                ),
            })
            .collect();
        Row { pen, cells }
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
                                (Some(key), _) => vec![value_seg(
                                    item.get(key),
                                    &c.label,
                                    &format!("{path}.{i}.{key}"),
                                )],
                                (None, Some(text)) => segments(text, data),
                                (None, None) => Vec::new(),
                            });
                    rows.push(row(&mut texts, 0, false));
                }
            }
            None => {
                let label = t.label.as_deref().unwrap_or(path);
                rows.push(Row {
                    pen: false,
                    cells: vec![Cell {
                        text: vec![value_seg(None, label, path)],
                        rowspan: 1,
                        colspan: t.columns.len(),
                        center: false,
                    }],
                });
            }
        }
    }
    for fixed in &t.rows {
        let mut texts = fixed.iter().map(|s| segments(s, data));
        rows.push(row(&mut texts, 0, false));
    }
    for group in &t.groups {
        for (i, item) in group.items.iter().enumerate() {
            let mut texts = Cells::texts(item).into_iter().map(|s| segments(s, data));
            let mut r = row(&mut texts, 1, false);
            if i == 0 {
                let mut head = cell(segments(&group.name, data), false);
                head.rowspan = group.items.len();
                r.cells.insert(0, head);
            }
            rows.push(r);
        }
    }
    for _ in 0..t.blank_rows {
        rows.push(row(&mut std::iter::empty(), 0, true));
    }
    FormBlock::Table { columns, rows }
}

fn cell(text: Vec<Seg>, center: bool) -> Cell {
    Cell {
        text,
        rowspan: 1,
        colspan: 1,
        center,
    }
}

/// `a.b.0.c` (or `a.b[0].c`) in the lookup data.
fn pointer<'v>(data: &'v Value, path: &str) -> Option<&'v Value> {
    let path = path.replace(['[', ']'], ".").replace("..", ".");
    data.pointer(&format!(
        "/{}",
        path.trim_end_matches('.').replace('.', "/")
    ))
}

fn segments(text: &str, data: &Value) -> Vec<Seg> {
    // Definitions were checked when loaded.
    parse(text)
        .unwrap_or_default()
        .into_iter()
        .map(|p| match p {
            Piece::Text(t) => Seg::Text { t: t.to_string() },
            Piece::Blank(n) => Seg::Blank { blank: n },
            Piece::Check(c) => Seg::Check { check: c },
            Piece::Value { path, label, field } => {
                let field = field.unwrap_or_else(|| path.strip_prefix("school.").unwrap_or(path));
                value_seg(pointer(data, path), label, field)
            }
        })
        .collect()
}

/// A data value: its text (a marker where the school left it out), or `None` when absent.
fn value_seg(v: Option<&Value>, label: &str, field: &str) -> Seg {
    let v = match v {
        Some(Value::String(s)) => Some(s.trim().to_string()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    Seg::Value {
        v,
        label: label.to_string(),
        field: field.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            &Value::Null,
        );
        assert_eq!(data["security_staff"], 1);
        assert_eq!(data["staff_total"], 80);
        let partial = lookup(
            &json!({ "staffing": { "it_staff": 2 } }),
            &json!({}),
            &json!({}),
            &Value::Null,
        );
        assert!(partial["staff_total"].is_null());
    }

    #[test]
    fn segments_serialize_as_the_templates_read_them() {
        let segs = vec![
            Seg::Text { t: "甲".into() },
            Seg::Blank { blank: 4 },
            Seg::Check { check: true },
            Seg::Value {
                v: None,
                label: "姓名".into(),
                field: "ciso.name".into(),
            },
        ];
        let json = serde_json::to_value(&segs).unwrap();
        assert_eq!(
            json,
            json!([{ "t": "甲" }, { "blank": 4 }, { "check": true },
                   { "v": null, "label": "姓名", "field": "ciso.name" }])
        );
        let back: Vec<Seg> = serde_json::from_value(json).unwrap();
        assert_eq!(back, segs);
    }
}
