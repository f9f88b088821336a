//! The attachment forms: a page and a PDF of each form for every school, filled from its data.

use std::fs;
use std::path::{Path, PathBuf};

use crate::harness::*;

/// The slugs of the forms, from the county's definitions (`forms/NN-slug.yaml`).
fn slugs() -> Vec<String> {
    let mut files: Vec<String> = fs::read_dir(content().join("forms"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    files.sort();
    files
        .iter()
        .map(|f| f.split_once('-').unwrap().1.to_string())
        .collect()
}

fn form_title(slug: &str) -> String {
    let file = fs::read_dir(content().join("forms"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_stem()
                .unwrap()
                .to_string_lossy()
                .split_once('-')
                .is_some_and(|(_, s)| s == slug)
        })
        .unwrap();
    let def: serde_json::Value =
        serde_saphyr::from_str(&fs::read_to_string(file).unwrap()).unwrap();
    def["title"].as_str().unwrap().to_string()
}

fn school_dir(site: &Path, id: &str) -> PathBuf {
    site.join("schools").join(id).join("draft")
}

#[test]
fn there_are_eighteen_forms() {
    assert_eq!(slugs().len(), 18);
    assert_eq!(slugs()[0], "team");
    assert_eq!(form_title("vendor-audit"), "委外廠商查核項目表");
}

#[test]
fn every_school_has_a_page_per_form_listed_on_its_page() {
    for id in school_ids() {
        let dir = school_dir(example_site(), &id);
        let page = read_html(&dir.join("index.html"));
        let name = school_yaml(&id)["name"].as_str().unwrap().to_string();
        for slug in slugs() {
            let form = read_html(&dir.join("forms").join(&slug).join("index.html"));
            let h1: Vec<_> = form.select(&sel("h1")).collect();
            assert_eq!(h1.len(), 1, "{id}/{slug}: one h1");
            let title = text(h1[0]);
            assert!(
                title.contains(&name) && title.contains(&form_title(&slug).replace("年度", "")),
                "{id}/{slug}: {title}"
            );
            let link = format!("a[href=\"forms/{slug}/index.html\"]");
            assert!(
                page.select(&sel(&link)).next().is_some(),
                "{id} lists {slug}"
            );
            let pdf = format!("a[href=\"forms.pdf#nameddest=form-{slug}\"]");
            assert!(
                page.select(&sel(&pdf)).next().is_some(),
                "{id} links {slug} within forms.pdf"
            );
        }
    }
}

/// The text of the form `slug` within a school's forms PDF.
fn form_pdf_text(dir: &Path, slug: &str) -> String {
    let at = slugs()
        .iter()
        .position(|s| s == slug)
        .expect("a form's slug");
    form_parts(&dir.join("forms.pdf")).swap_remove(at).2
}

#[test]
fn every_school_has_its_forms_in_one_pdf_and_no_public_bundle() {
    for id in school_ids() {
        let dir = school_dir(example_site(), &id);
        assert!(
            fs::read(dir.join("forms.pdf"))
                .unwrap()
                .starts_with(b"%PDF-"),
            "{id}"
        );
        assert!(!dir.join("bundle.pdf").exists(), "{id}");
    }
}

/// Each form is whole within the forms PDF: from a new page, under its own bookmark (where its
/// page links to), counting its own pages, with the school's name.
#[test]
fn the_forms_pdf_holds_each_form_bookmarked_and_counting_its_own_pages() {
    for id in ["dongshi-jh", "jingshan-es", "xinwen-es"] {
        let dir = school_dir(example_site(), id);
        let pdf = dir.join("forms.pdf");
        let name = squeeze(school_yaml(id)["name"].as_str().unwrap());
        assert_eq!(
            squeeze(&pdf_info(&pdf, "Title")),
            format!("{name}資通安全維護計畫附件表單")
        );
        assert_eq!(pdf_info(&pdf, "Tagged"), "yes", "{id}");
        let parts = form_parts(&pdf);
        assert_eq!(parts.len(), slugs().len(), "{id}: a bookmark per form");
        for ((bookmark, pages, text), slug) in parts.iter().zip(slugs()) {
            let text = squeeze(text);
            let title = squeeze(&form_title(&slug)).replace("年度", "");
            assert!(
                squeeze(bookmark).contains(&title),
                "{id}/{slug}: {bookmark}"
            );
            assert!(text.contains(&title), "{id}/{slug}: {title}");
            assert!(text.contains(&name), "{id}/{slug}: school name");
            assert!(
                text.contains(&format!("第{pages}頁，共{pages}頁")),
                "{id}/{slug}: pages counted per form"
            );
            assert!(
                text.contains("第1頁，共"),
                "{id}/{slug}: from its own first page"
            );
        }
        // Every form's link names a destination the PDF holds.
        let destinations = pdf_destinations(&pdf);
        for slug in slugs() {
            let name = format!("form-{slug}");
            assert!(
                destinations.contains(&name),
                "{id}: {name} in {destinations:?}"
            );
        }
    }
}

#[test]
fn the_team_form_lists_every_member_with_extension_and_deputy() {
    let data = school_yaml("dongshi-jh");
    let dir = school_dir(example_site(), "dongshi-jh");
    let page = read_html(&dir.join("forms/team/index.html"));
    let rows: Vec<Vec<String>> = page
        .select(&sel("table.form-table tbody tr"))
        .map(|tr| tr.select(&sel("td")).map(text).collect())
        .collect();
    let team = data["team"].as_array().unwrap();
    assert_eq!(rows.len(), team.len());
    let pdf = squeeze(&form_pdf_text(&dir, "team"));
    for (row, member) in rows.iter().zip(team) {
        for key in ["title", "name", "duties", "extension", "deputy"] {
            let value = member[key].as_str().unwrap();
            assert!(row.iter().any(|c| c == value), "{key} {value} in {row:?}");
            assert!(pdf.contains(&squeeze(value)), "PDF: {key} {value}");
        }
    }
    assert!(pdf.contains(&squeeze(data["ciso"]["name"].as_str().unwrap())));
    assert!(pdf.contains("註：陳核層級請機關依需求調整"));
}

#[test]
fn the_training_plan_counts_the_staff_of_the_yaml() {
    let data = school_yaml("dongshi-jh");
    let staff = &data["staffing"];
    let count = |k: &str| staff[k].as_u64().unwrap();
    let security = count("security_dedicated") + count("security_part_time");
    let total = security + count("it_staff") + count("general_staff") + count("managers");
    let expected = [
        ("資通安全兼辦人員", security),
        ("資訊人員", count("it_staff")),
        ("一般人員", count("general_staff")),
        ("主管人員", count("managers")),
        ("共計", total),
    ];
    let dir = school_dir(example_site(), "dongshi-jh");
    let page = read_html(&dir.join("forms/training-plan/index.html"));
    let table = page.select(&sel("table.form-table")).next().unwrap();
    let rows: Vec<Vec<String>> = table
        .select(&sel("tbody tr"))
        .map(|tr| tr.select(&sel("td")).map(text).collect())
        .collect();
    let pdf = squeeze(&form_pdf_text(&dir, "training-plan"));
    for (kind, n) in expected {
        assert!(
            rows.contains(&vec![kind.to_string(), n.to_string()]),
            "{kind} {n} in {rows:?}"
        );
        assert!(pdf.contains(&format!("{kind}{n}")), "PDF: {kind} {n}");
    }
    // The planned courses of the school's `training`, with their hours.
    let courses: Vec<Vec<String>> = page
        .select(&sel("table.form-table tbody tr"))
        .map(|tr| tr.select(&sel("td")).map(text).collect())
        .collect();
    for c in data["training"]["courses"].as_array().unwrap() {
        let (name, hours) = (c["name"].as_str().unwrap(), c["hours"].to_string());
        assert!(
            courses
                .iter()
                .any(|r| r.first().map(String::as_str) == Some(name) && r.get(1) == Some(&hours)),
            "{name} {hours} in {courses:?}"
        );
        assert!(pdf.contains(&squeeze(name)), "PDF: {name}");
    }
}

#[test]
fn the_sign_in_sheet_has_twenty_empty_rows() {
    let dir = school_dir(example_site(), "dongshi-jh");
    let page = read_html(&dir.join("forms/training-signin/index.html"));
    let rows: Vec<_> = page.select(&sel("table.form-table tbody tr")).collect();
    assert_eq!(rows.len(), 20);
    for row in rows {
        assert_eq!(row.select(&sel("td")).count(), 4);
        assert!(text(row).is_empty(), "an empty row for pen");
    }
    let pdf = form_pdf_text(&dir, "training-signin");
    assert!(!pdf.contains('○'), "blanks are lines, not ○");
}

#[test]
fn a_school_without_a_team_shows_the_marker_on_form_one() {
    let county = County::fixture();
    county.edit("schools/dongshi-jh.yaml", |yaml| {
        let (start, end) = (
            yaml.find("\nteam:").unwrap(),
            yaml.find("\nstaffing:").unwrap(),
        );
        format!("{}{}", &yaml[..start], &yaml[end..])
    });
    county.build_ok(&["--school", "dongshi-jh"]);
    let page = county.page("schools/dongshi-jh/draft/forms/team/index.html");
    let mark = page
        .select(&sel("table.form-table mark.missing[data-field=\"team\"]"))
        .next()
        .expect("a marker for the team");
    assert_eq!(text(mark), "【待填：資通安全推動小組】");
    assert_eq!(mark.value().attr("id"), Some("missing-team"));
    let pdf = squeeze(&form_pdf_text(
        &county.site("schools/dongshi-jh/draft"),
        "team",
    ));
    assert!(pdf.contains("【待填：資通安全推動小組】"), "{pdf}");

    let check = county.command("check", &["--school", "dongshi-jh", "--format", "json"]);
    assert_eq!(check.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    let findings = report["schools"][0]["findings"].as_array().unwrap();
    assert!(
        findings.iter().any(|f| f["pointer"] == "/team"
            && f["kind"] == "missing"
            && f["label"] == "資通安全推動小組"),
        "check reports the missing team: {findings:?}"
    );
}

#[test]
fn no_pdf_builds_form_pages_without_pdf_links() {
    let county = County::fixture();
    county.build_ok(&["--school", "zhuqi-hs", "--no-pdf"]);
    let school = county.site("schools/zhuqi-hs/draft");
    assert!(school.join("forms/team/index.html").is_file());
    assert!(!school.join("forms.pdf").exists());
    assert!(!school.join("bundle.pdf").exists());
    let page = read_html(&school.join("forms/team/index.html"));
    assert!(page.select(&sel("a[href$=\".pdf\"]")).next().is_none());
}
