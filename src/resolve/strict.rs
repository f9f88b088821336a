//! Strict templates: every name a template of the county's text uses, in what it prints and in
//! its conditions, is checked against the [`Shape`] of what it is rendered with. Tera prints a
//! map as `[object]` and takes a misspelled name in a condition as false; here both are errors
//! at their file, line and column, with the name that was probably meant.

use std::collections::BTreeMap;
use std::path::Path;

use tera::ast::{Expr, ExprVal, Node};

use super::shape::{Found, Shape, school_title};
use crate::base::diagnostics::{Pos, SourceError, did_you_mean};
use crate::source::schema::Schema;

/// Where a template came from, for the positions of its errors.
pub struct Source<'a> {
    pub text: &'a str,
    pub file: &'a Path,
    /// The file's line the text starts at.
    pub first_line: usize,
}

/// Checks one compiled template; `scope` holds the names it is rendered with, and `schema`
/// titles the school's fields (`school.*`) in a message.
pub fn check(
    ast: &[Node],
    scope: &Shape,
    schema: Option<&Schema>,
    source: &Source,
) -> Vec<SourceError> {
    let mut checker = Checker {
        scope,
        schema,
        source,
        frames: vec![BTreeMap::new()],
        present: Vec::new(),
        errors: Vec::new(),
    };
    checker.nodes(ast);
    checker.errors
}

struct Checker<'a> {
    scope: &'a Shape,
    schema: Option<&'a Schema>,
    source: &'a Source<'a>,
    /// The template's own variables (`set`, `for`, a macro's arguments), innermost last.
    frames: Vec<BTreeMap<String, Shape>>,
    /// Names a condition around this point asked to be there: `{% if docs["x"] %}` lets its
    /// body use `docs["x"].url` though the county may lack it.
    present: Vec<String>,
    errors: Vec<SourceError>,
}

/// Filters that give back what they were given (or a part of a list, still a list).
const SAME_SHAPE: [&str; 7] = [
    "default", "safe", "filter", "sort", "reverse", "unique", "slice",
];
/// Filters that give one item of a list.
const ITEM: [&str; 3] = ["first", "last", "nth"];
/// Filters that give text whatever they are given.
const TEXT: [&str; 19] = [
    "length",
    "training",
    "number",
    "join",
    "roc_date",
    "date",
    "upper",
    "lower",
    "trim",
    "replace",
    "capitalize",
    "title",
    "truncate",
    "wordcount",
    "escape",
    "json_encode",
    "as_str",
    "round",
    "striptags",
];

impl Checker<'_> {
    fn nodes(&mut self, nodes: &[Node]) {
        for node in nodes {
            self.node(node);
        }
    }

    fn node(&mut self, node: &Node) {
        match node {
            Node::VariableBlock(_, expr) => {
                let shape = self.expr(expr);
                if let ExprVal::Ident(name) = &expr.val {
                    self.printed(name, &shape);
                }
            }
            Node::Set(_, set) => {
                let shape = self.expr(&set.value);
                let frame = if set.global {
                    self.frames.first_mut()
                } else {
                    self.frames.last_mut()
                };
                frame.expect("a frame").insert(set.key.clone(), shape);
            }
            Node::FilterSection(_, section, _) => {
                for arg in section.filter.args.values() {
                    self.expr(arg);
                }
                self.nodes(&section.body);
            }
            Node::Block(_, block, _) => self.nodes(&block.body),
            Node::Forloop(_, each, _) => {
                let container = self.expr(&each.container);
                let mut frame = BTreeMap::new();
                frame.insert("loop".to_string(), Shape::Any);
                match &each.key {
                    Some(key) => {
                        frame.insert(key.clone(), Shape::Text);
                        frame.insert(each.value.clone(), map_values(&container));
                    }
                    None => {
                        let item = match container {
                            Shape::List(item) => *item,
                            _ => Shape::Any,
                        };
                        frame.insert(each.value.clone(), item);
                    }
                }
                self.frames.push(frame);
                self.nodes(&each.body);
                self.frames.pop();
                if let Some(empty) = &each.empty_body {
                    self.nodes(empty);
                }
            }
            Node::If(branches, _) => {
                for (_, condition, body) in &branches.conditions {
                    let asked = self.condition(condition);
                    let before = self.present.len();
                    self.present.extend(asked);
                    self.nodes(body);
                    self.present.truncate(before);
                }
                if let Some((_, body)) = &branches.otherwise {
                    self.nodes(body);
                }
            }
            Node::MacroDefinition(_, def, _) => {
                self.frames
                    .push(def.args.keys().map(|k| (k.clone(), Shape::Any)).collect());
                self.nodes(&def.body);
                self.frames.pop();
            }
            _ => {}
        }
    }

    /// Checks a condition: a name it only asks to be there may be an entry the county lacks
    /// (`{% if docs["x"] %}`, `{% if county.terms.x is defined %}`).
    /// Gives the names the condition asks to be there when it holds.
    fn condition(&mut self, expr: &Expr) -> Vec<String> {
        match &expr.val {
            ExprVal::Ident(name) if expr.filters.is_empty() => {
                self.name(name, true);
                if expr.negated {
                    Vec::new()
                } else {
                    vec![name.clone()]
                }
            }
            ExprVal::Logic(l) => {
                let mut asked = self.condition(&l.lhs);
                asked.extend(self.condition(&l.rhs));
                asked
            }
            _ => {
                self.expr(expr);
                Vec::new()
            }
        }
    }

    /// Checks an expression and gives the shape of its value.
    fn expr(&mut self, expr: &Expr) -> Shape {
        let mut shape = match &expr.val {
            ExprVal::Ident(name) => self.name(name, false),
            ExprVal::Test(test) => {
                let probe = matches!(test.name.as_str(), "defined" | "undefined");
                self.name(&test.ident, probe);
                test.args.iter().for_each(|a| drop(self.expr(a)));
                Shape::Text
            }
            ExprVal::Math(m) => {
                self.expr(&m.lhs);
                self.expr(&m.rhs);
                Shape::Text
            }
            ExprVal::Logic(l) => {
                self.expr(&l.lhs);
                self.expr(&l.rhs);
                Shape::Text
            }
            ExprVal::In(i) => {
                self.expr(&i.lhs);
                self.expr(&i.rhs);
                Shape::Text
            }
            ExprVal::StringConcat(concat) => {
                for value in &concat.values {
                    if let ExprVal::Ident(name) = value {
                        let shape = self.name(name, false);
                        self.printed(name, &shape);
                    }
                }
                Shape::Text
            }
            ExprVal::Array(items) => {
                items.iter().for_each(|i| drop(self.expr(i)));
                Shape::List(Box::new(Shape::Any))
            }
            ExprVal::FunctionCall(call) => {
                call.args.values().for_each(|a| drop(self.expr(a)));
                Shape::Any
            }
            ExprVal::MacroCall(call) => {
                call.args.values().for_each(|a| drop(self.expr(a)));
                Shape::Any
            }
            ExprVal::String(_) | ExprVal::Int(_) | ExprVal::Float(_) | ExprVal::Bool(_) => {
                Shape::Text
            }
        };
        for filter in &expr.filters {
            filter.args.values().for_each(|a| drop(self.expr(a)));
            let name = filter.name.as_str();
            shape = if SAME_SHAPE.contains(&name) {
                shape
            } else if ITEM.contains(&name) {
                match shape {
                    Shape::List(item) => *item,
                    _ => Shape::Any,
                }
            } else if TEXT.contains(&name) {
                Shape::Text
            } else {
                Shape::Any
            };
        }
        shape
    }

    /// The shape of a name (`school.ciso.name`, `docs["incident-procedure"].url`); a name
    /// nothing holds is an error, said once per template. With `probe`, the name is only asked
    /// whether it is there.
    fn name(&mut self, name: &str, probe: bool) -> Shape {
        let parts = parts(name);
        let Some(Some(first)) = parts.first() else {
            return Shape::Any;
        };
        let local = self.frames.iter().rev().find_map(|f| f.get(first));
        let (root, path) = match local {
            Some(shape) => (shape, &parts[1..]),
            None => (self.scope, &parts[..]),
        };
        match root.find(path, probe) {
            Found::Shape(shape) => shape.clone(),
            Found::Unknown { .. } if self.is_present(name) => Shape::Any,
            Found::Unknown { at, keys } => {
                let offset = parts.len() - path.len();
                let shown = shown(&parts[..offset + at]);
                let wrong = parts[offset + at].as_deref().unwrap_or("[…]");
                let mut known: Vec<&str> = keys;
                if local.is_none() && at == 0 {
                    known.extend(
                        self.frames
                            .iter()
                            .flat_map(|f| f.keys().map(String::as_str)),
                    );
                }
                let mut message = unknown(name, &shown, wrong, &known);
                // A school field meant: said with its Chinese title.
                let meant = did_you_mean(wrong, &known);
                if let (None, Some(schema), Some(k), Some(Some(root))) =
                    (local, self.schema, meant, parts.first())
                    && root == "school"
                    && at > 0
                {
                    let mut field = parts[1..at].to_vec();
                    field.push(Some(k.to_string()));
                    let title = school_title(schema, &field);
                    if !title.is_empty() {
                        message = message.replacen("？", &format!("（{title}）？"), 1);
                    }
                }
                // The law cited by a county that has not set it (an older county.yaml).
                if local.is_none()
                    && at == 1
                    && known.is_empty()
                    && matches!(parts.first(), Some(Some(root)) if root == "law")
                {
                    message.push_str(
                        "；county.yaml 沒有 law 一節：請加入所引用之法規（法律名稱、條次、子法名稱及版本），\
                         格式見 README「自舊版升級」",
                    );
                }
                self.error(name, message);
                Shape::Any
            }
        }
    }

    /// Whether a condition around this point asked for `name` or what holds it.
    fn is_present(&self, name: &str) -> bool {
        self.present.iter().any(|p| {
            name.strip_prefix(p.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
        })
    }

    /// A map or a list printed as text: tera would print `[object]`.
    fn printed(&mut self, name: &str, shape: &Shape) {
        let message = match shape {
            Shape::Map(keys) => {
                let keys: Vec<&str> = keys.keys().map(String::as_str).collect();
                // A role's training was a number before it was a map: say what took its place.
                let hint = if keys.contains(&"text") && keys.contains(&"yearly") {
                    format!(
                        "；請改用 `{name}.text`（整句）、`{name}.yearly`（每年時數），或 \
                         `{name} | training(professional=…, general=…)`（以本縣用語組句）"
                    )
                } else {
                    ["text", "name", "title"]
                        .into_iter()
                        .find(|k| keys.contains(k))
                        .or(keys.first().copied())
                        .map(|k| format!("；請改用其中一項，例如 `{name}.{k}`"))
                        .unwrap_or_default()
                };
                format!(
                    "`{name}` 是一組資料（{}），不是文字，印出會成為「[object]」{hint}",
                    keys.join("、"),
                )
            }
            Shape::List(_) => format!(
                "`{name}` 是清單，不是文字：請以 {{% for %}} 逐項列出，或用 \
                 `{name} | join(sep=\"、\")`"
            ),
            Shape::Open(_) | Shape::Entries(_) => {
                format!("`{name}` 是一組資料，不是文字：請指定其中一項")
            }
            _ => return,
        };
        self.error(name, message);
    }

    fn error(&mut self, name: &str, message: String) {
        let pos = position(self.source, name);
        let error = SourceError::new(self.source.file, Some(pos), message);
        if !self.errors.contains(&error) {
            self.errors.push(error);
        }
    }
}

/// What iterating a map with `key, value` gives as the value.
fn map_values(shape: &Shape) -> Shape {
    match shape {
        Shape::Map(keys) => keys
            .values()
            .cloned()
            .reduce(Shape::union)
            .unwrap_or(Shape::Any),
        Shape::Open(value) => (**value).clone(),
        _ => Shape::Any,
    }
}

/// A name's parts: keys (`a.b`, `a["b-c"]`, `a.0`) or `None` for an index the template
/// computes (`a[i]`).
fn parts(name: &str) -> Vec<Option<String>> {
    let mut out = Vec::new();
    let mut rest = name;
    while !rest.is_empty() {
        if let Some(inner) = rest.strip_prefix('[') {
            let end = inner.find(']').unwrap_or(inner.len());
            let key = inner[..end].trim();
            let quoted = key
                .strip_prefix('"')
                .and_then(|k| k.strip_suffix('"'))
                .or_else(|| key.strip_prefix('\'').and_then(|k| k.strip_suffix('\'')));
            out.push(match quoted {
                Some(k) => Some(k.to_string()),
                None if key.bytes().all(|b| b.is_ascii_digit()) => Some(key.to_string()),
                None => None,
            });
            rest = inner.get(end + 1..).unwrap_or("");
        } else {
            let end = rest.find(['.', '[']).unwrap_or(rest.len());
            out.push(Some(rest[..end].to_string()));
            rest = &rest[end..];
        }
        rest = rest.strip_prefix('.').unwrap_or(rest);
    }
    out
}

fn shown(parts: &[Option<String>]) -> String {
    let mut out = String::new();
    for part in parts {
        match part {
            Some(k) if k.chars().all(|c| c.is_alphanumeric() || c == '_') => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Some(k) => out.push_str(&format!("[\"{k}\"]")),
            None => out.push_str("[…]"),
        }
    }
    out
}

fn unknown(name: &str, within: &str, wrong: &str, known: &[&str]) -> String {
    let whose = if within.is_empty() {
        "計畫內容可用之名稱".to_string()
    } else {
        format!("`{within}`")
    };
    let hint = match did_you_mean(wrong, known) {
        Some(k) if within.is_empty() => format!("；是否為 `{k}`？"),
        Some(k) => format!("；是否為 `{within}.{k}`？"),
        None if known.is_empty() => String::new(),
        None => format!("；可用：{}", known.join("、")),
    };
    if within.is_empty() {
        format!("`{name}` 不存在：{whose}沒有 `{wrong}`{hint}")
    } else {
        format!("`{name}` 不存在：{whose} 沒有 `{wrong}`{hint}")
    }
}

/// Where `name` first stands in the template's text (its first line when tera rewrote it).
fn position(source: &Source, name: &str) -> Pos {
    let text = source.text;
    let found = text
        .match_indices(name)
        .find(|(at, _)| {
            let before = text[..*at].chars().last();
            let after = text[at + name.len()..].chars().next();
            !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.')
                && !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
        })
        .map(|(at, _)| at);
    match found {
        Some(at) => Pos::in_text(text, at, source.first_line),
        None => Pos {
            line: source.first_line as u64,
            column: 1,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn errors(template: &str, data: serde_json::Value) -> Vec<String> {
        let mut tera = tera::Tera::default();
        tera.add_raw_template("t", template).unwrap();
        let ast = &tera.get_template("t").unwrap().ast;
        let source = Source {
            text: template,
            file: Path::new("plan/01.md"),
            first_line: 3,
        };
        check(ast, &Shape::of(&data), None, &source)
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn a_misspelled_name_is_an_error_with_what_was_meant() {
        let data = json!({ "school": { "ciso": { "name": "甲", "title": "校長" } } });
        let found = errors(
            "資安長：\n{% if school.ciso.nmae %}有{% endif %}",
            data.clone(),
        );
        assert_eq!(
            found,
            [
                "plan/01.md:4:7: `school.ciso.nmae` 不存在：`school.ciso` 沒有 `nmae`；是否為 `school.ciso.name`？"
            ]
        );
        let found = errors("{{ shcool.ciso.name }}", data);
        assert!(found[0].contains("是否為 `school`？"), "{found:?}");
    }

    #[test]
    fn a_map_printed_as_text_is_an_error() {
        let data =
            json!({ "level": { "training": { "it": { "yearly": 12, "text": "每年 12 小時" } } } });
        let found = errors("至少 {{ level.training.it }} 小時", data.clone());
        assert!(found[0].contains("印出會成為「[object]」"), "{found:?}");
        assert!(found[0].contains("`level.training.it.text`"), "{found:?}");
        assert!(errors("{{ level.training.it.text }}", data.clone()).is_empty());
        assert!(errors("{{ level.training | length }}", data).is_empty());
    }

    #[test]
    fn the_templates_own_variables_have_the_shape_of_what_they_hold() {
        let data = json!({
            "school": { "team": [{ "name": "甲" }] },
            "county": { "documents": { "discipline": "獎懲辦法" } },
            "docs": { "incident-procedure": { "title": "通報程序", "url": "/x" } },
        });
        let ok = "{% for m in school.team | default(value=[]) %}{{ m.name }}{% if not loop.last %}、{% endif %}{% endfor %}\
                  {% for key, name in county.documents %}{{ key }}{{ name }}{% endfor %}\
                  {% set t = school.team | first %}{{ t.name }}{{ docs[\"incident-procedure\"].url }}";
        assert_eq!(errors(ok, data.clone()), Vec::<String>::new());
        let found = errors(
            "{% for m in school.team %}{{ m.nmae }}{% endfor %}",
            data.clone(),
        );
        assert!(found[0].contains("是否為 `m.name`？"), "{found:?}");
        let found = errors("{{ county.document.discipline }}", data.clone());
        assert!(
            found[0].contains("是否為 `county.documents`？"),
            "{found:?}"
        );
        let found = errors("{{ docs[\"incident\"].url }}", data);
        assert!(found[0].contains("`docs` 沒有 `incident`"), "{found:?}");
    }

    #[test]
    fn an_entry_the_county_lacks_may_be_asked_for_and_used_where_it_is_there() {
        let data = json!({ "docs": {} });
        let mut scope = Shape::of(&data);
        if let Shape::Map(names) = &mut scope {
            names.insert("docs".into(), Shape::Entries(Default::default()));
        }
        let check = |t: &str| {
            let mut tera = tera::Tera::default();
            tera.add_raw_template("t", t).unwrap();
            let source = Source {
                text: t,
                file: Path::new("a.md"),
                first_line: 1,
            };
            check(&tera.get_template("t").unwrap().ast, &scope, None, &source).len()
        };
        assert_eq!(
            check("{% if docs[\"x\"] %}{{ docs[\"x\"].url }}{% else %}無{% endif %}"),
            0
        );
        assert_eq!(check("{% if docs.x is defined %}有{% endif %}"), 0);
        assert_eq!(check("{{ docs[\"x\"].url }}"), 1);
        assert_eq!(
            check("{% if not docs[\"x\"] %}{{ docs[\"x\"].url }}{% endif %}"),
            1
        );
    }

    #[test]
    fn names_are_read_as_tera_writes_them() {
        assert_eq!(
            parts("docs[\"a-b\"].url"),
            [Some("docs".into()), Some("a-b".into()), Some("url".into())]
        );
        assert_eq!(parts("a[i].b"), [Some("a".into()), None, Some("b".into())]);
        assert_eq!(parts("a.0"), [Some("a".into()), Some("0".into())]);
    }
}
