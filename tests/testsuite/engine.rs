//! Rebuilding by what changed, and an output folder that is planpress's own: an unchanged
//! school's outputs are reused by fingerprint, `--school` updates one school of a full site, and
//! a folder planpress did not make is never written into.

use std::fs;
use std::path::Path;

use crate::harness::*;

fn pdfs(site: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    snapshot(site)
        .into_iter()
        .filter(|(p, _)| p.extension().is_some_and(|e| e == "pdf"))
        .collect()
}

fn stdout(run: &std::process::Output) -> String {
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    String::from_utf8_lossy(&run.stdout).into_owned()
}

#[test]
fn an_edit_retypesets_its_school_only_and_a_layout_change_retypesets_all() {
    let county = County::fixture();
    let first = stdout(&county.build_binary(&[]));
    assert!(first.contains("PDFs of 5 typeset, 0 reused"), "{first}");
    let before = pdfs(&county.out);
    assert_eq!(
        before.len(),
        5 * 2,
        "the plan and the forms per school (the public site has no print bundle)"
    );

    // Nothing changed: every output is reused and the site is the same, byte for byte.
    let site = snapshot(&county.out);
    let again = stdout(&county.build_binary(&[]));
    assert!(again.contains("pages 0 made, 5 reused"), "{again}");
    assert!(again.contains("PDFs of 0 typeset, 5 reused"), "{again}");
    assert_eq!(snapshot(&county.out), site);

    // The CISO of one school (the county's shared documents list names, not CISOs).
    county.edit("schools/dongshi-jh.yaml", |t| t.replace("黃振榮", "黃振新"));
    let edited = stdout(&county.build_binary(&[]));
    assert!(edited.contains("pages 1 made, 4 reused"), "{edited}");
    assert!(edited.contains("PDFs of 1 typeset, 4 reused"), "{edited}");
    let plan = county.site("schools/dongshi-jh/draft/plan.pdf");
    let text = squeeze(&pdf_text(&plan));
    assert!(
        text.contains("黃振新") && !text.contains("黃振榮"),
        "the edit is printed"
    );
    for (path, bytes) in pdfs(&county.out) {
        let old = before.iter().find(|(p, _)| *p == path).map(|(_, b)| b);
        if path.starts_with("schools/dongshi-jh") {
            if path.ends_with("plan.pdf") {
                assert_ne!(old, Some(&bytes), "{path:?} is typeset again");
            }
        } else {
            assert_eq!(old, Some(&bytes), "{path:?} keeps its bytes");
        }
    }

    // Renaming a school changes its own PDFs only: the shared documents name every school on
    // their own page, but what each plan appends of them is not about the others.
    let edited = pdfs(&county.out);
    let name = school_yaml("dongshi-jh")["name"]
        .as_str()
        .unwrap()
        .to_string();
    county.edit("schools/dongshi-jh.yaml", |t| {
        t.replacen(
            &format!("name: {name}"),
            "name: 嘉義縣立東石國民中學（新校名）",
            1,
        )
    });
    let renamed = stdout(&county.build_binary(&[]));
    assert!(renamed.contains("PDFs of 1 typeset, 4 reused"), "{renamed}");
    for (path, bytes) in pdfs(&county.out) {
        if !path.starts_with("schools/dongshi-jh") {
            let old = edited.iter().find(|(p, _)| *p == path).map(|(_, b)| b);
            assert_eq!(old, Some(&bytes), "{path:?} keeps its bytes");
        }
    }
    let listed = fs::read_to_string(county.site("docs/incident-procedure/index.html")).unwrap();
    assert!(
        listed.contains("（新校名）"),
        "the procedure's own page lists the new name"
    );

    // The county's own copy of the plan's layout: every plan is typeset again.
    let layout = fs::read_to_string(repo().join("themes/default/typst/plan.typ")).unwrap();
    let changed = layout.replacen("[資通安全維護計畫]", "[資通安全維護計畫（新版型）]", 1);
    assert_ne!(layout, changed);
    county.write("themes/default/typst/plan.typ", &changed);
    let relaid = stdout(&county.build_binary(&[]));
    assert!(relaid.contains("PDFs of 5 typeset, 0 reused"), "{relaid}");
    for id in FIXTURE_SCHOOLS {
        let plan = county.site(&format!("schools/{id}/draft/plan.pdf"));
        assert!(pdf_text(&plan).contains("（新版型）"), "{id}");
    }

    // A quick build without PDFs leaves the typeset ones in the cache for the next full build.
    county.build_ok(&["--no-pdf"]);
    assert!(!county.site("schools/dongshi-jh/draft/plan.pdf").exists());
    let full = stdout(&county.build_binary(&[]));
    assert!(full.contains("PDFs of 0 typeset, 5 reused"), "{full}");
}

#[test]
fn building_one_school_into_a_full_site_keeps_the_others() {
    let county = County::fixture();
    county.build_ok(&["--no-pdf"]);
    let before = snapshot(&county.out);
    county.edit("schools/zhuqi-hs.yaml", |t| {
        t.replacen("short_name: 竹崎高中", "short_name: 竹崎高級中學", 1)
    });
    county.build_ok(&["--no-pdf", "--school", "zhuqi-hs"]);
    let after = snapshot(&county.out);
    for id in FIXTURE_SCHOOLS {
        let prefix = format!("schools/{id}/");
        let files = |s: &[(std::path::PathBuf, Vec<u8>)]| {
            s.iter()
                .filter(|(p, _)| p.to_string_lossy().starts_with(&prefix))
                .cloned()
                .collect::<Vec<_>>()
        };
        let (old, new) = (files(&before), files(&after));
        assert_eq!(old.len(), new.len(), "{id} keeps all its files");
        if id == "zhuqi-hs" {
            assert_ne!(old, new, "the school built is updated");
        } else {
            assert_eq!(old, new, "{id} is kept as it was");
        }
    }
    let index = county.page("index.html");
    let links = index.select(&sel("table.schools tbody th a")).count();
    assert_eq!(links, FIXTURE_SCHOOLS.len(), "the index links every school");
    let data = county.page("schools/zhuqi-hs/draft/data/index.html");
    assert!(data.html().contains("竹崎高級中學"));
}

#[test]
fn a_folder_that_is_not_a_planpress_site_is_refused_and_left_alone() {
    let county = County::fixture();
    let refused = |out: &Path, cwd: &Path| {
        let before = snapshot(county.dir());
        let run = std::process::Command::new(env!("CARGO_BIN_EXE_planpress"))
            .current_dir(cwd)
            .args([
                "build",
                "--no-pdf",
                "--root",
                county.root.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        assert_eq!(run.status.code(), Some(2), "{out:?} is refused");
        let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
        assert!(stderr.contains("refusing to write the site"), "{stderr}");
        assert_eq!(
            snapshot(county.dir()),
            before,
            "nothing changed for {out:?}"
        );
        stderr
    };
    let message = refused(&county.root, county.dir());
    assert!(message.contains("county repository"), "{message}");
    refused(&county.root.join("schools"), county.dir());
    let message = refused(Path::new("."), county.dir());
    assert!(message.contains("current folder"), "{message}");

    let site = county.dir().join("www");
    fs::create_dir_all(site.join(".git")).unwrap();
    fs::write(site.join("CNAME"), "isms.example.edu.tw\n").unwrap();
    fs::write(site.join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
    let message = refused(&site, county.dir());
    assert!(message.contains("CNAME"), "{message}");

    // A site planpress built, with a file added by hand: refused too, the file kept.
    county.build_ok(&["--no-pdf", "--school", "daji-jh"]);
    fs::write(county.site("notes.txt"), "mine").unwrap();
    let message = refused(&county.out, county.dir());
    assert!(message.contains("notes.txt"), "{message}");
}

#[test]
fn what_killed_builds_left_is_cleared_and_the_manifest_lists_every_file() {
    let county = County::fixture();
    county.build_ok(&["--no-pdf", "--school", "daji-jh"]);
    let work = county.dir().join(".public.planpress");
    for leftover in [
        work.join("staging-4242/schools"),
        county.dir().join(".public.staging-4243/schools"),
        county.dir().join(".public.old-4244"),
    ] {
        fs::create_dir_all(&leftover).unwrap();
        fs::write(leftover.join("x.html"), "half a site").unwrap();
    }
    county.build_ok(&["--no-pdf", "--school", "daji-jh"]);
    let mut beside: Vec<String> = fs::read_dir(county.dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    beside.sort();
    assert_eq!(beside, [".public.planpress", "county", "public", "schemas"]);
    let mut in_work: Vec<String> = fs::read_dir(&work)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    in_work.sort();
    assert_eq!(in_work, ["cache", "lock"]);

    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(county.site(".planpress-manifest.json")).unwrap())
            .unwrap();
    let listed = manifest["files"].as_object().unwrap();
    let files = snapshot(&county.out);
    assert_eq!(listed.len() + 1, files.len(), "every file but the manifest");
    for (path, bytes) in files {
        let path = path.to_string_lossy().into_owned();
        if path == ".planpress-manifest.json" {
            continue;
        }
        let entry = &listed[&path];
        assert_eq!(entry["size"], bytes.len(), "{path}");
        assert_eq!(
            entry["sha256"].as_str().unwrap(),
            planpress::base::hash::sha256(&bytes),
            "{path}"
        );
    }
}

#[test]
fn the_build_reports_its_stages_and_quiet_reports_nothing() {
    let county = County::fixture();
    let out = stdout(&county.build_binary(&["--no-pdf"]));
    for stage in [
        "load ",
        "check ",
        "schools ",
        "write ",
        "built 5 schools (0 failed)",
    ] {
        assert!(out.contains(stage), "{stage}: {out}");
    }
    let quiet = county.build_binary(&["--no-pdf", "--quiet"]);
    assert!(quiet.status.success());
    assert!(
        quiet.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&quiet.stdout)
    );
}
