//! The public copy's last guard. Sensitive values are removed when a school's data is validated,
//! so that no page or PDF has them; this check does not trust that: every file a public build
//! writes (its pages and CSV as bytes, its PDFs by the text laid out in them) is searched for
//! every value the schema marks `x-sensitive` in every school's file, and one found fails the
//! build before the site is swapped in. A county's own text or a school's own words can still
//! carry one (an IP typed into an override, a phone in a free-text note).

use std::collections::HashSet;

use aho_corasick::AhoCorasick;

use crate::schema::{PLACEHOLDER, Schema, Seg, dotted};
use crate::source::County;
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
    /// Every sensitive value of every school file that could be read, as written. Left out:
    /// placeholders (「○○」), and a value the school also gives in a field that is not
    /// sensitive (a contact whose phone is the school's switchboard).
    pub fn collect(county: &County) -> Secrets {
        let mut values = Vec::new();
        let mut owners = Vec::new();
        for school in &county.schools {
            let Ok(node) = &school.data else { continue };
            for (value, path) in school_secrets(&county.schema, node) {
                values.push(value);
                owners.push(Owner {
                    school: school.id.clone(),
                    field: dotted(&path),
                    label: county.schema.title(&path),
                });
            }
        }
        let matcher = (!values.is_empty())
            .then(|| AhoCorasick::new(&values).expect("plain strings build a matcher"));
        Secrets { matcher, owners }
    }

    /// The sensitive values `text` holds (white space ignored: a value may wrap in a PDF).
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

/// One school's sensitive values worth searching for, squeezed, with their paths.
fn school_secrets(schema: &Schema, node: &Node) -> Vec<(String, Vec<Seg>)> {
    let mut public = HashSet::new();
    let mut secret = Vec::new();
    collect(
        schema,
        node,
        &mut Vec::new(),
        false,
        &mut |path, value, sensitive| {
            let value = squeeze(value);
            if !sensitive {
                public.insert(value);
            } else if value.chars().count() >= SHORTEST && !value.contains(PLACEHOLDER) {
                secret.push((value, path.to_vec()));
            }
        },
    );
    secret.retain(|(value, _)| !public.contains(value));
    secret
}

/// Calls `found` with each scalar and whether it stands under a sensitive field, whatever the
/// YAML's form of it.
fn collect(
    schema: &Schema,
    node: &Node,
    path: &mut Vec<Seg>,
    inside: bool,
    found: &mut impl FnMut(&[Seg], &str, bool),
) {
    let inside = inside || (!path.is_empty() && schema.is_sensitive(path));
    match &node.kind {
        Kind::Map(entries) => {
            for (key, value) in entries {
                path.push(Seg::Key(key.name.clone()));
                collect(schema, value, path, inside, found);
                path.pop();
            }
        }
        Kind::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(Seg::Index(i));
                collect(schema, item, path, inside, found);
                path.pop();
            }
        }
        Kind::Str(s) => found(path, s, inside),
        Kind::Int(i) => found(path, &i.to_string(), inside),
        Kind::Float(f) => found(path, &f.to_string(), inside),
        _ => {}
    }
}

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::BUILTIN;

    fn find(yaml: &str, text: &str) -> Vec<Leak> {
        let schema = Schema::parse(BUILTIN, std::path::Path::new("s.yaml")).unwrap();
        let node = crate::source::yaml::parse(yaml).unwrap();
        let mut values = Vec::new();
        let mut owners = Vec::new();
        collect(
            &schema,
            &node,
            &mut Vec::new(),
            false,
            &mut |path, v, sensitive| {
                if !sensitive {
                    return;
                }
                values.push(squeeze(v));
                owners.push(Owner {
                    school: "a".into(),
                    field: dotted(path),
                    label: schema.title(path),
                });
            },
        );
        let secrets = Secrets {
            matcher: Some(AhoCorasick::new(&values).unwrap()),
            owners,
        };
        secrets.find("schools/a/index.html", text)
    }

    #[test]
    fn placeholders_short_values_and_values_the_school_publishes_are_no_secrets() {
        let schema = Schema::parse(BUILTIN, std::path::Path::new("s.yaml")).unwrap();
        let yaml = "phone: \"05-2619513\"\ncontacts:\n  - phone: \"05-2619513\"\n  - phone: \"05-2619513#37\"\n  - phone: \"05-○○○○○○○\"\n  - phone: \"#211\"\n";
        let node = crate::source::yaml::parse(yaml).unwrap();
        let secrets: Vec<String> = school_secrets(&schema, &node)
            .into_iter()
            .map(|(v, _)| v)
            .collect();
        assert_eq!(secrets, ["05-2619513#37"]);
    }

    #[test]
    fn finds_a_value_in_any_of_its_forms_and_names_whose_it_is() {
        let yaml = "core_systems:\n  - system: 公文\n    ip: |\n      163.27.2.58\n";
        let leaks = find(yaml, "<td>主機 163.27.\n2.58</td>");
        assert_eq!(leaks.len(), 1);
        assert_eq!(leaks[0].owner.field, "core_systems.0.ip");
        assert_eq!(leaks[0].owner.label, "系統 IP");
        assert!(
            !leaks[0].to_string().contains("163.27"),
            "never repeats the value"
        );
        assert!(find(yaml, "<td>公文</td>").is_empty());
    }
}
