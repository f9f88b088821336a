//! What each kind of the county's text is rendered with, as [`Shape`]s: a plan block or a
//! school's own text (`school`, `county`, `level`, `report`, `docs`, `forms` …), a shared
//! document (`county`, `schools`), a form's placeholders (`school`, `level`, `report` and the
//! derived values). A form's placeholders are checked here too: they are not tera's.

use serde_json::json;

use super::level;
use super::shape::{Found, Shape};
use crate::base::diagnostics::{Pos, SourceError, did_you_mean};
use crate::model::SchoolSummary;
use crate::source::forms::{Block, Piece, parse};
use crate::source::{County, FormInfo};

/// The names a plan block or a school's own text may use.
pub fn school(county: &County) -> Shape {
    let values = Shape::of_schema(&county.schema);
    Shape::scope([
        ("report", report(county, &values)),
        ("school", values),
        ("missing", Shape::Open(Box::new(Shape::Text))),
        ("county", county_shape(county)),
        ("law", law(county)),
        ("level", level_shape(county)),
        ("docs", docs(county)),
        ("forms", Shape::of(&json!(county.forms))),
        ("profile", Shape::Text),
    ])
}

/// The names a shared document may use.
pub fn doc(county: &County) -> Shape {
    let summary = json!(SchoolSummary::new("x", None));
    Shape::scope([
        ("county", county_shape(county)),
        ("law", law(county)),
        ("schools", Shape::List(Box::new(Shape::of(&summary)))),
        ("in_plan", Shape::Text),
    ])
}

/// The names a form's placeholders may use (see `resolve::forms::lookup`).
fn form(county: &County) -> Shape {
    let values = Shape::of_schema(&county.schema);
    Shape::scope([
        ("report", report(county, &values)),
        ("school", values),
        ("level", level_shape(county)),
        ("law", law(county)),
        ("unit_head", Shape::Text),
        ("handler", Shape::Text),
        ("security_staff", Shape::Text),
        ("staff_total", Shape::Text),
        ("plan_year", Shape::Text),
    ])
}

/// The county's config; its document names and terms are its own entries.
fn county_shape(county: &County) -> Shape {
    Shape::of(&json!(county.config)).with_entries(&["documents", "terms"])
}

/// The law as the county cites it; a county without a `law:` block has none to cite, and a
/// text that cites one is told to add it.
fn law(county: &County) -> Shape {
    match &county.config.law {
        Some(law) => {
            Shape::of(&json!(law)).with_entries(&["articles", "enforcement_articles", "rules"])
        }
        None => Shape::Entries(Default::default()),
    }
}

/// Every level the county defines, and a level it does not (markers in place): one shape.
fn level_shape(county: &County) -> Shape {
    county
        .config
        .levels
        .keys()
        .map(String::as_str)
        .chain([""])
        .map(|code| Shape::of(&level::context(county, &json!({ "level": code }))))
        .reduce(Shape::union)
        .unwrap_or(Shape::Any)
}

/// The county's reporting, and the keys a school may give of its own.
fn report(county: &County, school: &Shape) -> Shape {
    let own = match school.find(&[Some("reporting".into())], false) {
        Found::Shape(shape) => shape.clone(),
        Found::Unknown { .. } => Shape::Any,
    };
    Shape::of(&json!(county.config.report)).union(own)
}

fn docs(county: &County) -> Shape {
    let doc = Shape::of(&json!({ "title": "", "url": "" }));
    Shape::Entries(
        county
            .docs
            .iter()
            .map(|d| (d.id.clone(), doc.clone()))
            .collect(),
    )
}

/// What the county's forms name that does not exist, or that is not text.
pub fn check_forms(county: &County) -> Vec<SourceError> {
    let scope = form(county);
    let mut errors = Vec::new();
    for info in &county.forms {
        let mut error = |needle: &str, message: String| {
            let e = SourceError::new(&info.file, Some(position(info, needle)), message);
            if !errors.contains(&e) {
                errors.push(e);
            }
        };
        for text in info.def.texts() {
            for piece in parse(text).unwrap_or_default() {
                if let Piece::Value { path, .. } = piece {
                    let parts: Vec<Option<String>> = path
                        .split(['.', '[', ']'])
                        .filter(|p| !p.is_empty())
                        .map(key)
                        .collect();
                    if let Some(message) = problem(&scope, path, &parts) {
                        error(&format!("{{{path}|"), message);
                    }
                }
            }
        }
        for block in &info.def.blocks {
            let Block::Table(table) = block else { continue };
            let Some(from) = &table.from else { continue };
            let path = format!("school.{from}");
            let parts: Vec<Option<String>> = path.split('.').map(key).collect();
            let item = match scope.find(&parts, false) {
                Found::Shape(Shape::List(item)) => (**item).clone(),
                Found::Shape(Shape::Any) => Shape::Any,
                _ => {
                    let message = match problem(&scope, &path, &parts) {
                        Some(message) => message,
                        None => format!("`from: {from}` 不是學校資料中的清單"),
                    };
                    error(&format!("from: {from}"), message);
                    continue;
                }
            };
            for column in &table.columns {
                let Some(field) = &column.field else { continue };
                if let Found::Unknown { keys, .. } = item.find(&[Some(field.clone())], false) {
                    let hint = did_you_mean(field, &keys)
                        .map(|k| format!("；是否為 `{k}`？"))
                        .unwrap_or_else(|| format!("；可用：{}", keys.join("、")));
                    error(
                        &format!("field: {field}"),
                        format!("`{from}` 的項目沒有 `{field}`{hint}"),
                    );
                }
            }
        }
    }
    errors
}

fn key(part: &str) -> Option<String> {
    Some(part.to_string())
}

/// Why a placeholder's path prints nothing right: it names nothing, or a map or a list.
fn problem(scope: &Shape, path: &str, parts: &[Option<String>]) -> Option<String> {
    match scope.find(parts, false) {
        Found::Shape(Shape::Map(_) | Shape::List(_) | Shape::Open(_) | Shape::Entries(_)) => Some(
            format!("`{path}` 是一組資料或清單，不是文字：請指定其中一項"),
        ),
        Found::Shape(_) => None,
        Found::Unknown { at, keys } => {
            let within: Vec<&str> = parts[..at].iter().flatten().map(String::as_str).collect();
            let within = within.join(".");
            let wrong = parts[at].as_deref().unwrap_or_default();
            let hint = match did_you_mean(wrong, &keys) {
                Some(k) if within.is_empty() => format!("；是否為 `{k}`？"),
                Some(k) => format!("；是否為 `{within}.{k}`？"),
                None => format!("；可用：{}", keys.join("、")),
            };
            Some(format!("`{path}` 不存在：沒有 `{wrong}`{hint}"))
        }
    }
}

/// Where `needle` stands in the form's file (its first line when not found as written).
fn position(info: &FormInfo, needle: &str) -> Pos {
    match info.text.find(needle) {
        Some(at) => Pos::in_text(&info.text, at, 1),
        None => Pos { line: 1, column: 1 },
    }
}
