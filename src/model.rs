//! A school's data once validated: what planpress itself reads of it, typed, and the whole file
//! as plain data, with a 【待填】 marker in place of every missing mandatory value, for the
//! county's templates. In the public copy every sensitive value is already gone from it: no
//! stage after this one can publish what it does not have.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::base::roc::Date;
use crate::markers;
use crate::source::schema::{Schema, Seg};
use crate::source::yaml::Node;
use crate::source::{County, SchoolSource};

/// What a sensitive value shows instead of itself in the public copy.
pub const MASK: &str = "（不公開）";

/// Which copy of the county a build makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// The website: no value the schema marks `x-sensitive`.
    #[default]
    Public,
    /// For printing and signing: every value, system IPs included. Never to be published.
    Internal,
}

impl Profile {
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Public => "public",
            Profile::Internal => "internal",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SchoolData {
    pub id: String,
    /// 全銜; the id while the file gives none.
    pub name: String,
    pub short_name: String,
    /// 學校類別: 國民中學, 國民小學 …
    pub kind: String,
    pub township: String,
    /// Responsibility level (A–E) as written.
    pub level: String,
    /// The plan's edition and its date (ISO) as written.
    pub edition: String,
    pub date: String,
    /// How many of the county's blocks the school replaces or adds to.
    pub overrides: usize,
    /// The file's values, markers in place of what is missing.
    pub values: Value,
    /// Markers of mandatory lists that are empty, by field path (`team`).
    pub missing_lists: Map<String, Value>,
    /// Where and when the school reports its implementation: its own values, else the county's.
    pub report: Value,
}

impl SchoolData {
    pub fn new(
        county: &County,
        source: &SchoolSource,
        node: &Node,
        profile: Profile,
    ) -> SchoolData {
        let mut raw = node.to_json();
        tidy(&county.schema, &mut raw, &mut Vec::new());
        let text = |pointer: &str| {
            raw.pointer(pointer)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        let (mut values, missing_lists) = markers::fill(&county.schema, &raw);
        if profile == Profile::Public {
            redact(&county.schema, &mut values, &mut Vec::new());
        }
        SchoolData {
            id: source.id.clone(),
            name: Some(text("/name"))
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| source.id.clone()),
            short_name: text("/short_name"),
            kind: text("/type"),
            township: text("/township"),
            level: text("/level"),
            edition: text("/plan/version"),
            date: text("/plan/date"),
            overrides: source.overrides.as_ref().map(Vec::len).unwrap_or(0),
            report: effective_report(county, &raw),
            values,
            missing_lists,
        }
    }

    /// The plan's date in the ROC calendar (中華民國 113 年 5 月 1 日), or as written.
    pub fn date_long(&self) -> String {
        Date::parse_iso(&self.date)
            .map(|d| d.long())
            .unwrap_or_else(|| self.date.clone())
    }
}

/// The longest text and list kept of a field the schema does not bound.
const LONGEST_TEXT: usize = 2000;
const MOST_ITEMS: usize = 500;

/// What a school's file gives the stages after validation, as the schema has it:
/// - every string and list cut to its bound (`maxLength`, `maxItems`), so that no value can make
///   a page or the PDF run away (`check` reports what was longer);
/// - keys the schema does not know dropped (they are published nowhere);
/// - control and bidirectional characters dropped (they mean nothing on a page or paper, and one
///   would reverse the names listed after it), and the characters that delimit 【待填】 markers,
///   so that no value can pass for one.
fn tidy(schema: &Schema, value: &mut Value, path: &mut Vec<Seg>) {
    let limit = |key: &str, default: usize| {
        schema
            .node(path)
            .and_then(|n| schema.keyword(n, key))
            .and_then(Value::as_u64)
            .map_or(default, |n| n as usize)
    };
    match value {
        Value::String(s) => {
            s.retain(|c| (!c.is_control() || c == '\n' || c == '\t') && !is_invisible(c));
            let most = limit("maxLength", LONGEST_TEXT);
            if let Some((cut, _)) = s.char_indices().nth(most) {
                s.truncate(cut);
                s.push('…');
            }
        }
        Value::Array(items) => {
            items.truncate(limit("maxItems", MOST_ITEMS));
            for (i, v) in items.iter_mut().enumerate() {
                path.push(Seg::Index(i));
                tidy(schema, v, path);
                path.pop();
            }
        }
        Value::Object(map) => {
            let known = schema.property_names(path);
            if !known.is_empty() {
                map.retain(|k, _| known.contains(&k.as_str()));
            }
            for (k, v) in map.iter_mut() {
                path.push(Seg::Key(k.clone()));
                tidy(schema, v, path);
                path.pop();
            }
        }
        _ => {}
    }
}

/// Bidirectional controls and the private-use characters of markers.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{E000}'..='\u{E002}')
}

/// Replaces every sensitive value (a scalar, or a whole list or mapping) with [`MASK`]; a
/// missing one keeps its 【待填】 marker, which says nothing.
fn redact(schema: &Schema, value: &mut Value, path: &mut Vec<Seg>) {
    if !path.is_empty() && schema.is_sensitive(path) {
        // A marker that stands alone says only that the value is missing.
        let marker = value.as_str().is_some_and(|s| {
            matches!(markers::parts(s).as_slice(), [markers::Part::Marker { .. }])
        });
        if !(value.is_null() || marker) {
            *value = Value::String(MASK.to_string());
        }
        return;
    }
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                path.push(Seg::Key(k.clone()));
                redact(schema, v, path);
                path.pop();
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter_mut().enumerate() {
                path.push(Seg::Index(i));
                redact(schema, v, path);
                path.pop();
            }
        }
        _ => {}
    }
}

/// The plain value of a top-level `key: value` line of YAML text, read line by line: a file
/// with a syntax error elsewhere still names its school.
fn top_level_scalar(text: &str, key: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let value = line.strip_prefix(key)?.strip_prefix(':')?;
        let value = match value.find(" #") {
            Some(at) => &value[..at],
            None => value,
        };
        let value = value.trim().trim_matches(|c| c == '"' || c == '\'');
        (!value.is_empty()).then(|| value.to_string())
    })
}

/// What the county pages say of a school, whether its file could be read or not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SchoolSummary {
    pub id: String,
    pub name: String,
    pub short_name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub township: String,
    pub level: String,
    pub edition: String,
    /// ROC date.
    pub edition_date: String,
    pub overrides: usize,
}

impl SchoolSummary {
    pub fn new(id: &str, data: Option<&SchoolData>) -> SchoolSummary {
        match data {
            Some(d) => SchoolSummary {
                id: d.id.clone(),
                name: d.name.clone(),
                short_name: d.short_name.clone(),
                kind: d.kind.clone(),
                township: d.township.clone(),
                level: d.level.clone(),
                edition: d.edition.clone(),
                edition_date: d.date_long(),
                overrides: d.overrides,
            },
            None => SchoolSummary {
                id: id.to_string(),
                name: id.to_string(),
                short_name: String::new(),
                kind: String::new(),
                township: String::new(),
                level: String::new(),
                edition: String::new(),
                edition_date: String::new(),
                overrides: 0,
            },
        }
    }

    /// The summary of a school whose data could not be typed, from what its file's text still
    /// says (its name, kind, township and level lines), so that the county's pages name it.
    pub fn from_text(id: &str, text: &str) -> SchoolSummary {
        let mut summary = SchoolSummary::new(id, None);
        for (key, field) in [
            ("name", &mut summary.name),
            ("short_name", &mut summary.short_name),
            ("type", &mut summary.kind),
            ("township", &mut summary.township),
            ("level", &mut summary.level),
        ] {
            if let Some(value) = top_level_scalar(text, key) {
                *field = value;
            }
        }
        summary
    }

    /// The order of the county's own lists (seed 004): by kind of school, then township.
    pub fn sort_key(&self) -> (usize, &str, &str) {
        let rank = ["國民中學", "高級中學", "國民中小學", "國民小學"]
            .iter()
            .position(|k| *k == self.kind)
            .unwrap_or(4);
        (rank, self.township.as_str(), self.id.as_str())
    }
}

/// Where the school reports its implementation: its own `reporting` values where it gives
/// them, the county's otherwise.
pub fn effective_report(county: &County, data: &Value) -> Value {
    let mut report = serde_json::json!(county.config.report);
    if let Some(own) = data.get("reporting").and_then(Value::as_object) {
        for (k, v) in own {
            if !crate::source::schema::is_empty(v) {
                report[k] = v.clone();
            }
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_file_still_names_its_school() {
        let text = "id: x\nname: \"嘉義縣立某國民小學\"  # 全銜\ntype: 國民小學\nteam:\n  - name: 甲\n  bad: [\n";
        let s = SchoolSummary::from_text("x", text);
        assert_eq!(s.name, "嘉義縣立某國民小學");
        assert_eq!(s.kind, "國民小學");
        assert_eq!(s.township, "");
        assert_eq!(SchoolSummary::from_text("y", "").name, "y");
    }
    use crate::source::schema::BUILTIN;

    #[test]
    fn tidy_keeps_what_the_schema_knows_within_its_bounds_and_nothing_invisible() {
        let schema = Schema::parse(BUILTIN, std::path::Path::new("s.yaml")).unwrap();
        let mut raw = serde_json::json!({
            "name": format!("\u{202E}嘉義\u{E000}縣\u{7}{}", "校".repeat(600)),
            "mobile": "0912-345-678",
            "core_systems": [{ "system": "公文\u{2066}", "secret": "x" }],
        });
        tidy(&schema, &mut raw, &mut Vec::new());
        let name = raw["name"].as_str().unwrap();
        assert!(name.starts_with("嘉義縣校"), "{name}");
        assert_eq!(name.chars().count(), 501, "cut to maxLength (500), then …");
        assert!(name.ends_with("校…"));
        assert!(raw.get("mobile").is_none(), "unknown keys are dropped");
        assert_eq!(
            raw["core_systems"][0],
            serde_json::json!({ "system": "公文" })
        );
    }
}
