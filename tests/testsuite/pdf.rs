//! The PDFs, read back as text with poppler's pdftotext.

use std::fs;

use crate::harness::*;
use planpress::cmd::Outcome;

const FULL_SCHOOLS: [&str; 3] = ["dongshi-jh", "jingshan-es", "zhuqi-hs"];

fn plan_pdf(id: &str) -> std::path::PathBuf {
    example_site()
        .join("schools")
        .join(id)
        .join("draft/plan.pdf")
}

#[test]
fn every_school_has_a_pdf_linked_from_its_page() {
    for id in school_ids() {
        let pdf = plan_pdf(&id);
        assert!(fs::read(&pdf).unwrap().starts_with(b"%PDF-"), "{id}");
        let page = read_html(
            &example_site()
                .join("schools")
                .join(&id)
                .join("draft/index.html"),
        );
        assert!(
            page.select(&sel("a[href=\"plan.pdf\"]")).next().is_some(),
            "{id} links its PDF"
        );
    }
}

#[test]
fn full_plans_print_name_chapters_ciso_and_core_systems() {
    let chapters = [
        "壹、依據及目的",
        "貳、適用範圍",
        "參、核心業務及重要性",
        "肆、資通安全政策及目標",
        "伍、資通安全推動組織",
        "陸、專職人力及經費配置",
        "柒、資訊及資通系統之盤點",
        "捌、資通安全風險評估",
        "玖、資通安全防護及控制措施",
        "壹拾、資通安全事件通報、應變及演練相關機制",
        "壹拾壹、資通安全情資之評估及因應",
        "壹拾貳、資通系統或服務委外辦理之管理",
        "壹拾參、資通安全教育訓練",
        "壹拾肆、公務機關所屬人員辦理業務涉及資通安全事項之考核機制",
        "壹拾伍、資通安全維護計畫及實施情形之持續精進及績效管理機制",
        "壹拾陸、資通安全維護計畫實施情形之提出",
        "壹拾柒、相關法規、程序及表單",
    ];
    for id in FULL_SCHOOLS {
        let data = school_yaml(id);
        let pdf = plan_pdf(id);
        let text = squeeze(&pdf_text(&pdf));
        assert!(
            text.contains(&squeeze(data["name"].as_str().unwrap())),
            "{id}: name"
        );
        assert!(
            text.contains("修訂人核章") && text.contains("資安長核章"),
            "{id}: approval boxes"
        );
        // After the table of contents (which ends with the appendix entry), in order.
        let mut at = text.find("附錄：").expect("the contents list the appendix") + "附錄：".len();
        for heading in chapters {
            let found = text[at..]
                .find(heading)
                .unwrap_or_else(|| panic!("{id}: {heading} after position {at}"));
            at += found + heading.len();
        }
        let ciso = data["ciso"]["name"].as_str().unwrap();
        assert!(text.contains(ciso), "{id}: CISO");
        for sys in data["core_systems"].as_array().unwrap() {
            let row = squeeze(&format!(
                "{}{}",
                sys["business"].as_str().unwrap(),
                sys["system"].as_str().unwrap()
            ));
            assert!(text.contains(&row), "{id}: {row}");
            let after = &text[text.find(&row).unwrap()..];
            let mtpd = squeeze(sys["mtpd"].as_str().unwrap());
            assert!(after.contains(&mtpd), "{id}: MTPD {mtpd} of {row}");
        }
        assert!(text.contains("附錄：嘉義縣中小學資通安全事件通報及應變管理程序"));
    }
}

#[test]
fn the_body_is_numbered_from_chapter_one_as_in_the_seeds() {
    for id in ["dongshi-jh", "xinwen-es"] {
        let pdf = plan_pdf(id);
        let n = page_count(&pdf);
        assert!(n > 20, "{id}: a whole plan has {n} pages");
        // pdftotext ends each page with a form feed.
        let pages: Vec<String> = pdf_text(&pdf).split('\u{c}').map(squeeze).collect();
        let body = pages
            .iter()
            .position(|p| p.contains("第1頁，共"))
            .expect("a page numbered 1");
        assert!(body >= 2, "{id}: the cover, record and contents come first");
        assert!(
            pages[body].contains("壹、依據及目的")
                && pages[body].contains("本計畫依據資通安全管理法"),
            "{id}: page 1 is chapter 壹"
        );
        for front in &pages[..body] {
            assert!(
                !front.contains("頁，共"),
                "{id}: the front matter is unnumbered"
            );
        }
        let total = n - body;
        assert!(pages[body].contains(&format!("第1頁，共{total}頁")), "{id}");
        assert!(
            pages[n - 1].contains(&format!("第{total}頁，共{total}頁")),
            "{id}"
        );
        // The contents give body pages: chapter 壹 on page 1.
        let contents = pages[..body]
            .iter()
            .find(|p| p.contains("目錄") || p.contains("目　錄"))
            .expect("a contents page");
        let entry = contents
            .split("壹、依據及目的")
            .nth(1)
            .expect("chapter 壹 in the contents");
        let number: String = entry
            .trim_start_matches(['.', '\u{2060}'])
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        assert_eq!(number, "1", "{id}: {entry:.40}");
    }
}

#[test]
fn typst_special_characters_print_literally() {
    let county = County::fixture();
    let specials = r#"#$*_@<`\[]"#;
    county.edit("schools/dongshi-jh.yaml", |yaml| {
        yaml.replacen(
            "name: 嘉義縣立東石國民中學",
            &format!("name: '嘉義縣立東石國民中學 {specials} = - + / . ~'"),
            1,
        )
        .replace("name: 黃振榮", &format!("name: '黃振榮 {specials}'"))
    });
    county.build_ok(&["--school", "dongshi-jh"]);
    let pdf = pdf_text(&county.site("schools/dongshi-jh/draft/plan.pdf"));
    assert!(
        pdf.contains(&format!("嘉義縣立東石國民中學 {specials} = - + / . ~")),
        "{pdf}"
    );
    // The CISO's name stands in a paragraph of chapter 伍.
    assert!(
        squeeze(&pdf).contains(&format!("（黃振榮{specials}）為資通安全長")),
        "{pdf}"
    );
    let html = county.page("schools/dongshi-jh/index.html");
    let cover = text(html.select(&sel(".school-name")).next().unwrap());
    assert!(cover.contains(specials));
}

#[test]
fn a_character_no_font_covers_fails_naming_it_and_the_school() {
    let county = County::fixture();
    // U+2000B, an Extension B character of a personal name, is outside the bundled Big5 font.
    let ciso = school_yaml("jingshan-es")["ciso"]["name"]
        .as_str()
        .unwrap()
        .to_string();
    county.edit("schools/jingshan-es.yaml", |yaml| {
        yaml.replacen(&ciso, "林\u{2000B}", 1)
    });
    let run = county.build_binary(&["--school", "jingshan-es", "--school", "dongshi-jh"]);
    assert_eq!(run.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains('\u{2000B}'), "{stderr}");
    assert!(stderr.contains("jingshan-es"), "{stderr}");
    assert!(county.site("schools/dongshi-jh/draft/plan.pdf").is_file());
}

#[test]
fn emitted_typst_sources_are_complete() {
    let county = County::fixture();
    let emit = county.dir().join("typst");
    county.build_ok(&[
        "--school",
        "zhuqi-hs",
        "--emit-typst",
        emit.to_str().unwrap(),
    ]);
    for f in [
        "main.typ",
        "body.typ",
        "forms.typ",
        "appendix.typ",
        "data.json",
    ] {
        assert!(emit.join("zhuqi-hs").join(f).is_file(), "{f}");
    }
    let body = fs::read_to_string(emit.join("zhuqi-hs/body.typ")).unwrap();
    assert!(body.contains("<school-part-append>"));
    let data: serde_json::Value =
        serde_json::from_slice(&fs::read(emit.join("zhuqi-hs/data.json")).unwrap()).unwrap();
    assert_eq!(data["school"]["id"], "zhuqi-hs");
}

#[test]
fn no_pdf_builds_html_only() {
    let county = County::fixture();
    assert!(matches!(
        county.build(&["--school", "zhuqi-hs", "--no-pdf"]),
        Ok(Outcome::Success)
    ));
    assert!(county.site("schools/zhuqi-hs/index.html").is_file());
    assert!(!county.site("schools/zhuqi-hs/draft/plan.pdf").exists());
    let page = county.page("schools/zhuqi-hs/index.html");
    assert!(page.select(&sel("a[href=\"plan.pdf\"]")).next().is_none());
}

#[test]
fn a_school_whose_pdfs_run_away_fails_alone_with_a_message() {
    let county = County::fixture();
    // The county's layout runs away for two schools: one in time, one in memory (an array of
    // 10^8 values held while it loops).
    county.write(
        "themes/default/typst/plan.typ",
        &(fs::read_to_string(repo().join("themes/default/typst/plan.typ")).unwrap()
            + "\n#if d.name.contains(\"大吉\") { for i in range(100000) { for j in range(100000) {} } }\
               \n#if d.name.contains(\"景山\") { let a = range(100000000); \
               for i in range(100000) { for j in range(100000) {} } }\n"),
    );
    let built = county.build_binary(&["--pdf-time-limit", "10", "--pdf-memory-limit", "700"]);
    let said = String::from_utf8_lossy(&built.stderr);
    assert_eq!(built.status.code(), Some(1), "{said}");
    assert!(
        said.contains("schools/daji-jh.yaml: PDF：排版超過 10 秒的時間上限"),
        "{said}"
    );
    assert!(
        said.contains("schools/jingshan-es.yaml: PDF：排版用掉"),
        "{said}"
    );
    assert!(said.contains("超過 700 MiB 的上限"), "{said}");
    for id in ["daji-jh", "jingshan-es"] {
        assert!(
            !county
                .site(&format!("schools/{id}/draft/plan.pdf"))
                .exists(),
            "{id}"
        );
    }
    for id in ["dongshi-jh", "xinwen-es", "zhuqi-hs"] {
        let plan = county.site(&format!("schools/{id}/draft/plan.pdf"));
        assert!(pdf_text(&plan).contains("資通安全維護計畫"), "{id}");
    }
}

#[test]
fn a_list_declared_han_prints_han_numbers_in_both_outputs() {
    let text = squeeze(&pdf_text(&plan_pdf("dongshi-jh")));
    assert!(
        text.contains("一、資通安全管理法第10條及其施行細則第6條。")
            && text.contains("二、嘉義縣政府資通安全政策。"),
        "chapter 壹 declares its list 一、"
    );
    let page = read_html(
        &example_site()
            .join("schools")
            .join("dongshi-jh")
            .join("draft/index.html"),
    );
    let items: Vec<String> = page
        .select(&sel("ol.num-han > li"))
        .map(|li| li.text().collect())
        .collect();
    assert_eq!(items.len(), 2, "{items:?}");
    assert!(items[0].starts_with("資通安全管理法第 10 條"), "{items:?}");
}

/// Every PDF of a school archives and reads well: well-formed for qpdf, nothing for pdfinfo to
/// complain about; the signed plan tagged, with its chapters as bookmarks; the internal copy's
/// print bundle the plan followed by every form, tagged too.
#[test]
fn every_pdf_is_well_formed_and_the_plan_is_tagged_with_its_chapters_as_bookmarks() {
    let county = County::fixture();
    let internal = county.dir().join("internal");
    county.build_ok(&[]);
    county.build_to_ok(&internal, &["--profile", "internal"]);
    let pdfs: Vec<std::path::PathBuf> = [&county.out, &internal]
        .into_iter()
        .flat_map(|site| snapshot(site).into_iter().map(move |(p, _)| site.join(p)))
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .collect();
    assert_eq!(
        pdfs.len(),
        5 * 2 + 5 * 3,
        "public: plan and forms; internal: and the bundle"
    );
    for pdf in &pdfs {
        qpdf_check(pdf);
        pdf_info(pdf, "Pages");
    }

    let plan = county.site("schools/dongshi-jh/draft/plan.pdf");
    assert_eq!(pdf_info(&plan, "Tagged"), "yes");
    let data = school_yaml("dongshi-jh");
    assert_eq!(
        pdf_info(&plan, "Title"),
        format!("{} 資通安全維護計畫", data["name"].as_str().unwrap())
    );
    let outline = pdf_outline(&plan);
    let chapters: Vec<&String> = outline.iter().filter(|t| !t.starts_with("附錄")).collect();
    assert_eq!(chapters.len(), 17, "{outline:?}");
    assert!(
        chapters[0].starts_with("壹、") && chapters[16].starts_with("壹拾柒、"),
        "{outline:?}"
    );

    let school = internal.join("schools/dongshi-jh/draft");
    let bundle = school.join("bundle.pdf");
    assert_eq!(pdf_info(&bundle, "Tagged"), "yes");
    assert_eq!(
        page_count(&bundle),
        page_count(&school.join("plan.pdf")) + page_count(&school.join("forms.pdf"))
    );
    let bookmarks = pdf_outline(&bundle);
    assert!(
        bookmarks.iter().any(|t| t.contains("推動小組")),
        "{bookmarks:?}"
    );
}

/// A principal reads names whole: no person's or system's name of the school, and no MTPD with
/// its unit, is broken across two lines, in the plan's tables (team, core systems, revision
/// record) or the team form.
#[test]
fn every_name_and_system_of_the_school_prints_unbroken() {
    for id in FULL_SCHOOLS {
        let data = school_yaml(id);
        let mut names: Vec<String> = Vec::new();
        for m in data["team"].as_array().unwrap() {
            names.push(m["name"].as_str().unwrap().into());
        }
        for s in data["core_systems"].as_array().unwrap() {
            for key in ["system", "manager", "mtpd"] {
                names.push(s[key].as_str().unwrap().into());
            }
        }
        for r in data["plan"]["revisions"].as_array().unwrap() {
            for key in ["reviser", "approver"] {
                // 資訊組長 吳俊宏: the line may break between the title and the name.
                let person = r[key].as_str().unwrap().split_whitespace().last().unwrap();
                names.push(person.into());
            }
        }
        let dir = example_site().join("schools").join(id).join("draft");
        // The team form comes first in the forms PDF.
        let team_form_text = form_parts(&dir.join("forms.pdf")).swap_remove(0).2;
        for (pdf, text) in [
            ("plan.pdf", pdf_text(&dir.join("plan.pdf"))),
            ("forms.pdf", team_form_text),
        ] {
            let lines: Vec<String> = text.lines().map(squeeze).collect();
            let team_form = pdf == "forms.pdf";
            for name in &names {
                let name = squeeze(name);
                if team_form
                    && !data["team"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|m| m["name"] == name.as_str())
                {
                    continue;
                }
                assert!(
                    lines.iter().any(|l| l.contains(&name)),
                    "{id}: {name} is broken in {pdf}"
                );
            }
        }
    }
}
