//! The Chinese name of the field a problem in a school file is at, from the titles of the
//! school schema: school staff know 資通安全長姓名, not `ciso.name`.

use std::fs;
use std::path::Path;

use serde_json::Value;

use super::reload::Problem;

/// The school schema's titles; empty when the county has no schema next to it.
#[derive(Default)]
pub struct Labels {
    schema: Option<Value>,
}

impl Labels {
    /// Reads `schemas/school.schema.yaml` in the county repository or beside it.
    pub fn load(root: &Path) -> Labels {
        let schema = [root.join("schemas"), root.join("../schemas")]
            .iter()
            .map(|dir| dir.join("school.schema.yaml"))
            .find_map(|file| fs::read_to_string(file).ok())
            .and_then(|text| serde_saphyr::from_str(&text).ok());
        Labels { schema }
    }

    /// Fills in the label of a problem at a line of a school file, where the schema names it.
    pub fn fill(&self, problem: &mut Problem) {
        let (Some(schema), Some(line), None) = (&self.schema, problem.line, &problem.label) else {
            return;
        };
        if !problem.file.ends_with(".yaml") {
            return;
        }
        let Ok(text) = fs::read_to_string(&problem.file) else {
            return;
        };
        problem.label = title(schema, &key_path(&text, line as usize));
    }
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

/// The `title` of the property at `path`, through `properties` and list `items`.
fn title(schema: &Value, path: &[String]) -> Option<String> {
    let mut node = schema;
    for key in path {
        while node.get("properties").is_none() {
            node = node.get("items")?;
        }
        node = node.get("properties")?.get(key)?;
    }
    node.get("title")?.as_str().map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_field_at_a_line_from_the_schema_titles() {
        let schema: Value = serde_json::json!({
            "properties": {
                "name": { "title": "學校全銜" },
                "ciso": { "title": "資通安全長", "properties": { "name": { "title": "資通安全長姓名" } } },
                "team": { "items": { "properties": { "role": { "title": "職稱" } } } },
            }
        });
        let text =
            "name: 東石國中\nciso:\n  name: 黃振榮\nteam:\n  - group: 策略\n    role: 組長\n";
        let at = |line| title(&schema, &key_path(text, line));
        assert_eq!(at(1).as_deref(), Some("學校全銜"));
        assert_eq!(at(3).as_deref(), Some("資通安全長姓名"));
        assert_eq!(at(6).as_deref(), Some("職稱"));
        assert_eq!(at(2).as_deref(), Some("資通安全長"));
    }
}
