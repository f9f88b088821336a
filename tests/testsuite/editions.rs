//! Released editions: `planpress release` freezes a school's plan and PDFs; later changes never
//! reach them, builds check them, and every later revision record lists them.

use std::fs;

use crate::harness::*;

fn stderr(run: &std::process::Output) -> String {
    String::from_utf8_lossy(&run.stderr).into_owned()
}

fn release(county: &County, school: &str, version: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "--school",
        school,
        "--version",
        version,
        "--date",
        "2026-11-27",
        "--note",
    ];
    args.push(if version == "V3.1" {
        "依新版範本修訂"
    } else {
        "更換資通安全長"
    });
    args.extend_from_slice(extra);
    county.command("release", &args)
}

#[test]
fn a_released_edition_stays_as_signed_and_later_ones_list_it() {
    let county = County::fixture();
    let edition = |v: &str, file: &str| county.file(&format!("editions/dongshi-jh/{v}/{file}"));

    let first = release(&county, "dongshi-jh", "V3.1", &[]);
    assert!(first.status.success(), "{}", stderr(&first));
    let signed = fs::read(edition("V3.1", "internal/plan.pdf")).unwrap();
    let text = pdf_text(&edition("V3.1", "internal/plan.pdf"));
    assert!(text.contains("版次：V3.1"), "the cover carries the edition");
    assert!(
        text.contains("依新版範本修訂"),
        "its row in the revision record"
    );
    assert!(text.contains("中華民國 115 年 11 月 27 日"));

    // A new CISO and a changed sentence: the next edition has them, the first keeps its own.
    county.edit("schools/dongshi-jh.yaml", |t| t.replace("黃振榮", "王大明"));
    county.edit("plan/01-basis.md", |t| {
        t.replacen("條訂定。", "條訂定（已修訂）。", 1)
    });
    let second = release(
        &county,
        "dongshi-jh",
        "V3.2",
        &["--approver", "校長 王大明"],
    );
    assert!(second.status.success(), "{}", stderr(&second));
    let text = squeeze(&pdf_text(&edition("V3.2", "internal/plan.pdf")));
    for said in [
        "V3.1",
        "依新版範本修訂",
        "V3.2",
        "更換資通安全長",
        "王大明",
        "（已修訂）",
    ] {
        assert!(text.contains(said), "V3.2 says {said}");
    }
    assert_eq!(
        fs::read(edition("V3.1", "internal/plan.pdf")).unwrap(),
        signed
    );
    let first_plan = fs::read_to_string(edition("V3.1", "public/plan.json")).unwrap();
    assert!(first_plan.contains("黃振榮") && !first_plan.contains("王大明"));

    // A version is released once.
    let again = release(&county, "dongshi-jh", "V3.1", &[]);
    assert_eq!(again.status.code(), Some(1));
    assert!(
        stderr(&again).contains("released already"),
        "{}",
        stderr(&again)
    );
    assert_eq!(
        fs::read(edition("V3.1", "internal/plan.pdf")).unwrap(),
        signed
    );

    // The draft moves on after the release.
    county.edit("schools/dongshi-jh.yaml", |t| {
        t.replacen("name: 王大明", "name: 王大同", 1)
    });

    // The site: each edition at its address as released, the draft with the newest data.
    // A new layout changes neither.
    county.write(
        "themes/default/typst/plan.typ",
        &fs::read_to_string(repo().join("themes/default/typst/plan.typ"))
            .unwrap()
            .replacen("[資通安全維護計畫]", "[資通安全維護計畫（新版型）]", 1),
    );
    county.build_ok(&["--school", "dongshi-jh"]);
    let page = |path: &str| squeeze(&fs::read_to_string(county.site(path)).unwrap());
    let first = page("schools/dongshi-jh/V3.1/index.html");
    assert!(first.contains("黃振榮") && !first.contains("王大明") && !first.contains("（已修訂）"));
    assert!(first.contains("本頁為舊版V3.1") && first.contains("href=\"../V3.2/index.html\""));
    // A chapter's link to a form leads to the school's form from every address.
    assert!(first.contains("href=\"../draft/forms/team/index.html\""));
    assert_eq!(
        fs::read(county.site("schools/dongshi-jh/V3.1/plan.pdf")).unwrap(),
        fs::read(edition("V3.1", "public/plan.pdf")).unwrap()
    );
    assert!(!pdf_text(&county.site("schools/dongshi-jh/V3.1/plan.pdf")).contains("新版型"));
    // Its forms as released, one document, each form linked where it starts.
    assert_eq!(
        fs::read(county.site("schools/dongshi-jh/V3.1/forms.pdf")).unwrap(),
        fs::read(edition("V3.1", "public/forms.pdf")).unwrap()
    );
    assert!(first.contains("href=\"forms.pdf#nameddest=form-team\""));
    let second = page("schools/dongshi-jh/V3.2/index.html");
    assert!(second.contains("王大明") && second.contains("（已修訂）"));
    assert!(second.contains("本頁為最新發布版本V3.2"));
    // The school's own address is its latest edition, its PDFs those of the edition.
    let home = page("schools/dongshi-jh/index.html");
    assert!(home.contains("本頁為最新發布版本V3.2") && home.contains("王大明"));
    assert!(home.contains("href=\"V3.2/plan.pdf\"") && !home.contains("草稿："));
    let draft = page("schools/dongshi-jh/draft/index.html");
    assert!(
        draft.contains("草稿：")
            && draft.contains("最新發布版本為<ahref=\"../V3.2/index.html\">V3.2")
    );
    assert!(draft.contains("依新版範本修訂") && draft.contains("更換資通安全長"));
    // What changed: the data under its Chinese label, the sentence marked where it changed.
    let changes = county.page("schools/dongshi-jh/changes/V3.2/index.html");
    let rows: Vec<String> = changes
        .select(&sel(".changes-data tbody tr"))
        .map(|r| squeeze(&r.text().collect::<String>()))
        .collect();
    assert!(
        rows.iter()
            .any(|r| r == "資通安全長／資通安全長姓名黃振榮王大明"),
        "{rows:?}"
    );
    let added: Vec<String> = changes
        .select(&sel(".changes-text ins"))
        .map(|i| i.text().collect())
        .collect();
    assert!(added.iter().any(|a| a == "（已修訂）"), "{added:?}");
    assert!(draft.contains("草稿與該版之差異"));
    let said = county.command("diff", &["--school", "dongshi-jh", "V3.1", "V3.2"]);
    let said = String::from_utf8_lossy(&said.stdout);
    assert!(
        said.contains("資通安全長／資通安全長姓名：黃振榮 → 王大明"),
        "{said}"
    );
    assert!(said.contains("{+（已修訂）+}"), "{said}");

    // The dashboard: the latest release, the draft changed since, and the year's releases.
    let index = county.page("index.html");
    let cell = index
        .select(&sel("tr[data-school=\"dongshi-jh\"] td.release"))
        .next()
        .unwrap()
        .text()
        .collect::<String>();
    assert!(
        cell.contains("V3.2") && cell.contains("草稿已修改"),
        "{cell}"
    );
    let other = index
        .select(&sel("tr[data-school=\"zhuqi-hs\"] td.release"))
        .next()
        .unwrap()
        .text()
        .collect::<String>();
    assert_eq!(other, "尚未發布");
    let year = squeeze(
        &index
            .select(&sel(".released"))
            .next()
            .unwrap()
            .text()
            .collect::<String>(),
    );
    assert!(year.contains("V3.1、V3.2"), "{year}");

    let draft_pdf = pdf_text(&county.site("schools/dongshi-jh/draft/plan.pdf"));
    assert!(draft_pdf.contains("新版型") && draft_pdf.contains("草稿"));
    assert!(!pdf_text(&edition("V3.2", "internal/plan.pdf")).contains("草稿"));

    // A stored file changed by hand is reported; with --strict nothing is built.
    let mut tampered = signed.clone();
    let last = tampered.len() - 10;
    tampered[last] ^= 1;
    let stored = edition("V3.1", "internal/plan.pdf");
    let mut permissions = fs::metadata(&stored).unwrap().permissions();
    assert!(permissions.readonly(), "a released file is kept read-only");
    #[allow(clippy::permissions_set_readonly_false)]
    permissions.set_readonly(false);
    fs::set_permissions(&stored, permissions).unwrap();
    fs::write(&stored, tampered).unwrap();
    let built = county.build_binary(&["--no-pdf", "--school", "dongshi-jh"]);
    assert!(built.status.success());
    assert!(
        stderr(&built).contains("released edition changed")
            && stderr(&built).contains("V3.1/internal/plan.pdf"),
        "{}",
        stderr(&built)
    );
    let strict = county.build_binary(&["--no-pdf", "--school", "dongshi-jh", "--strict"]);
    assert_eq!(strict.status.code(), Some(2), "{}", stderr(&strict));
}

#[test]
fn a_school_with_errors_is_released_only_when_asked_and_says_what_was_wrong() {
    let county = County::fixture();
    let refused = release(&county, "daji-jh", "V3.1", &[]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("--allow-incomplete"),
        "{}",
        stderr(&refused)
    );
    assert!(!county.file("editions/daji-jh/V3.1").exists());

    let allowed = release(&county, "daji-jh", "V3.1", &["--allow-incomplete"]);
    assert!(allowed.status.success(), "{}", stderr(&allowed));
    let record = county.read("editions/daji-jh/V3.1/edition.yaml");
    assert!(record.contains("findings:\n- "), "{record}");

    // An edition record broken by hand fails its school alone.
    county.write("editions/daji-jh/V3.1/edition.yaml", "school: [daji-jh\n");
    let built = county.build_binary(&["--no-pdf"]);
    let said = stderr(&built);
    assert!(
        said.contains("daji-jh/V3.1/edition.yaml") && said.contains("已發布版本之紀錄無法讀取"),
        "{said}"
    );
    assert!(!county.site("schools/daji-jh/index.html").exists());
    assert!(county.site("schools/zhuqi-hs/index.html").is_file());
    let again = release(&county, "daji-jh", "V3.2", &["--allow-incomplete"]);
    assert_eq!(again.status.code(), Some(1), "{}", stderr(&again));
    assert!(!county.file("editions/daji-jh/V3.2").exists());
}

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The county revises the procedure after its release (本程序業經縣網中心修訂); then 東石國中
/// releases its plan as V3.1.
fn revise_procedure_and_release_school(county: &County) {
    county.edit("docs/incident-procedure.md", |t| {
        t.replacen(
            "# 適用範圍\n\n",
            "# 適用範圍\n\n本程序業經縣網中心修訂。",
            1,
        )
    });
    let school = release(county, "dongshi-jh", "V3.1", &[]);
    assert!(school.status.success(), "{}", stderr(&school));
}

#[test]
fn a_shared_document_is_released_and_plans_released_after_it_cite_that_edition() {
    let county = County::fixture();
    let release_doc = |date: &str, more: &[&str]| {
        let mut args = vec![
            "--doc",
            "incident-procedure",
            "--version",
            "V1.0",
            "--date",
            date,
        ];
        args.extend_from_slice(&["--note", "初版"]);
        args.extend_from_slice(more);
        county.command("release", &args)
    };
    let doc = release_doc("2026-01-15", &["--approver", "處長 林大同"]);
    assert!(doc.status.success(), "{}", stderr(&doc));
    let record = county.read("editions/_docs/incident-procedure/V1.0/edition.yaml");
    assert!(
        record.contains("doc.json:") && record.contains("嘉義縣教育網路中心"),
        "{record}"
    );

    revise_procedure_and_release_school(&county);
    let record = county.read("editions/dongshi-jh/V3.1/edition.yaml");
    assert!(
        record.contains("docs:\n  incident-procedure: V1.0"),
        "{record}"
    );
    // Its appendix is the procedure as released, not as revised since.
    let signed = squeeze(&pdf_text(
        &county.file("editions/dongshi-jh/V3.1/internal/plan.pdf"),
    ));
    assert!(signed.contains("發生於各校之事件") && !signed.contains("業經縣網中心修訂"));

    let again = release_doc("2026-02-01", &[]);
    assert_eq!(again.status.code(), Some(1), "{}", stderr(&again));

    county.build_ok(&["--no-pdf"]);
    let page = |path: &str| squeeze(&fs::read_to_string(county.site(path)).unwrap());
    let home = page("docs/incident-procedure/index.html");
    assert!(home.contains("本頁為最新發布版本V1.0") && !home.contains("業經縣網中心修訂"));
    assert!(
        home.contains("初版") && home.contains("處長林大同"),
        "its revision record"
    );
    let draft = page("docs/incident-procedure/draft/index.html");
    assert!(draft.contains("草稿：") && draft.contains("業經縣網中心修訂"));
    assert!(page("docs/incident-procedure/V1.0/index.html").contains("本頁為最新發布版本V1.0"));
    // The edition links the edition it cites; the draft links the document's address.
    let edition = page("schools/dongshi-jh/V3.1/index.html");
    assert!(edition.contains("href=\"../../../docs/incident-procedure/V1.0/index.html\""));
    let draft_plan = page("schools/dongshi-jh/draft/index.html");
    assert!(draft_plan.contains("href=\"../../../docs/incident-procedure/index.html\""));
}

#[test]
fn the_public_copy_of_an_edition_is_searched_for_sensitive_values() {
    let county = County::fixture();
    let servers = "schools/dongshi-jh/overrides/servers.md";
    county.write(
        servers,
        "---\ntarget: controls\nmode: append\n---\n本校公文系統主機位於 163.27.120.15。\n",
    );
    let refused = release(&county, "dongshi-jh", "V3.1", &[]);
    assert_eq!(refused.status.code(), Some(1));
    let said = stderr(&refused);
    assert!(
        said.contains("public copy would publish") && said.contains("core_systems.0.ip"),
        "{said}"
    );
    assert!(!said.contains("163.27.120.15"), "{said}");
    assert!(!county.file("editions/dongshi-jh/V3.1").exists());

    // Released while the address was no school's; a school has it as a system's IP since.
    county.write(
        servers,
        "---\ntarget: controls\nmode: append\n---\n備援主機位於 10.20.30.40。\n",
    );
    let released = release(&county, "dongshi-jh", "V3.1", &[]);
    assert!(released.status.success(), "{}", stderr(&released));
    assert!(
        county
            .read("editions/dongshi-jh/V3.1/public/pdf-text.txt")
            .contains("10.20.30.40")
    );
    fs::remove_file(county.file(servers)).unwrap();
    county.build_ok(&["--school", "dongshi-jh"]);
    assert!(county.site("schools/dongshi-jh/V3.1/plan.pdf").is_file());
    county.edit("schools/jingshan-es.yaml", |t| {
        t.replacen("ip: \"163.27.86.21\"", "ip: \"10.20.30.40\"", 1)
    });
    // Kept from the previous site while another school is built: searched again.
    let other = county.build_binary(&["--school", "jingshan-es", "--no-pdf"]);
    let said = stderr(&other);
    assert!(
        said.contains("schools/dongshi-jh/V3.1/*.pdf")
            && said.contains("previous pages of school `dongshi-jh` were left out"),
        "{said}"
    );
    assert!(!county.site("schools/dongshi-jh").exists());
    let built = county.build_binary(&["--school", "dongshi-jh"]);
    assert_eq!(built.status.code(), Some(1));
    let said = stderr(&built);
    assert!(
        said.contains("schools/dongshi-jh/V3.1/*.pdf")
            && said.contains("school `dongshi-jh` skipped"),
        "{said}"
    );
}

/// A county that cites its shared documents publishes each text once as a PDF of its own; a
/// plan's appendix names the document, the edition it cites and its address, instead of
/// printing it (or the list of every school) again.
#[test]
fn a_county_that_cites_its_documents_publishes_each_once_and_plans_cite_its_edition() {
    let county = County::fixture();
    county.build_ok(&["--school", "dongshi-jh"]);
    let appended = county.site("schools/dongshi-jh/draft/plan.pdf");
    let appended_pages = page_count(&appended);
    assert!(squeeze(&pdf_text(&appended)).contains("發生於各校之事件"));

    county.edit("county.yaml", |t| {
        t.replacen("\nappendix: append\n", "\nappendix: cite\n", 1)
    });
    county.release_doc("incident-procedure", "V1.0");
    revise_procedure_and_release_school(&county);
    county.build_ok(&[]);

    // The plans cite: the draft the latest edition at the document's address, the released
    // plan the edition it was released with.
    for plan in [
        county.site("schools/dongshi-jh/draft/plan.pdf"),
        county.file("editions/dongshi-jh/V3.1/internal/plan.pdf"),
    ] {
        let text = squeeze(&pdf_text(&plan));
        assert!(
            text.contains("附錄：嘉義縣中小學資通安全事件通報及應變管理程序")
                && text.contains("本文件為嘉義縣共用文件，另行發布，版次V1.0"),
            "{plan:?}"
        );
        assert!(
            !text.contains("發生於各校之事件"),
            "{plan:?} does not print it"
        );
        assert!(
            !text.contains("嘉義縣立大吉國民中學"),
            "{plan:?}: no list of schools"
        );
    }
    let draft = squeeze(&pdf_text(&county.site("schools/dongshi-jh/draft/plan.pdf")));
    assert!(draft.contains("https://www.cyc.edu.tw/isms/docs/incident-procedure/"));
    let released = squeeze(&pdf_text(&county.site("schools/dongshi-jh/V3.1/plan.pdf")));
    assert!(released.contains("https://www.cyc.edu.tw/isms/docs/incident-procedure/V1.0/"));
    assert!(page_count(&county.site("schools/dongshi-jh/draft/plan.pdf")) < appended_pages);

    // Each text of the document once, whole, as its own PDF beside its page.
    let v1 = county.site("docs/incident-procedure/V1.0/incident-procedure.pdf");
    let working = county.site("docs/incident-procedure/draft/incident-procedure.pdf");
    assert_eq!(
        pdf_info(&v1, "Title"),
        "嘉義縣中小學資通安全事件通報及應變管理程序"
    );
    let v1_text = squeeze(&pdf_text(&v1));
    assert!(v1_text.contains("發生於各校之事件") && v1_text.contains("版次：V1.0"));
    assert!(
        v1_text.contains("嘉義縣立東石國民中學"),
        "the document lists its schools"
    );
    assert!(!v1_text.contains("業經縣網中心修訂") && !v1_text.contains("草稿"));
    let working_text = squeeze(&pdf_text(&working));
    assert!(working_text.contains("業經縣網中心修訂") && working_text.contains("草稿"));
    let home = fs::read_to_string(county.site("docs/incident-procedure/index.html")).unwrap();
    assert!(
        home.contains("href=\"V1.0/incident-procedure.pdf\""),
        "{home}"
    );
    qpdf_check(&v1);
}
