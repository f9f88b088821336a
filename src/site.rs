//! The website: one page per school with its whole plan, the shared documents, the county index
//! and the static assets, all rendered in memory. Schools render in parallel; a school that fails
//! is reported and left out, the others are built.

use std::collections::BTreeMap;

use anyhow::{Context as _, Result};
use rayon::prelude::*;
use serde::Serialize;
use serde_json::{Value, json};
use tera::{Context, Tera};

use crate::check::{self, SchoolReport};
use crate::data_page;
use crate::diagnostics::SourceError;
use crate::forms;
use crate::load::{County, PolicyDoc, SchoolSource};
use crate::markdown::{self, TocEntry};
use crate::markers;
use crate::pdf::{self, PdfEngine, PdfJob};
use crate::plan::{self, OVERRIDE_CLOSE, Override, Piece};
use crate::roc::Date;
use crate::schema::Seg;
use crate::templates::{ContentTemplates, theme_templates};
use crate::typst_markup::{self, TypstOptions};

/// A file of the site: its path relative to the site root ("/"-separated) and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    pub path: String,
    pub bytes: Vec<u8>,
}

#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Only these school ids (all when empty).
    pub schools: Vec<String>,
    /// Compile each school's plan, forms and print bundle to PDF.
    pub pdf: bool,
    /// Also return the Typst sources and data of every PDF (`--emit-typst`).
    pub emit_typst: bool,
}

#[derive(Debug, Clone)]
pub enum SchoolStatus {
    Built,
    Failed(Vec<SourceError>),
}

#[derive(Debug, Clone)]
pub struct SchoolOutcome {
    pub id: String,
    pub status: SchoolStatus,
}

pub struct SiteBuild {
    pub artifacts: Vec<Artifact>,
    pub schools: Vec<SchoolOutcome>,
    /// With `emit_typst`: `<id>/main.typ`, `body.typ`, `forms.typ`, `appendix.typ`, `data.json`
    /// per school.
    pub typst_sources: Vec<Artifact>,
    /// What `check` says of every school of the county, selected or not.
    pub reports: Vec<SchoolReport>,
}

impl SiteBuild {
    pub fn failed(&self) -> impl Iterator<Item = (&str, &[SourceError])> {
        self.schools.iter().filter_map(|s| match &s.status {
            SchoolStatus::Failed(errors) => Some((s.id.as_str(), errors.as_slice())),
            SchoolStatus::Built => None,
        })
    }
}

/// What the index and the shared documents say of a school.
#[derive(Debug, Clone, Serialize)]
struct SchoolSummary {
    id: String,
    name: String,
    short_name: String,
    #[serde(rename = "type")]
    kind: String,
    township: String,
    level: String,
    edition: String,
    edition_date: String,
    overrides: usize,
    /// Relative to the site root; the templates prefix `root`.
    url: String,
}

pub fn build(county: &County, options: &BuildOptions) -> Result<SiteBuild> {
    for wanted in &options.schools {
        if !county.schools.iter().any(|s| &s.id == wanted) {
            anyhow::bail!(
                "no school `{wanted}` in `{}`",
                county.root.join("schools").display()
            );
        }
    }
    let selected: Vec<&SchoolSource> = county
        .schools
        .iter()
        .filter(|s| options.schools.is_empty() || options.schools.contains(&s.id))
        .collect();

    let mut content = ContentTemplates::new();
    for block in county.chapters.iter().flat_map(|c| &c.blocks) {
        content.add(&block.template, &block.body, &block.file, block.body_line)?;
    }
    for doc in &county.docs {
        content.add(&doc_template(&doc.id), &doc.body, &doc.file, doc.body_line)?;
    }
    // A school's own templates that do not compile fail that school only.
    let mut override_errors: BTreeMap<&str, Vec<SourceError>> = BTreeMap::new();
    for school in &selected {
        for o in school.overrides.as_deref().unwrap_or_default() {
            if let Err(e) = content.add(&o.template, &o.body, &o.file, o.body_line) {
                override_errors.entry(&school.id).or_default().push(e);
            }
        }
    }
    let theme = theme_templates(&county.theme)?;
    // Every school is checked, selected or not: the index is a dashboard of the whole county.
    let reports: Vec<SchoolReport> = county
        .schools
        .par_iter()
        .map(|s| check::check_school(county, s))
        .collect();
    let report_of = |id: &str| {
        reports
            .iter()
            .find(|r| r.school == id)
            .expect("every school is checked")
    };
    let summaries: Vec<SchoolSummary> = county.schools.iter().map(summary).collect();
    let site = Shared {
        county,
        content: &content,
        theme: &theme,
    };

    // Shared documents are rendered once; their Typst form is every PDF's appendix.
    let docs: Vec<(&PolicyDoc, String)> = county
        .docs
        .iter()
        .map(|doc| Ok((doc, site.doc_markdown(doc, &summaries)?)))
        .collect::<Result<_, SourceError>>()?;
    let engine = if options.pdf || options.emit_typst {
        Some(PdfEngine::new(&county.theme, appendix_typst(&docs))?)
    } else {
        None
    };
    let pdf = PdfStage {
        engine: engine.as_ref(),
        compile: options.pdf,
        emit: options.emit_typst,
    };

    // Typst's memoized layouts are shared across schools, so they are evicted per chunk, not
    // per document: memory stays bounded while most of the reuse is kept.
    let mut results: Vec<(SchoolOutcome, Vec<Artifact>, Vec<Artifact>)> = Vec::new();
    for chunk in selected.chunks(SCHOOLS_PER_CHUNK) {
        results.par_extend(chunk.par_iter().map(|school| {
            let errors = override_errors.get(school.id.as_str());
            match site.school(school, report_of(&school.id), errors, &pdf) {
                Ok((files, sources)) => (
                    SchoolOutcome {
                        id: school.id.clone(),
                        status: SchoolStatus::Built,
                    },
                    files,
                    sources,
                ),
                Err(errors) => (
                    SchoolOutcome {
                        id: school.id.clone(),
                        status: SchoolStatus::Failed(errors),
                    },
                    Vec::new(),
                    Vec::new(),
                ),
            }
        }));
        if engine.is_some() {
            pdf::evict_caches();
        }
    }
    let mut artifacts = Vec::new();
    let mut typst_sources = Vec::new();
    let mut outcomes = Vec::new();
    for (outcome, files, sources) in results {
        outcomes.push(outcome);
        artifacts.extend(files);
        typst_sources.extend(sources);
    }

    for (doc, markdown) in &docs {
        artifacts.push(site.doc_page(doc, markdown, &summaries)?);
    }
    artifacts.push(site.index_page(&summaries, &reports, &outcomes)?);
    artifacts.push(dashboard_csv(&summaries, &reports));
    artifacts.extend(static_files(county));
    artifacts.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(SiteBuild {
        artifacts,
        schools: outcomes,
        typst_sources,
        reports,
    })
}

/// Schools compiled between two evictions of Typst's caches. Measured on the example county
/// (plan and forms, 2 cores): 8 gives 1.3 GB peak and 57 s; 48 gave 3.5 GB and 60 s.
const SCHOOLS_PER_CHUNK: usize = 8;

/// What the PDF side of a build does.
struct PdfStage<'a> {
    engine: Option<&'a PdfEngine>,
    compile: bool,
    emit: bool,
}

/// The county's shared documents as the appendix of every plan, each under its own label so
/// that the plan's links to it stay links on paper.
fn appendix_typst(docs: &[(&PolicyDoc, String)]) -> String {
    let options = TypstOptions {
        heading_offset: 1,
        appended_docs: Vec::new(),
    };
    let mut out = String::new();
    for (doc, markdown) in docs {
        out.push_str(&format!(
            "#pagebreak(weak: true)\n#heading(level: 1)[附錄：{}] <doc-{}>\n",
            typst_markup::escape_text(&doc.title),
            doc.id
        ));
        out.push_str(&typst_markup::to_typst(markdown, &options));
    }
    out
}

struct Shared<'a> {
    county: &'a County,
    content: &'a ContentTemplates,
    theme: &'a Tera,
}

impl Shared<'_> {
    /// A school's page, and its PDF when asked: `(site files, Typst sources)`.
    fn school(
        &self,
        school: &SchoolSource,
        report: &SchoolReport,
        override_errors: Option<&Vec<SourceError>>,
        pdf: &PdfStage,
    ) -> Result<(Vec<Artifact>, Vec<Artifact>), Vec<SourceError>> {
        let data = school.data.as_ref().map_err(|e| vec![e.clone()])?;
        let overrides: &[Override] = school.overrides.as_deref().map_err(Clone::clone)?;
        if let Some(errors) = override_errors {
            return Err(errors.clone());
        }
        let raw = data.to_json();
        let (school_json, missing_lists) = markers::fill(&self.county.schema, &raw);
        let level = self.level_context(&school_json);
        let reporting = check::effective_report(self.county, &raw);

        let root = "../../";
        let mut ctx = Context::new();
        ctx.insert("school", &school_json);
        ctx.insert("missing", &missing_lists);
        ctx.insert("county", &self.county.config);
        ctx.insert("level", &level);
        ctx.insert("report", &reporting);
        ctx.insert("docs", &self.doc_links(root));
        ctx.insert("forms", &self.county.forms);

        let markdown = self.plan_markdown(&ctx, overrides).map_err(|e| vec![e])?;
        let rendered = markdown::to_html(&markdown);

        let summary = summary(school);
        let mut page = self.page_context(
            root,
            &summary.url,
            &format!("{} 資通安全維護計畫", summary.name),
        );
        page.extend(ctx);
        page.insert("summary", &summary);
        page.insert("plan_html", &rendered.html);
        page.insert("toc", &rendered.toc);
        page.insert("chapters", &chapter_toc(&rendered.toc));
        page.insert("overrides", &override_list(overrides, &rendered.toc));
        page.insert("source_file", &school.file.display().to_string());
        page.insert("plan_pdf", &pdf.compile.then_some("plan.pdf"));
        page.insert("check", &report_counts(report));
        page.insert("findings", &finding_links(report, &rendered.markers));
        let html = self
            .theme
            .render("school.html", &page)
            .map_err(|e| vec![crate::templates::template_error(&e, &school.file, 1)])?;
        let mut files = vec![
            Artifact {
                path: format!("schools/{}/index.html", school.id),
                bytes: html.into_bytes(),
            },
            self.data_page(school, &summary, report)
                .map_err(|e| vec![e])?,
        ];

        let lookup = forms::lookup(&school_json, &level, &reporting);
        let filled: Vec<Value> = (self.county.forms.iter())
            .map(|f| forms::resolve(f, &summary.name, &lookup))
            .collect();
        for form in &filled {
            files.push(self.form_page(school, &summary, form, pdf.compile)?);
        }

        let mut sources = Vec::new();
        if let Some(engine) = pdf.engine {
            let job = self.pdf_job(
                school,
                &summary,
                &school_json,
                &markdown,
                &filled,
                &missing_lists,
            );
            if pdf.emit {
                sources = typst_sources(engine, &school.id, &job);
            }
            if pdf.compile {
                let output = engine.compile(&job)?;
                for (part, bytes) in output.parts {
                    let path = match part.as_str() {
                        "plan" => "plan.pdf".to_string(),
                        slug => format!("forms/{slug}.pdf"),
                    };
                    files.push(Artifact {
                        path: format!("schools/{}/{path}", school.id),
                        bytes,
                    });
                }
                files.push(Artifact {
                    path: format!("schools/{}/bundle.pdf", school.id),
                    bytes: output.bundle,
                });
            }
        }
        Ok((files, sources))
    }

    /// The page of one filled form, for screen and print.
    fn form_page(
        &self,
        school: &SchoolSource,
        summary: &SchoolSummary,
        form: &Value,
        with_pdf: bool,
    ) -> Result<Artifact, Vec<SourceError>> {
        let slug = form["slug"].as_str().unwrap_or_default();
        let path = format!("schools/{}/forms/{slug}/index.html", school.id);
        let title = form["title"].as_str().unwrap_or_default();
        let mut page = self.page_context("../../../../", &path, title);
        page.insert("summary", summary);
        page.insert("form", form);
        page.insert("form_pdf", &with_pdf.then(|| format!("../{slug}.pdf")));
        let html = self
            .theme
            .render("form.html", &page)
            .map_err(|e| vec![crate::templates::template_error(&e, &school.file, 1)])?;
        Ok(Artifact {
            path,
            bytes: html.into_bytes(),
        })
    }

    /// The plan as a Typst document: the same Markdown, and the data the template lays out.
    fn pdf_job<'s>(
        &self,
        school: &'s SchoolSource,
        summary: &SchoolSummary,
        data: &Value,
        markdown: &str,
        forms: &[Value],
        missing: &serde_json::Map<String, Value>,
    ) -> PdfJob<'s> {
        let text = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or("").to_string();
        let revisions: Vec<Value> = data
            .pointer("/plan/revisions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|r| {
                let date = text(r.get("date"));
                json!({
                    "version": text(r.get("version")),
                    "date": Date::parse_iso(&date).map(|d| d.long()).unwrap_or(date),
                    "content": text(r.get("content")),
                    "unit": text(r.get("unit")),
                    "reviser": text(r.get("reviser")),
                    "approver": text(r.get("approver")),
                })
            })
            .collect();
        let pdf_data = json!({
            "title": format!("{} 資通安全維護計畫", summary.name),
            "author": summary.name,
            "name": summary.name,
            // From the filled data: a draft without them shows markers on its cover.
            "edition": data.pointer("/plan/version").cloned().unwrap_or_default(),
            "date": data
                .pointer("/plan/date")
                .and_then(Value::as_str)
                .map(|d| Date::parse_iso(d).map(|d| d.long()).unwrap_or(d.to_string())),
            "revisions": revisions,
            "school": data,
            "missing": missing,
            "forms": forms,
        });
        // Markers become `(missing: …)` dictionaries that the template highlights.
        let pdf_data = markers::for_typst(&pdf_data);
        let options = TypstOptions {
            heading_offset: 0,
            appended_docs: self.county.docs.iter().map(|d| d.id.clone()).collect(),
        };
        PdfJob {
            name: school.file.to_str().unwrap_or(&school.id),
            body: typst_markup::to_typst(markdown, &options),
            data: serde_json::to_vec_pretty(&pdf_data).expect("JSON values serialize"),
            // An undated draft still gets a fixed date: the bytes must not depend on the clock.
            date: data
                .pointer("/plan/date")
                .and_then(Value::as_str)
                .and_then(Date::parse_iso)
                .unwrap_or(UNDATED),
            ident: format!("planpress-{}-{}", school.id, summary.edition),
        }
    }

    /// The school's plan as one Markdown document: county text and the school's own parts.
    fn plan_markdown(&self, ctx: &Context, overrides: &[Override]) -> Result<String, SourceError> {
        let mut md = String::with_capacity(64 * 1024);
        for piece in plan::assemble(&self.county.chapters, overrides) {
            match piece {
                Piece::Heading(b) => {
                    md.push_str(&b.heading);
                    md.push_str("\n\n");
                }
                Piece::County(b) => {
                    md.push_str(
                        &self
                            .content
                            .render(&b.template, ctx, &b.file, b.body_line)?,
                    );
                    md.push('\n');
                }
                Piece::School(o) => {
                    md.push_str(&plan::override_open(o));
                    md.push_str(
                        &self
                            .content
                            .render(&o.template, ctx, &o.file, o.body_line)?,
                    );
                    md.push_str("\n\n");
                    md.push_str(OVERRIDE_CLOSE);
                    md.push_str("\n\n");
                }
            }
        }
        Ok(md)
    }

    /// The obligations of the school's level, from the county config. A level the county does
    /// not know shows markers where its obligations go (`check` reports the value).
    fn level_context(&self, data: &Value) -> Value {
        let code = data.get("level").and_then(Value::as_str).unwrap_or("");
        match self.county.config.levels.get(code) {
            Some(rules) => json!({
                "code": code,
                "name": format!("{code} 級"),
                "staff_kind": rules.staff_kind,
                "min_security_staff": rules.min_security_staff,
                "training": rules.training,
            }),
            None => {
                let marker = if markers::has_marker(code) {
                    code.to_string()
                } else {
                    markers::encode(
                        "level",
                        &self.county.schema.title(&[Seg::Key("level".into())]),
                    )
                };
                json!({
                    "code": code,
                    "name": marker,
                    "staff_kind": marker,
                    "min_security_staff": marker,
                    "training": {
                        "security_staff": marker,
                        "it_staff": marker,
                        "general_staff": marker,
                        "managers": marker,
                    },
                })
            }
        }
    }

    /// The school's YAML, highlighted, its findings marked on their lines.
    fn data_page(
        &self,
        school: &SchoolSource,
        summary: &SchoolSummary,
        report: &SchoolReport,
    ) -> Result<Artifact, SourceError> {
        let root = "../../../";
        let path = format!("schools/{}/data/index.html", school.id);
        let mut page = self.page_context(root, &path, &format!("{} 學校資料", summary.name));
        let lines = data_page::lines(
            &school.text,
            school.data.as_ref().ok(),
            &self.county.schema,
            &report.findings,
            &school.file,
        );
        page.insert("summary", summary);
        page.insert("lines", &lines);
        page.insert("check", &report_counts(report));
        page.insert("findings", &report.findings);
        page.insert("source_file", &school.file.display().to_string());
        let html = self
            .theme
            .render("data.html", &page)
            .map_err(|e| crate::templates::template_error(&e, &school.file, 1))?;
        Ok(Artifact {
            path,
            bytes: html.into_bytes(),
        })
    }

    fn doc_links(&self, root: &str) -> BTreeMap<&str, Value> {
        self.county
            .docs
            .iter()
            .map(|d| {
                (
                    d.id.as_str(),
                    json!({ "title": d.title, "url": format!("{root}docs/{}/index.html", d.id) }),
                )
            })
            .collect()
    }

    /// What every page of the theme gets: `root` (the relative way back to the site root),
    /// `canonical` (the page's path under the configured base URL), the site and the county.
    fn page_context(&self, root: &str, path: &str, title: &str) -> Context {
        let mut ctx = Context::new();
        ctx.insert("root", root);
        ctx.insert("canonical", path.strip_suffix("index.html").unwrap_or(path));
        ctx.insert("page_title", title);
        ctx.insert("site", &self.county.config.site);
        ctx.insert("county", &self.county.config);
        ctx
    }

    /// A shared document's Markdown, rendered with the list of all schools.
    fn doc_markdown(
        &self,
        doc: &PolicyDoc,
        schools: &[SchoolSummary],
    ) -> Result<String, SourceError> {
        let mut ctx = Context::new();
        ctx.insert("county", &self.county.config);
        ctx.insert("schools", schools);
        ctx.insert("root", "../../");
        self.content
            .render(&doc_template(&doc.id), &ctx, &doc.file, doc.body_line)
    }

    fn doc_page(&self, doc: &PolicyDoc, md: &str, schools: &[SchoolSummary]) -> Result<Artifact> {
        let root = "../../";
        let rendered = markdown::to_html(md);
        let path = format!("docs/{}/index.html", doc.id);
        let mut page = self.page_context(root, &path, &doc.title);
        page.insert("doc", &json!({ "id": doc.id, "title": doc.title }));
        page.insert("body_html", &rendered.html);
        page.insert("toc", &rendered.toc);
        page.insert("schools", schools);
        let html = self
            .theme
            .render("doc.html", &page)
            .with_context(|| format!("rendering the page of `{}`", doc.file.display()))?;
        Ok(Artifact {
            path,
            bytes: html.into_bytes(),
        })
    }

    fn index_page(
        &self,
        schools: &[SchoolSummary],
        reports: &[SchoolReport],
        outcomes: &[SchoolOutcome],
    ) -> Result<Artifact> {
        let mut ctx = self.page_context("", "index.html", &self.county.config.site.title);
        let rows: Vec<Value> = dashboard_rows(schools, reports)
            .into_iter()
            .map(|(s, r)| json!({ "school": s, "check": report_counts(r) }))
            .collect();
        ctx.insert("schools", &rows);
        ctx.insert(
            "totals",
            &json!({
                "errors": reports.iter().map(|r| r.errors).sum::<usize>(),
                "warnings": reports.iter().map(|r| r.warnings).sum::<usize>(),
                "complete": reports.iter().filter(|r| r.errors == 0).count(),
            }),
        );
        ctx.insert("docs", &self.doc_links(""));
        ctx.insert(
            "failed",
            &outcomes
                .iter()
                .filter(|o| matches!(o.status, SchoolStatus::Failed(_)))
                .map(|o| o.id.as_str())
                .collect::<Vec<_>>(),
        );
        ctx.insert(
            "total_overrides",
            &schools.iter().map(|s| s.overrides).sum::<usize>(),
        );
        ctx.insert(
            "unchanged",
            &schools.iter().filter(|s| s.overrides == 0).count(),
        );
        let html = self
            .theme
            .render("index.html", &ctx)
            .context("rendering the county index")?;
        Ok(Artifact {
            path: "index.html".to_string(),
            bytes: html.into_bytes(),
        })
    }
}

fn kind_rank(kind: &str) -> usize {
    ["國民中學", "高級中學", "國民中小學", "國民小學"]
        .iter()
        .position(|k| *k == kind)
        .unwrap_or(4)
}

fn doc_template(id: &str) -> String {
    format!("docs/{id}")
}

/// The date of a plan that gives none (a draft).
const UNDATED: Date = Date {
    year: 2000,
    month: 1,
    day: 1,
};

/// What `--emit-typst` writes for a school: enough to compile the same PDF with the typst CLI.
fn typst_sources(engine: &PdfEngine, id: &str, job: &PdfJob) -> Vec<Artifact> {
    let file = |name: &str, bytes: &[u8]| Artifact {
        path: format!("{id}/{name}"),
        bytes: bytes.to_vec(),
    };
    vec![
        file("main.typ", engine.template().as_bytes()),
        file("body.typ", job.body.as_bytes()),
        file("forms.typ", engine.forms_template().as_bytes()),
        file("appendix.typ", engine.appendix().as_bytes()),
        file("data.json", &job.data),
    ]
}

fn summary(school: &SchoolSource) -> SchoolSummary {
    let data = school.data.as_ref().ok();
    let text = |path: &[&str]| {
        let mut node = data;
        for key in path {
            node = node.and_then(|n| n.get(key));
        }
        node.and_then(|n| n.as_str()).unwrap_or("").to_string()
    };
    let date = text(&["plan", "date"]);
    SchoolSummary {
        id: school.id.clone(),
        name: Some(text(&["name"]))
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| school.id.clone()),
        short_name: text(&["short_name"]),
        kind: text(&["type"]),
        township: text(&["township"]),
        level: text(&["level"]),
        edition: text(&["plan", "version"]),
        edition_date: Date::parse_iso(&date).map(|d| d.long()).unwrap_or(date),
        overrides: school.overrides.as_ref().map(Vec::len).unwrap_or(0),
        url: format!("schools/{}/index.html", school.id),
    }
}

/// Chapters with their sections nested, for the page's table of contents.
fn chapter_toc(toc: &[TocEntry]) -> Vec<Value> {
    let mut chapters: Vec<Value> = Vec::new();
    for entry in toc {
        if entry.level == 1 {
            chapters.push(json!({ "entry": entry, "sections": [] }));
        } else if let Some(Value::Array(sections)) =
            chapters.last_mut().and_then(|c| c.get_mut("sections"))
        {
            sections.push(json!(entry));
        }
    }
    chapters
}

/// The school's own parts, named by the heading they change.
fn override_list(overrides: &[Override], toc: &[TocEntry]) -> Vec<Value> {
    overrides
        .iter()
        .map(|o| {
            let heading = toc.iter().find(|t| t.id == o.target);
            json!({
                "target": o.target,
                "mode": o.mode.label(),
                "heading": heading.map(|h| format!("{}{}", h.number, h.title)).unwrap_or_default(),
            })
        })
        .collect()
}

fn static_files(county: &County) -> Vec<Artifact> {
    let mut files: Vec<Artifact> = county
        .theme
        .under("static")
        .map(|(path, file)| Artifact {
            path: format!("static/{path}"),
            bytes: file.bytes.to_vec(),
        })
        .collect();
    files.push(Artifact {
        path: "static/highlight.css".to_string(),
        bytes: markdown::highlight_css().into_bytes(),
    });
    files
}

/// The counts a page shows of a school's findings.
fn report_counts(r: &SchoolReport) -> Value {
    json!({
        "errors": r.errors,
        "warnings": r.warnings,
        "filled": r.filled,
        "total": r.total,
        "percent": r.percent(),
    })
}

/// Each finding with where the school page sends the reader: the field's marker when the page
/// shows one, else the line on the data page.
fn finding_links(report: &SchoolReport, markers_on_page: &[String]) -> Vec<Value> {
    report
        .findings
        .iter()
        .map(|f| {
            // A missing mapping (staffing) shows as the markers of its fields.
            let marker = markers_on_page.iter().find(|m| {
                *m == &f.path
                    || (!f.path.is_empty()
                        && m.strip_prefix(f.path.as_str())
                            .is_some_and(|rest| rest.starts_with('.')))
            });
            let href = if let Some(marker) = marker {
                format!("#{}", markers::anchor(marker))
            } else if f.file == report.file {
                format!("data/index.html#L{}", f.line)
            } else {
                "data/index.html#findings".to_string()
            };
            json!({ "finding": f, "kind": f.kind.label(), "href": href })
        })
        .collect()
}

/// The schools in the order of the county's own lists (seed 004): by kind of school, then
/// township; each with its findings.
fn dashboard_rows<'a>(
    schools: &'a [SchoolSummary],
    reports: &'a [SchoolReport],
) -> Vec<(&'a SchoolSummary, &'a SchoolReport)> {
    let mut rows: Vec<_> = schools.iter().zip(reports).collect();
    rows.sort_by_key(|(s, _)| (kind_rank(&s.kind), s.township.as_str(), s.id.as_str()));
    rows
}

/// The dashboard as CSV, UTF-8 with a byte-order mark so that Excel reads the Chinese right.
fn dashboard_csv(schools: &[SchoolSummary], reports: &[SchoolReport]) -> Artifact {
    let mut out = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    let header = [
        "學校識別碼",
        "學校全銜",
        "學校類別",
        "鄉鎮市",
        "資通安全責任等級",
        "已填必填欄位",
        "必填欄位總數",
        "完整度(%)",
        "錯誤",
        "警告",
    ];
    out.write_record(header).expect("writing to memory");
    for (s, r) in dashboard_rows(schools, reports) {
        out.write_record([
            s.id.clone(),
            s.name.clone(),
            s.kind.clone(),
            s.township.clone(),
            s.level.clone(),
            r.filled.to_string(),
            r.total.to_string(),
            r.percent().to_string(),
            r.errors.to_string(),
            r.warnings.to_string(),
        ])
        .expect("writing to memory");
    }
    Artifact {
        path: "dashboard.csv".to_string(),
        bytes: out.into_inner().expect("writing to memory"),
    }
}
