//! The validate stage: what a school file lacks or gets wrong (schema validation, the domain
//! rules of the seeds, placeholders left from templates), each finding placed at a line and
//! column of the file, and the school's data typed for the stages after.
//!
//! Content problems are data here: a school with findings is still built, its gaps marked.

mod county;
mod place;
mod rules;
mod schema_errors;

pub use county::{COUNTY_SCHEMA, check_county_file};

use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::Value;

use crate::model::{Profile, SchoolData};
use crate::source::schema::{Schema, Seg, dotted};
use crate::source::yaml::{Kind as YamlKind, Node, Pos};
use crate::source::{County, SchoolSource};
use place::place;

/// A school after validation: its findings, and its data when the file could be read.
#[derive(Debug, Clone)]
pub struct Validated {
    pub report: SchoolReport,
    pub data: Option<SchoolData>,
}

/// Validates one school; its data as the copy `profile` may show it.
pub fn validate(county: &County, school: &SchoolSource, profile: Profile) -> Validated {
    Validated {
        report: check_school(county, school),
        data: school
            .data
            .as_ref()
            .ok()
            .map(|node| SchoolData::new(county, school, node, profile)),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A mandatory value that is absent or empty.
    Missing,
    /// A value of the wrong type, form or choice.
    Invalid,
    /// A domain rule of the plan (minimum staff, training hours, …).
    Rule,
    /// A key the schema does not know.
    UnknownKey,
    /// A template's 「○」 left in place of a value.
    Placeholder,
    /// The file cannot be read as YAML, or a school's own text does not compile.
    Syntax,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::Missing => "缺漏",
            Kind::Invalid => "格式不符",
            Kind::Rule => "規定未符",
            Kind::UnknownKey => "未知欄位",
            Kind::Placeholder => "未替換之預留文字",
            Kind::Syntax => "語法錯誤",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub school: String,
    pub file: PathBuf,
    /// The field as code names it (`team.0.deputy`, list positions from 0): the key the page's
    /// markers share. Never shown to people, who read `place`.
    #[serde(skip)]
    pub path: String,
    /// The field's address for tools, a JSON Pointer (RFC 6901, list positions from 0 as that
    /// standard counts): `/contacts/1/email`. Empty for the file as a whole.
    pub pointer: String,
    /// Where the field is, in words, list positions from 1: 第 2 位資安聯絡人的電子郵件. Empty for
    /// the file as a whole.
    pub place: String,
    /// The field's Traditional Chinese title from the schema.
    pub label: String,
    pub kind: Kind,
    pub severity: Severity,
    pub line: u64,
    pub column: u64,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

/// Everything `check` says of one school.
#[derive(Debug, Clone, Serialize)]
pub struct SchoolReport {
    pub school: String,
    pub file: PathBuf,
    /// Mandatory fields filled in, and all mandatory fields.
    pub filled: usize,
    pub total: usize,
    pub errors: usize,
    pub warnings: usize,
    pub findings: Vec<Finding>,
}

impl SchoolReport {
    /// Filled mandatory fields over all of them, in whole percent (rounded down, so that 100
    /// means complete).
    pub fn percent(&self) -> usize {
        (self.filled * 100).checked_div(self.total).unwrap_or(100)
    }
}

pub fn check_school(county: &County, school: &SchoolSource) -> SchoolReport {
    let schema = &county.schema;
    let mut c = Checker {
        school: &school.id,
        file: &school.file,
        schema,
        findings: Vec::new(),
    };
    if let Err(errors) = &school.overrides {
        for e in errors {
            c.push_at(
                &e.file,
                &[],
                Kind::Syntax,
                Severity::Error,
                e.pos.unwrap_or(START),
                e.message.clone(),
                None,
            );
        }
    }
    let (filled, total) = match &school.data {
        Err(e) => {
            c.push(
                &[],
                Kind::Syntax,
                Severity::Error,
                e.pos.unwrap_or(START),
                e.message.clone(),
                None,
            );
            completeness(schema, &Value::Null)
        }
        Ok(node) => {
            let data = node.to_json();
            c.placeholders(node, &mut Vec::new());
            c.schema_errors(node, &data);
            c.recommended(node, &data);
            c.rules(county, node, &data);
            if let Ok(overrides) = school.overrides.as_deref() {
                for o in overrides {
                    c.placeholder_text(&o.file, &o.body, o.body_line);
                }
            }
            completeness(schema, &data)
        }
    };
    let mut findings = c.findings;
    findings.sort_by(|a, b| {
        (&a.file, a.line, a.column, a.kind).cmp(&(&b.file, b.line, b.column, b.kind))
    });
    findings.dedup();
    SchoolReport {
        school: school.id.clone(),
        file: school.file.clone(),
        filled,
        total,
        errors: count(&findings, Severity::Error),
        warnings: count(&findings, Severity::Warning),
        findings,
    }
}

fn count(findings: &[Finding], severity: Severity) -> usize {
    findings.iter().filter(|f| f.severity == severity).count()
}

/// Mandatory fields filled in, and all of them, counted on the schema: the same total for
/// every school, so that two schools' shares compare (a list is one field, see
/// [`Schema::walk_fields`]).
pub fn completeness(schema: &Schema, data: &Value) -> (usize, usize) {
    let (mut filled, mut total) = (0, 0);
    schema.walk_fields(data, &mut |_, complete| {
        total += 1;
        filled += usize::from(complete);
    });
    (filled, total)
}

const START: Pos = Pos { line: 1, column: 1 };

struct Checker<'a> {
    school: &'a str,
    file: &'a Path,
    schema: &'a Schema,
    findings: Vec<Finding>,
}

impl Checker<'_> {
    fn push(
        &mut self,
        path: &[Seg],
        kind: Kind,
        severity: Severity,
        pos: Pos,
        message: String,
        hint: Option<String>,
    ) {
        let file = self.file.to_path_buf();
        self.push_at(&file, path, kind, severity, pos, message, hint);
    }

    #[allow(clippy::too_many_arguments)]
    fn push_at(
        &mut self,
        file: &Path,
        path: &[Seg],
        kind: Kind,
        severity: Severity,
        pos: Pos,
        message: String,
        hint: Option<String>,
    ) {
        self.findings.push(Finding {
            school: self.school.to_string(),
            file: file.to_path_buf(),
            path: dotted(path),
            pointer: pointer(path),
            place: place(self.schema, path),
            label: self.schema.title(path),
            kind,
            severity,
            line: pos.line,
            column: pos.column,
            message,
            hint,
        });
    }

    /// A finding at a field's place in the file (see [`position`]).
    fn push_field(
        &mut self,
        node: &Node,
        path: &[Seg],
        kind: Kind,
        severity: Severity,
        message: String,
        hint: Option<String>,
    ) {
        let (pos, _) = position(node, path);
        self.push(path, kind, severity, pos, message, hint);
    }
}

/// A field path as a JSON Pointer (RFC 6901): `/contacts/1/email`.
pub fn pointer(path: &[Seg]) -> String {
    path.iter()
        .map(|s| match s {
            Seg::Key(k) => format!("/{}", k.replace('~', "~0").replace('/', "~1")),
            Seg::Index(i) => format!("/{i}"),
        })
        .collect()
}

/// Where a field is in the file: `(position, whether the key is there)`. A field that is absent
/// points at the mapping it belongs in: the line of its key, or where a list item's mapping
/// starts; a top-level field, the file's first key.
pub fn position(root: &Node, path: &[Seg]) -> (Pos, bool) {
    let mut node = root;
    let mut pos = match &root.kind {
        YamlKind::Map(entries) => entries.first().map_or(START, |(key, _)| key.pos),
        _ => START,
    };
    for (i, seg) in path.iter().enumerate() {
        let next = match (&node.kind, seg) {
            (YamlKind::Map(entries), Seg::Key(k)) => entries
                .iter()
                .find(|(key, _)| &key.name == k)
                .map(|(key, v)| (key.pos, v)),
            (YamlKind::Seq(items), Seg::Index(n)) => items.get(*n).map(|v| (v.pos, v)),
            _ => None,
        };
        let Some((key_pos, value)) = next else {
            return (pos, false);
        };
        let last = i + 1 == path.len();
        pos = match &value.kind {
            // A scalar's own position; a null or a collection is shown at its key.
            YamlKind::Null | YamlKind::Map(_) | YamlKind::Seq(_) => key_pos,
            _ if last => value.pos,
            _ => key_pos,
        };
        node = value;
    }
    (pos, true)
}

/// Where the key of a field stands: a key the schema does not know is what is wrong, not its
/// value.
pub fn key_position(root: &Node, path: &[Seg]) -> Option<Pos> {
    let (Seg::Key(name), parent) = path.split_last()? else {
        return None;
    };
    let mut node = root;
    for seg in parent {
        node = match (&node.kind, seg) {
            (YamlKind::Map(_), Seg::Key(k)) => node.get(k)?,
            (YamlKind::Seq(items), Seg::Index(n)) => items.get(*n)?,
            _ => return None,
        };
    }
    match &node.kind {
        YamlKind::Map(entries) => entries
            .iter()
            .find(|(key, _)| &key.name == name)
            .map(|(key, _)| key.pos),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_fields_point_at_their_mapping() {
        let root =
            crate::source::yaml::parse("name: a\nciso:\n  title: 校長\nteam:\n  - name: b\n")
                .unwrap();
        let key = |s: &str| Seg::Key(s.to_string());
        assert_eq!(
            position(&root, &[key("ciso"), key("name")]),
            (Pos { line: 2, column: 1 }, false)
        );
        assert_eq!(
            position(&root, &[key("team"), Seg::Index(0), key("name")]),
            (
                Pos {
                    line: 5,
                    column: 11
                },
                true
            )
        );
        // A missing top-level field: the first key, not line 1 (often a comment).
        let commented = crate::source::yaml::parse("# 學校資料\nname: a\n").unwrap();
        assert_eq!(
            position(&commented, &[key("plan")]),
            (Pos { line: 2, column: 1 }, false)
        );
    }

    #[test]
    fn missing_fields_of_a_list_item_point_where_its_mapping_starts() {
        let text = "contacts:\n  - name: a\n    email: a@b.tw\n  - name: b\n    title: c\n";
        let root = crate::source::yaml::parse(text).unwrap();
        let key = |s: &str| Seg::Key(s.to_string());
        let (pos, present) = position(&root, &[key("contacts"), Seg::Index(1), key("email")]);
        assert_eq!((pos.line, present), (4, false));
    }

    #[test]
    fn unknown_keys_are_found_at_the_key() {
        let root = crate::source::yaml::parse("ciso:\n  nmae: 王大明\n").unwrap();
        let path = [Seg::Key("ciso".into()), Seg::Key("nmae".into())];
        assert_eq!(key_position(&root, &path), Some(Pos { line: 2, column: 3 }));
        assert_eq!(position(&root, &path).0, Pos { line: 2, column: 9 });
    }

    #[test]
    fn pointers_escape_as_rfc_6901_says() {
        let path = [Seg::Key("a/b~c".into()), Seg::Index(0)];
        assert_eq!(pointer(&path), "/a~1b~0c/0");
    }
}
