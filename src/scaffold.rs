//! `planpress new school`: a school file that lists every field of the schema, each with its
//! Chinese title, so that a school starts from the whole list of what it must fill in.

use std::fmt::Write as _;

use serde_json::{Map, Value};

use crate::source::schema::{Schema, Seg};

/// The new school's YAML: `id` and `name` given, every other value empty.
pub fn school_yaml(schema: &Schema, id: &str, name: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {name}：資通安全維護計畫資料。");
    let _ = writeln!(
        out,
        "# 每一欄位後之註解為其中文名稱；標「必填」者須填寫，`planpress check` 會列出尚未填寫之欄位。"
    );
    let mut blank = schema.blank(&mut Vec::new());
    blank.insert("id".into(), Value::String(id.into()));
    blank.insert("name".into(), Value::String(name.into()));
    mapping(schema, &blank, &mut Vec::new(), 0, false, &mut out);
    out
}

fn mapping(
    schema: &Schema,
    map: &Map<String, Value>,
    path: &mut Vec<Seg>,
    indent: usize,
    first_is_item: bool,
    out: &mut String,
) {
    let required = schema
        .required(path)
        .into_iter()
        .map(str::to_string)
        .collect::<Vec<_>>();
    for (i, (key, value)) in map.iter().enumerate() {
        path.push(Seg::Key(key.clone()));
        let lead = if first_is_item && i == 0 {
            format!("{}- ", " ".repeat(indent - 2))
        } else {
            " ".repeat(indent)
        };
        let comment = comment(schema, path, required.contains(key));
        match value {
            Value::Object(inner) => {
                let _ = writeln!(out, "{lead}{key}:  # {comment}");
                mapping(schema, inner, path, indent + 2, false, out);
            }
            Value::Array(items) => match items.first() {
                Some(Value::Object(item)) => {
                    let _ = writeln!(out, "{lead}{key}:  # {comment}");
                    path.push(Seg::Index(0));
                    mapping(schema, item, path, indent + 4, true, out);
                    path.pop();
                }
                _ => {
                    let _ = writeln!(out, "{lead}{key}: []  # {comment}");
                }
            },
            Value::String(s) => {
                let _ = writeln!(out, "{lead}{key}: {s}  # {comment}");
            }
            _ => {
                let _ = writeln!(out, "{lead}{key}:  # {comment}");
            }
        }
        path.pop();
    }
}

/// `資通安全長姓名（必填）`, with the choices when the schema lists them.
fn comment(schema: &Schema, path: &[Seg], required: bool) -> String {
    let mut text = schema.title(path);
    if required {
        text.push_str("（必填）");
    }
    let choices = schema.choices(path);
    if !choices.is_empty() {
        let _ = write!(text, "：{}", choices.join("、"));
    }
    text
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::source::schema::BUILTIN;

    #[test]
    fn every_field_is_listed_and_the_file_parses() {
        let schema = Schema::parse(BUILTIN, Path::new("s.yaml")).unwrap();
        let text = school_yaml(&schema, "new-es", "嘉義縣某某國民小學");
        let node = crate::source::yaml::parse(&text).unwrap();
        assert_eq!(node.get("id").unwrap().as_str(), Some("new-es"));
        assert!(text.contains("  name:  # 資通安全長姓名（必填）"), "{text}");
        assert!(
            text.contains("  - group:  # 組別（必填）：召集人、策略規劃組、資安防護組、績效管理組"),
            "{text}"
        );
        assert!(
            text.contains("level:  # 資通安全責任等級（必填）：A、B、C、D、E"),
            "{text}"
        );
        let team = node.get("team").unwrap().to_json();
        assert!(team[0].get("deputy").is_some(), "{team}");
    }
}
