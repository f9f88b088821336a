//! The example county's plans read the same whichever of their words are the county's data
//! (`terms`, `documents`, `law`, the number style): each plan's page text and PDF text (plan and
//! forms) of a level-C and a level-D school, pinned as snapshots. Moving a phrase out of a
//! chapter into county.yaml must leave them as they are; a deliberate change of wording shows
//! here as a diff to review.

use std::path::Path;

use crate::harness::{County, example_site, pdf_text, read_html, sel, squeeze, text};

/// The text of a page's `<main>`, a line per text node, blank lines dropped.
fn page_text(page: &Path) -> String {
    let html = read_html(page);
    let main = html.select(&sel("main")).next().expect("a <main>");
    let mut out = String::new();
    for piece in main.text() {
        let piece = piece.trim();
        if !piece.is_empty() {
            out.push_str(piece);
            out.push('\n');
        }
    }
    out
}

fn pinned(id: &str) {
    let draft = example_site().join("schools").join(id).join("draft");
    insta::assert_snapshot!(
        format!("example_page_text_{id}"),
        page_text(&draft.join("index.html"))
    );
    insta::assert_snapshot!(
        format!("example_plan_pdf_text_{id}"),
        pdf_text(&draft.join("plan.pdf"))
    );
    insta::assert_snapshot!(
        format!("example_forms_pdf_text_{id}"),
        pdf_text(&draft.join("forms.pdf"))
    );
}

#[test]
fn a_level_c_plan_reads_as_before() {
    pinned("zhuqi-hs");
}

#[test]
fn a_level_d_plan_reads_as_before() {
    pinned("dongshi-jh");
}

/// The text of a page of the fixture county's site, white space squeezed out.
fn squeezed_page(county: &County, rel: &str) -> String {
    squeeze(&page_text(&county.site(rel)))
}

#[test]
fn a_county_that_writes_numbers_in_han_gets_them_so() {
    let county = County::fixture();
    county.edit("county.yaml", |t| {
        t.replace("numbers: arabic", "numbers: han")
    });
    county.build_ok(&["--school", "zhuqi-hs"]);
    let page = squeezed_page(&county, "schools/zhuqi-hs/draft/index.html");
    for said in [
        // 壹拾參's training lines, the county's words in the county's numbers.
        "資通安全專職人員每人每年至少接受十二小時以上之資通安全專業課程訓練或資通安全職能訓練。",
        "資通安全專職人員以外之資訊人員每人每二年至少接受三小時以上之資通安全專業課程訓練或資通安全職能訓練，且每年接受三小時以上之資通安全通識教育訓練。",
        "本機關之一般使用者與主管，每人每年接受三小時以上之資通安全通識教育訓練。",
        // Counts and articles.
        "最低應設置資通安全專職人員一人",
        "本計畫依據資通安全管理法第十條及施行細則第六條訂定。",
    ] {
        assert!(page.contains(said), "{said} in {page}");
    }
    assert!(!page.contains("3小時"), "no hours in digits are left");
    let pdf = squeeze(&pdf_text(&county.site("schools/zhuqi-hs/draft/plan.pdf")));
    assert!(
        pdf.contains("每人每二年至少接受三小時以上之資通安全專業課程訓練"),
        "{pdf}"
    );
}

/// The words another county's plans use, and the law as amended (names from the rules
/// re-issued on 2026-01-05; the edition of 2025-09-24; articles made up for the test).
const KEELUNG: [(&str, &str); 6] = [
    (
        "staff_roster: 資通安全專職人員分工表",
        "staff_roster: 資通安全兼辦人員名冊",
    ),
    (
        "risk_assessment_guide: 資訊系統風險評鑑參考指引",
        "risk_assessment_guide: 基隆市政府風險評估程序書",
    ),
    (
        "professional_training: 資通安全專業課程訓練或資通安全職能訓練",
        "professional_training: 資安專業課程訓練或資安職能訓練",
    ),
    (
        "general_training: 資通安全通識教育訓練",
        "general_training: 一般資通安全教育訓練",
    ),
    (
        "appraisal_rules: 相關規定",
        "appraisal_rules: 基隆市政府組織與權責程序書規定",
    ),
    ("report_due: 應於", "report_due: 應"),
];

fn amend_the_law(text: &str) -> String {
    text.replace(
        "edition: 中華民國 107 年 6 月 6 日制定公布",
        "edition: 中華民國 114 年 9 月 24 日修正公布",
    )
    .replace("    plan: 10 ", "    plan: 21 ")
    .replace("    implementation: 12 ", "    implementation: 23 ")
    .replace(
        "incident: 資通安全事件通報及應變辦法",
        "incident: 資通安全事件通報應變及演練辦法",
    )
}

#[test]
fn another_countys_words_and_an_amended_law_are_data_alone() {
    let county = County::fixture();
    county.edit("county.yaml", |t| {
        let t = KEELUNG
            .iter()
            .fold(t.to_string(), |t, (from, to)| t.replace(from, to));
        amend_the_law(&t.replace("deadline: 每年 11 月底前", "deadline: 每年"))
    });
    county.build_ok(&["--no-pdf"]);
    let page = squeezed_page(&county, "schools/dongshi-jh/draft/index.html");
    for said in [
        "本計畫依據資通安全管理法第21條及施行細則第6條訂定。",
        "各公務機關應製作「資通安全兼辦人員名冊」",
        "執行風險評估時應參考基隆市政府風險評估程序書執行相關作業。",
        "每人每年至少接受6小時以上之資安專業課程訓練或資安職能訓練。",
        "每人每年接受3小時以上之一般資通安全教育訓練。",
        "平時獎懲標準表，及基隆市政府組織與權責程序書規定辦理之。",
        "本機關依據本法第23條之規定，應每年向嘉義縣政府教育處，提出",
        "資通安全事件通報應變及演練辦法",
    ] {
        assert!(page.contains(said), "{said} in {page}");
    }
    let form = squeezed_page(
        &county,
        "schools/dongshi-jh/draft/forms/implementation/index.html",
    );
    assert!(form.contains("依資通安全管理法第23條之規定"), "{form}");

    // `check` and the dashboard name the edition the plans cite.
    let check = county.command("check", &[]);
    let said = String::from_utf8_lossy(&check.stderr);
    assert!(
        said.contains("計畫引用之法規版本：資通安全管理法（中華民國 114 年 9 月 24 日修正公布）"),
        "{said}"
    );
    let dashboard = page_text(&county.site("index.html"));
    assert!(
        dashboard
            .contains("計畫引用之法規版本：資通安全管理法（中華民國 114 年 9 月 24 日修正公布）"),
        "{dashboard}"
    );
}

#[test]
fn a_release_keeps_the_edition_of_the_law_it_cites() {
    let county = County::fixture();
    county.release_school("dongshi-jh", "V4.0", "配合法規修正前之版本");
    county.edit("county.yaml", amend_the_law);
    let check = county.command("check", &[]);
    let said = String::from_utf8_lossy(&check.stderr);
    assert!(
        said.contains(
            "嘉義縣立東石國民中學之最新發布版本 V4.0 引用 資通安全管理法（中華民國 107 年 6 月 6 日制定公布）：與現行設定不同"
        ),
        "{said}"
    );
    county.build_ok(&["--no-pdf"]);
    let html = county.page("index.html");
    let cell = html
        .select(&sel("#school-dongshi-jh td.law"))
        .next()
        .map(text)
        .expect("the school's row names the law it cites");
    assert_eq!(
        cell,
        "資通安全管理法（中華民國 107 年 6 月 6 日制定公布） 與現行不同"
    );
    let other = html
        .select(&sel("#school-daji-jh td.law"))
        .next()
        .map(text)
        .unwrap();
    assert_eq!(
        other,
        "資通安全管理法（中華民國 114 年 9 月 24 日修正公布）"
    );
}

#[test]
fn a_level_without_obligations_has_no_table_and_an_obligation_may_run_over_lines() {
    let county = County::fixture();
    county.edit("county.yaml", |t| {
        // Level D's table left out; a line break in one of level C's.
        let d = t.find("  D:\n").unwrap();
        let e = t.find("  E:\n").unwrap();
        let level_d = &t[d..e];
        let without = &level_d[..level_d.find("    obligations:").unwrap()];
        let t = t.replace(level_d, without);
        t.replace(
            "content: 每二年辦理一次。\n          - item: 業務持續運作演練",
            "content: \"每二年辦理一次。\\n（本縣另訂稽核計畫）\"\n          - item: 業務持續運作演練",
        )
    });
    county.build_ok(&["--school", "zhuqi-hs", "--school", "dongshi-jh"]);
    let d = squeezed_page(&county, "schools/dongshi-jh/draft/index.html");
    assert!(!d.contains("應辦事項如下表"), "{d}");
    let c = county.page("schools/zhuqi-hs/draft/index.html");
    let cell = c
        .select(&sel(
            "#inventory-level ~ table td, #inventory-level ~ div table td",
        ))
        .find(|td| text(*td).contains("本縣另訂稽核計畫"))
        .expect("the obligation is in a cell of the table");
    assert!(
        cell.html()
            .contains("每二年辦理一次。<br>（本縣另訂稽核計畫）"),
        "{}",
        cell.html()
    );
    let pdf = pdf_text(&county.site("schools/zhuqi-hs/draft/plan.pdf"));
    assert!(
        pdf.contains("每二年辦理一次。\n（本縣另訂稽核計畫）"),
        "{pdf}"
    );
}

#[test]
fn a_version_may_carry_a_note() {
    let county = County::fixture();
    county.edit("schools/dongshi-jh.yaml", |t| {
        t.replace("  version: V3.0", "  version: V3.0（修訂）")
            .replace("    - version: V3.0", "    - version: V3.0（修訂）")
    });
    let check = county.command("check", &["--school", "dongshi-jh"]);
    let said = String::from_utf8_lossy(&check.stdout);
    assert!(!said.contains("plan.version"), "{said}");
    assert!(!said.contains("版次"), "{said}");
    county.release_school("dongshi-jh", "V3.0", "修訂");
    county.build_ok(&["--no-pdf"]);
    let page = squeezed_page(&county, "schools/dongshi-jh/V3.0/index.html");
    assert!(page.contains("V3.0（修訂）"), "{page}");
    assert!(!page.contains("V3.0修訂"), "{page}");
}
