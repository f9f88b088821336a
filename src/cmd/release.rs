//! `planpress release`: freezes an edition of each named school into the county's editions store,
//! as its public and its internal copy (the one printed and signed); or an edition of each named
//! shared document, which the plans released after it cite.

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Result, bail};
use rayon::prelude::*;

use super::Outcome;
use crate::editions::{self, DocEdition, Edition, Files, Release, Store};
use crate::engine::{Engine, Failure};
use crate::leak::Secrets;
use crate::model::Profile;
use crate::source::county_root;
use crate::validate::Severity;

#[derive(Debug, Clone, clap::Args)]
pub struct ReleaseArgs {
    /// 縣市資料庫（同 build） / The county repository, as for `build`.
    #[arg(long)]
    pub root: Option<PathBuf>,
    /// 發布這所學校，可重複 / Release this school; repeatable.
    #[arg(long = "school", value_name = "ID", required_unless_present_any = ["all", "docs"])]
    pub schools: Vec<String>,
    /// 發布所有學校 / Release every school.
    #[arg(long, conflicts_with_all = ["schools", "docs"])]
    pub all: bool,
    /// 發布這份共用文件（例如 incident-procedure），可重複 / Release this shared document
    /// (e.g. incident-procedure); repeatable.
    #[arg(long = "doc", value_name = "ID", conflicts_with = "schools")]
    pub docs: Vec<String>,
    /// 版次，例如 V3.0；已發布的版次不可再發布 / The edition's version, e.g. V3.0. A
    /// version already released is refused.
    #[arg(long)]
    pub version: String,
    /// 版本日期，YYYY-MM-DD / The edition's date, YYYY-MM-DD.
    #[arg(long)]
    pub date: String,
    /// 修訂內容 / What this edition revises.
    #[arg(long)]
    pub note: String,
    /// 修訂人；預設同該校最近一筆修訂紀錄 / The reviser; by default that of the school's
    /// latest revision.
    #[arg(long)]
    pub reviser: Option<String>,
    /// 核定人；預設同該校最近一筆修訂紀錄 / The approver; by default that of the school's
    /// latest revision.
    #[arg(long)]
    pub approver: Option<String>,
    /// 學校仍有錯誤也發布；錯誤會印出並記入該版本 / Release a school that still has errors;
    /// they are printed and recorded in the edition.
    #[arg(long)]
    pub allow_incomplete: bool,
}

pub fn run(args: &ReleaseArgs) -> Result<Outcome> {
    if !crate::base::routes::valid_version(&args.version) {
        bail!(
            "`{}` is not a version: write it as V1.0 (digits separated by dots, V optional)",
            args.version
        );
    }
    if !editions::valid_date(&args.date) {
        bail!("`{}` is not a date: write it as YYYY-MM-DD", args.date);
    }
    if args.note.trim().is_empty() {
        bail!("--note is the revision record's 修訂內容: say what this edition revises");
    }
    let root = county_root(args.root.as_deref());
    let public = Engine::load(&root, Profile::Public)?;
    if !args.docs.is_empty() {
        return release_docs(&public, args);
    }
    let internal = Engine::load(&root, Profile::Internal)?;
    let county = public.county();
    let selected = county.select(&args.schools)?;

    // Each school is stored as soon as it is frozen: a county's editions weigh gigabytes.
    let store = Mutex::new(Store::load(&root)?);
    // What the public copy is searched for before it is kept: it is published as it is.
    let secrets = Secrets::collect(county);
    let refused = AtomicUsize::new(0);
    selected.par_iter().for_each(|id| {
        let copies = Copies {
            public: &public,
            internal: &internal,
            secrets: &secrets,
        };
        let stored = freeze(&copies, id, args).and_then(|(edition, files)| {
            let mut store = store.lock().expect("not poisoned");
            store
                .add(edition, &files)
                .map_err(|e| vec![format!("{e:#}")])?;
            Ok(store.folder(id, &args.version))
        });
        match stored {
            Ok(folder) => println!("released {id} {} into {}", args.version, folder.display()),
            Err(problems) => {
                refused.fetch_add(1, Ordering::Relaxed);
                let mut said = String::new();
                for p in problems {
                    said.push_str(&format!("error: {p}\n"));
                }
                eprintln!("{said}  school `{id}` not released");
            }
        }
    });
    let refused = refused.into_inner();
    Ok(if refused == 0 {
        Outcome::Success
    } else {
        Outcome::ContentErrors
    })
}

/// A school's edition and its files, ready to store; or why it cannot be released.
type Frozen = Result<(Edition, Files), Vec<String>>;

/// The engines of a release's two copies, and what the public one must not show.
struct Copies<'a> {
    public: &'a Engine,
    internal: &'a Engine,
    secrets: &'a Secrets,
}

fn freeze(copies: &Copies, id: &str, args: &ReleaseArgs) -> Frozen {
    let Copies {
        public,
        internal,
        secrets,
    } = *copies;
    // Which versions exist is not known while one of its records is unreadable.
    let unreadable = public.editions().problems(id);
    if !unreadable.is_empty() {
        return Err(unreadable.iter().map(ToString::to_string).collect());
    }
    if public
        .editions()
        .of(id)
        .iter()
        .any(|e| e.release.version == args.version)
    {
        return Err(vec![format!(
            "{id} {} is released already: a released edition never changes; release the \
             revision as a new version",
            args.version
        )]);
    }
    let report = public.report(id).expect("a selected school");
    let errors: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| {
            format!(
                "{}:{}:{}: {}（{}）",
                f.file.display(),
                f.line,
                f.column,
                f.message,
                f.label
            )
        })
        .collect();
    if !errors.is_empty() && !args.allow_incomplete {
        let mut problems = errors;
        problems.push(format!(
            "{id} has {} errors (above): fix them, or release it as it is with --allow-incomplete",
            problems.len()
        ));
        return Err(problems);
    }
    for e in &errors {
        eprintln!("warning: released with this error: {e}");
    }
    let last = last_revision(public, id);
    let field = |given: &Option<String>, key: &str| {
        given.clone().unwrap_or_else(|| {
            last.as_ref()
                .and_then(|r| r.get(key))
                .and_then(serde_json::Value::as_str)
                .unwrap_or("")
                .to_string()
        })
    };
    let release = Release {
        version: args.version.clone(),
        date: args.date.clone(),
        note: args.note.clone(),
        unit: field(&None, "unit"),
        reviser: field(&args.reviser, "reviser"),
        approver: field(&args.approver, "approver"),
    };
    let mut files = Vec::new();
    let mut inputs = Vec::new();
    for (engine, copy) in [(public, "public"), (internal, "internal")] {
        let (plan, pdfs, text) = engine.release(id, &release).map_err(|f| match f {
            Failure::School(errors) => errors.iter().map(ToString::to_string).collect(),
            Failure::Theme(error) => vec![error.to_string()],
        })?;
        let json = serde_json::to_vec_pretty(&plan).expect("a plan serializes");
        if copy == "public" {
            let folder = format!("editions/{id}/{}/public", args.version);
            let mut leaks = secrets.find(&format!("{folder}/*.pdf"), &text);
            leaks.extend(secrets.find(
                &format!("{folder}/plan.json"),
                &String::from_utf8_lossy(&json),
            ));
            if !leaks.is_empty() {
                let mut problems: Vec<String> = leaks.iter().map(ToString::to_string).collect();
                problems.push(format!(
                    "{id}'s public copy would publish a sensitive value (above): keep it in \
                     fields the schema marks sensitive"
                ));
                return Err(problems);
            }
        }
        files.push((format!("{copy}/{}", editions::PDF_TEXT), text.into_bytes()));
        inputs.push(format!("{copy}/{}", crate::base::hash::sha256(&json)));
        files.push((format!("{copy}/plan.json"), json));
        files.extend(
            pdfs.into_iter()
                .map(|(name, bytes)| (format!("{copy}/{name}"), bytes)),
        );
    }
    let edition = Edition {
        school: id.to_string(),
        release,
        planpress: planpress(),
        inputs,
        findings: errors,
        docs: public.cited_docs(),
        law: public.county().config.law.as_ref().map(|l| l.cited()),
        files: files
            .iter()
            .map(|(name, bytes)| (name.clone(), crate::base::hash::sha256(bytes)))
            .collect(),
    };
    Ok((edition, files))
}

/// Releases each named shared document as the county has it now. Its revision fields default
/// to those of its latest edition, the unit to the county's network centre.
fn release_docs(engine: &Engine, args: &ReleaseArgs) -> Result<Outcome> {
    let mut store = Store::load(engine.county().root.as_path())?;
    let mut refused = 0;
    for id in &args.docs {
        let Some(doc) = engine.doc(id) else {
            let known: Vec<&str> = engine.county().docs.iter().map(|d| d.id.as_str()).collect();
            bail!(
                "no shared document `{id}` (the county has: {})",
                known.join("、")
            );
        };
        let last = store.docs_of(id).last().map(|e| &e.release);
        let field = |given: &Option<String>, last: Option<&String>| {
            given.clone().or(last.cloned()).unwrap_or_default()
        };
        let release = Release {
            version: args.version.clone(),
            date: args.date.clone(),
            note: args.note.clone(),
            unit: last.map(|r| r.unit.clone()).unwrap_or_else(|| {
                let config = &engine.county().config;
                config.network_centre.clone().unwrap_or(config.name.clone())
            }),
            reviser: field(&args.reviser, last.map(|r| &r.reviser)),
            approver: field(&args.approver, last.map(|r| &r.approver)),
        };
        let edition = DocEdition {
            doc: id.clone(),
            release,
            planpress: planpress(),
            files: Default::default(),
        };
        match store.add_doc(edition, doc) {
            Ok(()) => println!(
                "released document {id} {} into {}",
                args.version,
                store.doc_folder(id, &args.version).display()
            ),
            Err(e) => {
                refused += 1;
                eprintln!("error: {e:#}\n  document `{id}` not released");
            }
        }
    }
    Ok(if refused == 0 {
        Outcome::Success
    } else {
        Outcome::ContentErrors
    })
}

fn planpress() -> String {
    format!("planpress {}", env!("CARGO_PKG_VERSION"))
}

/// The school's latest revision row as its file has it, for the defaults of a new one.
fn last_revision(engine: &Engine, id: &str) -> Option<serde_json::Value> {
    let plan = engine.resolve(id).ok()?;
    plan.values
        .pointer("/plan/revisions")?
        .as_array()?
        .last()
        .cloned()
}
