//! Which sheets and columns the school schema makes, and the schools' values in them.
//!
//! Every field outside a list is a column of 學校, nested keys joined by dots (`ciso.name`); every
//! list of entries is a sheet of its own, its first column the school's id; a list of plain values
//! (a system's importance, a course's audience) is one cell, its values joined by 、. Sensitive
//! fields are columns of the internal profile only.

use serde_json::Value;

use super::{Cell, Head, Sheet};
use crate::model::Profile;
use crate::source::schema::{Schema, Seg, Shape, dotted};

/// The name of the sheet of schools.
pub const SCHOOLS: &str = "學校";
/// The key of the column that says whose row it is.
pub const ID: &str = "id";
/// What a list of values is joined with in its cell, and may be split at when read.
pub const JOIN: &str = "、";

/// Every sheet the schema makes, 學校 first.
#[derive(Debug, Clone)]
pub struct Layout {
    pub sheets: Vec<SheetLayout>,
}

#[derive(Debug, Clone)]
pub struct SheetLayout {
    pub name: String,
    /// The list a sheet holds (`team`, `plan.revisions`); none for 學校.
    pub list: Option<Vec<Seg>>,
    pub columns: Vec<Column>,
}

/// A column: a field, by its path within the school (學校) or within a list's entry.
#[derive(Debug, Clone)]
pub struct Column {
    pub key: String,
    pub path: Vec<Seg>,
    pub title: String,
    pub kind: Kind,
    pub required: bool,
    /// Recommended (`x-recommended`), and printed on paper only (`x-sensitive`).
    pub recommended: bool,
    pub sensitive: bool,
    pub hint: Option<String>,
    /// The schema's bounds: characters of a text, the range of a number.
    pub max_chars: Option<usize>,
    pub range: (Option<i64>, Option<i64>),
    /// The patterns a text may match, any of them (a phone, a date), and whether it is an
    /// e-mail address: the form checks them as they are typed.
    pub patterns: Vec<String>,
    pub email: bool,
}

/// What a column's cells hold.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Text,
    Date,
    Integer,
    /// 是 or 否.
    Boolean,
    Choice(Vec<String>),
    /// Several of the choices, joined by 、.
    Choices(Vec<String>),
    /// Several texts, joined by 、.
    Texts,
}

impl Layout {
    pub fn new(schema: &Schema, profile: Profile) -> Layout {
        let mut schools = SheetLayout {
            name: SCHOOLS.to_string(),
            list: None,
            columns: Vec::new(),
        };
        let mut lists = Vec::new();
        walk(
            schema,
            profile,
            &mut Vec::new(),
            0,
            true,
            &mut schools,
            &mut lists,
        );
        // The id leads, whatever the schema's order.
        if let Some(at) = schools.columns.iter().position(|c| c.key == ID) {
            let id = schools.columns.remove(at);
            schools.columns.insert(0, id);
        }
        let mut sheets = vec![schools];
        for mut list in lists {
            // Sheet names are unique, at most 31 characters, and without []:*?/\ in both
            // formats: those are written full-width (文件制／修訂紀錄).
            let mut name: String = list.name.chars().map(full_width).take(31).collect();
            if name.is_empty() || sheets.iter().any(|s| s.name == name) {
                let key = list.list.as_deref().map(dotted).unwrap_or_default();
                name = key.chars().take(31).collect();
            }
            list.name = name;
            sheets.push(list);
        }
        Layout { sheets }
    }

    /// The sheets with the schools' values, each school's entries in its list's order.
    /// `schools` are each school's id and values, in the county's order.
    pub fn sheets(&self, schools: &[(String, Value)]) -> Vec<Sheet> {
        self.sheets
            .iter()
            .map(|layout| {
                let rows = schools
                    .iter()
                    .flat_map(|(id, values)| layout.rows(id, values))
                    .collect();
                Sheet {
                    name: layout.name.clone(),
                    columns: layout.columns.iter().map(Column::head).collect(),
                    rows,
                }
            })
            .collect()
    }
}

impl SheetLayout {
    fn rows(&self, id: &str, values: &Value) -> Vec<Vec<Cell>> {
        let row = |item: &Value| -> Vec<Cell> {
            self.columns
                .iter()
                .map(|c| match c.key.as_str() {
                    ID => Cell::Text(id.to_string()),
                    _ => c.cell(lookup(item, &c.path)),
                })
                .collect()
        };
        match &self.list {
            None => vec![row(values)],
            Some(path) => lookup(values, path)
                .and_then(Value::as_array)
                .map(|items| items.iter().map(row).collect())
                .unwrap_or_default(),
        }
    }
}

impl Column {
    fn head(&self) -> Head {
        let choices = match &self.kind {
            Kind::Choice(c) => c.clone(),
            Kind::Boolean => vec!["是".into(), "否".into()],
            _ => Vec::new(),
        };
        Head {
            title: self.title.clone(),
            key: self.key.clone(),
            required: self.required,
            choices,
            hint: self.hint.clone(),
        }
    }

    /// A value as its cell: numbers as numbers where the field is one, 是/否 for yes and no,
    /// a list joined, the rest as the text it is.
    pub fn cell(&self, value: Option<&Value>) -> Cell {
        match value {
            None | Some(Value::Null) => Cell::Empty,
            Some(Value::Number(n)) if self.kind == Kind::Integer => {
                n.as_f64().map_or(Cell::Empty, Cell::Number)
            }
            Some(v) => match text_of(v) {
                t if t.is_empty() => Cell::Empty,
                t => Cell::Text(t),
            },
        }
    }
}

/// A character a sheet's name cannot hold, as its full-width form.
fn full_width(c: char) -> char {
    match c {
        '[' | ']' | ':' | '*' | '?' | '/' | '\\' => {
            char::from_u32(c as u32 - 0x21 + 0xFF01).unwrap_or('_')
        }
        _ => c,
    }
}

/// A value as a cell shows it: text as it is, 是/否, a number as written, a list joined by 、.
pub fn text_of(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::Bool(true) => "是".into(),
        Value::Bool(false) => "否".into(),
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) => items.iter().map(text_of).collect::<Vec<_>>().join(JOIN),
        Value::Object(_) => value.to_string(),
    }
}

/// The value at `path` within `value`.
pub fn lookup<'v>(value: &'v Value, path: &[Seg]) -> Option<&'v Value> {
    path.iter().try_fold(value, |v, seg| match seg {
        Seg::Key(k) => v.get(k),
        Seg::Index(i) => v.get(i),
    })
}

/// Adds the columns of the mapping at `path` to `sheet`, and a sheet to `lists` for each list
/// of entries in it. `depth` is how many segments of `path` lead to the sheet's own rows;
/// `mandatory`, whether the mapping must be there (a required key of an optional mapping, such
/// as a school's own `reporting`, is mandatory only once the mapping is given).
fn walk(
    schema: &Schema,
    profile: Profile,
    path: &mut Vec<Seg>,
    depth: usize,
    mandatory: bool,
    sheet: &mut SheetLayout,
    lists: &mut Vec<SheetLayout>,
) {
    let required: Vec<String> = schema
        .required(path)
        .into_iter()
        .map(str::to_string)
        .collect();
    let names: Vec<String> = schema
        .property_names(path)
        .into_iter()
        .map(str::to_string)
        .collect();
    for name in names {
        path.push(Seg::Key(name.clone()));
        if profile == Profile::Public && schema.is_sensitive(path) {
            path.pop();
            continue;
        }
        match schema.shape(path) {
            Shape::Object => {
                let inner = mandatory && required.contains(&name);
                walk(schema, profile, path, depth, inner, sheet, lists);
            }
            // A list within a list's entry has no sheet of its own: it is left as it is.
            Shape::ObjectList if sheet.list.is_none() => {
                let mut list = SheetLayout {
                    name: schema.title(path),
                    list: Some(path.clone()),
                    columns: vec![Column {
                        key: ID.into(),
                        path: Vec::new(),
                        title: "學校代碼".into(),
                        kind: Kind::Text,
                        required: true,
                        recommended: false,
                        sensitive: false,
                        hint: Some("學校識別碼，與「學校」工作表之 id 相同".into()),
                        max_chars: None,
                        range: (None, None),
                        patterns: Vec::new(),
                        email: false,
                    }],
                };
                let start = path.len() + 1;
                path.push(Seg::Index(0));
                walk(schema, profile, path, start, true, &mut list, lists);
                path.pop();
                lists.push(list);
            }
            Shape::ObjectList => {}
            shape => sheet.columns.push(column(
                schema,
                path,
                depth,
                shape,
                mandatory && required.contains(&name),
            )),
        }
        path.pop();
    }
}

fn column(schema: &Schema, path: &[Seg], depth: usize, shape: Shape, required: bool) -> Column {
    let own = &path[depth..];
    let node = schema.node(path);
    let keyword = |key: &str| node.and_then(|n| schema.keyword(n, key));
    let choices = schema.choices(path);
    let kind = match (shape, keyword("type").and_then(Value::as_str)) {
        (Shape::ScalarList, _) if !choices.is_empty() => Kind::Choices(choices),
        (Shape::ScalarList, _) => Kind::Texts,
        _ if !choices.is_empty() => Kind::Choice(choices),
        (_, Some("integer")) => Kind::Integer,
        (_, Some("boolean")) => Kind::Boolean,
        _ if is_date(schema, node) => Kind::Date,
        _ => Kind::Text,
    };
    let max_chars = keyword("maxLength")
        .and_then(Value::as_u64)
        .map(|n| n as usize);
    let int = |key: &str| keyword(key).and_then(Value::as_i64);
    let alternatives = keyword("anyOf").and_then(Value::as_array);
    let patterns = keyword("pattern")
        .into_iter()
        .chain(
            alternatives
                .into_iter()
                .flatten()
                .filter_map(|a| schema.keyword(a, "pattern")),
        )
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect();
    Column {
        key: dotted(own),
        path: own.to_vec(),
        title: schema.title(path),
        kind,
        required,
        recommended: schema.is_recommended(path),
        sensitive: schema.is_sensitive(path),
        hint: schema.description(path),
        max_chars,
        range: (int("minimum"), int("maximum")),
        patterns,
        email: keyword("format").and_then(Value::as_str) == Some("email"),
    }
}

/// A date field: `format: date`, or a `$ref` to a definition named date.
fn is_date(schema: &Schema, node: Option<&Value>) -> bool {
    let Some(node) = node else { return false };
    let named = node
        .get("$ref")
        .and_then(Value::as_str)
        .is_some_and(|r| r.ends_with("/date"));
    named
        || schema
            .keyword(node, "format")
            .and_then(Value::as_str)
            .is_some_and(|f| f == "date")
}
