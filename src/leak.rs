//! The public copy's last guard. Sensitive values are removed when a school's data is validated,
//! so that no page or PDF has them; this check does not trust that: every file of a public copy
//! (pages and the CSV by the text they show, PDFs by the text laid out in them, a school's files
//! kept from the previous site too) is searched for every value the schema marks `x-sensitive`
//! in every school's file. A county's own text or a school's own words can still carry one (an
//! IP typed into an override, a phone in a free-text note).

use std::collections::HashSet;

use aho_corasick::AhoCorasick;

use crate::source::County;
use crate::source::schema::{PLACEHOLDER, Schema, Seg, dotted};
use crate::source::yaml::{Kind, Node};

/// Values shorter than this are too common to search for (an extension such as `211`).
const SHORTEST: usize = 6;

/// Whose value it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    pub school: String,
    /// Dotted path (`core_systems.0.ip`) and the field's Chinese title.
    pub field: String,
    pub label: String,
}

/// A sensitive value found in a file of the site; the value itself is never repeated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leak {
    pub file: String,
    pub owner: Owner,
}

impl std::fmt::Display for Leak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "`{}` shows the {}（{}）of school `{}`, which the schema keeps off the public site",
            self.file, self.owner.label, self.owner.field, self.owner.school
        )
    }
}

pub struct Secrets {
    matcher: Option<AhoCorasick>,
    owners: Vec<Owner>,
}

impl Secrets {
    /// Every sensitive value of every school file that could be read, as written (of one with
    /// 「○」 placeholders, the parts between them). Left out: a value the county publishes
    /// itself, in its config or in a plain field of any school (a contact whose phone is a
    /// school's switchboard or the county's window).
    pub fn collect(county: &County) -> Secrets {
        Secrets::gather(county, None)
    }

    /// The same, of every school but `own`, for what is handed to `own` (its kit): a value
    /// `own` holds itself, sensitive or not, is its own to have (a system the county runs for
    /// several schools has one IP in each of their files).
    pub fn of_others(county: &County, own: &str) -> Secrets {
        Secrets::gather(county, Some(own))
    }

    fn gather(county: &County, own: Option<&str>) -> Secrets {
        let mut public = HashSet::new();
        strings(&serde_json::json!(county.config), &mut public);
        let mut secret = Vec::new();
        for school in &county.schools {
            let Ok(node) = &school.data else { continue };
            let mine = own == Some(school.id.as_str());
            for (value, path, sensitive) in scalars(&county.schema, node) {
                if !sensitive || mine {
                    public.insert(value);
                    continue;
                }
                for piece in value.split(PLACEHOLDER) {
                    if piece.chars().count() >= SHORTEST {
                        secret.push((piece.to_string(), school.id.clone(), path.clone()));
                    }
                }
            }
        }
        let (values, owners): (Vec<String>, Vec<Owner>) = secret
            .into_iter()
            .filter(|(value, _, _)| !public.contains(value))
            .map(|(value, school, path)| {
                let owner = Owner {
                    school,
                    field: dotted(&path),
                    label: county.schema.title(&path),
                };
                (value, owner)
            })
            .unzip();
        Secrets::new(values, owners)
    }

    fn new(values: Vec<String>, owners: Vec<Owner>) -> Secrets {
        let matcher = (!values.is_empty())
            .then(|| AhoCorasick::new(&values).expect("plain strings build a matcher"));
        Secrets { matcher, owners }
    }

    /// The sensitive values a file's text holds; white space and invisible characters are
    /// ignored (a value may wrap in a PDF).
    pub fn find(&self, file: &str, text: &str) -> Vec<Leak> {
        let Some(matcher) = &self.matcher else {
            return Vec::new();
        };
        let text = squeeze(text);
        let mut found: Vec<Leak> = matcher
            .find_overlapping_iter(&text)
            .map(|m| Leak {
                file: file.to_string(),
                owner: self.owners[m.pattern().as_usize()].clone(),
            })
            .collect();
        found.dedup();
        found
    }
}

/// The text a page shows: its tags dropped and the entities of escaped text read back, so
/// that markup inside a value (`163.27.<b></b>2.58`) hides nothing.
pub fn page_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Every string of a JSON value, squeezed.
fn strings(value: &serde_json::Value, out: &mut HashSet<String>) {
    match value {
        serde_json::Value::String(s) => {
            out.insert(squeeze(s));
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
        serde_json::Value::Object(map) => map.values().for_each(|v| strings(v, out)),
        _ => {}
    }
}

/// Each scalar of a field the schema knows, squeezed, with its path and whether it stands under
/// a sensitive field, whatever the YAML's form of it. Keys the schema does not know are
/// published nowhere, so they are neither.
fn scalars(schema: &Schema, node: &Node) -> Vec<(String, Vec<Seg>, bool)> {
    fn walk(
        schema: &Schema,
        node: &Node,
        path: &mut Vec<Seg>,
        out: &mut Vec<(String, Vec<Seg>, bool)>,
    ) {
        let mut push = |text: String| {
            out.push((squeeze(&text), path.clone(), schema.is_sensitive(path)));
        };
        match &node.kind {
            Kind::Map(entries) => {
                for (key, value) in entries {
                    path.push(Seg::Key(key.name.clone()));
                    if schema.node(path).is_some() {
                        walk(schema, value, path, out);
                    }
                    path.pop();
                }
            }
            Kind::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    path.push(Seg::Index(i));
                    walk(schema, item, path, out);
                    path.pop();
                }
            }
            Kind::Str(s) => push(s.clone()),
            Kind::Int(i) => push(i.to_string()),
            Kind::Float(f) => push(f.to_string()),
            Kind::Null | Kind::Bool(_) => {}
        }
    }
    let mut out = Vec::new();
    walk(schema, node, &mut Vec::new(), &mut out);
    out
}

/// Without white space or invisible format characters (a zero-width space), which a reader
/// does not see either.
fn squeeze(s: &str) -> String {
    s.chars()
        .filter(|c| {
            !c.is_whitespace()
                && !matches!(c, '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}')
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::schema::BUILTIN;

    fn secrets(yaml: &str) -> Secrets {
        let schema = Schema::parse(BUILTIN, std::path::Path::new("s.yaml")).unwrap();
        let node = crate::source::yaml::parse(yaml).unwrap();
        let (values, owners) = scalars(&schema, &node)
            .into_iter()
            .filter(|(_, _, sensitive)| *sensitive)
            .map(|(value, path, _)| {
                let owner = Owner {
                    school: "a".into(),
                    field: dotted(&path),
                    label: schema.title(&path),
                };
                (value, owner)
            })
            .unzip();
        Secrets::new(values, owners)
    }

    #[test]
    fn finds_a_value_in_any_of_its_forms_and_names_whose_it_is() {
        let yaml =
            "core_systems:\n  - system: 公文\n    ip: |\n      163.27.2.58\n    IP: 10.0.0.1\n";
        let found = secrets(yaml);
        let leaks = found.find(
            "schools/a/index.html",
            &page_text("<td>主機 163.27.<b></b>\n2\u{200B}.58</td>"),
        );
        assert_eq!(leaks.len(), 1);
        assert_eq!(leaks[0].owner.field, "core_systems.0.ip");
        assert_eq!(leaks[0].owner.label, "系統 IP");
        assert!(
            !leaks[0].to_string().contains("163.27"),
            "never repeats the value"
        );
        assert!(found.find("x", "<td>公文</td>").is_empty());
        assert!(
            found.find("x", "10.0.0.1").is_empty(),
            "unknown keys are no secret"
        );
    }

    #[test]
    fn the_text_of_a_page_reads_escaped_values_back() {
        assert_eq!(
            page_text("<p>a&lt;b&gt; &amp;amp; <em>c</em></p>"),
            "a<b> &amp; c"
        );
    }
}
