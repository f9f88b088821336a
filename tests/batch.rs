//! Batch behaviour: one broken school never stops the rest, and a failed build never replaces a
//! good site.

mod common;

use std::fs;

use common::*;

fn county_copy() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("county");
    copy_dir(&content(), &root);
    (dir, root)
}

#[test]
fn a_school_with_a_yaml_syntax_error_is_reported_and_the_others_are_built() {
    let (dir, root) = county_copy();
    let out = dir.path().join("public");
    assert!(build(&root, &out, &["--no-pdf"]).status.success());

    let broken = root.join("schools/jingshan-es.yaml");
    let text = fs::read_to_string(&broken).unwrap();
    // Line 3 gets an unclosed flow sequence.
    let mut lines: Vec<&str> = text.lines().collect();
    lines.insert(2, "short_name: [景山國小");
    fs::write(&broken, lines.join("\n")).unwrap();

    let run = build(&root, &out, &["--no-pdf"]);
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
    let total = school_ids().len();
    assert!(
        stdout.contains(&format!("built {} schools (1 failed)", total - 1)),
        "{stdout}"
    );

    for id in school_ids() {
        assert!(
            out.join("schools").join(&id).join("index.html").is_file(),
            "{id}"
        );
    }
    // The failed school keeps its last good page, and the index says so.
    let index = read_html(&out.join("index.html"));
    let row = index.select(&sel("#school-jingshan-es")).next().unwrap();
    assert_eq!(row.value().attr("class"), Some("failed"));
}

#[test]
fn a_school_whose_template_fails_is_skipped_with_its_override_file_named() {
    let (dir, root) = county_copy();
    let out = dir.path().join("public");
    let overrides = root.join("schools/dongshi-jh/overrides");
    fs::create_dir_all(&overrides).unwrap();
    fs::write(
        overrides.join("bad.md"),
        "---\ntarget: scope\nmode: append\n---\n本校說明。\n{% if %}\n",
    )
    .unwrap();
    let run = build(&root, &out, &["--no-pdf"]);
    assert_eq!(run.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("dongshi-jh/overrides/bad.md:6:"),
        "{stderr}"
    );
    assert!(out.join("schools/jingshan-es/index.html").is_file());
    assert!(!out.join("schools/dongshi-jh/index.html").exists());
}

#[test]
fn a_broken_chapter_stops_the_build_and_keeps_the_previous_site() {
    let (dir, root) = county_copy();
    let out = dir.path().join("public");
    assert!(build(&root, &out, &["--no-pdf"]).status.success());
    let before = snapshot(&out);

    let chapter = root.join("plan/02-scope.md");
    let text = fs::read_to_string(&chapter).unwrap();
    fs::write(&chapter, format!("{text}\n{{{{ school.name \n")).unwrap();
    let run = build(&root, &out, &["--no-pdf"]);
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("plan/02-scope.md:"), "{stderr}");
    assert_eq!(snapshot(&out), before, "the previous site is untouched");
    let leftovers: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        leftovers.len(),
        2,
        "no staging folder is left: {leftovers:?}"
    );
}

#[test]
fn a_school_id_must_match_its_file_name() {
    let (dir, root) = county_copy();
    let out = dir.path().join("public");
    let file = root.join("schools/dongshi-jh.yaml");
    let text = fs::read_to_string(&file)
        .unwrap()
        .replace("id: dongshi-jh", "id: dongshi");
    fs::write(&file, text).unwrap();
    let run = build(&root, &out, &["--no-pdf"]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("dongshi-jh.yaml:1:5:"), "{stderr}");
    assert!(stderr.contains("學校識別碼"));
}

#[test]
fn building_one_school_builds_only_that_school() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let run = build(&content(), &out, &["--school", "zhuqi-hs"]);
    assert!(run.status.success());
    assert!(out.join("schools/zhuqi-hs/index.html").is_file());
    assert!(!out.join("schools/dongshi-jh").exists());
    let run = build(&content(), &out, &["--school", "nowhere"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("no school `nowhere`"));
}
