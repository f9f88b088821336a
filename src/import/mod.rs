//! Taking back a school's file: the school filled in its kit and returned its `schools/<id>.yaml`
//! (or the preview's download of it). The file is read as the county's files are, must be the
//! school's own (its `id:` and its name say which school it is), is checked as `check` would,
//! and replaces the county's copy only when it is sound, or when the county says to take it
//! with its errors. What it changes is said field by field, as `planpress diff` says it.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use crate::base::diagnostics::SourceError;
use crate::editions::diff::{FieldChange, diff};
use crate::engine::Engine;
use crate::source::{self, text, yaml};
use crate::validate::SchoolReport;

pub mod workbook;

/// A returned file, read and attributed to its school.
pub struct Returned {
    pub id: String,
    pub file: PathBuf,
    /// Its text as UTF-8 with Unix line ends, what the county keeps.
    pub text: String,
}

impl Returned {
    /// Reads `file` and finds whose it is: its `id:`, else its name (`dongshi-jh.yaml`). The two
    /// must agree, and with `expected` when the county names the school it awaits.
    pub fn read(file: &Path, expected: Option<&str>) -> Result<Returned> {
        let folder = file
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let text = text::read(folder, file, text::SCHOOL_FILE_LIMIT)?;
        // A file that does not parse is never taken, even with its errors: the school would
        // have no plan at all.
        let node = yaml::parse_school(&text)
            .map_err(|e| SourceError::new(file, Some(e.pos), e.message))?;
        let named = file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .filter(|s| source::is_school_id(s));
        let inside = node
            .get("id")
            .and_then(yaml::Node::as_str)
            .map(str::to_string);
        let id = match (&inside, &named) {
            (Some(inside), Some(named)) if inside != named => bail!(
                "`{}` is named after school `{named}` but its id is `{inside}`: which school's is it? \
                 / 檔名是 {named} 的，檔案內的學校識別碼 (id) 卻是 {inside}：請確認這是哪一所學校的資料檔",
                file.display()
            ),
            (Some(id), _) | (None, Some(id)) => id.clone(),
            (None, None) => bail!(
                "`{}` says no school: it has no `id:` and its name is no school id / 檔案內沒有學校\
                 識別碼 (id)，檔名也不是：請以 --school 指明是哪一所學校的檔案",
                file.display()
            ),
        };
        if let Some(expected) = expected
            && expected != id
        {
            bail!(
                "`{}` is school `{id}`'s file, not `{expected}`'s / 這是 {id} 的資料檔，不是 {expected} 的：\
                 未匯入",
                file.display()
            );
        }
        Ok(Returned {
            id,
            file: file.to_path_buf(),
            text,
        })
    }
}

/// What taking a returned file would do.
pub struct Merge {
    pub id: String,
    /// The county's copy, where it is written.
    pub target: PathBuf,
    /// Every value that changes, under its Chinese label.
    pub changes: Vec<FieldChange>,
    /// The school's findings with the returned file.
    pub report: SchoolReport,
    /// Whether the county's copy already has these very bytes.
    pub same_bytes: bool,
}

/// Compares the returned file with the county's copy of the school, in the internal copy's
/// values (sensitive ones included: the county centre holds them). The engine is left with the
/// returned file in place of the county's.
pub fn merge(engine: &mut Engine, returned: &Returned) -> Result<Merge> {
    let county = engine.county();
    let Some(current) = county.schools.iter().find(|s| s.id == returned.id) else {
        bail!(
            "the county has no school `{}`: a new school starts with `planpress new school` / 縣市資料庫\
             中沒有學校 {}：新學校請先以 planpress new school 建立",
            returned.id,
            returned.id
        );
    };
    let target = current.file.clone();
    let same_bytes = current.text == returned.text;
    let before = engine.resolve(&returned.id).ok();
    engine.put_school(&returned.id, returned.file.clone(), returned.text.clone())?;
    let after = engine.resolve(&returned.id).ok();
    let changes = match (&before, &after) {
        (Some(before), Some(after)) => diff(before, after, &engine.county().schema).fields,
        _ => Vec::new(),
    };
    let report = engine
        .report(&returned.id)
        .expect("the school was just validated")
        .clone();
    Ok(Merge {
        id: returned.id.clone(),
        target,
        changes,
        report,
        same_bytes,
    })
}
