//! The attachment forms (附件表單) as the county defines them: one YAML definition per form under
//! `forms/`, shared by every school (the resolve stage fills them in for each school).
//!
//! A definition is a list of generic blocks (tables, key–value fields, paragraphs, lists,
//! signature lines, notes). Its texts hold placeholders (`{blank:N}`, `{box}`,
//! `{path|label|field}`), checked here when the county loads.

use std::path::Path;

use anyhow::{Result, bail};
use serde::Deserialize;

use super::FormInfo;
use super::yaml;
use crate::base::diagnostics::SourceError;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormDef {
    pub title: String,
    /// Printed on A4 landscape (wide tables).
    #[serde(default)]
    pub landscape: bool,
    /// A 編號 line for the filing number.
    #[serde(default)]
    pub number: bool,
    /// The label of a date line to fill by pen (製表日期, 填表日期 …).
    #[serde(default)]
    pub date: Option<String>,
    /// The title reads "<school> <ROC year> 年度…".
    #[serde(default)]
    pub year_in_title: bool,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Block {
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
pub enum ListNumbering {
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
pub struct Field {
    pub label: String,
    #[serde(default)]
    pub value: String,
    /// The value takes the rest of the row.
    #[serde(default)]
    pub span: bool,
}

/// A table's rows come from a list in the data (`from`), fixed rows, groups of items (the first
/// column spans each group) and/or blank rows for pen, in that order.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Table {
    pub columns: Vec<Column>,
    #[serde(default)]
    pub from: Option<String>,
    /// Names the `from` list in the marker shown when the school has none.
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub rows: Vec<Vec<String>>,
    #[serde(default)]
    pub groups: Vec<Group>,
    #[serde(default)]
    pub blank_rows: usize,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Column {
    pub label: String,
    #[serde(default = "one")]
    pub width: f64,
    #[serde(default)]
    pub kind: ColumnKind,
    /// With `from`: the key of each item shown in this column.
    #[serde(default)]
    pub field: Option<String>,
    /// With `from`: a fixed text for every item.
    #[serde(default)]
    pub value: Option<String>,
}

fn one() -> f64 {
    1.0
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnKind {
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
pub struct Group {
    pub name: String,
    pub items: Vec<Cells>,
}

/// A group item: one text (the second column) or several (the text columns after the first).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Cells {
    One(String),
    Many(Vec<String>),
}

impl Cells {
    pub fn texts(&self) -> Vec<&str> {
        match self {
            Cells::One(s) => vec![s.as_str()],
            Cells::Many(v) => v.iter().map(String::as_str).collect(),
        }
    }
}

/// Reads `dir/NN-slug.yaml`: the number and the address of a form come from its file name.
pub fn load(root: &Path, dir: &Path) -> Result<Vec<FormInfo>> {
    let files = super::files_with_ext(dir, "yaml")?;
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
        let text = super::read(root, &file)?;
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
            file,
            text,
        });
    }
    Ok(forms)
}

impl FormDef {
    /// Every text that may hold placeholders.
    pub fn texts(&self) -> Vec<&str> {
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
pub enum Piece<'a> {
    Text(&'a str),
    Blank(u32),
    Check(bool),
    Value {
        path: &'a str,
        label: &'a str,
        field: Option<&'a str>,
    },
}

pub fn parse(text: &str) -> Result<Vec<Piece<'_>>, String> {
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
}
