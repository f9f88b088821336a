//! What a school file lacks or gets wrong: schema validation, the domain rules of the seeds, and
//! placeholders left from templates, each finding placed at a line and column of the file.

use std::path::{Path, PathBuf};

use jsonschema::error::ValidationErrorKind;
use jsonschema::paths::LocationSegment;
use serde::Serialize;
use serde_json::Value;

use crate::config::LevelRules;
use crate::load::{County, SchoolSource};
use crate::schema::{self, PLACEHOLDER, Schema, Seg, dotted};
use crate::yaml::{Kind as YamlKind, Node, Pos};

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
    /// Dotted field path (`team.0.deputy`); empty for the file as a whole.
    pub path: String,
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

/// Mandatory fields filled in, and all of them.
pub fn completeness(schema: &Schema, data: &Value) -> (usize, usize) {
    let (mut filled, mut total) = (0, 0);
    schema.walk_mandatory(data, &mut |_, v| {
        total += 1;
        filled += usize::from(v.is_some());
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

    /// 「○○○」 left from a template, anywhere in the data.
    fn placeholders(&mut self, node: &Node, path: &mut Vec<Seg>) {
        match &node.kind {
            YamlKind::Str(s) if s.contains(PLACEHOLDER) => {
                let label = self.schema.title(path);
                self.push(
                    path,
                    Kind::Placeholder,
                    Severity::Error,
                    node.pos,
                    format!("{label}仍為預留文字「{s}」"),
                    Some("請填入實際內容".to_string()),
                );
            }
            YamlKind::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    path.push(Seg::Index(i));
                    self.placeholders(item, path);
                    path.pop();
                }
            }
            YamlKind::Map(entries) => {
                for (key, value) in entries {
                    path.push(Seg::Key(key.name.clone()));
                    self.placeholders(value, path);
                    path.pop();
                }
            }
            _ => {}
        }
    }

    /// 「○」 in a school's own Markdown text.
    fn placeholder_text(&mut self, file: &Path, body: &str, first_line: usize) {
        for (i, line) in body.lines().enumerate() {
            if let Some(at) = line.find(PLACEHOLDER) {
                let pos = Pos {
                    line: (first_line + i) as u64,
                    column: line[..at].chars().count() as u64 + 1,
                };
                self.push_at(
                    file,
                    &[],
                    Kind::Placeholder,
                    Severity::Error,
                    pos,
                    "本校文字中仍有預留文字「○」".to_string(),
                    Some("請填入實際內容".to_string()),
                );
            }
        }
    }

    fn schema_errors(&mut self, node: &Node, data: &Value) {
        // Empty values and placeholders are left out, so that the schema calls them missing
        // (not "wrong type"), and placeholders are reported once, as placeholders.
        let instance =
            prune(self.schema, &mut Vec::new(), data).unwrap_or(Value::Object(Default::default()));
        for err in self.schema.errors(&instance) {
            let path: Vec<Seg> = err
                .instance_path()
                .iter()
                .map(|s| match s {
                    LocationSegment::Property(p) => Seg::Key(p.to_string()),
                    LocationSegment::Index(i) => Seg::Index(i),
                })
                .collect();
            self.schema_error(node, data, path, err.kind());
        }
    }

    fn schema_error(
        &mut self,
        node: &Node,
        data: &Value,
        path: Vec<Seg>,
        kind: &ValidationErrorKind,
    ) {
        let label = self.schema.title(&path);
        match kind {
            ValidationErrorKind::Required { property } => {
                let mut field = path.clone();
                field.push(Seg::Key(property.as_str().unwrap_or_default().to_string()));
                if is_placeholder(lookup(data, &field)) {
                    return;
                }
                let label = self.schema.title(&field);
                let (pos, present) = position(node, &field);
                let message = if present {
                    format!("{label}未填")
                } else {
                    format!("缺少{label}")
                };
                let about = self
                    .expected(&field)
                    .or_else(|| self.schema.description(&field));
                let hint = if present {
                    about
                } else {
                    let key = property.as_str().unwrap_or_default();
                    Some(match about {
                        Some(about) => format!("在此加入 `{key}:`；{about}"),
                        None => format!("在此加入 `{key}:`"),
                    })
                };
                self.push(&field, Kind::Missing, Severity::Error, pos, message, hint);
            }
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                for key in unexpected {
                    let mut field = path.clone();
                    field.push(Seg::Key(key.clone()));
                    let (pos, _) = position(node, &field);
                    let known = self.schema.property_names(&path);
                    let hint = did_you_mean(key, &known)
                        .map(|k| {
                            let mut p = path.clone();
                            p.push(Seg::Key(k.to_string()));
                            format!("是否為 `{k}`（{}）？", self.schema.title(&p))
                        })
                        .or_else(|| {
                            Some(format!(
                                "{}可用之欄位：{}",
                                where_label(&label),
                                known.join("、")
                            ))
                        });
                    self.findings.push(Finding {
                        school: self.school.to_string(),
                        file: self.file.to_path_buf(),
                        path: dotted(&field),
                        label: label.clone(),
                        kind: Kind::UnknownKey,
                        severity: Severity::Error,
                        line: pos.line,
                        column: pos.column,
                        message: format!("未知欄位 `{key}`"),
                        hint,
                    });
                }
            }
            ValidationErrorKind::MinItems { limit } => {
                let have = lookup(data, &path)
                    .and_then(Value::as_array)
                    .map_or(0, |a| a.iter().filter(|v| !is_placeholder(Some(v))).count());
                self.push_field(
                    node,
                    &path,
                    Kind::Rule,
                    Severity::Error,
                    format!("{label}至少須有 {limit} 筆，目前 {have} 筆"),
                    self.schema.description(&path),
                );
            }
            _ => {
                let value = lookup(data, &path).map(show).unwrap_or_default();
                let hint = self
                    .expected(&path)
                    .or_else(|| self.schema.description(&path));
                self.push_field(
                    node,
                    &path,
                    Kind::Invalid,
                    Severity::Error,
                    format!("{label}格式不符：{value}"),
                    hint,
                );
            }
        }
    }

    /// What a field takes, in words: its choices or its type.
    fn expected(&self, path: &[Seg]) -> Option<String> {
        let choices = self.schema.choices(path);
        if !choices.is_empty() {
            return Some(format!("應為下列之一：{}", choices.join("、")));
        }
        let node = self.schema.node(path)?;
        let ty = self.schema.keyword(node, "type")?.as_str()?;
        let words = match ty {
            "integer" => "整數",
            "number" => "數字",
            "boolean" => " true（是）或 false（否）",
            "array" => "清單（以「- 」逐項列出）",
            "object" => "對照表（欄位: 值）",
            _ => return None,
        };
        Some(format!("應為{words}"))
    }

    /// Optional fields a complete plan still has: a warning when absent.
    fn recommended(&mut self, node: &Node, data: &Value) {
        for key in self.schema.property_names(&[]) {
            let path = [Seg::Key(key.to_string())];
            if self.schema.is_recommended(&path)
                && lookup(data, &path).is_none_or(schema::is_empty)
                && !is_placeholder(lookup(data, &path))
            {
                let label = self.schema.title(&path);
                self.push_field(
                    node,
                    &path,
                    Kind::Missing,
                    Severity::Warning,
                    format!("建議填寫{label}"),
                    self.schema.description(&path),
                );
            }
        }
    }

    /// The rules of the plan that the schema cannot say: they depend on the level, whose
    /// obligations are the county's data (county.yaml `levels`).
    fn rules(&mut self, county: &County, node: &Node, data: &Value) {
        let level = data.get("level").and_then(Value::as_str).unwrap_or("");
        if let Some(rules) = county.config.levels.get(level) {
            self.staff_minimum(node, data, level, rules);
            self.training_hours(node, data, level, rules);
        }
        let report = effective_report(county, data);
        for (key, label) in [("authority", "實施情形提出對象"), ("deadline", "提出期限")]
        {
            if report.get(key).is_none_or(schema::is_empty) {
                let path = [Seg::Key("reporting".into()), Seg::Key(key.into())];
                self.push_field(
                    node,
                    &path,
                    Kind::Rule,
                    Severity::Error,
                    format!("計畫須載明{label}"),
                    Some("填寫 reporting，或於 county.yaml 之 report 設定全縣共同之值".into()),
                );
            }
        }
        self.edition_matches_revisions(node, data);
    }

    fn staff_minimum(&mut self, node: &Node, data: &Value, level: &str, rules: &LevelRules) {
        let Some(staffing) = data.get("staffing") else {
            return;
        };
        let n = |k: &str| staffing.get(k).and_then(Value::as_u64);
        // Levels whose staff must be 專責/專職 count only dedicated staff.
        let dedicated_only = !rules.staff_kind.contains("兼辦");
        let (have, field) = if dedicated_only {
            (n("security_dedicated"), "security_dedicated")
        } else {
            (
                n("security_dedicated")
                    .zip(n("security_part_time"))
                    .map(|(a, b)| a + b),
                "security_part_time",
            )
        };
        if let Some(have) = have
            && have < u64::from(rules.min_security_staff)
        {
            let path = [Seg::Key("staffing".into()), Seg::Key(field.into())];
            self.push_field(
                node,
                &path,
                Kind::Rule,
                Severity::Error,
                format!(
                    "資通安全責任等級 {level} 級應設置{} {} 人以上，目前 {have} 人",
                    rules.staff_kind, rules.min_security_staff
                ),
                Some("依資通安全責任等級分級辦法；見 county.yaml 之 levels".into()),
            );
        }
    }

    fn training_hours(&mut self, node: &Node, data: &Value, level: &str, rules: &LevelRules) {
        let Some(courses) = data.pointer("/training/courses").and_then(Value::as_array) else {
            return;
        };
        // Courses still being filled in are reported as missing values, not as too few hours.
        let complete = |c: &Value| {
            c.get("hours").is_some_and(Value::is_number)
                && c.get("audience")
                    .and_then(Value::as_array)
                    .is_some_and(|a| !a.is_empty())
        };
        if !courses.iter().all(complete) {
            return;
        }
        let staffing = data.get("staffing");
        let staff = |keys: &[&str]| -> Option<u64> {
            keys.iter()
                .map(|k| staffing?.get(*k)?.as_u64())
                .sum::<Option<u64>>()
        };
        let roles = [
            (
                "security_staff",
                rules.staff_kind.as_str(),
                rules.training.security_staff,
                staff(&["security_dedicated", "security_part_time"]),
            ),
            (
                "it_staff",
                "資訊人員",
                rules.training.it_staff,
                staff(&["it_staff"]),
            ),
            (
                "general_staff",
                "一般使用者",
                rules.training.general_staff,
                staff(&["general_staff"]),
            ),
            (
                "managers",
                "主管",
                rules.training.managers,
                staff(&["managers"]),
            ),
        ];
        for (role, name, minimum, people) in roles {
            if people == Some(0) {
                continue;
            }
            let hours: f64 = courses
                .iter()
                .filter(|c| {
                    c.get("audience")
                        .and_then(Value::as_array)
                        .is_some_and(|a| a.iter().any(|r| r == role))
                })
                .filter_map(|c| c.get("hours").and_then(Value::as_f64))
                .sum();
            if hours < f64::from(minimum) {
                let path = [Seg::Key("training".into()), Seg::Key("courses".into())];
                self.push_field(
                    node,
                    &path,
                    Kind::Rule,
                    Severity::Error,
                    format!(
                        "{name}之年度訓練時數合計 {hours} 小時，少於 {level} 級每人每年 {minimum} 小時之要求"
                    ),
                    Some(format!("增列參訓對象含 {role} 之課程，或調整時數")),
                );
            }
        }
    }

    fn edition_matches_revisions(&mut self, node: &Node, data: &Value) {
        let version = data.pointer("/plan/version").and_then(Value::as_str);
        let last = data
            .pointer("/plan/revisions")
            .and_then(Value::as_array)
            .and_then(|r| r.last())
            .and_then(|r| r.get("version"))
            .and_then(Value::as_str);
        if let (Some(version), Some(last)) = (version, last)
            && version != last
            && !version.contains(PLACEHOLDER)
        {
            let path = [Seg::Key("plan".into()), Seg::Key("version".into())];
            self.push_field(
                node,
                &path,
                Kind::Rule,
                Severity::Warning,
                format!("計畫版次 {version} 與最後一筆制/修訂紀錄之版次 {last} 不同"),
                Some("新版次應於 plan.revisions 增列一筆紀錄".into()),
            );
        }
    }
}

/// Where the school reports its implementation: its own `reporting` values where it gives
/// them, the county's otherwise.
pub fn effective_report(county: &County, data: &Value) -> Value {
    let mut report = serde_json::json!(county.config.report);
    if let Some(own) = data.get("reporting").and_then(Value::as_object) {
        for (k, v) in own {
            if !schema::is_empty(v) {
                report[k] = v.clone();
            }
        }
    }
    report
}

fn where_label(label: &str) -> String {
    if label.is_empty() {
        "學校資料".to_string()
    } else {
        label.to_string()
    }
}

/// The closest known key, when it is close enough to be a typo.
fn did_you_mean<'k>(key: &str, known: &[&'k str]) -> Option<&'k str> {
    known
        .iter()
        .map(|k| (strsim::jaro_winkler(key, k), *k))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

fn lookup<'v>(data: &'v Value, path: &[Seg]) -> Option<&'v Value> {
    path.iter().try_fold(data, |v, seg| match seg {
        Seg::Key(k) => v.get(k),
        Seg::Index(i) => v.get(i),
    })
}

fn is_placeholder(v: Option<&Value>) -> bool {
    matches!(v, Some(Value::String(s)) if s.contains(PLACEHOLDER))
}

fn show(v: &Value) -> String {
    match v {
        Value::String(s) => format!("「{s}」"),
        other => other.to_string(),
    }
}

/// The data without empty values (null, blank or placeholder text, empty lists, and optional
/// mappings with nothing in them).
fn prune(schema: &Schema, path: &mut Vec<Seg>, v: &Value) -> Option<Value> {
    match v {
        Value::Object(map) => {
            let mut kept = serde_json::Map::new();
            for (k, item) in map {
                path.push(Seg::Key(k.clone()));
                if let Some(item) = prune(schema, path, item) {
                    kept.insert(k.clone(), item);
                }
                path.pop();
            }
            // A required mapping's emptiness is the schema's to report, field by field.
            let required = match path.split_last() {
                None => true,
                Some((Seg::Key(k), parent)) => schema.required(parent).contains(&k.as_str()),
                Some((Seg::Index(_), _)) => false,
            };
            (required || !kept.is_empty()).then_some(Value::Object(kept))
        }
        Value::Array(items) => {
            let mut kept = Vec::new();
            for (i, item) in items.iter().enumerate() {
                path.push(Seg::Index(i));
                kept.extend(prune(schema, path, item));
                path.pop();
            }
            (!kept.is_empty()).then_some(Value::Array(kept))
        }
        other => (!schema::is_empty(other)).then(|| other.clone()),
    }
}

/// Where a field is in the file: `(position, whether the key is there)`. A field that is absent
/// points at the mapping it belongs in (its key line), or the top of the file.
pub fn position(root: &Node, path: &[Seg]) -> (Pos, bool) {
    let mut node = root;
    let mut pos = START;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_get_a_suggestion() {
        let known = ["name", "short_name", "township", "contacts"];
        assert_eq!(did_you_mean("contact", &known), Some("contacts"));
        assert_eq!(did_you_mean("townshp", &known), Some("township"));
        assert_eq!(did_you_mean("zzz", &known), None);
    }

    #[test]
    fn absent_fields_point_at_their_mapping() {
        let root =
            crate::yaml::parse("name: a\nciso:\n  title: 校長\nteam:\n  - name: b\n").unwrap();
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
        assert_eq!(position(&root, &[key("plan")]), (START, false));
    }
}
