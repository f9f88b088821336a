//! What the county's templates may name, and what each name holds: the shape of the values
//! a template is rendered with (`school.*` from the school schema, `county.*` from the county's
//! own config, `level.*` from the level model), so that a misspelled path or a map printed as
//! text is found before any school is rendered.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::source::schema::{Schema, Seg};

/// The shape of a value.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// Text, a number or a yes/no: what prints.
    Text,
    /// A mapping whose keys are known: any other key is a mistake.
    Map(BTreeMap<String, Shape>),
    /// A mapping whose keys are the data's own (the fields left out, by path).
    Open(Box<Shape>),
    /// The county's own entries (its shared documents, its document names, its terms): one it
    /// lacks may be asked for in a condition (`{% if docs["x"] %}`), not printed.
    Entries(BTreeMap<String, Shape>),
    List(Box<Shape>),
    /// Not known here (a template's own variable, a schema's free-form value): anything goes.
    Any,
}

/// What a path names, or why it names nothing.
pub enum Found<'s> {
    Shape(&'s Shape),
    /// `key` is not a key of the map at `at` (the path's first `at` parts); the keys it has.
    Unknown {
        at: usize,
        keys: Vec<&'s str>,
    },
}

impl Shape {
    /// The shape of a value as it stands: the county's config, a level's model.
    pub fn of(value: &Value) -> Shape {
        match value {
            Value::Object(map) => {
                Shape::Map(map.iter().map(|(k, v)| (k.clone(), Shape::of(v))).collect())
            }
            Value::Array(items) => Shape::List(Box::new(
                items
                    .iter()
                    .map(Shape::of)
                    .reduce(Shape::union)
                    .unwrap_or(Shape::Any),
            )),
            _ => Shape::Text,
        }
    }

    /// The shape the school schema gives a school's values.
    pub fn of_schema(schema: &Schema) -> Shape {
        schema_shape(schema, &schema.json, 0)
    }

    /// A value that may have either shape: a map has the keys of both.
    pub fn union(self, other: Shape) -> Shape {
        match (self, other) {
            (Shape::Map(mut a), Shape::Map(b)) => {
                for (k, v) in b {
                    let merged = match a.remove(&k) {
                        Some(old) => old.union(v),
                        None => v,
                    };
                    a.insert(k, merged);
                }
                Shape::Map(a)
            }
            (Shape::List(a), Shape::List(b)) => Shape::List(Box::new(a.union(*b))),
            (a, b) if a == b => a,
            // What is not known takes the shape of what is (an empty list's items).
            (Shape::Any, known) | (known, Shape::Any) => known,
            _ => Shape::Any,
        }
    }

    /// Follows `path` (keys, or `None` for an index or a key the template computes). With
    /// `probe`, the path is only asked whether it is there: the last key may be an entry the
    /// county lacks.
    pub fn find(&self, path: &[Option<String>], probe: bool) -> Found<'_> {
        let mut shape = self;
        for (at, part) in path.iter().enumerate() {
            shape = match (shape, part) {
                (Shape::Any, _) => return Found::Shape(shape),
                (Shape::Entries(keys), Some(key)) => match keys.get(key) {
                    Some(next) => next,
                    None if probe && at + 1 == path.len() => return Found::Shape(&Shape::Any),
                    None => {
                        return Found::Unknown {
                            at,
                            keys: keys.keys().map(String::as_str).collect(),
                        };
                    }
                },
                (Shape::Entries(_), None) => return Found::Shape(&Shape::Any),
                (Shape::Map(keys), Some(key)) => match keys.get(key) {
                    Some(next) => next,
                    None => {
                        return Found::Unknown {
                            at,
                            keys: keys.keys().map(String::as_str).collect(),
                        };
                    }
                },
                (Shape::Map(_), None) => return Found::Shape(&Shape::Any),
                (Shape::Open(value), _) => value,
                (Shape::List(item), None) => item,
                // `list.0` and `list.first` read an item; a list has no other keys.
                (Shape::List(item), Some(key)) if key.parse::<usize>().is_ok() => item,
                (Shape::List(_) | Shape::Text, Some(_)) => {
                    return Found::Unknown {
                        at,
                        keys: Vec::new(),
                    };
                }
                (Shape::Text, None) => {
                    return Found::Unknown {
                        at,
                        keys: Vec::new(),
                    };
                }
            };
        }
        Found::Shape(shape)
    }

    /// The same shape, with the maps at `keys` holding the county's own entries.
    pub fn with_entries(mut self, keys: &[&str]) -> Shape {
        if let Shape::Map(map) = &mut self {
            for key in keys {
                if let Some(Shape::Map(entries)) = map.remove(*key) {
                    map.insert(key.to_string(), Shape::Entries(entries));
                }
            }
        }
        self
    }

    /// What a template of the county's text may name besides its own variables.
    pub fn scope(names: impl IntoIterator<Item = (&'static str, Shape)>) -> Shape {
        Shape::Map(names.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }
}

/// Deep enough for any school schema; a `$ref` that refers to itself stops here.
const MAX_DEPTH: usize = 12;

fn schema_shape(schema: &Schema, node: &Value, depth: usize) -> Shape {
    if depth > MAX_DEPTH {
        return Shape::Any;
    }
    let keyword = |k: &str| schema.keyword(node, k);
    if let Some(props) = keyword("properties").and_then(Value::as_object) {
        let known = props
            .iter()
            .map(|(k, v)| (k.clone(), schema_shape(schema, v, depth + 1)))
            .collect();
        // A mapping that takes keys of the school's own is open to them.
        return match keyword("additionalProperties") {
            Some(Value::Bool(false)) | None => Shape::Map(known),
            Some(_) => Shape::Any,
        };
    }
    if let Some(items) = keyword("items") {
        return Shape::List(Box::new(schema_shape(schema, items, depth + 1)));
    }
    let types: Vec<&str> = match keyword("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if types.is_empty() || types.contains(&"object") || keyword("anyOf").is_some() {
        Shape::Any
    } else if types.contains(&"array") {
        Shape::List(Box::new(Shape::Any))
    } else {
        Shape::Text
    }
}

/// The Chinese title of a school field the schema knows, for a message.
pub fn school_title(schema: &Schema, path: &[Option<String>]) -> String {
    let segs: Vec<Seg> = path
        .iter()
        .map(|p| match p {
            Some(k) => Seg::Key(k.clone()),
            None => Seg::Index(0),
        })
        .collect();
    schema.title(&segs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::schema::BUILTIN;
    use serde_json::json;

    fn path(p: &str) -> Vec<Option<String>> {
        p.split('.').map(|s| Some(s.to_string())).collect()
    }

    #[test]
    fn the_school_schema_gives_every_field_and_nothing_else() {
        let schema = Schema::parse(BUILTIN, std::path::Path::new("s.yaml")).unwrap();
        let school = Shape::of_schema(&schema);
        assert!(matches!(
            school.find(&path("ciso.name"), false),
            Found::Shape(Shape::Text)
        ));
        assert!(matches!(
            school.find(&path("ciso"), false),
            Found::Shape(Shape::Map(_))
        ));
        match school.find(&path("ciso.nmae"), false) {
            Found::Unknown { at, keys } => {
                assert_eq!(at, 1);
                assert!(keys.contains(&"name"), "{keys:?}");
            }
            Found::Shape(s) => panic!("{s:?}"),
        }
        let team = school.find(&[Some("team".into()), None, Some("name".into())], false);
        assert!(matches!(team, Found::Shape(Shape::Text)));
    }

    #[test]
    fn a_value_gives_its_own_keys_and_lists_their_items_together() {
        let shape = Shape::of(&json!({ "a": [{ "x": 1 }, { "y": "t" }], "b": "t" }));
        let item = [Some("a".to_string()), None, Some("y".to_string())];
        assert!(matches!(
            shape.find(&item, false),
            Found::Shape(Shape::Text)
        ));
        assert!(matches!(
            shape.find(&path("b.c"), false),
            Found::Unknown { at: 1, .. }
        ));
        assert!(matches!(
            shape.find(&path("c"), false),
            Found::Unknown { at: 0, .. }
        ));
    }
}
