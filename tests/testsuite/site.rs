//! The example county's website, read back as HTML.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use crate::harness::*;
use planpress::base::numbering;

const FULL_SCHOOLS: [&str; 3] = ["dongshi-jh", "jingshan-es", "zhuqi-hs"];

fn school_page(id: &str) -> scraper::Html {
    read_html(&example_site().join("schools").join(id).join("index.html"))
}

#[test]
fn every_school_file_has_a_page_and_an_index_row() {
    let site = example_site();
    let ids = school_ids();
    assert!(ids.len() >= 140, "the example county has its ~148 schools");
    let index = read_html(&site.join("index.html"));
    let links: BTreeSet<String> = index
        .select(&sel("table.schools tbody th a"))
        .map(|a| a.value().attr("href").unwrap().to_string())
        .collect();
    for id in &ids {
        let page = site.join("schools").join(id).join("index.html");
        assert!(page.is_file(), "page of {id}");
        let name = school_yaml(id)["name"].as_str().unwrap().to_string();
        let h = school_page(id);
        let shown = text(h.select(&sel(".plan-cover .school-name")).next().unwrap());
        assert_eq!(shown, name);
        assert!(
            links.contains(&format!("schools/{id}/index.html")),
            "index links {id}"
        );
    }
    assert_eq!(links.len(), ids.len());
}

#[test]
fn full_schools_have_seventeen_numbered_chapters_in_order() {
    let expected: Vec<String> = (1..=17)
        .map(|n| format!("{}、", numbering::formal(n)))
        .collect();
    assert_eq!(expected[16], "壹拾柒、");
    for id in FULL_SCHOOLS {
        let page = school_page(id);
        let numbers: Vec<String> = page
            .select(&sel(".plan-body h2 > span.num"))
            .map(text)
            .collect();
        assert_eq!(numbers, expected, "{id}");
        let titles: Vec<String> = page.select(&sel(".plan-body h2")).map(text).collect();
        assert_eq!(titles[0], "壹、依據及目的");
        assert_eq!(titles[9], "壹拾、資通安全事件通報、應變及演練相關機制");
        assert_eq!(titles[16], "壹拾柒、相關法規、程序及表單");
    }
}

#[test]
fn core_systems_are_rows_with_their_mtpd_and_the_ciso_is_named() {
    for id in FULL_SCHOOLS {
        let data = school_yaml(id);
        let page = school_page(id);
        let rows: Vec<Vec<String>> = page
            .select(&sel("#core-business-core + p + .table-wrap table tbody tr"))
            .map(|tr| tr.select(&sel("td")).map(text).collect())
            .collect();
        let systems = data["core_systems"].as_array().unwrap();
        assert!(systems.len() >= 2, "{id} has core systems");
        assert_eq!(rows.len(), systems.len(), "{id}: one row per core system");
        for (row, sys) in rows.iter().zip(systems) {
            assert_eq!(row[0], sys["business"].as_str().unwrap());
            assert_eq!(row[1], sys["system"].as_str().unwrap());
            assert_eq!(row.last().unwrap(), sys["mtpd"].as_str().unwrap());
            assert!(row[3].contains(sys["vendor"].as_str().unwrap()));
            // IPs are for the signed paper copy, not the public site.
            assert!(
                !page.html().contains(sys["ip"].as_str().unwrap()),
                "{id} leaks an IP"
            );
        }
        let ciso = data["ciso"]["name"].as_str().unwrap();
        let chapter5 = page.select(&sel("#organisation-ciso + p")).next().unwrap();
        assert!(text(chapter5).contains(ciso), "{id}: CISO named in 伍");
    }
}

#[test]
fn the_incident_procedure_names_every_school_once_and_schools_link_to_it() {
    let site = example_site();
    let doc = read_html(&site.join("docs/incident-procedure/index.html"));
    let purpose = text(doc.select(&sel("article p:not(.applies)")).next().unwrap());
    let ids = school_ids();
    let mut named = 0;
    for id in &ids {
        let name = school_yaml(id)["name"].as_str().unwrap().to_string();
        assert_eq!(purpose.matches(&name).count(), 1, "{name} named once");
        named += 1;
    }
    assert_eq!(named, ids.len());
    assert_eq!(purpose.matches('、').count(), ids.len() - 1);

    for id in FULL_SCHOOLS {
        let page = school_page(id);
        let link = page
            .select(&sel("section, .plan-body a"))
            .filter_map(|a| a.value().attr("href"))
            .find(|h| h.contains("docs/incident-procedure"))
            .expect("chapter 壹拾 links the procedure");
        assert_eq!(link, "../../docs/incident-procedure/index.html");
    }
}

#[test]
fn overrides_are_marked_on_the_page_and_counted_on_the_index() {
    let site = example_site();
    let page = school_page("zhuqi-hs");
    let frames: Vec<_> = page.select(&sel(".override")).collect();
    assert_eq!(frames.len(), 2);
    assert!(text(frames[0]).contains("本校修訂"));
    assert!(page.select(&sel("#controls-own-systems")).next().is_some());
    let listed: Vec<String> = page.select(&sel(".deviations li")).map(text).collect();
    assert_eq!(listed.len(), 2);
    let index = read_html(&site.join("index.html"));
    let row = index
        .select(&sel("#school-zhuqi-hs td.overrides"))
        .next()
        .unwrap();
    assert_eq!(text(row), "2");
    let other = index
        .select(&sel("#school-dongshi-jh td.overrides"))
        .next()
        .unwrap();
    assert_eq!(text(other), "0");
    assert!(
        school_page("dongshi-jh")
            .select(&sel(".override"))
            .next()
            .is_none()
    );
}

#[test]
fn pages_are_accessible_and_links_resolve_from_disk() {
    let site = example_site();
    for (rel, bytes) in snapshot(site) {
        if rel.extension().is_none_or(|e| e != "html") {
            continue;
        }
        let html = scraper::Html::parse_document(std::str::from_utf8(&bytes).unwrap());
        let root = html.select(&sel("html")).next().unwrap();
        assert_eq!(root.value().attr("lang"), Some("zh-Hant-TW"), "{rel:?}");
        assert_eq!(html.select(&sel("h1")).count(), 1, "{rel:?} has one h1");
        for th in html.select(&sel("th")) {
            assert!(
                th.value().attr("scope").is_some(),
                "{rel:?}: th without scope"
            );
        }
        let dir = site.join(&rel).parent().unwrap().to_path_buf();
        for el in html.select(&sel("[href], [src]")) {
            let link = el.value().attr("href").or(el.value().attr("src")).unwrap();
            if link.starts_with("http") || link.starts_with("mailto:") {
                continue;
            }
            assert!(!link.starts_with('/'), "{rel:?}: absolute link {link}");
            let (path, fragment) = link.split_once('#').unwrap_or((link, ""));
            let target = if path.is_empty() {
                site.join(&rel)
            } else {
                dir.join(path)
            };
            assert!(target.is_file(), "{rel:?}: {link} does not resolve");
            if !fragment.is_empty() && target == site.join(&rel) {
                let id = sel(&format!("[id=\"{fragment}\"]"));
                assert!(
                    html.select(&id).next().is_some(),
                    "{rel:?}: #{fragment} missing"
                );
            }
        }
    }
}

#[test]
fn dates_print_in_the_roc_calendar() {
    let data = school_yaml("dongshi-jh");
    let page = school_page("dongshi-jh");
    let cover = text(page.select(&sel(".plan-cover")).next().unwrap());
    let date =
        planpress::base::roc::Date::parse_iso(data["plan"]["date"].as_str().unwrap()).unwrap();
    assert!(cover.contains(&date.long()), "{cover}");
    assert!(cover.contains("中華民國"));
    let revisions = page.select(&sel(".revisions tbody tr")).count();
    assert_eq!(
        revisions,
        data["plan"]["revisions"].as_array().unwrap().len()
    );
}

#[test]
fn same_input_gives_the_same_bytes() {
    let county = County::fixture();
    county.build_ok(&[]);
    let again = county.dir().join("again");
    county.build_to_ok(&again, &[]);
    let a = snapshot(&county.out);
    let b = snapshot(&again);
    assert_eq!(a.len(), b.len());
    for ((pa, ba), (pb, bb)) in a.iter().zip(&b) {
        assert_eq!(pa, pb);
        assert!(ba == bb, "{pa:?} differs between two builds");
    }
}

#[test]
fn static_assets_are_written() {
    let site = example_site();
    assert!(fs::metadata(site.join("static/style.css")).unwrap().len() > 0);
    let css = fs::read_to_string(site.join("static/highlight.css")).unwrap();
    assert!(css.contains('{'));
    assert!(Path::new(&site.join("docs/incident-procedure/index.html")).is_file());
}

#[test]
fn canonical_links_honour_the_base_url() {
    let config: serde_json::Value =
        serde_saphyr::from_str(&fs::read_to_string(content().join("county.yaml")).unwrap())
            .unwrap();
    let base = config["site"]["base_url"].as_str().unwrap();
    let page = school_page("dongshi-jh");
    let canonical = page.select(&sel("link[rel=canonical]")).next().unwrap();
    assert_eq!(
        canonical.value().attr("href").unwrap(),
        format!("{base}schools/dongshi-jh/")
    );
}

#[test]
fn chapter_seven_tabulates_what_the_school_level_obliges_as_county_yaml_states_it() {
    let county: serde_json::Value =
        serde_saphyr::from_str(&fs::read_to_string(content().join("county.yaml")).unwrap())
            .unwrap();
    for (id, level, staff_training) in [
        ("zhuqi-hs", "C", "每人每年至少接受 12 小時以上"),
        ("dongshi-jh", "D", "每人每年至少接受 6 小時以上"),
    ] {
        assert_eq!(school_yaml(id)["level"], level);
        let page = school_page(id);
        let table = page
            .select(&sel("#inventory-level ~ .table-wrap"))
            .next()
            .unwrap();
        let rows: Vec<Vec<String>> = table
            .select(&sel("tbody tr"))
            .map(|tr| tr.select(&sel("td")).map(text).collect())
            .collect();
        let rules = &county["levels"][level];
        let staff_kind = rules["staff_kind"].as_str().unwrap();
        // Every item the county lists, with its content, in the county's order; each aspect
        // named once, on its first row.
        let mut listed = Vec::new();
        for group in rules["obligations"].as_array().unwrap() {
            for item in group["items"].as_array().unwrap() {
                listed.push(item["content"].as_str().unwrap().to_string());
            }
        }
        let contents: Vec<&String> = rows.iter().map(|r| &r[3]).collect();
        let mut at = 0;
        for content in &listed {
            let found = contents[at..].iter().position(|c| *c == content);
            assert!(found.is_some(), "{id}: {content} in order");
            at += found.unwrap() + 1;
        }
        let aspects: Vec<&str> = rows
            .iter()
            .map(|r| r[0].as_str())
            .filter(|a| !a.is_empty())
            .collect();
        assert_eq!(aspects, ["管理面", "技術面", "認知與訓練"], "{id}");
        // Training rows come from the level's training: the staff's hours under its own term.
        let staff_row = rows.iter().find(|r| r[2] == staff_kind).unwrap();
        assert!(
            staff_row[3].starts_with(staff_training),
            "{id}: {staff_row:?}"
        );
        assert_eq!(rows.len(), listed.len() + 3, "{id}: three training rows");
    }
}
