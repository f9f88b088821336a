//! A school file changed in place: new values written into its YAML text with only the changed
//! values touched, so that its comments, key order, blank lines, quoting and the keys the schema
//! does not know stay as the school wrote them. The preview's form and a workbook's import both
//! save through here.
//!
//! yaml-edit keeps the file's syntax tree (a lossless parse); the change is made as the smallest
//! edits between the old values and the new: a scalar set where it stands, a key added at the end
//! of its map or removed, a list's items changed one by one while it keeps its length, and a list
//! written anew when it grows, shrinks or is reordered. The text made is read back and must give
//! exactly the new values; anything else is refused, never written.

use std::str::FromStr;

use serde_json::Value;
use yaml_edit::{Document, Mapping, Sequence};

use super::yaml;

/// Why a file could not be changed in place.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EditError {
    #[error("原檔不是可編輯之 YAML（{0}）")]
    Unreadable(String),
    #[error("原檔之最上層不是欄位與值之對照")]
    NotAMap,
    #[error("無法在保留原檔格式下寫入此變更（寫回後讀得之資料與預期不同）")]
    NotFaithful,
}

/// `text` with the values of `new`, every key of it in place: the file's text changed where
/// its values differ from `new`.
pub fn rewrite(text: &str, new: &Value) -> Result<String, EditError> {
    let old = yaml::parse(text)
        .map_err(|e| EditError::Unreadable(e.message))?
        .to_json();
    if &old == new {
        return Ok(text.to_string());
    }
    let doc = Document::from_str(text).map_err(|e| EditError::Unreadable(e.to_string()))?;
    let (Some(map), Value::Object(_), Value::Object(_)) = (doc.as_mapping(), &old, new) else {
        return Err(EditError::NotAMap);
    };
    edit_map(&map, &old, new);
    let out = doc.to_string();
    // yaml-edit writes what it is asked; that it reads back as meant is checked, not assumed.
    match yaml::parse(&out) {
        Ok(node) if &node.to_json() == new => Ok(out),
        _ => Err(EditError::NotFaithful),
    }
}

fn edit_map(map: &Mapping, old: &Value, new: &Value) {
    let (Some(old), Some(new)) = (old.as_object(), new.as_object()) else {
        return;
    };
    for key in old.keys().filter(|k| !new.contains_key(*k)) {
        map.remove(key.as_str());
    }
    for (key, value) in new {
        match old.get(key) {
            Some(was) if was == value => {}
            Some(was @ Value::Object(_)) if value.is_object() => match map.get_mapping(key) {
                Some(inner) => edit_map(&inner, was, value),
                None => set(map, key, value),
            },
            Some(Value::Array(was)) => match (map.get_sequence(key), value.as_array()) {
                (Some(seq), Some(items)) if items.len() == was.len() => {
                    edit_seq(&seq, was, items);
                }
                _ => set(map, key, value),
            },
            _ => set(map, key, value),
        }
    }
}

/// A list of the same length, item by item.
fn edit_seq(seq: &Sequence, old: &[Value], new: &[Value]) {
    for (i, (was, value)) in old.iter().zip(new).enumerate() {
        if was == value {
            continue;
        }
        let inner = seq.get(i).and_then(|n| n.as_mapping().cloned());
        match (inner, was, value) {
            (Some(inner), Value::Object(_), Value::Object(_)) => edit_map(&inner, was, value),
            _ => {
                seq_set(seq, i, value);
            }
        }
    }
}

fn set(map: &Mapping, key: &str, value: &Value) {
    match value {
        Value::Object(_) | Value::Array(_) => {
            if let Some(doc) = node(value) {
                match (doc.as_mapping(), doc.as_sequence()) {
                    (Some(m), _) => map.set(key, m),
                    (None, Some(s)) => map.set(key, s),
                    // Not written: the check of the result says so.
                    (None, None) => {}
                }
            }
        }
        Value::String(s) => map.set(key, s.as_str()),
        Value::Bool(b) => map.set(key, *b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => map.set(key, i),
            None => map.set(key, n.as_f64().unwrap_or_default()),
        },
        Value::Null => map.set(key, None::<String>),
    }
}

fn seq_set(seq: &Sequence, i: usize, value: &Value) -> bool {
    match value {
        Value::Object(_) | Value::Array(_) => match node(value) {
            Some(doc) => match (doc.as_mapping(), doc.as_sequence()) {
                (Some(m), _) => seq.set(i, m),
                (None, Some(s)) => seq.set(i, s),
                (None, None) => false,
            },
            None => false,
        },
        Value::String(s) => seq.set(i, s.as_str()),
        Value::Bool(b) => seq.set(i, *b),
        Value::Number(n) => match n.as_i64() {
            Some(v) => seq.set(i, v),
            None => seq.set(i, n.as_f64().unwrap_or_default()),
        },
        Value::Null => seq.set(i, None::<String>),
    }
}

/// A map or a list as a block of YAML of its own, to be put in place.
fn node(value: &Value) -> Option<Document> {
    let text = serde_saphyr::to_string(value).ok()?;
    Document::from_str(&text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const FILE: &str = "\
# 東石國中：資通安全維護計畫資料。
id: dongshi-jh
name: 嘉義縣立東石國民中學   # 學校全銜

phone: \"05-3792027\"
ciso:
  name: 黃振榮   # 資通安全長姓名
  title: 校長
team:
  - group: 召集人
    name: 黃振榮
    extension: \"101\"
  - group: 策略規劃組
    name: 林淑惠
unknown_key: kept   # 不在綱要中之欄位
";

    fn changed(change: impl FnOnce(&mut Value)) -> String {
        let mut values = yaml::parse(FILE).unwrap().to_json();
        change(&mut values);
        rewrite(FILE, &values).unwrap()
    }

    /// The lines of `after` that differ from `FILE`'s.
    fn diff(after: &str) -> Vec<String> {
        similar::TextDiff::from_lines(FILE, after)
            .iter_all_changes()
            .filter(|c| c.tag() != similar::ChangeTag::Equal)
            .map(|c| format!("{}{}", c.tag(), c.value().trim_end()))
            .collect()
    }

    #[test]
    fn unchanged_values_leave_every_byte() {
        assert_eq!(changed(|_| {}), FILE);
    }

    #[test]
    fn a_changed_value_changes_its_line_alone_and_keeps_its_comment() {
        let after = changed(|v| v["ciso"]["name"] = json!("王大明"));
        assert_eq!(
            diff(&after),
            [
                "-  name: 黃振榮   # 資通安全長姓名",
                "+  name: 王大明   # 資通安全長姓名"
            ]
        );
    }

    #[test]
    fn text_that_reads_as_another_type_is_quoted() {
        let after = changed(|v| {
            v["phone"] = json!("0512345");
            v["team"][0]["extension"] = json!("true");
        });
        let back = yaml::parse(&after).unwrap().to_json();
        assert_eq!(back["phone"], "0512345");
        assert_eq!(back["team"][0]["extension"], "true");
        assert_eq!(diff(&after).len(), 4, "{after}");
    }

    #[test]
    fn a_new_key_and_a_removed_one_touch_their_own_lines() {
        let after = changed(|v| {
            v["ciso"]["email"] = json!("ciso@example.edu.tw");
            v.as_object_mut().unwrap().remove("phone");
        });
        assert_eq!(
            diff(&after),
            ["-phone: \"05-3792027\"", "+  email: ciso@example.edu.tw"],
            "{after}"
        );
        assert!(after.contains("unknown_key: kept   # 不在綱要中之欄位"));
    }

    #[test]
    fn a_list_grows_shrinks_and_is_reordered() {
        let after = changed(|v| {
            let team = v["team"].as_array_mut().unwrap();
            team.reverse();
            team.push(json!({ "group": "資安防護組", "name": "吳俊宏" }));
        });
        let back = yaml::parse(&after).unwrap().to_json();
        assert_eq!(back["team"][0]["name"], "林淑惠");
        assert_eq!(back["team"][2]["name"], "吳俊宏");
        assert!(after.starts_with("# 東石國中：資通安全維護計畫資料。\nid: dongshi-jh\n"));
        assert!(after.contains("  name: 黃振榮   # 資通安全長姓名"));
    }

    #[test]
    fn an_item_of_a_list_changes_in_place() {
        let after = changed(|v| v["team"][1]["name"] = json!("陳佩君"));
        assert_eq!(diff(&after), ["-    name: 林淑惠", "+    name: 陳佩君"]);
    }

    #[test]
    fn line_breaks_and_numbers_round_trip() {
        let after = changed(|v| {
            v["name"] = json!("第一行\n第二行");
            v["staffing"] = json!({ "it_staff": 2, "managers": 7 });
        });
        let back = yaml::parse(&after).unwrap().to_json();
        assert_eq!(back["name"], "第一行\n第二行");
        assert_eq!(back["staffing"]["managers"], 7);
    }
}
