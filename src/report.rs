//! How `planpress check` prints its findings: rustc-style for people, JSON for tools.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use crate::validate::{Finding, SchoolReport, Severity};

/// The whole run, as `--format json` prints it.
#[derive(Debug, Serialize)]
pub struct CheckRun<'a> {
    pub schools: &'a [SchoolReport],
    pub errors: usize,
    pub warnings: usize,
}

impl<'a> CheckRun<'a> {
    pub fn new(schools: &'a [SchoolReport]) -> Self {
        CheckRun {
            schools,
            errors: schools.iter().map(|s| s.errors).sum(),
            warnings: schools.iter().map(|s| s.warnings).sum(),
        }
    }
}

/// Findings the way rustc prints diagnostics: the file, line and column, the source line with a
/// caret under the column, the field's Chinese label, and a hint.
pub fn human(reports: &[SchoolReport], sources: &HashMap<PathBuf, String>) -> String {
    let mut out = String::new();
    for report in reports {
        for f in &report.findings {
            finding(&mut out, f, sources.get(&f.file).map(String::as_str));
        }
    }
    out
}

fn finding(out: &mut String, f: &Finding, source: Option<&str>) {
    let severity = match f.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let _ = writeln!(out, "{severity}[{}]: {}", f.kind.label(), f.message);
    let _ = writeln!(out, "  --> {}:{}:{}", f.file.display(), f.line, f.column);
    let line_text = source.and_then(|s| s.lines().nth(f.line as usize - 1));
    let gutter = " ".repeat(f.line.to_string().len());
    if let Some(text) = line_text {
        // A line of thousands of characters is cut to what a terminal shows.
        const WIDEST: usize = 120;
        let long = text.chars().count() > WIDEST;
        let text: String = text.chars().take(WIDEST).collect();
        let text = if long { format!("{text}…") } else { text };
        let column = (f.column as usize).min(WIDEST + 1);
        let before: String = text.chars().take(column - 1).collect();
        let pad = " ".repeat(before.width());
        let what = if f.path.is_empty() {
            f.label.clone()
        } else {
            format!("{}（{}）", f.label, f.path)
        };
        let _ = writeln!(out, "{gutter} |");
        let _ = writeln!(out, "{} | {text}", f.line);
        let _ = writeln!(out, "{gutter} | {pad}^ {what}");
    }
    if let Some(hint) = &f.hint {
        let _ = writeln!(out, "{gutter} = 提示：{hint}");
    }
    out.push('\n');
}

/// One line per run: how many schools, how many of them clean, how many findings.
pub fn summary(reports: &[SchoolReport]) -> String {
    let run = CheckRun::new(reports);
    let clean = reports.iter().filter(|r| r.errors == 0).count();
    format!(
        "checked {} school{}: {clean} without errors; {} error{}, {} warning{}",
        reports.len(),
        plural(reports.len()),
        run.errors,
        plural(run.errors),
        run.warnings,
        plural(run.warnings),
    )
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The text of every file the findings point into: school files and the schools' own texts.
pub fn sources<'a>(
    reports: &[SchoolReport],
    known: impl Iterator<Item = (&'a Path, &'a str)>,
) -> HashMap<PathBuf, String> {
    let mut map: HashMap<PathBuf, String> = known
        .map(|(p, t)| (p.to_path_buf(), t.to_string()))
        .collect();
    for f in reports.iter().flat_map(|r| &r.findings) {
        if !map.contains_key(&f.file)
            && let Ok(text) = std::fs::read_to_string(&f.file)
        {
            map.insert(f.file.clone(), text);
        }
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::Kind;

    #[test]
    fn caret_sits_under_the_column_of_wide_text() {
        let f = Finding {
            school: "x".into(),
            file: "x.yaml".into(),
            path: "ciso.name".into(),
            label: "資通安全長姓名".into(),
            kind: Kind::Placeholder,
            severity: Severity::Error,
            line: 2,
            column: 9,
            message: "資通安全長姓名仍為預留文字「○○○」".into(),
            hint: Some("請填入實際內容".into()),
        };
        let mut out = String::new();
        finding(&mut out, &f, Some("ciso:\n  name: ○○○\n"));
        assert!(out.contains("  --> x.yaml:2:9"), "{out}");
        assert!(out.contains("2 |   name: ○○○"), "{out}");
        assert!(
            out.contains("  |         ^ 資通安全長姓名（ciso.name）"),
            "{out}"
        );
        assert!(out.contains("= 提示：請填入實際內容"), "{out}");
    }
}
