//! The resolve stage: the county's text and one school's data become the school's plan as plain
//! data, a [`ResolvedPlan`] with every value in place: the plan's blocks by chapter and section
//! id (county text and the school's own parts), the cover, the revision record and the filled-in
//! forms. Renderers only read it; a fingerprint hashes it; it serializes, so that an edition can
//! keep it and two of them can be compared.

pub mod forms;
mod level;
mod scopes;
mod shape;
mod strict;
pub mod templates;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use tera::Context;

use crate::base::diagnostics::SourceError;
use crate::base::roc::Date;
use crate::base::routes::Route;
use crate::model::{Profile, SchoolData, SchoolSummary};
use crate::source::plan::{self, OVERRIDE_CLOSE, OverrideMode, Piece};
use crate::source::{County, PolicyDoc, SchoolSource};
use forms::Form;
use shape::Shape;
use templates::ContentTemplates;

/// The county's text compiled once: plan blocks and shared documents.
pub struct CountyText {
    templates: ContentTemplates,
    /// What a plan block or a school's own text may name.
    school_scope: Shape,
}

impl CountyText {
    /// Compiles every block and shared document, and checks every name they and the forms
    /// use; an error here breaks every school.
    pub fn compile(county: &County) -> Result<CountyText, Vec<SourceError>> {
        let mut templates = ContentTemplates::new(county.config.numbers);
        let blocks = || county.chapters.iter().flat_map(|c| &c.blocks);
        let mut errors: Vec<SourceError> = blocks()
            .filter_map(|b| {
                templates
                    .add(&b.template, &b.body, &b.file, b.body_line)
                    .err()
            })
            .collect();
        for doc in &county.docs {
            let name = doc_template(&doc.id);
            errors.extend(
                templates
                    .add(&name, &doc.body, &doc.file, doc.body_line)
                    .err(),
            );
        }
        let school_scope = scopes::school(county);
        let doc_scope = scopes::doc(county);
        for b in blocks() {
            errors.extend(templates.check(
                &b.template,
                &school_scope,
                &county.schema,
                &b.body,
                &b.file,
                b.body_line,
            ));
        }
        for doc in &county.docs {
            let name = doc_template(&doc.id);
            errors.extend(templates.check(
                &name,
                &doc_scope,
                &county.schema,
                &doc.body,
                &doc.file,
                doc.body_line,
            ));
        }
        errors.extend(scopes::check_forms(county));
        if errors.is_empty() {
            Ok(CountyText {
                templates,
                school_scope,
            })
        } else {
            Err(errors)
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResolvedPlan {
    pub school: SchoolSummary,
    pub cover: Cover,
    pub revisions: Vec<Revision>,
    /// The marker of an empty revision record.
    pub revisions_missing: Option<String>,
    pub chapters: Vec<PlanChapter>,
    /// Where the school's text differs from the county's.
    pub deviations: Vec<Deviation>,
    pub forms: Vec<Form>,
    /// The school's values (markers in place), for the print template's own use.
    pub values: Value,
    /// Markers of mandatory lists that are empty, by field path.
    pub missing_lists: Map<String, Value>,
}

/// What the cover says; each value may be a 【待填】 marker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cover {
    pub name: String,
    pub edition: String,
    /// The plan's date in the ROC calendar.
    pub date: String,
    /// 資通安全責任等級, `D 級`.
    pub level: String,
    pub ciso_title: String,
    pub ciso_name: String,
}

/// One row of the 文件制／修訂紀錄表.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Revision {
    pub version: String,
    /// ROC date.
    pub date: String,
    pub content: String,
    pub unit: String,
    pub reviser: String,
    pub approver: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanChapter {
    pub id: String,
    /// The heading line as written: `# 依據及目的 {#basis}`.
    pub heading: String,
    pub parts: Vec<PlanPart>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PlanPart {
    /// A section of the county text opens.
    Section { id: String, heading: String },
    /// The county's text of block `block`, the school's values in place.
    County { block: String, markdown: String },
    /// The school's own text replacing or added to block `target`.
    School {
        target: String,
        mode: OverrideMode,
        markdown: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deviation {
    pub target: String,
    pub mode: OverrideMode,
}

impl ResolvedPlan {
    /// The whole plan as one Markdown text, the school's parts marked as regions.
    pub fn markdown(&self) -> String {
        let mut md = String::with_capacity(64 * 1024);
        for chapter in &self.chapters {
            md.push_str(&chapter.heading);
            md.push_str("\n\n");
            for part in &chapter.parts {
                match part {
                    PlanPart::Section { heading, .. } => {
                        md.push_str(heading);
                        md.push_str("\n\n");
                    }
                    PlanPart::County { markdown, .. } => {
                        md.push_str(markdown);
                        md.push('\n');
                    }
                    PlanPart::School {
                        target,
                        mode,
                        markdown,
                    } => {
                        md.push_str(&plan::override_open(*mode, target));
                        md.push_str(markdown);
                        md.push_str("\n\n");
                        md.push_str(OVERRIDE_CLOSE);
                        md.push_str("\n\n");
                    }
                }
            }
        }
        md
    }
}

/// A shared document rendered for the county (its list of schools in place), and as the
/// appendix of every plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResolvedDoc {
    pub id: String,
    pub title: String,
    pub markdown: String,
    /// The text appended to every plan: rendered with `in_plan` true, so that the document can
    /// leave out what is the county's and not the school's (the list of every school). A
    /// document released before this existed is appended as it was published.
    #[serde(default)]
    pub in_plan: Option<String>,
}

impl ResolvedDoc {
    /// The Markdown that follows each plan.
    pub fn appended(&self) -> &str {
        self.in_plan.as_deref().unwrap_or(&self.markdown)
    }
}

/// Every shared document, with the list of the county's schools (`schools`), once for its own
/// page and once as the appendix of every plan (`in_plan` true).
pub fn resolve_docs(
    county: &County,
    text: &CountyText,
    schools: &[SchoolSummary],
) -> Result<Vec<ResolvedDoc>, SourceError> {
    county
        .docs
        .iter()
        .map(|doc: &PolicyDoc| {
            let render = |in_plan: bool| {
                let mut ctx = Context::new();
                ctx.insert("county", &county.config);
                ctx.insert("law", &county.config.law);
                ctx.insert("schools", schools);
                ctx.insert("in_plan", &in_plan);
                text.templates
                    .render(&doc_template(&doc.id), &ctx, &doc.file, doc.body_line)
            };
            Ok(ResolvedDoc {
                id: doc.id.clone(),
                title: doc.title.clone(),
                markdown: render(false)?,
                in_plan: Some(render(true)?),
            })
        })
        .collect()
}

/// One school's plan. A school's own text that does not compile or render fails that school.
/// `cited` names the edition of each shared document the plan links to (by document id; the
/// document's own address for the rest).
pub fn resolve_school(
    county: &County,
    text: &CountyText,
    source: &SchoolSource,
    data: &SchoolData,
    profile: Profile,
    cited: &std::collections::BTreeMap<String, String>,
) -> Result<ResolvedPlan, Vec<SourceError>> {
    let overrides = source.overrides.as_deref().map_err(Clone::clone)?;
    let mut own = ContentTemplates::new(county.config.numbers);
    let errors: Vec<SourceError> = overrides
        .iter()
        .filter_map(|o| own.add(&o.template, &o.body, &o.file, o.body_line).err())
        .collect();
    let errors: Vec<SourceError> = if errors.is_empty() {
        overrides
            .iter()
            .flat_map(|o| {
                own.check(
                    &o.template,
                    &text.school_scope,
                    &county.schema,
                    &o.body,
                    &o.file,
                    o.body_line,
                )
            })
            .collect()
    } else {
        errors
    };
    if !errors.is_empty() {
        return Err(errors);
    }

    let level = level::context(county, &data.values);
    let report = &data.report;
    let docs: Map<String, Value> = county
        .docs
        .iter()
        .map(|d| {
            let url = match cited.get(&d.id) {
                Some(version) if version != crate::base::routes::DRAFT => Route::DocEdition {
                    doc: d.id.clone(),
                    version: version.clone(),
                },
                _ => Route::Doc(d.id.clone()),
            }
            .site_link();
            (d.id.clone(), json!({ "title": d.title, "url": url }))
        })
        .collect();
    let mut ctx = Context::new();
    ctx.insert("school", &data.values);
    ctx.insert("missing", &data.missing_lists);
    ctx.insert("county", &county.config);
    ctx.insert("law", &county.config.law);
    ctx.insert("level", &level);
    ctx.insert("report", report);
    ctx.insert("docs", &docs);
    ctx.insert("forms", &county.forms);
    // `public` or `internal`: the county's text may say more on the signed copy.
    ctx.insert("profile", profile.as_str());

    let mut chapters: Vec<PlanChapter> = Vec::new();
    for piece in plan::assemble(&county.chapters, overrides) {
        let part = match piece {
            Piece::Heading(b) if b.level == 1 => {
                chapters.push(PlanChapter {
                    id: b.id.clone(),
                    heading: b.heading.clone(),
                    parts: Vec::new(),
                });
                continue;
            }
            Piece::Heading(b) => PlanPart::Section {
                id: b.id.clone(),
                heading: b.heading.clone(),
            },
            Piece::County(b) => PlanPart::County {
                block: b.id.clone(),
                markdown: text
                    .templates
                    .render(&b.template, &ctx, &b.file, b.body_line)
                    .map_err(|e| vec![e])?,
            },
            Piece::School(o) => PlanPart::School {
                target: o.target.clone(),
                mode: o.mode,
                markdown: own
                    .render(&o.template, &ctx, &o.file, o.body_line)
                    .map_err(|e| vec![e])?,
            },
        };
        chapters
            .last_mut()
            .expect("a plan starts with a chapter heading")
            .parts
            .push(part);
    }

    let lookup = forms::lookup(&data.values, &level, report, &json!(county.config.law));
    let forms = county
        .forms
        .iter()
        .map(|f| forms::resolve(f, &data.name, &lookup))
        .collect();
    let value = |pointer: &str| text_of(data.values.pointer(pointer));
    Ok(ResolvedPlan {
        school: SchoolSummary::new(&data.id, Some(data)),
        cover: Cover {
            name: data.name.clone(),
            edition: value("/plan/version"),
            date: Date::long_from_iso(&value("/plan/date")),
            level: text_of(level.get("name")),
            ciso_title: value("/ciso/title"),
            ciso_name: value("/ciso/name"),
        },
        revisions: revisions(&data.values),
        revisions_missing: data
            .missing_lists
            .get("plan.revisions")
            .map(|m| text_of(Some(m))),
        chapters,
        deviations: overrides
            .iter()
            .map(|o| Deviation {
                target: o.target.clone(),
                mode: o.mode,
            })
            .collect(),
        forms,
        values: data.values.clone(),
        missing_lists: data.missing_lists.clone(),
    })
}

fn revisions(values: &Value) -> Vec<Revision> {
    values
        .pointer("/plan/revisions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|r| Revision {
            version: text_of(r.get("version")),
            date: Date::long_from_iso(&text_of(r.get("date"))),
            content: text_of(r.get("content")),
            unit: text_of(r.get("unit")),
            reviser: text_of(r.get("reviser")),
            approver: text_of(r.get("approver")),
        })
        .collect()
}

/// A value as text: strings as they are, numbers written out, nothing for the rest.
fn text_of(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

fn doc_template(id: &str) -> String {
    format!("docs/{id}")
}
