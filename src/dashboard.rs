//! The county's dashboard: every school with its completeness and findings, in the order of
//! the county's own lists, on the index page and as CSV for the officials' spreadsheets.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::base::roc::Date;
use crate::base::routes::Output;
use crate::base::routes::Route;
use crate::config::Law;
use crate::editions::ReleaseStatus;
use crate::model::SchoolSummary;
use crate::source::schema::{Schema, Seg, parse_dotted};
use crate::validate::{Kind, SchoolReport};

/// One school on the dashboard.
pub struct Row<'a> {
    pub school: &'a SchoolSummary,
    pub report: &'a SchoolReport,
    pub release: Option<&'a ReleaseStatus>,
}

/// The schools in the order of the county's lists (seed 004): by kind of school, then township.
/// `releases` go with `schools`, one each.
pub fn rows<'a>(
    schools: &'a [(SchoolSummary, &'a SchoolReport)],
    releases: &'a [Option<ReleaseStatus>],
) -> Vec<Row<'a>> {
    let mut rows: Vec<Row> = schools
        .iter()
        .zip(releases)
        .map(|((school, report), release)| Row {
            school,
            report,
            release: release.as_ref(),
        })
        .collect();
    rows.sort_by(|a, b| a.school.sort_key().cmp(&b.school.sort_key()));
    rows
}

/// A field the county's schools most often leave empty, and how many schools do.
#[derive(Debug, Serialize, PartialEq)]
pub struct Missing {
    pub label: String,
    pub schools: usize,
}

/// The mandatory fields most schools leave empty, most first (what to chase first), counted
/// once per school whatever the position in a list: 推動小組成員之代理人 for every member
/// without a deputy.
pub fn most_missing(rows: &[Row], schema: &Schema, top: usize) -> Vec<Missing> {
    let mut counts: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
    for row in rows {
        for f in &row.report.findings {
            if f.kind == Kind::Missing && !f.path.is_empty() {
                counts
                    .entry(field_label(schema, &f.path))
                    .or_default()
                    .insert(&row.school.id);
            }
        }
    }
    let mut missing: Vec<Missing> = counts
        .into_iter()
        .map(|(label, schools)| Missing {
            label,
            schools: schools.len(),
        })
        .collect();
    missing.sort_by(|a, b| b.schools.cmp(&a.schools).then(a.label.cmp(&b.label)));
    missing.truncate(top);
    missing
}

/// A field's name without its position: the title of each list's item, then the field's own
/// (推動小組成員之分機).
fn field_label(schema: &Schema, dotted: &str) -> String {
    // Any item of a list stands for all: titles do not depend on the position.
    let path: Vec<Seg> = parse_dotted(dotted)
        .into_iter()
        .map(|seg| match seg {
            Seg::Index(_) => Seg::Index(0),
            key => key,
        })
        .collect();
    let mut parts: Vec<String> = Vec::new();
    for (i, seg) in path.iter().enumerate() {
        let last = i + 1 == path.len();
        let item = matches!(path.get(i + 1), Some(Seg::Index(_)));
        match seg {
            Seg::Key(_) if item => parts.push(schema.title(&path[..i + 2])),
            Seg::Key(_) if last => parts.push(schema.title(&path)),
            _ => {}
        }
    }
    parts.dedup();
    parts.join("之")
}

/// A cell a spreadsheet shows as text: one starting with `=`, `+`, `-`, `@` or a tab or return
/// would be read as a formula, so it gets a leading apostrophe (the OWASP advice).
fn inert(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

/// The dashboard's columns, as the table and the CSV both head them.
pub const COLUMNS: [&str; 12] = [
    "學校",
    "類別",
    "鄉鎮市",
    "責任等級",
    "版次",
    "日期",
    "完整度",
    "錯誤",
    "警告",
    "本校增修",
    "最新發布",
    "引用法規",
];

/// Which edition of the act a school's plan cites: its latest release's, as recorded when it
/// was released, or (never released) its draft's, which is the county's `law` now; and whether
/// that differs from what the county follows now (the plan is to be revised).
pub fn law_cited(release: Option<&ReleaseStatus>, current: Option<&Law>) -> (String, bool) {
    let now = current.map(Law::cited);
    match release {
        Some(r) => match &r.law {
            Some(law) => (law.clone(), now.as_ref() != Some(law)),
            None => ("發布時未記錄".to_string(), false),
        },
        None => (now.unwrap_or_else(|| "未設定".to_string()), false),
    }
}

/// The dashboard as CSV, UTF-8 with a byte-order mark so that Excel reads the Chinese right:
/// the table's columns, each cell as the table shows it.
pub fn csv(rows: &[Row], law: Option<&Law>) -> Output {
    let mut out = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    out.write_record(COLUMNS).expect("writing to memory");
    for Row {
        school: s,
        report: r,
        release,
    } in rows
    {
        let released = release.map_or_else(
            || "尚未發布".to_string(),
            |x| {
                let mut cell = format!("{}（{}）", x.version, Date::long_from_iso(&x.date));
                if x.draft_changed {
                    cell.push_str(" 草稿已修改");
                }
                if x.drifted {
                    cell.push_str(" 已發布檔案遭更動");
                }
                cell
            },
        );
        out.write_record([
            inert(&s.name),
            inert(&s.kind),
            inert(&s.township),
            if s.level.is_empty() {
                String::new()
            } else {
                format!("{} 級", inert(&s.level))
            },
            inert(&s.edition),
            inert(&s.edition_date),
            format!("{}%", r.percent()),
            r.errors.to_string(),
            r.warnings.to_string(),
            s.overrides.to_string(),
            inert(&released),
            match law_cited(*release, law) {
                (cited, true) => format!("{} 與現行不同", inert(&cited)),
                (cited, false) => inert(&cited),
            },
        ])
        .expect("writing to memory");
    }
    Output {
        route: Route::DashboardCsv,
        bytes: out.into_inner().expect("writing to memory"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_kept_as_text() {
        assert_eq!(
            inert("=HYPERLINK(\"http://x\")"),
            "'=HYPERLINK(\"http://x\")"
        );
        assert_eq!(inert("+886"), "'+886");
        assert_eq!(inert("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(inert("嘉義縣立東石國民中學"), "嘉義縣立東石國民中學");
    }

    #[test]
    fn a_field_is_named_without_its_position() {
        let schema =
            Schema::parse(crate::source::schema::BUILTIN, std::path::Path::new("s")).unwrap();
        let first = field_label(&schema, "team.0.deputy");
        assert_eq!(first, field_label(&schema, "team.5.deputy"));
        assert!(first.starts_with("推動小組成員之"), "{first}");
        assert_eq!(field_label(&schema, "ciso.name"), "資通安全長姓名");
    }
}
