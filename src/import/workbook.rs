//! Taking back a workbook: the values it holds merged into the school files it is about.
//!
//! Each school's file is changed in place (`source::edit`), so that what the workbook does not
//! change stays byte for byte; a school the county does not have is started as `new school`
//! starts one. What each school's file becomes is compared and checked as a returned file is.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Result;
use serde_json::Value;

use super::{Merge, Returned, merge};
use crate::engine::Engine;
use crate::model::Profile;
use crate::scaffold;
use crate::source::{edit, yaml};
use crate::workbook::layout::Layout;
use crate::workbook::read;
use crate::workbook::take::{CellError, Leave, take};

/// What a workbook does to the county.
pub struct Taken {
    /// Each school it changes or adds, as its file would become, compared and checked.
    pub schools: Vec<School>,
    /// What could not be taken, by cell; a school whose file cannot be changed in place.
    pub errors: Vec<String>,
}

pub struct School {
    pub merge: Merge,
    pub text: String,
    pub new: bool,
    /// Its errors before the workbook.
    pub errors_before: usize,
}

/// Reads `file` and merges what it holds into the engine's schools (the engine is left with
/// the merged files in place of the county's; nothing is written).
pub fn take_workbook(engine: &mut Engine, file: &Path) -> Result<Taken> {
    let sheets = read::read(file)?;
    let county = engine.county();
    let schema = &county.schema;
    let layout = Layout::new(schema, Profile::Internal);
    let mut current = BTreeMap::new();
    let mut texts = BTreeMap::new();
    let mut errors: Vec<String> = Vec::new();
    for s in &county.schools {
        match &s.data {
            Ok(node) => {
                current.insert(s.id.clone(), node.to_json());
                texts.insert(s.id.clone(), (s.file.clone(), s.text.clone()));
            }
            // Its rows are refused below: a file that does not read is not replaced.
            Err(_) => {
                texts.insert(s.id.clone(), (s.file.clone(), String::new()));
            }
        }
    }
    let blank = |id: &str| -> Value {
        yaml::parse(&scaffold::school_yaml(schema, id, ""))
            .map(|n| n.to_json())
            .unwrap_or(Value::Null)
    };
    let taken = take(&layout, &sheets, &current, &blank, Leave::Row);
    errors.extend(taken.errors.iter().map(CellError::to_string));
    let schools_dir = county.root.join("schools");
    let mut changed = Vec::new();
    for (id, values) in &taken.values {
        let new = taken.new.contains(id);
        let (target, text) = match texts.get(id) {
            Some((file, text)) if !text.is_empty() => (file.clone(), text.clone()),
            Some((file, _)) => {
                errors.push(format!(
                    "{id}：資料檔 {} 無法讀取，未以試算表之值取代；請先修正該檔",
                    file.display()
                ));
                continue;
            }
            None => {
                let name = values.get("name").and_then(Value::as_str).unwrap_or("");
                (
                    schools_dir.join(format!("{id}.yaml")),
                    scaffold::school_yaml(schema, id, name),
                )
            }
        };
        match edit::rewrite(&text, values) {
            Ok(text) => changed.push((id.clone(), target, text, new)),
            Err(e) => errors.push(format!("{id}：{e}；此校未變更")),
        }
    }
    let mut schools = Vec::new();
    for (id, target, text, new) in changed {
        let errors_before = engine.report(&id).map_or(0, |r| r.errors);
        let returned = Returned {
            id: id.clone(),
            file: target.clone(),
            text: text.clone(),
        };
        let merge = if new {
            engine.put_school(&id, target.clone(), text.clone())?;
            Merge {
                id: id.clone(),
                target,
                changes: Vec::new(),
                report: engine
                    .report(&id)
                    .expect("the school was just added")
                    .clone(),
                same_bytes: false,
            }
        } else {
            merge(engine, &returned)?
        };
        schools.push(School {
            merge,
            text,
            new,
            errors_before,
        });
    }
    Ok(Taken { schools, errors })
}

/// Where a workbook's file is: by its extension.
pub fn is_workbook(file: &Path) -> bool {
    let ext = file
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    matches!(ext.as_deref(), Some("ods" | "xlsx" | "csv"))
}
