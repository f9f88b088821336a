//! How `planpress check` prints its findings: rustc-style for people, grouped by school and
//! drawn by annotate-snippets, and JSON for tools.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use std::ops::Range;

use annotate_snippets::normalize_untrusted_str;
use annotate_snippets::renderer::Style;
use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};
use serde::Serialize;

use crate::validate::{Finding, Kind, SchoolReport, Severity};

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

/// Findings the way rustc prints diagnostics, under a heading per school: the file, line and
/// column, the source line with the field marked and named, and a hint. `names` gives each
/// school's name by id; `color` styles the text for a terminal.
pub fn human(
    reports: &[SchoolReport],
    names: &HashMap<String, String>,
    sources: &HashMap<PathBuf, String>,
    color: bool,
) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    for report in reports.iter().filter(|r| !r.findings.is_empty()) {
        let heading = format!(
            "{}（{}）：{} 個錯誤、{} 個警告",
            names
                .get(&report.school)
                .map_or(report.school.as_str(), String::as_str),
            report.file.display(),
            report.errors,
            report.warnings,
        );
        let heading = normalize_untrusted_str(&heading);
        if color {
            let bold = Style::new().bold();
            let _ = writeln!(out, "{bold}{heading}{bold:#}\n");
        } else {
            let _ = writeln!(out, "{heading}\n");
        }
        for f in &report.findings {
            let source = sources.get(&f.file).map(String::as_str);
            let _ = writeln!(out, "{}\n", renderer.render(&[finding(f, source)]));
        }
    }
    out
}

fn finding<'a>(f: &'a Finding, source: Option<&'a str>) -> Group<'a> {
    let level = match f.severity {
        Severity::Error => Level::ERROR.with_name("錯誤"),
        Severity::Warning => Level::WARNING.with_name("警告"),
    };
    let file = f.file.to_string_lossy();
    let title = level
        .primary_title(normalize_untrusted_str(&f.message))
        .id(f.kind.label());
    let mut group = match source.and_then(|s| Some((s, span(s, f.line, f.column)?))) {
        Some((source, span)) => {
            let mark = AnnotationKind::Primary.span(span);
            let mark = if f.place.is_empty() {
                mark
            } else {
                mark.label(normalize_untrusted_str(&f.place))
            };
            title.element(Snippet::source(source).path(file).annotation(mark))
        }
        // No line to show (the file is gone, or the problem is the file as a whole).
        None => title.element(
            Origin::path(file)
                .line(f.line.max(1) as usize)
                .char_column(f.column.saturating_sub(1) as usize),
        ),
    };
    if let Some(hint) = &f.hint {
        group = group.element(
            Level::HELP
                .with_name("提示")
                .message(normalize_untrusted_str(hint)),
        );
    }
    // The key to write, for whoever fixes the file in an editor (pages leave it out).
    if f.kind == Kind::Missing
        && let Some(key) = f
            .pointer
            .rsplit('/')
            .next()
            .filter(|k| k.parse::<usize>().is_err() && !k.is_empty())
    {
        let key = key.replace("~1", "/").replace("~0", "~");
        group = group.element(
            Level::NOTE
                .with_name("欄位名稱")
                .message(normalize_untrusted_str(&format!("{key}:"))),
        );
    }
    group
}

/// The bytes of `source` that a finding at `line` and `column` (1-based, in characters) marks:
/// the token there, a key up to its colon or a value to the end of its line, at least its first
/// character. `None` when the line is not in the source.
fn span(source: &str, line: u64, column: u64) -> Option<Range<usize>> {
    let index = usize::try_from(line).ok()?.checked_sub(1)?;
    let start: usize = source.split_inclusive('\n').take(index).map(str::len).sum();
    let text = source.get(start..)?.split('\n').next()?;
    if start == source.len() && index > 0 {
        return None;
    }
    let text = text.strip_suffix('\r').unwrap_or(text);
    let skip = usize::try_from(column).ok()?.saturating_sub(1);
    let at = text.char_indices().nth(skip).map_or(text.len(), |(i, _)| i);
    let rest = &text[at..];
    let quoted = rest.starts_with(['"', '\'']);
    let mut end = rest.trim_end().len();
    if !quoted {
        for stop in [": ", " #"] {
            if let Some(i) = rest.find(stop) {
                end = end.min(i);
            }
        }
        if rest[..end].ends_with(':') {
            end -= 1;
        }
    }
    if end == 0 {
        end = rest.chars().next().map_or(0, char::len_utf8);
    }
    Some(start + at..start + at + end)
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

/// The closing line of `check`, in the reader's words.
pub fn tally(reports: &[SchoolReport]) -> String {
    let run = CheckRun::new(reports);
    let clean = reports.iter().filter(|r| r.errors == 0).count();
    format!(
        "檢查 {} 所學校：{clean} 所沒有錯誤；共 {} 個錯誤、{} 個警告",
        reports.len(),
        run.errors,
        run.warnings
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

    fn placeholder() -> Finding {
        Finding {
            school: "x".into(),
            file: "x.yaml".into(),
            path: "ciso.name".into(),
            pointer: "/ciso/name".into(),
            place: "資通安全長姓名".into(),
            label: "資通安全長姓名".into(),
            kind: Kind::Placeholder,
            severity: Severity::Error,
            line: 2,
            column: 9,
            message: "資通安全長姓名仍為預留文字「○○○」".into(),
            hint: Some("請填入實際內容".into()),
        }
    }

    fn report(findings: Vec<Finding>) -> SchoolReport {
        SchoolReport {
            school: "x".into(),
            file: "x.yaml".into(),
            filled: 0,
            total: 1,
            errors: findings.len(),
            warnings: 0,
            findings,
        }
    }

    fn render(findings: Vec<Finding>, source: &str, color: bool) -> String {
        let names = HashMap::from([("x".to_string(), "嘉義縣某國小".to_string())]);
        let sources = HashMap::from([(PathBuf::from("x.yaml"), source.to_string())]);
        human(&[report(findings)], &names, &sources, color)
    }

    #[test]
    fn caret_sits_under_the_column_of_wide_text() {
        let f = Finding {
            column: 6,
            ..placeholder()
        };
        let out = render(vec![f], "ciso:\n  名: ○○○\n", false);
        assert!(
            out.starts_with("嘉義縣某國小（x.yaml）：1 個錯誤、0 個警告\n"),
            "{out}"
        );
        assert!(
            out.contains("錯誤[未替換之預留文字]: 資通安全長姓名仍為預留文字"),
            "{out}"
        );
        assert!(out.contains("--> x.yaml:2:6"), "{out}");
        assert!(out.contains("2 |   名: ○○○"), "{out}");
        // 名 is two columns wide.
        assert!(out.contains("  |       ^^^ 資通安全長姓名"), "{out}");
        assert!(out.contains("= 提示: 請填入實際內容"), "{out}");
        assert!(!out.contains('\x1b'), "no colour unless asked: {out}");
    }

    #[test]
    fn colour_only_when_asked() {
        let out = render(vec![placeholder()], "ciso:\n  name: ○○○\n", true);
        assert!(out.contains("\x1b["), "{out}");
    }

    #[test]
    fn a_missing_field_names_its_key_for_the_editor() {
        let f = Finding {
            pointer: "/contacts/1/phone".into(),
            place: "第 2 位資安聯絡人的聯絡電話".into(),
            kind: Kind::Missing,
            line: 3,
            column: 5,
            message: "尚未填寫「第 2 位資安聯絡人的聯絡電話」".into(),
            hint: None,
            ..placeholder()
        };
        let out = render(vec![f], "contacts:\n  - name: a\n  - name: b\n", false);
        assert!(out.contains("  - name: b"), "{out}");
        assert!(out.contains("^^^^ 第 2 位資安聯絡人的聯絡電話"), "{out}");
        assert!(out.contains("= 欄位名稱: phone:"), "{out}");
    }

    #[test]
    fn spans_cover_the_token_at_the_column() {
        let text = "name: a\nciso:\n  nmae: 王大明 # 校長\nip: \"1: 2\"\n";
        let at = |line, column| span(text, line, column).map(|r| &text[r]);
        assert_eq!(at(1, 1), Some("name"));
        assert_eq!(at(2, 1), Some("ciso"));
        assert_eq!(at(3, 3), Some("nmae"));
        assert_eq!(at(3, 9), Some("王大明"));
        assert_eq!(at(4, 5), Some("\"1: 2\""));
        assert_eq!(at(9, 1), None);
        assert_eq!(at(0, 0), None);
    }
}
