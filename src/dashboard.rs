//! The county's dashboard: every school with its completeness and findings, in the order of
//! the county's own lists, on the index page and as CSV for the officials' spreadsheets.

use crate::model::SchoolSummary;
use crate::render::Output;
use crate::routes::Route;
use crate::validate::SchoolReport;

/// The schools in the order of the county's lists (seed 004): by kind of school, then township.
pub fn rows<'a>(
    schools: &'a [(SchoolSummary, &'a SchoolReport)],
) -> Vec<(&'a SchoolSummary, &'a SchoolReport)> {
    let mut rows: Vec<_> = schools.iter().map(|(s, r)| (s, *r)).collect();
    rows.sort_by(|(a, _), (b, _)| a.sort_key().cmp(&b.sort_key()));
    rows
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
pub fn csv(rows: &[(&SchoolSummary, &SchoolReport)]) -> Output {
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
    for (s, r) in rows {
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
