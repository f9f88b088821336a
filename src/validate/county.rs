//! `county.yaml` held to the county schema (`schemas/county.schema.yaml`, built in) before the
//! county is loaded: an unknown key (with the key probably meant), a wrong type or an
//! impossible value is said at its line and column under the field's Chinese title, as a school
//! file's are, rather than as whatever the loader makes of it (`{ profesional: 6 }` read as no
//! training at all, `every: 0` read as 1).

use std::path::Path;
use std::sync::OnceLock;

use super::{Checker, Finding, Kind};
use crate::base::diagnostics::{Pos, SourceError};
use crate::source::schema::Schema;
use crate::source::{text, yaml};

/// The county schema, built in.
pub const COUNTY_SCHEMA: &str = include_str!("../../schemas/county.schema.yaml");

fn schema() -> &'static Schema {
    static SCHEMA: OnceLock<Schema> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        Schema::parse(COUNTY_SCHEMA, Path::new("schemas/county.schema.yaml"))
            .expect("the built-in county schema is valid")
    })
}

/// What is wrong in the county's `county.yaml`, by the county schema. A file that cannot be
/// read or parsed gives nothing here: loading the county says so.
pub fn check_county_file(root: &Path) -> Vec<SourceError> {
    let file = root.join("county.yaml");
    let Ok(text) = text::read(root, &file, text::COUNTY_FILE_LIMIT) else {
        return Vec::new();
    };
    let Ok(node) = yaml::parse(&text) else {
        return Vec::new();
    };
    let mut checker = Checker {
        school: "",
        file: &file,
        schema: schema(),
        findings: Vec::new(),
    };
    checker.schema_errors(&node, &node.to_json());
    let mut findings = checker.findings;
    findings.sort_by_key(|f| (f.line, f.column));
    findings.dedup();
    findings.iter().map(error).collect()
}

fn error(f: &Finding) -> SourceError {
    let what = match f.kind {
        Kind::UnknownKey if !f.place.is_empty() => format!("{}：{}", f.place, f.message),
        _ => f.message.clone(),
    };
    let message = match &f.hint {
        Some(hint) => format!("{what}；{hint}"),
        None => what,
    };
    let pos = Pos {
        line: f.line,
        column: f.column,
    };
    SourceError::new(&f.file, Some(pos), message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_county_is_what_the_schema_says() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
        assert_eq!(check_county_file(&root), Vec::new());
    }

    #[test]
    fn a_misspelled_key_and_an_impossible_value_are_said_at_their_lines() {
        let dir = tempfile::tempdir().unwrap();
        let example = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("content/county.yaml"),
        )
        .unwrap();
        let wrong = example
            .replacen(
                "security_staff: { professional: 12 }",
                "security_staff: { profesional: 6 }",
                1,
            )
            .replacen(
                "it_staff: { professional: 3, every: 2, general: 3 }",
                "it_staff: { professional: 3, every: 0, general: 3 }",
                1,
            );
        std::fs::write(dir.path().join("county.yaml"), &wrong).unwrap();
        let said: Vec<String> = check_county_file(dir.path())
            .iter()
            .map(|e| e.to_string())
            .collect();
        let line = |needle: &str| wrong.lines().position(|l| l.contains(needle)).unwrap() + 1;
        assert_eq!(said.len(), 2, "{said:#?}");
        assert!(
            said[0].contains(&format!("county.yaml:{}:", line("profesional")))
                && said[0].contains("未知欄位「profesional」")
                && said[0].contains("是否為「professional」（專業課程訓練時數）？"),
            "{said:#?}"
        );
        assert!(
            said[1].contains(&format!("county.yaml:{}:", line("every: 0")))
                && said[1].contains("專業訓練計算年數")
                && said[1].contains("至少為 1"),
            "{said:#?}"
        );
    }
}
