//! 【待填：…】 markers: a mandatory value the school has not filled in, shown in its place on
//! every output instead of an empty cell.
//!
//! The school's data is filled before rendering: every missing mandatory value becomes a marker
//! string that carries the field path and its Chinese label between private-use characters.
//! Each output's escaping turns it into its own form: a `missing:` link in Markdown (and so a
//! `<mark>` on the page and a highlighted box in the PDF), `<mark>` in theme HTML, and a
//! `(missing: label, field: path)` dictionary in the PDF's data.

use serde_json::{Map, Value, json};

use crate::source::schema::{PLACEHOLDER, Schema, Seg, Shape, dotted};

/// Links to `missing:<field path>` mark a value the school has not filled in; both outputs
/// print them as highlighted markers.
pub const MISSING_SCHEME: &str = "missing:";

const OPEN: char = '\u{E000}';
const SEP: char = '\u{E001}';
const CLOSE: char = '\u{E002}';

/// The marker string of a field.
pub fn encode(path: &str, label: &str) -> String {
    format!("{OPEN}{path}{SEP}{label}{CLOSE}")
}

/// A piece of a rendered value: plain text or a marker.
#[derive(Debug, PartialEq, Eq)]
pub enum Part<'a> {
    Text(&'a str),
    Marker { path: &'a str, label: &'a str },
}

/// Splits text into plain parts and markers.
pub fn parts(mut text: &str) -> Vec<Part<'_>> {
    let mut out = Vec::new();
    while let Some(start) = text.find(OPEN) {
        let rest = &text[start + OPEN.len_utf8()..];
        let Some(end) = rest.find(CLOSE) else { break };
        let Some((path, label)) = rest[..end].split_once(SEP) else {
            break;
        };
        if start > 0 {
            out.push(Part::Text(&text[..start]));
        }
        out.push(Part::Marker { path, label });
        text = &rest[end + CLOSE.len_utf8()..];
    }
    if !text.is_empty() {
        out.push(Part::Text(text));
    }
    out
}

pub fn has_marker(text: &str) -> bool {
    text.contains(OPEN)
}

/// The words a marker shows.
pub fn words(label: &str) -> String {
    format!("【待填：{label}】")
}

/// A school's data with a marker in the place of every missing mandatory value and of every
/// 「○」 placeholder. Mandatory lists that are empty stay empty lists (templates loop over
/// them); their markers are returned by path for the templates to print.
pub fn fill(schema: &Schema, data: &Value) -> (Value, Map<String, Value>) {
    let mut filled = data.clone();
    if !filled.is_object() {
        filled = json!({});
    }
    let mut lists = Map::new();
    schema.walk_mandatory(data, &mut |path, value| {
        if value.is_some() {
            return;
        }
        let field = dotted(path);
        let marker = encode(&field, &schema.title(path));
        match schema.shape(path) {
            Shape::ObjectList | Shape::ScalarList => {
                set(&mut filled, path, json!([]));
                lists.insert(field, Value::String(marker));
            }
            _ => set(&mut filled, path, Value::String(marker)),
        }
    });
    replace_placeholders(schema, &mut filled, &mut Vec::new());
    (filled, lists)
}

fn replace_placeholders(schema: &Schema, v: &mut Value, path: &mut Vec<Seg>) {
    match v {
        Value::String(s) if s.contains(PLACEHOLDER) => {
            *s = encode(&dotted(path), &schema.title(path));
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                path.push(Seg::Index(i));
                replace_placeholders(schema, item, path);
                path.pop();
            }
        }
        Value::Object(map) => {
            for (k, item) in map.iter_mut() {
                path.push(Seg::Key(k.clone()));
                replace_placeholders(schema, item, path);
                path.pop();
            }
        }
        _ => {}
    }
}

/// Sets a value, creating the mappings on the way (list items already exist: the walk only
/// visits items that are there).
fn set(root: &mut Value, path: &[Seg], value: Value) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut node = root;
    for seg in parents {
        node = match seg {
            Seg::Key(k) => {
                let map = as_object(node);
                map.entry(k.clone()).or_insert_with(|| json!({}))
            }
            Seg::Index(i) => match node.get_mut(*i) {
                Some(item) => item,
                None => return,
            },
        };
        if node.is_null() {
            *node = json!({});
        }
    }
    match last {
        Seg::Key(k) => {
            as_object(node).insert(k.clone(), value);
        }
        Seg::Index(i) => {
            if let Some(item) = node.get_mut(*i) {
                *item = value;
            }
        }
    }
}

fn as_object(node: &mut Value) -> &mut Map<String, Value> {
    if !node.is_object() {
        *node = json!({});
    }
    node.as_object_mut().expect("made an object above")
}

/// For the PDF's data: a value that is only a marker becomes `(missing: label, field: path)`;
/// markers inside other text become their words.
pub fn for_typst(v: &Value) -> Value {
    match v {
        Value::String(s) if has_marker(s) => match parts(s).as_slice() {
            [Part::Marker { path, label }] => json!({ "missing": label, "field": path }),
            _ => Value::String(in_words(s)),
        },
        Value::Array(items) => Value::Array(items.iter().map(for_typst).collect()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), for_typst(v))).collect())
        }
        other => other.clone(),
    }
}

/// Text with each marker in its words: 【待填：資通安全長姓名】.
pub fn in_words(text: &str) -> String {
    parts(text)
        .iter()
        .map(|p| match p {
            Part::Text(t) => t.to_string(),
            Part::Marker { label, .. } => words(label),
        })
        .collect()
}

/// Whether a value is nothing but a marker: a field not filled in.
pub fn is_only_marker(text: &str) -> bool {
    matches!(parts(text).as_slice(), [Part::Marker { .. }])
}

/// The id of a field's first marker on a page.
pub fn anchor(path: &str) -> String {
    format!("missing-{}", path.replace(['.', '[', ']'], "-"))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::source::schema::BUILTIN;

    #[test]
    fn markers_round_trip_through_text() {
        let text = format!("校長{}先生", encode("ciso.name", "資通安全長姓名"));
        assert_eq!(
            parts(&text),
            vec![
                Part::Text("校長"),
                Part::Marker {
                    path: "ciso.name",
                    label: "資通安全長姓名"
                },
                Part::Text("先生"),
            ]
        );
    }

    #[test]
    fn fill_marks_missing_and_placeholder_values() {
        let schema = Schema::parse(BUILTIN, Path::new("s.yaml")).unwrap();
        let data = json!({ "name": "某國小", "ciso": { "title": "校長", "name": "○○○" } });
        let (filled, lists) = fill(&schema, &data);
        assert_eq!(filled["name"], "某國小");
        assert_eq!(
            filled["ciso"]["name"],
            encode("ciso.name", "資通安全長姓名")
        );
        assert_eq!(
            filled["staffing"]["it_staff"],
            encode("staffing.it_staff", "資訊人員數")
        );
        assert_eq!(filled["team"], json!([]));
        assert_eq!(lists["team"], encode("team", "資通安全推動小組"));
        assert_eq!(
            for_typst(&filled)["ciso"]["name"],
            json!({ "missing": "資通安全長姓名", "field": "ciso.name" })
        );
    }
}
