//! The Chinese name of the field a problem in a school file is at, from the titles of the
//! school schema: school staff know 資通安全長姓名, not `ciso.name`.

use std::fs;

use super::reload::Problem;
use crate::source::schema::{Schema, Seg, Shape};

/// Fills in the label of a problem at a line of a school file, where the schema names it. The
/// file may not parse (that is often the problem), so the keys are found by indentation.
pub fn fill(schema: &Schema, problem: &mut Problem) {
    let (Some(line), None) = (problem.line, &problem.label) else {
        return;
    };
    if !problem.file.ends_with(".yaml") {
        return;
    }
    let Ok(text) = fs::read_to_string(&problem.file) else {
        return;
    };
    let keys = key_path(&text, line as usize);
    if keys.is_empty() {
        return;
    }
    let title = schema.title(&segments(schema, keys));
    problem.label = (!title.is_empty()).then_some(title);
}

/// Keys as a schema path: a key under a list of mappings is a key of its items.
fn segments(schema: &Schema, keys: Vec<String>) -> Vec<Seg> {
    let mut path = Vec::new();
    for key in keys {
        if !path.is_empty() && schema.shape(&path) == Shape::ObjectList {
            path.push(Seg::Index(0));
        }
        path.push(Seg::Key(key));
    }
    path
}

/// The keys leading to `line` (1-based) of a block-style YAML file, outermost first, found by
/// indentation: `ciso:` / `  name: …` gives `["ciso", "name"]`.
fn key_path(text: &str, line: usize) -> Vec<String> {
    let mut path = Vec::new();
    let mut indent = usize::MAX;
    for l in text
        .lines()
        .take(line)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
    {
        let Some((at, key)) = key_of(l) else { continue };
        if at < indent {
            path.push(key.to_string());
            indent = at;
            if at == 0 {
                break;
            }
        }
    }
    path.reverse();
    path
}

/// A line's key and the column it starts at, past any `- ` of a list item.
fn key_of(line: &str) -> Option<(usize, &str)> {
    let mut at = line.len() - line.trim_start().len();
    let mut rest = &line[at..];
    while let Some(item) = rest.strip_prefix("- ") {
        at += 2 + item.len() - item.trim_start().len();
        rest = item.trim_start();
    }
    let (key, _) = rest.split_once(':')?;
    let key = key.trim();
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    plain.then_some((at, key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_field_at_a_line_from_the_schema_titles() {
        let schema = Schema::parse(
            crate::source::schema::BUILTIN,
            std::path::Path::new("s.yaml"),
        )
        .unwrap();
        let text =
            "name: 東石國中\nciso:\n  name: 黃振榮\nteam:\n  - group: 策略\n    deputy: 組長\n";
        let at = |line| schema.title(&segments(&schema, key_path(text, line)));
        assert_eq!(at(1), "學校全銜");
        assert_eq!(at(3), "資通安全長姓名");
        assert_eq!(at(6), "代理人");
        assert_eq!(at(2), "資通安全長");
    }
}
