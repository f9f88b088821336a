//! Batch behaviour: one broken school never stops the rest, and a failed build never replaces a
//! good site.

use std::fs;

use crate::harness::*;

#[test]
fn a_school_with_a_yaml_syntax_error_is_reported_and_the_others_are_built() {
    let county = County::fixture();
    county.build_ok(&["--no-pdf"]);
    // Line 3 gets an unclosed flow sequence.
    county.edit("schools/jingshan-es.yaml", |text| {
        let mut lines: Vec<&str> = text.lines().collect();
        lines.insert(2, "short_name: [景山國小");
        lines.join("\n")
    });

    let run = county.build_binary(&["--no-pdf"]);
    assert_eq!(run.status.code(), Some(1), "content errors exit with 1");
    let stderr = String::from_utf8_lossy(&run.stderr);
    let first = stderr.lines().next().unwrap();
    assert!(first.contains("schools/jingshan-es.yaml:"), "{stderr}");
    let line: u64 = first
        .split(".yaml:")
        .nth(1)
        .unwrap()
        .split(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (3..=4).contains(&line),
        "points at the broken line: {first}"
    );
    let stdout = String::from_utf8_lossy(&run.stdout);
    let total = FIXTURE_SCHOOLS.len();
    assert!(
        stdout.contains(&format!("built {} schools (1 failed)", total - 1)),
        "{stdout}"
    );
    for id in FIXTURE_SCHOOLS {
        assert!(
            county.site(&format!("schools/{id}/index.html")).is_file(),
            "{id}"
        );
    }
    // The failed school keeps its last good page, and the index says so.
    let index = county.page("index.html");
    let row = index.select(&sel("#school-jingshan-es")).next().unwrap();
    assert_eq!(row.value().attr("class"), Some("failed"));
}

#[test]
fn a_school_whose_template_fails_is_skipped_with_its_override_file_named() {
    let county = County::fixture();
    county.write(
        "schools/dongshi-jh/overrides/bad.md",
        "---\ntarget: scope\nmode: append\n---\n本校說明。\n{% if %}\n",
    );
    let run = county.build_binary(&["--no-pdf"]);
    assert_eq!(run.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("dongshi-jh/overrides/bad.md:6:"),
        "{stderr}"
    );
    assert!(county.site("schools/jingshan-es/index.html").is_file());
    assert!(!county.site("schools/dongshi-jh/index.html").exists());
    // The index lists the school without a link to a page that is not there.
    let index = county.page("index.html");
    let row = index.select(&sel("#school-dongshi-jh th")).next().unwrap();
    assert!(row.select(&sel("a")).next().is_none());
}

#[test]
fn a_broken_chapter_stops_the_build_and_keeps_the_previous_site() {
    let county = County::fixture();
    county.build_ok(&["--no-pdf"]);
    let before = snapshot(&county.out);

    county.edit("plan/02-scope.md", |text| {
        format!("{text}\n{{{{ school.name \n")
    });
    let run = county.build_binary(&["--no-pdf"]);
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("plan/02-scope.md:"), "{stderr}");
    assert_eq!(
        snapshot(&county.out),
        before,
        "the previous site is untouched"
    );
    let work: Vec<String> = fs::read_dir(county.dir().join(".public.planpress"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !work
            .iter()
            .any(|f| f.starts_with("staging") || f.starts_with("old")),
        "no staging folder is left: {work:?}"
    );
}

#[test]
fn a_school_id_must_match_its_file_name() {
    let county = County::fixture();
    county.edit("schools/dongshi-jh.yaml", |text| {
        text.replace("id: dongshi-jh", "id: dongshi")
    });
    let run = county.build_binary(&["--no-pdf"]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("dongshi-jh.yaml:1:5:"), "{stderr}");
    assert!(stderr.contains("學校識別碼"));
}

#[test]
fn building_one_school_into_an_empty_folder_builds_only_that_school() {
    let county = County::fixture();
    county.build_ok(&["--school", "zhuqi-hs", "--no-pdf"]);
    assert!(county.site("schools/zhuqi-hs/index.html").is_file());
    assert!(!county.site("schools/dongshi-jh").exists());
    let run = county.build_binary(&["--school", "nowhere"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("no school `nowhere`"));
}

#[test]
fn a_school_file_whose_name_is_no_id_fails_alone_and_addresses_nothing_else() {
    let county = County::fixture();
    let yaml = county.read("schools/daji-jh.yaml");
    for name in ["...yaml", "..yaml", "Bad_ID.yaml"] {
        county.write(&format!("schools/{name}"), &yaml);
    }
    let run = county.build_binary(&["--no-pdf"]);
    assert_eq!(run.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("Bad_ID.yaml"), "{stderr}");
    assert!(stderr.contains("學校識別碼"), "{stderr}");
    // The county index is still the county's, and every proper school has its page.
    let index = county.page("index.html");
    assert!(index.select(&sel("table.schools")).next().is_some());
    for id in FIXTURE_SCHOOLS {
        assert!(
            county.site(&format!("schools/{id}/index.html")).is_file(),
            "{id}"
        );
    }
    let beside: Vec<String> = fs::read_dir(county.dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        beside.len(),
        4,
        "nothing written beside the site: {beside:?}"
    );
}
