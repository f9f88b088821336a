//! Released editions: what a school signed, kept in the county repository as plain files.
//!
//! `editions/<school>/<version>/` holds `edition.yaml` (the release: version, date, what was
//! revised and by whom; what it was made from; every file with its SHA-256) and, for each copy
//! (`public/`, `internal/`), the resolved plan as data (`plan.json`) and the PDFs exactly as
//! released. Nothing later (the data, the county's text, the theme, a newer planpress) changes
//! them: builds take them from here and check their hashes.
//!
//! The county's shared documents are released the same way, under `editions/_docs/<doc>/
//! <version>/` (`_` keeps the folder apart from every school id): `edition.yaml` and the
//! document as resolved (`doc.json`). A school's edition records which edition of each document
//! it cites.

pub mod diff;
mod verify;

pub use verify::{Look, Looks, Stamp};

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::base::diagnostics::SourceError;
use crate::base::files;
use crate::base::hash::sha256;
use crate::base::roc::Date;
use crate::base::routes::{DRAFT, version_id};
use crate::model::SchoolData;
use crate::resolve::ResolvedDoc;

/// Files by their path within a folder (an edition's, a school's).
pub type Files = Vec<(String, Vec<u8>)>;

/// The store's folder in the county repository.
pub const DIR: &str = "editions";
/// The shared documents' editions, within the store.
pub const DOCS_DIR: &str = "_docs";
const META: &str = "edition.yaml";
/// A document edition's text, as resolved when it was released.
pub const DOC_FILE: &str = "doc.json";
/// In each copy of a school's edition, the text of its PDFs as laid out: what the build searches
/// the public copy for sensitive values.
pub const PDF_TEXT: &str = "pdf-text.txt";

/// One row the release adds to the school's 文件制／修訂紀錄表.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Release {
    pub version: String,
    /// ISO date.
    pub date: String,
    /// 修訂內容.
    pub note: String,
    /// 修訂單位.
    pub unit: String,
    /// 修訂人.
    pub reviser: String,
    /// 核定人.
    pub approver: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Edition {
    pub school: String,
    #[serde(flatten)]
    pub release: Release,
    /// The planpress that made it.
    pub planpress: String,
    /// Fingerprints of everything its plan and PDFs were made from.
    pub inputs: Vec<String>,
    /// What was still wrong when it was released anyway (`--allow-incomplete`).
    #[serde(default)]
    pub findings: Vec<String>,
    /// The edition of each shared document its plan cites, by document id ([`DRAFT`] for a
    /// document never released).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub docs: BTreeMap<String, String>,
    /// The edition of the act its plan cites (county.yaml `law`), as `Law::cited` says it; none
    /// for an edition released before planpress recorded it, or by a county without `law`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub law: Option<String>,
    /// Every stored file, relative to the edition's folder, with its SHA-256.
    pub files: BTreeMap<String, String>,
}

/// An edition of one of the county's shared documents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocEdition {
    pub doc: String,
    #[serde(flatten)]
    pub release: Release,
    /// The planpress that made it.
    pub planpress: String,
    /// Every stored file, relative to the edition's folder, with its SHA-256.
    pub files: BTreeMap<String, String>,
}

/// A stored file that is not what was released.
#[derive(Debug, Clone, PartialEq)]
pub struct Drift {
    /// The school, or `_docs/<doc>` for a shared document.
    pub school: String,
    pub file: PathBuf,
    pub problem: String,
}

/// Where a school stands with its releases, for the dashboard.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReleaseStatus {
    /// The latest edition's version and ISO date.
    pub version: String,
    pub date: String,
    /// The draft's data or text differ from the latest edition's.
    pub draft_changed: bool,
    /// A stored file of one of its editions is not what was released.
    pub drifted: bool,
    /// The edition of the act the latest edition's plan cites, where its record says.
    pub law: Option<String>,
}

impl fmt::Display for Drift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file.display(), self.problem)
    }
}

/// The editions of a county's schools, oldest first.
#[derive(Debug, Default)]
pub struct Store {
    dir: PathBuf,
    editions: BTreeMap<String, Vec<Edition>>,
    docs: BTreeMap<String, Vec<DocEdition>>,
    /// Edition records that cannot be read, by the school whose folder they are in: that school
    /// cannot be published until they are restored, and no other school waits for it.
    unreadable: BTreeMap<String, Vec<SourceError>>,
}

impl Store {
    /// Reads every `edition.yaml` under the county's `editions/` (none when it is absent). A
    /// record that cannot be read is its school's problem (see [`Store::problems`]).
    pub fn load(county_root: &Path) -> Result<Store> {
        let mut store = Store {
            dir: county_root.join(DIR),
            ..Store::default()
        };
        if !store.dir.is_dir() {
            return Ok(store);
        }
        let docs = store.dir.join(DOCS_DIR);
        if docs.is_dir() {
            // A document's record is every school's: one that cannot be read stops the county.
            for doc in read_dir_sorted(&docs)? {
                let id = doc.file_name().and_then(|n| n.to_str()).unwrap_or("");
                for folder in read_dir_sorted(&doc)? {
                    let edition: DocEdition = read_record(&folder, |e: &DocEdition| {
                        (e.doc == id).then_some(&e.release.version)
                    })
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                    store.docs.entry(id.into()).or_default().push(edition);
                }
            }
        }
        for school in read_dir_sorted(&store.dir)? {
            let id = school.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if id == DOCS_DIR {
                continue;
            }
            let folders = match read_dir_sorted(&school) {
                Ok(folders) => folders,
                Err(e) => {
                    let problem = SourceError::new(&school, None, format!("{e:#}"));
                    store.unreadable.entry(id.into()).or_default().push(problem);
                    continue;
                }
            };
            for folder in folders {
                match read_record(&folder, |e: &Edition| {
                    (e.school == id).then_some(&e.release.version)
                }) {
                    Ok(edition) => store.editions.entry(id.into()).or_default().push(edition),
                    Err(problem) => store.unreadable.entry(id.into()).or_default().push(problem),
                }
            }
        }
        for list in store.editions.values_mut() {
            list.sort_by(|a, b| release_order(&a.release, &b.release));
        }
        for list in store.docs.values_mut() {
            list.sort_by(|a, b| release_order(&a.release, &b.release));
        }
        Ok(store)
    }

    /// A shared document's editions, oldest first.
    pub fn docs_of(&self, doc: &str) -> &[DocEdition] {
        self.docs.get(doc).map_or(&[], Vec::as_slice)
    }

    pub fn doc_folder(&self, doc: &str, version: &str) -> PathBuf {
        self.dir.join(DOCS_DIR).join(doc).join(version)
    }

    /// A document edition's text as it was released.
    pub fn doc_text(&self, edition: &DocEdition) -> Result<ResolvedDoc, SourceError> {
        let file = self
            .doc_folder(&edition.doc, &edition.release.version)
            .join(DOC_FILE);
        fs::read(&file)
            .map_err(|e| e.to_string())
            .and_then(|bytes| serde_json::from_slice(&bytes).map_err(|e| e.to_string()))
            .map_err(|e| {
                SourceError::new(
                    &file,
                    None,
                    format!("已發布版本之文件無法讀取（{e}）：請自版本控制還原"),
                )
            })
    }

    /// The edition of each of `docs` a plan released now cites: the latest of each, or [`DRAFT`]
    /// for one never released.
    pub fn cited<'a>(&self, docs: impl Iterator<Item = &'a str>) -> BTreeMap<String, String> {
        docs.map(|doc| {
            let version = self
                .docs_of(doc)
                .last()
                .map_or(DRAFT, |e| e.release.version.as_str());
            (doc.to_string(), version.to_string())
        })
        .collect()
    }

    /// Stores a new edition of a shared document, as [`Store::add`] does a school's.
    pub fn add_doc(&mut self, edition: DocEdition, doc: &ResolvedDoc) -> Result<()> {
        let folder = self.doc_folder(&edition.doc, &edition.release.version);
        let bytes = serde_json::to_vec_pretty(doc)?;
        let mut edition = edition;
        edition.files.insert(DOC_FILE.to_string(), sha256(&bytes));
        store_folder(&folder, &edition, &[(DOC_FILE.to_string(), bytes)])?;
        self.docs
            .entry(edition.doc.clone())
            .or_default()
            .push(edition);
        Ok(())
    }

    /// Why a school's editions cannot all be read: none when they can.
    pub fn problems(&self, school: &str) -> &[SourceError] {
        self.unreadable.get(school).map_or(&[], Vec::as_slice)
    }

    /// A school's editions, oldest first.
    pub fn of(&self, school: &str) -> &[Edition] {
        self.editions.get(school).map_or(&[], Vec::as_slice)
    }

    pub fn folder(&self, school: &str, version: &str) -> PathBuf {
        self.dir.join(school).join(version)
    }

    /// Stores a new edition with its files, whole or not at all (see [`store_folder`]). An
    /// edition of that version is never replaced.
    pub fn add(&mut self, edition: Edition, files: &Files) -> Result<()> {
        let folder = self.folder(&edition.school, &edition.release.version);
        store_folder(&folder, &edition, files)?;
        let list = self.editions.entry(edition.school.clone()).or_default();
        list.push(edition);
        Ok(())
    }
}

/// A school's data as of an edition: the releases up to it appended to its revision record (a
/// row the file already has for a version gives way to the release), and, for an edition, its
/// version and date on the cover. `edition` is `None` for the working draft, which lists every
/// release and keeps the file's version.
pub fn as_of(data: &SchoolData, releases: &[&Release], edition: Option<&Release>) -> SchoolData {
    let mut data = data.clone();
    let released: Vec<&Release> = releases.iter().copied().chain(edition).collect();
    if released.is_empty() || !data.values.is_object() {
        return data;
    }
    let plan = &mut data.values["plan"];
    if !plan.is_object() {
        *plan = json!({});
    }
    let written: Vec<Value> = match plan.get("revisions") {
        Some(Value::Array(rows)) => rows.clone(),
        _ => Vec::new(),
    };
    // A version as the file writes it, with its note (V1.0（初版）), where it names `version`.
    let label = |version: &str| -> String {
        let row_versions = written
            .iter()
            .filter_map(|row| row.get("version").and_then(Value::as_str));
        let cover = plan.get("version").and_then(Value::as_str);
        row_versions
            .chain(cover)
            .find(|l| version_id(l) == version)
            .unwrap_or(version)
            .to_string()
    };
    let rows: Vec<Value> = released
        .iter()
        .map(|r| {
            json!({
                "version": label(&r.version), "date": r.date, "content": r.note,
                "unit": r.unit, "reviser": r.reviser, "approver": r.approver,
            })
        })
        .collect();
    let cover = edition.map(|e| label(&e.version));
    let mut record: Vec<Value> = written
        .into_iter()
        .filter(|row| {
            let version = row.get("version").and_then(Value::as_str).map(version_id);
            !released.iter().any(|r| Some(r.version.as_str()) == version)
        })
        .collect();
    record.extend(rows);
    plan["revisions"] = Value::Array(record);
    data.missing_lists.remove("plan.revisions");
    if let (Some(edition), Some(cover)) = (edition, cover) {
        plan["version"] = json!(cover);
        plan["date"] = json!(edition.date);
        data.edition = edition.version.clone();
        data.date = edition.date.clone();
    }
    data
}

/// Writes an edition's folder, its record and files, whole or not at all: they are written
/// beside it and moved into place at once. A folder that exists is never replaced.
fn store_folder(folder: &Path, record: &impl Serialize, files: &[(String, Vec<u8>)]) -> Result<()> {
    if folder.exists() {
        bail!(
            "`{}` exists: a released edition is never replaced",
            folder.display()
        );
    }
    let parent = folder.parent().expect("under the store");
    let name = folder.file_name().and_then(|n| n.to_str()).unwrap_or("");
    fs::create_dir_all(parent)
        .with_context(|| format!("failed to create `{}`", parent.display()))?;
    let staging = parent.join(format!(".{name}.staging-{}", std::process::id()));
    let _ = fs::remove_dir_all(&staging);
    let written = (|| -> Result<()> {
        for (name, bytes) in files {
            let path = staging.join(name);
            fs::create_dir_all(path.parent().expect("a file in a folder"))?;
            fs::write(&path, bytes)
                .with_context(|| format!("failed to write `{}`", path.display()))?;
            // Released files are never written again; a site that links them cannot either.
            let mut permissions = fs::metadata(&path)?.permissions();
            permissions.set_readonly(true);
            fs::set_permissions(&path, permissions)?;
        }
        fs::write(staging.join(META), serde_saphyr::to_string(record)?)?;
        fs::rename(&staging, folder)
            .with_context(|| format!("failed to move the edition to `{}`", folder.display()))
    })();
    if written.is_err() {
        let _ = fs::remove_dir_all(&staging);
    }
    written
}

/// Oldest first: by date, then by version.
fn release_order(a: &Release, b: &Release) -> std::cmp::Ordering {
    (&a.date, version_key(&a.version)).cmp(&(&b.date, version_key(&b.version)))
}

/// Versions in numeric order: V1.10 after V1.9.
fn version_key(version: &str) -> Vec<u32> {
    version
        .trim_start_matches(['V', 'v'])
        .split('.')
        .map(|n| n.parse().unwrap_or(0))
        .collect()
}

/// Release dates must be real dates.
pub fn valid_date(date: &str) -> bool {
    Date::parse_iso(date).is_some()
}

/// The record of the edition in `folder`, checked to name its folder: `owner` gives its
/// version when it names the right school (or document).
fn read_record<T: serde::de::DeserializeOwned>(
    folder: &Path,
    owner: impl Fn(&T) -> Option<&String>,
) -> Result<T, SourceError> {
    let meta = folder.join(META);
    let problem = |message: String| {
        SourceError::new(
            &meta,
            None,
            format!("已發布版本之紀錄無法讀取：{message}；請自版本控制還原"),
        )
    };
    let text = fs::read_to_string(&meta).map_err(|e| problem(e.to_string()))?;
    let record: T = serde_saphyr::from_str(&text).map_err(|e| problem(e.to_string()))?;
    let folder_name = folder.file_name().and_then(|n| n.to_str());
    match owner(&record) {
        Some(version)
            if Some(version.as_str()) == folder_name
                && crate::base::routes::valid_version(version) =>
        {
            Ok(record)
        }
        _ => Err(problem(
            "it names another edition than the folder it is in".into(),
        )),
    }
}

/// The folders in `dir`, sorted; hidden ones (`.git`, an editor's) are not editions.
fn read_dir_sorted(dir: &Path) -> Result<Vec<PathBuf>> {
    Ok(files::children(dir)?
        .into_iter()
        .filter(|e| e.file_type().is_dir() && !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| e.into_path())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_sort_by_number() {
        assert!(version_key("V1.10") > version_key("V1.9"));
    }
}
