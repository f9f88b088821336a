//! The county dashboard for the county centre: counts, the fields most often missing, filters
//! that work in the browser, and a school that failed shown by its name with its reason.

use std::fs;

use crate::browser::{StaticServer, dom_after_scripts};
use crate::harness::*;
use planpress::cmd::Outcome;

#[test]
fn a_filtered_address_shows_only_the_schools_it_names() {
    let site = example_site();
    let township = "朴子市";
    let expected: Vec<String> = school_ids()
        .into_iter()
        .filter(|id| school_yaml(id)["township"] == township)
        .collect();
    assert!(!expected.is_empty());
    let server = StaticServer::start(site);
    let url = format!(
        "{}index.html?township={}",
        server.base,
        percent_encoding::utf8_percent_encode(township, percent_encoding::NON_ALPHANUMERIC)
    );
    let Some(dom) = dom_after_scripts(&url) else {
        missing("Chromium");
        return;
    };
    let page = scraper::Html::parse_document(&dom);
    let mut shown: Vec<String> = page
        .select(&sel("table.dashboard tbody tr:not([hidden])"))
        .map(|tr| tr.value().attr("data-school").unwrap().to_string())
        .collect();
    shown.sort();
    assert_eq!(shown, expected);
    let status = text(page.select(&sel(".filters .shown")).next().unwrap());
    assert_eq!(
        status,
        format!("顯示 {}／{} 所學校", expected.len(), school_ids().len())
    );
}

#[test]
fn the_dashboard_counts_schools_and_names_the_fields_most_left_empty() {
    let site = example_site();
    let index = read_html(&site.join("index.html"));
    let totals: Vec<String> = index.select(&sel(".totals li")).map(text).collect();
    assert!(
        totals[0].starts_with(&format!("{}", school_ids().len())),
        "{totals:?}"
    );
    let missing: Vec<String> = index.select(&sel(".most-missing li")).map(text).collect();
    assert_eq!(missing.len(), 10);
    // Most first, each a field's name without a position.
    let counts: Vec<usize> = missing
        .iter()
        .map(|m| {
            let n = m.rsplit('：').next().unwrap();
            n.trim_end_matches("所學校未填").trim().parse().unwrap()
        })
        .collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{missing:?}");
    assert!(
        missing
            .iter()
            .all(|m| !m.chars().any(|c| c.is_ascii_digit() && m.contains('.')))
    );
    // Every township of the county can be chosen.
    let townships: Vec<String> = index
        .select(&sel(".filters select[name=township] option"))
        .map(text)
        .collect();
    for id in school_ids() {
        let township = school_yaml(&id)["township"]
            .as_str()
            .unwrap_or("")
            .to_string();
        if !township.is_empty() {
            assert!(townships.contains(&township), "{township}");
        }
    }
}

#[test]
fn a_school_that_fails_on_its_first_build_is_named_with_its_reason_and_not_linked() {
    let county = County::fixture();
    county.write(
        "schools/broken-es.yaml",
        "id: broken-es\nname: 嘉義縣某某鄉壞檔國民小學\ntype: 國民小學\nteam:\n  - name: 甲\n   title: [\n",
    );
    // The broken school fails alone: the others are built, and the build says so with exit 1.
    assert!(matches!(
        county.build(&["--no-pdf"]),
        Ok(Outcome::ContentErrors)
    ));
    let index = county.page("index.html");
    let row = index
        .select(&sel("tr[data-school=broken-es]"))
        .next()
        .expect("a row for the broken school");
    let name = text(row.select(&sel("th")).next().unwrap());
    assert!(name.contains("嘉義縣某某鄉壞檔國民小學"), "{name}");
    assert!(
        row.select(&sel("a")).next().is_none(),
        "no link to a page it lacks"
    );
    let reason = text(row.select(&sel(".reason")).next().expect("its reason"));
    assert!(reason.contains("broken-es.yaml"), "{reason}");
    let alert = text(index.select(&sel(".alert")).next().unwrap());
    assert!(alert.contains("嘉義縣某某鄉壞檔國民小學"), "{alert}");
    assert!(!county.site("schools/broken-es").exists());
    let csv = fs::read_to_string(county.site("dashboard.csv")).unwrap();
    assert!(csv.contains("嘉義縣某某鄉壞檔國民小學"));
}
