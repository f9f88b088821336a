//! YAML read into a tree that remembers where every node stands in the file.
//!
//! School files are parsed "raw" first: the tree keeps line and column of every key and value, so
//! that later stages (templates, validation) can point back into the file. serde-saphyr does the
//! parsing; `Spanned` gives each node its position.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

pub use crate::base::diagnostics::Pos;

/// One YAML node with its position.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub pos: Pos,
    pub kind: Kind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    /// Keys keep their own positions: "unknown key" findings point at the key, not the value.
    Map(Vec<(Key, Node)>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    pub name: String,
    pub pos: Pos,
}

/// A file that is not valid YAML, or not of the expected shape.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct YamlError {
    pub pos: Pos,
    pub message: String,
}

/// Parses one YAML document into a positioned tree.
pub fn parse(text: &str) -> Result<Node, YamlError> {
    let spanned: Spanned<Kind> = serde_saphyr::from_str(text).map_err(to_error)?;
    Ok(Node::from(spanned))
}

/// Parses a school file, within limits far below YAML's own (no school needs deep nesting,
/// many aliases or megabytes of text), so that a hostile file fails fast and alone.
pub fn parse_school(text: &str) -> Result<Node, YamlError> {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_depth = 24;
    budget.max_aliases = 64;
    budget.max_anchors = 64;
    budget.max_events = 200_000;
    budget.max_nodes = 100_000;
    budget.max_total_scalar_bytes = 2 * 1024 * 1024;
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    let spanned: Spanned<Kind> =
        serde_saphyr::from_str_with_options(text, options).map_err(to_error)?;
    Ok(Node::from(spanned))
}

/// Deserializes typed data (county config, front matter) with the same error shape.
pub fn from_str<T: de::DeserializeOwned>(text: &str) -> Result<T, YamlError> {
    serde_saphyr::from_str(text).map_err(to_error)
}

fn to_error(err: serde_saphyr::Error) -> YamlError {
    let pos = err
        .location()
        .map(|l| Pos {
            line: l.line(),
            column: l.column(),
        })
        .unwrap_or_default();
    // The crate's Display renders a source snippet; keep only the first line, the message.
    let rendered = err.to_string();
    let first = rendered.lines().next().unwrap_or("invalid YAML").trim();
    // Drop the crate's own "error: line L column C:" prefix; positions are reported separately.
    let first = first.strip_prefix("error: ").unwrap_or(first);
    let original = match first.strip_prefix("line ").and_then(|r| r.split_once(": ")) {
        Some((_, rest)) => rest,
        None => first,
    };
    YamlError {
        pos,
        message: format!("{}。原文：{original}", explain(original)),
    }
}

/// What a YAML parser's message means and what to do about it, in the reader's words. The
/// parser's own words follow as 原文, for whoever searches for them.
fn explain(message: &str) -> String {
    let has = |needle: &str| message.contains(needle);
    let quoted = |after: &str| {
        message
            .split_once(after)
            .and_then(|(_, rest)| {
                rest.trim_start()
                    .trim_start_matches(['`', '\''])
                    .split(['`', '\'', ','])
                    .next()
            })
            .map(str::to_string)
    };
    if has("duplicate mapping key") || has("duplicate key") {
        let key = message
            .strip_prefix("duplicate mapping key: ")
            .and_then(|rest| rest.split(',').next())
            .map(str::to_string)
            .or_else(|| quoted("duplicate key"))
            .unwrap_or_default();
        return format!("欄位「{key}」重複出現：同一層中每個欄位只能寫一次，請刪除或合併其中一個");
    }
    if has("unknown field") {
        let key = quoted("unknown field").unwrap_or_default();
        return format!("不認得的欄位「{key}」：請檢查拼字，或刪除此欄位");
    }
    if has("missing field") {
        let key = quoted("missing field").unwrap_or_default();
        return format!("缺少欄位「{key}」：請補上");
    }
    if let Some(shown) = message
        .strip_prefix("unexpected character: ")
        .and_then(|rest| rest.strip_prefix('`'))
    {
        // The parser shows a control character escaped, as `\u{0}'.
        return match shown.chars().next() {
            Some(c) if !c.is_control() && !shown.starts_with("\\u{") => {
                format!("「{c}」不能做為值的開頭：請以引號括住整個值，例如 \"{c}…\"")
            }
            _ => "含有看不見的控制字元（如 NUL）：請刪除此字元".to_string(),
        };
    }
    let words = if has("Depth") || has("recursion") {
        "巢狀層數過深：請檢查縮排與括號"
    } else if has("budget breached") {
        "檔案結構過大，或別名（& 與 *）展開過多：學校資料用不到別名，請刪除"
    } else if has("tab") {
        "縮排不可使用 Tab 字元：請改用空格"
    } else if has("mapping values are not allowed") {
        "一行中有第二個「冒號加空格」，或上一行的縮排不對：值中含有冒號時，請以引號括住整個值"
    } else if has("multiple YAML documents") {
        "檔案中有多份文件（以 --- 分隔）：學校資料檔只能有一份"
    } else if has("unclosed quote") || has("unterminated") || has("quoted scalar") {
        "引號未成對：請在值的結尾補上相同的引號"
    } else if has("unclosed bracket") || has("flow") {
        "括號未成對：請補上結尾的 ] 或 }"
    } else if has("did not find expected '-'") {
        "清單與欄位寫在同一層：清單的每一項以「- 」開頭，欄位則須另起一層或對齊其他欄位"
    } else if has("expected key") || has("indentation") || has("indent") {
        "縮排不一致：同一層的欄位須對齊，下一層多縮兩格"
    } else if has("illegal placement") {
        "括號或引號未成對，或冒號的位置不對：請檢查此行與上一行"
    } else if has("cannot start any token") {
        "值以 YAML 保留的字元開頭（如 @ 或 `）：請以引號括住整個值"
    } else if has("unknown anchor") {
        "別名（*）找不到對應的錨點（&）：學校資料用不到別名，請直接寫出值"
    } else if has("mapping keys must be plain scalars") {
        "欄位名稱須為一般文字，不能是清單或對照表"
    } else if has("unknown variant") {
        "值不在可用的選項中：請改用列出的選項之一"
    } else if has("expected string") {
        "此處應為文字，而非清單或對照表"
    } else if has("expected sequence") {
        "此處應為清單：每一項另起一行，以「- 」開頭"
    } else if has("expected mapping") {
        "此處應為對照表：每一行寫成「欄位: 值」"
    } else if has("invalid boolean") {
        "此處應為 true（是）或 false（否）"
    } else if has("invalid u") || has("invalid i") || has("too large") {
        "此處應為整數，且不超出可用的範圍"
    } else if has("invalid f") {
        "此處應為數字"
    } else if has("invalid type") {
        "值的種類不對（例如應為文字卻寫成清單）：請依欄位說明改寫"
    } else if has("invalid value") || has("invalid length") {
        "值不符合此欄位的要求：請依欄位說明改寫"
    } else if has("end of") || has("EOF") || has("Eof") {
        "檔案在結構完整之前就結束了：請檢查最後幾行的括號與引號"
    } else {
        "YAML 格式有誤：請對照錯誤位置檢查冒號、引號與縮排"
    };
    words.to_string()
}

impl From<Spanned<Kind>> for Node {
    fn from(s: Spanned<Kind>) -> Self {
        Node {
            pos: Pos {
                line: s.referenced.line(),
                column: s.referenced.column(),
            },
            kind: s.value,
        }
    }
}

impl Node {
    /// The value under `key` when this node is a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.kind {
            Kind::Map(entries) => entries.iter().find(|(k, _)| k.name == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Plain data for templates: positions dropped, key order kept.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match &self.kind {
            Kind::Null => Value::Null,
            Kind::Bool(b) => Value::Bool(*b),
            Kind::Int(i) => Value::from(*i),
            Kind::Float(f) => serde_json::Number::from_f64(*f)
                .map(Value::Number)
                .unwrap_or(Value::Null),
            Kind::Str(s) => Value::String(s.clone()),
            Kind::Seq(items) => Value::Array(items.iter().map(Node::to_json).collect()),
            Kind::Map(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.name.clone(), v.to_json()))
                    .collect(),
            ),
        }
    }
}

impl<'de> Deserialize<'de> for Kind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(KindVisitor)
    }
}

struct KindVisitor;

impl<'de> Visitor<'de> for KindVisitor {
    type Value = Kind;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a YAML value")
    }
    fn visit_unit<E>(self) -> Result<Kind, E> {
        Ok(Kind::Null)
    }
    fn visit_none<E>(self) -> Result<Kind, E> {
        Ok(Kind::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Kind, D::Error> {
        Kind::deserialize(d)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Kind, E> {
        Ok(Kind::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Kind, E> {
        Ok(Kind::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Kind, E> {
        i64::try_from(v)
            .map(Kind::Int)
            .map_err(|_| E::custom("integer too large"))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Kind, E> {
        Ok(Kind::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Kind, E> {
        Ok(Kind::Str(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Kind, E> {
        Ok(Kind::Str(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Kind, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Spanned<Kind>>()? {
            items.push(Node::from(item));
        }
        Ok(Kind::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Kind, A::Error> {
        let mut entries: Vec<(Key, Node)> = Vec::new();
        while let Some(key) = map.next_key::<Spanned<Kind>>()? {
            let name = match key.value {
                Kind::Str(s) => s,
                Kind::Int(i) => i.to_string(),
                Kind::Bool(b) => b.to_string(),
                _ => return Err(de::Error::custom("mapping keys must be plain scalars")),
            };
            let pos = Pos {
                line: key.referenced.line(),
                column: key.referenced.column(),
            };
            if entries.iter().any(|(k, _)| k.name == name) {
                return Err(de::Error::custom(format!("duplicate key `{name}`")));
            }
            let value = map.next_value::<Spanned<Kind>>()?;
            entries.push((Key { name, pos }, Node::from(value)));
        }
        Ok(Kind::Map(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_positions_of_keys_and_values() {
        let doc = parse("name: 東石國中\nciso:\n  name: 王大明\nlist:\n  - a\n  - 2\n").unwrap();
        let ciso = doc.get("ciso").unwrap();
        let name = ciso.get("name").unwrap();
        assert_eq!(name.as_str(), Some("王大明"));
        assert_eq!(name.pos, Pos { line: 3, column: 9 });
        let Kind::Map(entries) = &ciso.kind else {
            panic!("map expected")
        };
        assert_eq!(entries[0].0.pos, Pos { line: 3, column: 3 });
        let Kind::Seq(items) = &doc.get("list").unwrap().kind else {
            panic!("seq expected")
        };
        assert_eq!(items[1].kind, Kind::Int(2));
        assert_eq!(items[1].pos.line, 6);
    }

    #[test]
    fn syntax_error_has_line_and_column() {
        let err = parse("name: a\nteam:\n  - name: b\n   bad: [\n").unwrap_err();
        assert!(err.pos.line >= 3, "{err:?}");
        assert!(!err.message.is_empty());
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let err = parse("name: a\nname: b\n").unwrap_err();
        assert!(err.message.starts_with("欄位「name」重複出現"), "{err:?}");
    }

    /// Each common parser message is explained in Chinese, its own words kept after 原文.
    #[test]
    fn syntax_errors_are_explained_in_chinese() {
        for (text, says) in [
            ("name: a: b\n", "第二個「冒號加空格」"),
            ("a:\n  - b\n c: d\n", "縮排不一致"),
            ("name: @x\n", "「@」不能做為值的開頭"),
            ("name: \u{0}x\n", "控制字元"),
            ("a:\n\tb: c\n", "Tab"),
            ("a: 1\na: 2\n", "欄位「a」重複出現"),
            ("a: \"abc\n", "引號未成對"),
            ("a: [1, 2\n", "括號未成對"),
            ("- a\nb: c\n", "清單與欄位寫在同一層"),
        ] {
            let err = parse_school(text).unwrap_err();
            let (lead, original) = err.message.split_once("。原文：").expect(&err.message);
            assert!(lead.contains(says), "{text:?}: {}", err.message);
            assert!(!lead.is_ascii() && !lead.contains("mapping"), "{lead}");
            assert!(original.is_ascii() && !original.is_empty(), "{original}");
        }
    }

    #[test]
    fn wrong_types_are_explained_in_chinese() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct T {
            a: String,
            b: Vec<u8>,
            c: std::collections::BTreeMap<String, String>,
            d: bool,
        }
        for (text, says) in [
            ("a: [1]\n", "應為文字"),
            ("b: x\n", "應為清單"),
            ("c: x\n", "應為對照表"),
            ("d: maybe\n", "true（是）"),
            ("a: x\nb: []\nc: {}\n", "缺少欄位「d」"),
        ] {
            let err = from_str::<T>(text).unwrap_err();
            assert!(err.message.contains(says), "{text:?}: {}", err.message);
            assert!(err.message.contains("。原文："), "{}", err.message);
        }
    }
}
