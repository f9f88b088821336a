//! The county's dashboard: every school with its completeness and findings, in the order of
//! the county's own lists, on the index page and as CSV for the officials' spreadsheets.

use crate::editions::ReleaseStatus;
use crate::model::SchoolSummary;
use crate::render::Output;
use crate::roc::Date;
use crate::routes::Route;
use crate::validate::SchoolReport;

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

fn yes(b: bool) -> String {
    if b { "是" } else { "否" }.to_string()
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

/// The dashboard as CSV, UTF-8 with a byte-order mark so that Excel reads the Chinese right.
pub fn csv(rows: &[Row]) -> Output {
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
        "最新發布版次",
        "發布日期",
        "草稿已修改",
        "已發布檔案遭更動",
    ];
    out.write_record(header).expect("writing to memory");
    for Row {
        school: s,
        report: r,
        release,
    } in rows
    {
        out.write_record([
            inert(&s.id),
            inert(&s.name),
            inert(&s.kind),
            inert(&s.township),
            inert(&s.level),
            r.filled.to_string(),
            r.total.to_string(),
            r.percent().to_string(),
            r.errors.to_string(),
            r.warnings.to_string(),
            release.map_or_else(String::new, |x| inert(&x.version)),
            release.map_or_else(String::new, |x| Date::long_from_iso(&x.date)),
            release.map_or_else(String::new, |x| yes(x.draft_changed)),
            release.map_or_else(String::new, |x| yes(x.drifted)),
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
}
