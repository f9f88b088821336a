//! What users of other site generators expect of a site: a sitemap of every page, robots.txt,
//! a page for missing addresses, titles that do not repeat the site's name, `--base-url`, and a
//! command that starts a new county repository.

use std::collections::BTreeSet;
use std::fs;

use crate::harness::*;

/// The `<loc>`s of a sitemap.
fn locs(xml: &str) -> Vec<String> {
    xml.split("<loc>")
        .skip(1)
        .map(|s| s.split("</loc>").next().unwrap().to_string())
        .collect()
}

fn base_url() -> String {
    let config: serde_json::Value =
        serde_saphyr::from_str(&fs::read_to_string(content().join("county.yaml")).unwrap())
            .unwrap();
    config["site"]["base_url"].as_str().unwrap().to_string()
}

#[test]
fn the_sitemap_lists_every_page_of_the_site_by_its_full_address() {
    let site = example_site();
    let base = base_url();
    let xml = fs::read_to_string(site.join("sitemap.xml")).unwrap();
    assert!(xml.starts_with("<?xml"));
    let listed: BTreeSet<String> = locs(&xml).into_iter().collect();
    let pages: BTreeSet<String> = snapshot(site)
        .into_iter()
        .map(|(rel, _)| rel.to_string_lossy().replace('\\', "/"))
        .filter(|rel| rel.ends_with(".html") && rel != "404.html")
        .map(|rel| format!("{base}{}", rel.trim_end_matches("index.html")))
        .collect();
    assert_eq!(listed, pages);
    for id in school_ids() {
        assert!(listed.contains(&format!("{base}schools/{id}/")), "{id}");
    }
    let robots = fs::read_to_string(site.join("robots.txt")).unwrap();
    assert!(robots.contains("Allow: /"), "{robots}");
    assert!(
        robots.contains(&format!("Sitemap: {base}sitemap.xml")),
        "{robots}"
    );
}

#[test]
fn a_missing_address_gets_a_chinese_page_that_leads_back_to_the_county() {
    let site = example_site();
    let page = read_html(&site.join("404.html"));
    let h1 = text(page.select(&sel("h1")).next().unwrap());
    assert_eq!(h1, "找不到網頁");
    // Served at any address, it links by full address.
    let index = page
        .select(&sel("main a"))
        .find(|a| text(*a) == "各校一覽")
        .unwrap();
    assert_eq!(index.value().attr("href"), Some(base_url().as_str()));
    let style = page.select(&sel("link[rel=stylesheet]")).next().unwrap();
    assert!(style.value().attr("href").unwrap().starts_with("https://"));
    assert!(page.select(&sel("link[rel=canonical]")).next().is_none());
}

#[test]
fn titles_name_the_page_then_the_site_once() {
    let site = example_site();
    let title = |rel: &str| {
        let page = read_html(&site.join(rel));
        text(page.select(&sel("title")).next().unwrap())
    };
    let config: serde_json::Value =
        serde_saphyr::from_str(&fs::read_to_string(content().join("county.yaml")).unwrap())
            .unwrap();
    let site_title = config["site"]["title"].as_str().unwrap();
    assert_eq!(title("index.html"), site_title);
    let name = school_yaml("dongshi-jh")["name"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        title("schools/dongshi-jh/index.html"),
        format!("{name}｜{site_title}")
    );
    assert_eq!(
        title("schools/dongshi-jh/draft/index.html"),
        format!("{name}（草稿）｜{site_title}")
    );
    for (rel, bytes) in snapshot(site) {
        if rel.extension().is_some_and(|e| e == "html") {
            let html = scraper::Html::parse_document(std::str::from_utf8(&bytes).unwrap());
            let t = text(html.select(&sel("title")).next().unwrap());
            assert_eq!(t.matches(site_title).count(), 1, "{rel:?}: {t}");
        }
    }
}

#[test]
fn base_url_from_the_command_line_wins_and_must_be_a_full_address() {
    let county = County::fixture();
    county.build_ok(&[
        "--no-pdf",
        "--base-url",
        "https://isms.example.edu.tw/plans",
    ]);
    let page = county.page("schools/dongshi-jh/index.html");
    let canonical = page.select(&sel("link[rel=canonical]")).next().unwrap();
    assert_eq!(
        canonical.value().attr("href"),
        Some("https://isms.example.edu.tw/plans/schools/dongshi-jh/")
    );
    let xml = fs::read_to_string(county.site("sitemap.xml")).unwrap();
    assert!(
        locs(&xml)
            .iter()
            .all(|l| l.starts_with("https://isms.example.edu.tw/plans/")),
        "{xml}"
    );

    let before = snapshot(&county.out);
    for bad in ["isms.example.edu.tw", "/plans/", "ftp://x.tw/", "https://"] {
        let err = county.build(&["--no-pdf", "--base-url", bad]).unwrap_err();
        assert!(
            format!("{err:#}").contains("不是完整網址"),
            "{bad}: {err:#}"
        );
    }
    assert_eq!(
        snapshot(&county.out),
        before,
        "a refused build changes nothing"
    );
}

#[test]
fn without_an_address_the_site_has_no_sitemap_and_the_internal_copy_bars_crawlers() {
    let county = County::fixture();
    county.edit("county.yaml", |t| {
        t.lines()
            .filter(|l| !l.trim_start().starts_with("base_url:"))
            .collect::<Vec<_>>()
            .join("\n")
    });
    county.build_ok(&["--no-pdf"]);
    assert!(!county.site("sitemap.xml").exists());
    let robots = fs::read_to_string(county.site("robots.txt")).unwrap();
    assert_eq!(robots, "User-agent: *\nAllow: /\n");

    let internal = county.dir().join("internal");
    county
        .build_to(&internal, &["--no-pdf", "--profile", "internal"])
        .unwrap();
    let robots = fs::read_to_string(internal.join("robots.txt")).unwrap();
    assert_eq!(robots, "User-agent: *\nDisallow: /\n");
    assert!(!internal.join("sitemap.xml").exists());
}

#[test]
fn republishing_one_school_keeps_the_others_in_the_sitemap() {
    let county = County::fixture();
    county.build_ok(&["--no-pdf"]);
    let all = locs(&fs::read_to_string(county.site("sitemap.xml")).unwrap());
    county.build_ok(&["--no-pdf", "--school", "daji-jh"]);
    let again = locs(&fs::read_to_string(county.site("sitemap.xml")).unwrap());
    assert_eq!(all, again);
    assert!(all.iter().any(|l| l.ends_with("schools/zhuqi-hs/")));
}

#[test]
fn init_writes_a_county_that_builds_as_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("new-county");
    let out = planpress(&["init", repo.to_str().unwrap()]);
    assert!(out.status.success(), "{out:?}");
    for part in [
        "county.yaml",
        "plan/01-basis.md",
        "forms/01-team.yaml",
        "README.md",
    ] {
        assert!(repo.join(part).is_file(), "{part}");
    }
    assert_eq!(fs::read_dir(repo.join("plan")).unwrap().count(), 17);
    let site = dir.path().join("public");
    let out = planpress(&[
        "build",
        "--root",
        repo.to_str().unwrap(),
        "--out",
        site.to_str().unwrap(),
        "--no-pdf",
        "--quiet",
    ]);
    assert!(out.status.success(), "{out:?}");
    let schools: Vec<_> = fs::read_dir(site.join("schools")).unwrap().collect();
    assert_eq!(schools.len(), 1);
    let index = read_html(&site.join("index.html"));
    assert_eq!(index.select(&sel("tbody tr")).count(), 1);

    // Never over what is there.
    let again = planpress(&["init", repo.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("not empty"));
}

/// The README `init` writes, followed as written: its `check` and its `build`, run inside the
/// new folder, the site going to `public/` there (which the `.gitignore` it writes expects).
#[test]
fn init_works_as_its_readme_says() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("x");
    assert!(
        planpress(&["init", repo.to_str().unwrap()])
            .status
            .success()
    );
    let readme = fs::read_to_string(repo.join("README.md")).unwrap();
    let command = |name: &str| -> Vec<String> {
        let line = readme
            .lines()
            .map(str::trim)
            .find(|l| l.starts_with(&format!("planpress {name}")))
            .unwrap_or_else(|| panic!("the README says how to {name}"));
        let code = line.split('#').next().unwrap();
        code.split_whitespace().skip(1).map(String::from).collect()
    };
    let in_repo = |args: &[String]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_planpress"))
            .args(args)
            .current_dir(&repo)
            .output()
            .unwrap()
    };
    // What check says, its time left out.
    let checked = || {
        let check = in_repo(&command("check"));
        assert_eq!(check.status.code(), Some(0), "{check:?}");
        let told = String::from_utf8_lossy(&check.stderr).into_owned();
        let said = String::from_utf8_lossy(&check.stdout).into_owned();
        format!("{said}{}", told.split('（').next().unwrap())
    };
    let said = checked();
    assert!(said.contains("檢查 1 所學校"), "{said}");

    for _ in 0..2 {
        let build = in_repo(&command("build"));
        assert!(build.status.success(), "{build:?}");
    }
    let index = read_html(&repo.join("public/index.html"));
    assert_eq!(index.select(&sel("tbody tr")).count(), 1);
    assert!(
        repo.join("public/schools/dongshi-jh/draft/plan.pdf")
            .is_file()
    );
    let ignored = fs::read_to_string(repo.join(".gitignore")).unwrap();
    assert!(ignored.lines().any(|l| l == "/public"), "{ignored}");

    // The site inside the repository is never read as the county's.
    assert_eq!(checked(), said);
    // The county's own folders stay refused.
    let refused = in_repo(&["build".into(), "--out".into(), "schools".into()]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("county's own `schools`"));
}
