//! The school schema (`schemas/school.schema.yaml`): the authority on what a school file holds.
//!
//! Validation itself is the `jsonschema` crate's; this module adds what planpress needs around
//! it: the Traditional Chinese title of any field path, its sensitivity, and a walk over the
//! mandatory fields (for completeness counts, markers and new school files).

use std::path::{Path, PathBuf};

use anyhow::Result;
use serde_json::{Map, Value};

use crate::base::diagnostics::SourceError;
use crate::source::{text, yaml};

/// The schema compiled into planpress, used when a county names none.
pub const BUILTIN: &str = include_str!("../../schemas/school.schema.yaml");

/// Where a county repository keeps its schema.
pub const FILE: &str = "schemas/school.schema.yaml";

/// One step of a field path: a mapping key or a list index.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// A field path such as `team.0.deputy`, the form findings and markers use.
pub fn dotted(path: &[Seg]) -> String {
    path.iter()
        .map(|s| match s {
            Seg::Key(k) => k.clone(),
            Seg::Index(i) => i.to_string(),
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// The path a dotted string names (`team.0.deputy`), the inverse of [`dotted`].
pub fn parse_dotted(dotted: &str) -> Vec<Seg> {
    dotted
        .split('.')
        .map(|p| match p.parse() {
            Ok(i) => Seg::Index(i),
            Err(_) => Seg::Key(p.to_string()),
        })
        .collect()
}

pub struct Schema {
    pub json: Value,
    /// Where it was read from, for error messages (the built-in one names the project file).
    pub origin: PathBuf,
    validator: jsonschema::Validator,
}

impl Schema {
    /// The county's schema: `schema:` in county.yaml (relative to the county root); else
    /// `schemas/school.schema.yaml` in the county root or beside it (the repository layout:
    /// `content/` and `schemas/` side by side); else the one built into planpress.
    pub fn load(root: &Path, configured: Option<&Path>) -> Result<Schema> {
        match Schema::file(root, configured) {
            Some(file) => {
                // The schema may stand in the county or in the folder that holds it (`content/`
                // and `schemas/` side by side), nowhere else.
                let text = text::read(&root.join(".."), &file, text::COUNTY_FILE_LIMIT)?;
                Ok(Schema::parse(&text, &file)?)
            }
            None => Ok(Schema::parse(BUILTIN, Path::new(FILE))?),
        }
    }

    /// The county's own schema file: `configured` (county.yaml's `schema:`, relative to the
    /// county), else `schemas/school.schema.yaml` in the county or beside it; `None` when the
    /// county has none and the built-in one serves.
    pub fn file(root: &Path, configured: Option<&Path>) -> Option<PathBuf> {
        match configured {
            Some(rel) => Some(root.join(rel)),
            None => [root.join(FILE), root.join("..").join(FILE)]
                .into_iter()
                .find(|f| f.is_file()),
        }
    }

    pub fn parse(text: &str, origin: &Path) -> Result<Schema, SourceError> {
        let json: Value =
            yaml::from_str(text).map_err(|e| SourceError::new(origin, Some(e.pos), e.message))?;
        let validator = jsonschema::options()
            .should_validate_formats(true)
            .build(&json)
            .map_err(|e| SourceError::new(origin, None, format!("not a valid JSON Schema: {e}")))?;
        Ok(Schema {
            json,
            origin: origin.to_path_buf(),
            validator,
        })
    }

    pub fn errors<'i>(&'i self, instance: &'i Value) -> Vec<jsonschema::ValidationError<'i>> {
        self.validator.iter_errors(instance).collect()
    }

    /// The schema node that describes `path`, `$ref`s followed.
    pub fn node(&self, path: &[Seg]) -> Option<&Value> {
        let mut node = &self.json;
        for seg in path {
            node = match seg {
                // A key the node names, else one of the keys it takes of any name (a level
                // code of county.yaml's `levels`).
                Seg::Key(k) => match self.keyword(node, "properties").and_then(|p| p.get(k)) {
                    Some(property) => property,
                    None => self
                        .keyword(node, "additionalProperties")
                        .filter(|a| a.is_object())?,
                },
                Seg::Index(_) => self.keyword(node, "items")?,
            };
        }
        Some(node)
    }

    /// A keyword of a schema node, looked up on the node first and then on what it `$ref`s, so
    /// that a property's own `title` wins over its definition's.
    pub fn keyword<'a>(&'a self, node: &'a Value, key: &str) -> Option<&'a Value> {
        node.get(key).or_else(|| self.target(node)?.get(key))
    }

    fn target<'a>(&'a self, node: &'a Value) -> Option<&'a Value> {
        let name = node.get("$ref")?.as_str()?.strip_prefix("#/$defs/")?;
        self.json.get("$defs")?.get(name)
    }

    /// The Traditional Chinese title of a field: its own, or that of the nearest field above
    /// it that has one (list items often have none).
    pub fn title(&self, path: &[Seg]) -> String {
        (0..=path.len())
            .rev()
            .find_map(|n| {
                let node = self.node(&path[..n])?;
                self.keyword(node, "title")?.as_str().map(str::to_string)
            })
            .unwrap_or_default()
    }

    pub fn description(&self, path: &[Seg]) -> Option<String> {
        let node = self.node(path)?;
        self.keyword(node, "description")?
            .as_str()
            .map(str::to_string)
    }

    /// Fields that belong on the signed paper copy only: marked `x-sensitive: true`, or inside
    /// a list or mapping that is.
    pub fn is_sensitive(&self, path: &[Seg]) -> bool {
        (1..=path.len()).any(|n| self.flag(&path[..n], "x-sensitive"))
    }

    /// Optional fields a complete plan should still have (`x-recommended: true`).
    pub fn is_recommended(&self, path: &[Seg]) -> bool {
        self.flag(path, "x-recommended")
    }

    fn flag(&self, path: &[Seg], key: &str) -> bool {
        self.node(path)
            .and_then(|n| self.keyword(n, key))
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }

    /// The property names a mapping at `path` may hold, in schema order.
    pub fn property_names(&self, path: &[Seg]) -> Vec<&str> {
        self.node(path)
            .and_then(|n| self.keyword(n, "properties"))
            .and_then(Value::as_object)
            .map(|props| props.keys().map(String::as_str).collect())
            .unwrap_or_default()
    }

    pub fn required(&self, path: &[Seg]) -> Vec<&str> {
        self.node(path)
            .and_then(|n| self.keyword(n, "required"))
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    }

    /// What kind of value a field holds.
    pub fn shape(&self, path: &[Seg]) -> Shape {
        let Some(node) = self.node(path) else {
            return Shape::Scalar;
        };
        if self.keyword(node, "properties").is_some() {
            return Shape::Object;
        }
        match self.keyword(node, "type").and_then(Value::as_str) {
            Some("object") => Shape::Object,
            Some("array") => {
                let mut item = path.to_vec();
                item.push(Seg::Index(0));
                if self.shape(&item) == Shape::Object {
                    Shape::ObjectList
                } else {
                    Shape::ScalarList
                }
            }
            _ => Shape::Scalar,
        }
    }

    /// Walks the mandatory fields of a school's data: every required key of every mapping that
    /// exists or is itself mandatory, every item of a required list. `visit` gets each leaf: a
    /// scalar, a list of scalars, or a list of mappings that is empty.
    pub fn walk_mandatory(&self, data: &Value, visit: &mut impl FnMut(&[Seg], Option<&Value>)) {
        self.walk_object(&mut Vec::new(), Some(data), visit);
    }

    fn walk_object(
        &self,
        path: &mut Vec<Seg>,
        data: Option<&Value>,
        visit: &mut impl FnMut(&[Seg], Option<&Value>),
    ) {
        for (key, value) in self.required_values(path, data) {
            path.push(Seg::Key(key));
            match self.shape(path) {
                Shape::Object => self.walk_object(path, value, visit),
                Shape::ObjectList => match value.and_then(Value::as_array) {
                    Some(items) if !items.is_empty() => {
                        for (i, item) in items.iter().enumerate() {
                            path.push(Seg::Index(i));
                            self.walk_object(path, Some(item), visit);
                            path.pop();
                        }
                    }
                    _ => visit(path, None),
                },
                Shape::Scalar | Shape::ScalarList => visit(path, value),
            }
            path.pop();
        }
    }

    /// The mandatory keys of the mapping at `path`, each with its value in `data` when it has a
    /// non-empty one.
    fn required_values<'d>(
        &self,
        path: &[Seg],
        data: Option<&'d Value>,
    ) -> Vec<(String, Option<&'d Value>)> {
        self.required(path)
            .into_iter()
            .map(|key| {
                let value = data.and_then(|d| d.get(key)).filter(|v| !is_empty(v));
                (key.to_string(), value)
            })
            .collect()
    }

    /// The schema's mandatory fields, each once whatever the lengths of the data's lists, and
    /// whether `data` fills it: a list of mappings is one field, filled when it has an item
    /// and no item lacks a mandatory value.
    pub fn walk_fields(&self, data: &Value, visit: &mut impl FnMut(&[Seg], bool)) {
        self.fields_of(&mut Vec::new(), Some(data), visit);
    }

    fn fields_of(
        &self,
        path: &mut Vec<Seg>,
        data: Option<&Value>,
        visit: &mut impl FnMut(&[Seg], bool),
    ) {
        for (key, value) in self.required_values(path, data) {
            path.push(Seg::Key(key));
            match self.shape(path) {
                Shape::Object => self.fields_of(path, value, visit),
                Shape::ObjectList => {
                    let items = value.and_then(Value::as_array).filter(|i| !i.is_empty());
                    let mut filled = items.is_some();
                    for (i, item) in items.into_iter().flatten().enumerate() {
                        path.push(Seg::Index(i));
                        self.walk_object(path, Some(item), &mut |_, v| filled &= v.is_some());
                        path.pop();
                    }
                    visit(path, filled);
                }
                Shape::Scalar | Shape::ScalarList => visit(path, value.is_some()),
            }
            path.pop();
        }
    }

    /// An empty mapping for a new school: every field the schema knows, values empty.
    pub fn blank(&self, path: &mut Vec<Seg>) -> Map<String, Value> {
        let mut out = Map::new();
        let names: Vec<String> = self
            .property_names(path)
            .into_iter()
            .map(str::to_string)
            .collect();
        for name in names {
            path.push(Seg::Key(name.clone()));
            let value = match self.shape(path) {
                Shape::Object => Value::Object(self.blank(path)),
                Shape::ObjectList => {
                    path.push(Seg::Index(0));
                    let item = Value::Object(self.blank(path));
                    path.pop();
                    Value::Array(vec![item])
                }
                Shape::ScalarList => Value::Array(Vec::new()),
                Shape::Scalar => Value::Null,
            };
            out.insert(name, value);
            path.pop();
        }
        out
    }

    /// The values a field may take, when the schema lists them.
    pub fn choices(&self, path: &[Seg]) -> Vec<String> {
        let node = self.node(path);
        let list = node
            .and_then(|n| self.keyword(n, "enum"))
            .or_else(|| {
                let items = self.keyword(node?, "items")?;
                self.keyword(items, "enum")
            })
            .and_then(Value::as_array);
        list.map(|l| {
            l.iter()
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                .collect()
        })
        .unwrap_or_default()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Scalar,
    ScalarList,
    Object,
    ObjectList,
}

/// A literal placeholder left from a template (seeds write 「○○○」 for a name to fill in).
pub const PLACEHOLDER: char = '○';

/// A value that counts as not filled in: null, blank text, or a template's placeholder.
pub fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty() || s.contains(PLACEHOLDER),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::parse_dotted as path;
    use super::*;

    fn builtin() -> Schema {
        Schema::parse(BUILTIN, Path::new("school.schema.yaml")).unwrap()
    }

    #[test]
    fn titles_follow_refs_and_items() {
        let s = builtin();
        assert_eq!(s.title(&path("ciso.name")), "資通安全長姓名");
        assert_eq!(s.title(&path("core_systems.2.mtpd")), "最大可容忍中斷時間");
        assert_eq!(s.title(&path("team.0")), "推動小組成員");
        assert_eq!(s.title(&path("core_systems.0.importance.0")), "重要性說明");
        assert!(s.is_sensitive(&path("core_systems.1.ip")));
        assert!(!s.is_sensitive(&path("core_systems.1.system")));
    }

    #[test]
    fn fields_count_once_whatever_the_lists_hold() {
        let s = builtin();
        let count = |data: serde_json::Value| {
            let (mut filled, mut total) = (0, 0);
            s.walk_fields(&data, &mut |_, f| {
                total += 1;
                filled += usize::from(f);
            });
            (filled, total)
        };
        let member = serde_json::json!({
            "group": "召集人", "title": "校長", "name": "甲", "duties": "綜理",
            "extension": "101", "deputy": "乙"
        });
        let (empty_filled, empty) = count(serde_json::json!({ "team": [] }));
        let (one_filled, one) = count(serde_json::json!({ "team": [member] }));
        let (two_filled, two) = count(serde_json::json!({ "team": [member, member] }));
        let (lacking_filled, lacking) = count(serde_json::json!({ "team": [member, {}] }));
        assert!(
            empty == one && one == two && two == lacking,
            "lists add no fields"
        );
        assert_eq!(
            one_filled,
            empty_filled + 1,
            "a complete list is one filled field"
        );
        assert_eq!(two_filled, one_filled);
        assert_eq!(
            lacking_filled, empty_filled,
            "an item lacking a value leaves it unfilled"
        );
    }

    #[test]
    fn mandatory_walk_descends_into_missing_mappings() {
        let s = builtin();
        let data = serde_json::json!({ "name": "某國小", "team": [] });
        let mut seen = Vec::new();
        s.walk_mandatory(&data, &mut |p, v| seen.push((dotted(p), v.is_some())));
        assert!(seen.contains(&("name".to_string(), true)));
        assert!(seen.contains(&("ciso.name".to_string(), false)));
        assert!(seen.contains(&("team".to_string(), false)));
        assert!(
            !seen.iter().any(|(p, _)| p == "address"),
            "address is optional"
        );
    }
}
