//! The site's search: its index is built with the site, and the search page, run in headless
//! Chromium over the site served as a static host serves it, finds what the schools' data says.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use crate::browser::{StaticServer, dom_after_scripts};
use crate::harness::*;

/// The search page's results for `query` (and a school), as a browser shows them: the units
/// listed as having results, and the result groups' headings. `None` without Chromium.
fn search(site: &Path, query: &str, school: Option<&str>) -> Option<(Vec<String>, String)> {
    let server = StaticServer::start(site);
    let mut url = format!("{}search/?q={}", server.base, encode(query));
    if let Some(school) = school {
        url.push_str(&format!("&school={}", encode(school)));
    }
    let dom = dom_after_scripts(&url)?;
    let page = scraper::Html::parse_document(&dom);
    let status = page
        .select(&sel("#search-status"))
        .next()
        .map(text)
        .unwrap_or_default();
    let schools = page
        .select(&sel(".search-schools li"))
        .map(|li| li.value().attr("data-school").unwrap().to_string())
        .collect();
    Some((schools, status))
}

fn encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// Whether any value of a school's data contains `term`.
fn mentions(value: &serde_json::Value, term: &str) -> bool {
    match value {
        serde_json::Value::String(s) => s.contains(term),
        serde_json::Value::Array(items) => items.iter().any(|v| mentions(v, term)),
        serde_json::Value::Object(map) => map.values().any(|v| mentions(v, term)),
        _ => false,
    }
}

#[test]
fn the_built_site_has_a_search_page_and_its_index() {
    let site = example_site();
    let bundles: Vec<String> =
        serde_json::from_slice(&fs::read(site.join("pagefind/bundles.json")).unwrap()).unwrap();
    // Bundles of a dozen schools: the county's 147 in 13.
    assert_eq!(bundles.len(), school_ids().len().div_ceil(12));
    for bundle in &bundles {
        assert!(site.join(format!("pagefind/{bundle}pagefind.js")).is_file());
        let entry =
            fs::read_to_string(site.join(format!("pagefind/{bundle}pagefind-entry.json"))).unwrap();
        assert!(entry.contains("zh-hant-tw"), "{entry}");
    }
    let page = read_html(&site.join("search/index.html"));
    assert_eq!(text(page.select(&sel("h1")).next().unwrap()), "搜尋");
    // Every school can be chosen to narrow the search.
    let options: BTreeSet<String> = page
        .select(&sel("#search-school option"))
        .map(text)
        .collect();
    for id in school_ids() {
        let name = school_yaml(&id)["name"].as_str().unwrap().to_string();
        assert!(options.contains(&name), "{name}");
    }
    // Every page leads to it.
    let school = read_html(&site.join("schools/dongshi-jh/index.html"));
    let form = school.select(&sel("form.site-search")).next().unwrap();
    assert_eq!(form.value().attr("action"), Some("../../search/index.html"));
}

#[test]
fn a_core_system_s_name_finds_the_schools_that_run_it() {
    let site = example_site();
    let term = "校務行政系統";
    let expected: BTreeSet<String> = school_ids()
        .iter()
        .map(|id| school_yaml(id))
        .filter(|data| mentions(data, term))
        .map(|data| data["name"].as_str().unwrap().to_string())
        .collect();
    assert!(expected.len() > 10, "the example has schools that run it");
    let Some((found, status)) = search(site, &format!("\"{term}\""), None) else {
        missing("Chromium");
        return;
    };
    let found: BTreeSet<String> = found.into_iter().collect();
    assert_eq!(found, expected, "{status}");

    let one = "嘉義縣立東石國民中學";
    let (found, status) = search(site, "資通安全推動小組", Some(one)).unwrap();
    assert_eq!(found, [one], "{status}");
}

#[test]
fn the_public_index_holds_no_sensitive_value() {
    let county = County::fixture();
    county.build_ok(&["--no-pdf"]);
    let internal = county.dir().join("internal");
    county
        .build_to(&internal, &["--no-pdf", "--profile", "internal"])
        .unwrap();
    // A core system's IP: the schema marks it sensitive.
    let ip = school_yaml("dongshi-jh")["core_systems"][0]["ip"]
        .as_str()
        .unwrap()
        .to_string();
    let Some((found, status)) = search(&internal, &format!("\"{ip}\""), None) else {
        missing("Chromium");
        return;
    };
    assert_eq!(
        found,
        ["嘉義縣立東石國民中學"],
        "the internal copy finds it: {status}"
    );
    let (found, status) = search(&county.out, &format!("\"{ip}\""), None).unwrap();
    assert!(found.is_empty(), "{status}");
    assert!(status.contains("查無結果"), "{status}");
}
