//! The public and the internal copy: the public one carries no value the schema marks sensitive,
//! in any file (the PDFs' text included), whatever the YAML's form of it; the internal one, for
//! printing and signing, carries them all.

use std::fs;
use std::path::Path;

use crate::harness::*;
use planpress::cmd::Outcome;

/// The fixture's sensitive values, read from the school files independently of planpress: the
/// schema marks systems' IPs and contacts' phones.
fn sensitive_values(county: &County) -> Vec<(String, String)> {
    let mut values = Vec::new();
    for id in FIXTURE_SCHOOLS {
        let data: serde_json::Value =
            serde_saphyr::from_str(&county.read(&format!("schools/{id}.yaml"))).unwrap();
        for (list, key) in [
            ("core_systems", "ip"),
            ("noncore_systems", "ip"),
            ("contacts", "phone"),
        ] {
            for item in data[list].as_array().into_iter().flatten() {
                if let Some(v) = item[key].as_str() {
                    values.push((format!("{id} {list}.{key}"), squeeze(v)));
                }
            }
        }
    }
    assert!(
        values.len() >= 10,
        "the fixture has sensitive values: {values:?}"
    );
    values
}

/// Every file of a site as the text a reader finds in it: PDFs through pdftotext.
fn readable(site: &Path) -> Vec<(String, String)> {
    snapshot(site)
        .into_iter()
        .map(|(path, bytes)| {
            let text = if path.extension().is_some_and(|e| e == "pdf") {
                pdf_text(&site.join(&path))
            } else {
                String::from_utf8_lossy(&bytes).into_owned()
            };
            (path.to_string_lossy().into_owned(), squeeze(&text))
        })
        .collect()
}

/// A fixture whose sensitive values also stand in the YAML's other forms: a block scalar, a
/// misspelt key, a key the schema does not know, a comment.
fn fixture_with_odd_forms() -> County {
    let county = County::fixture();
    county.edit("schools/zhuqi-hs.yaml", |t| {
        t.replacen(
            "    ip: \"163.27.101.30\"",
            "    ip: |\n      163.27.101.30\n    IP: 163.27.101.31",
            1,
        )
        .replacen(
            "phone: \"05-2611014\"",
            "phone: \"05-2611014\"\nmobile: 0912-345-678 # 校長手機 0912-345-679",
            1,
        )
    });
    county
}

#[test]
fn the_public_copy_carries_no_sensitive_value_in_any_file() {
    let county = fixture_with_odd_forms();
    county.build_ok(&[]);
    let values = sensitive_values(&county);
    let files = readable(&county.out);
    assert!(files.iter().any(|(p, _)| p.ends_with("plan.pdf")));
    for (file, text) in &files {
        for (whose, value) in &values {
            assert!(!text.contains(value.as_str()), "{file} shows {whose}");
        }
        for other in ["163.27.101.31", "0912-345-678", "0912-345-679"] {
            assert!(!text.contains(other), "{file} shows {other}");
        }
    }
    // Where a value stood, the public copy says it is withheld.
    let page = county.page("schools/zhuqi-hs/index.html");
    assert!(page.html().contains("IP：（不公開）"));
    let data = county.page("schools/zhuqi-hs/draft/data/index.html");
    let lines: String = data.select(&sel(".yaml .line")).map(text).collect();
    assert!(lines.contains("（不公開）"));
    assert!(
        lines.contains("竹崎高中"),
        "the school's other values are shown"
    );
    assert!(
        !lines.contains("mobile"),
        "keys the schema does not know stay off"
    );
    assert!(!data.html().contains("校長手機"), "comments stay off");
}

/// 新塭國小 has no sensitive value, so both copies give its PDFs the same data: only the
/// internal one has the print bundle, and a cache shared by the two must not hand one's PDFs
/// to the other.
#[test]
fn a_public_and_an_internal_build_sharing_one_cache_each_get_their_own_pdfs() {
    let county = County::fixture();
    let cache = county.dir().join("shared-cache");
    let internal = county.dir().join("internal");
    let shared = [
        "--school",
        "xinwen-es",
        "--cache-dir",
        cache.to_str().unwrap(),
    ];
    let bundle = "schools/xinwen-es/draft/bundle.pdf";
    county.build_ok(&shared);
    assert!(
        !county.site(bundle).exists(),
        "the public copy has no bundle"
    );
    let with_profile = |profile: &'static str| {
        let mut args = shared.to_vec();
        args.extend(["--profile", profile]);
        args
    };
    assert!(matches!(
        county.build_to(&internal, &with_profile("internal")),
        Ok(Outcome::Success)
    ));
    let printed = pdf_text(&internal.join(bundle));
    assert!(printed.contains("資通安全維護計畫") && printed.contains("資通安全推動小組"));
    // And back: the public copy is the public one again, from the same cache.
    fs::remove_dir_all(&county.out).unwrap();
    county.build_ok(&with_profile("public"));
    assert!(
        !county.site(bundle).exists(),
        "the public copy has no bundle"
    );
}

#[test]
fn the_internal_copy_has_every_value_goes_to_its_own_folder_and_is_not_indexed() {
    let county = County::fixture();
    let internal = county.dir().join("internal");
    county
        .build_to(&internal, &["--profile", "internal"])
        .unwrap();
    let plan = squeeze(&pdf_text(
        &internal.join("schools/dongshi-jh/draft/plan.pdf"),
    ));
    let data: serde_json::Value =
        serde_saphyr::from_str(&county.read("schools/dongshi-jh.yaml")).unwrap();
    for system in data["core_systems"].as_array().unwrap() {
        let ip = system["ip"].as_str().unwrap();
        assert!(plan.contains(&format!("IP：{ip}")), "the plan prints {ip}");
    }
    let page = read_html(&internal.join("schools/dongshi-jh/index.html"));
    let robots = page
        .select(&sel("meta[name=robots]"))
        .next()
        .expect("noindex");
    assert!(robots.value().attr("content").unwrap().contains("noindex"));
    assert!(text(page.select(&sel(".internal-copy")).next().unwrap()).contains("內部版"));

    // The public site and the internal copy never share a folder.
    county.build_ok(&["--no-pdf", "--school", "daji-jh"]);
    let refused = county
        .build_to(&internal, &["--no-pdf"])
        .expect_err("a public build into the internal copy is refused");
    assert!(refused.to_string().contains("internal copy"), "{refused}");
    let refused = county
        .build(&["--no-pdf", "--profile", "internal"])
        .expect_err("an internal build into the public site is refused");
    assert!(refused.to_string().contains("public copy"), "{refused}");
    assert!(
        !fs::read_to_string(county.site("schools/daji-jh/index.html"))
            .unwrap()
            .contains("noindex")
    );
}

#[test]
fn a_sensitive_value_in_a_school_s_own_text_fails_that_school_only() {
    let county = County::fixture();
    county.build_ok(&["--no-pdf"]);
    let before = snapshot(&county.out);
    county.write(
        "schools/dongshi-jh/overrides/servers.md",
        "---\ntarget: controls\nmode: append\n---\n本校公文系統主機位於 163.27.120.15。\n",
    );
    county.edit("schools/daji-jh.yaml", |t| t.replace("民雄鄉", "大林鎮"));
    let run = county.build_binary(&["--no-pdf"]);
    assert_eq!(
        run.status.code(),
        Some(1),
        "a school's failure, not the county's"
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("schools/dongshi-jh/index.html"), "{stderr}");
    assert!(stderr.contains("core_systems.0.ip"), "{stderr}");
    assert!(stderr.contains("系統 IP"), "{stderr}");
    assert!(stderr.contains("school `dongshi-jh` skipped"), "{stderr}");
    assert!(
        !stderr.contains("163.27.120.15"),
        "the message never repeats it: {stderr}"
    );
    let after = snapshot(&county.out);
    let school = |site: &[(std::path::PathBuf, Vec<u8>)], id: &str| {
        site.iter()
            .filter(|(path, _)| path.starts_with(format!("schools/{id}")))
            .cloned()
            .collect::<Vec<_>>()
    };
    assert!(!school(&before, "dongshi-jh").is_empty());
    assert!(
        school(&after, "dongshi-jh") == school(&before, "dongshi-jh"),
        "the failed school keeps its previous pages"
    );
    assert!(
        !after
            .iter()
            .any(|(_, bytes)| String::from_utf8_lossy(bytes).contains("163.27.120.15")),
        "no page of the new site has it"
    );
    assert!(
        school(&after, "daji-jh")
            .iter()
            .any(|(_, bytes)| String::from_utf8_lossy(bytes).contains("大林鎮")),
        "the other schools were built"
    );

    // The internal copy is the place for it.
    let internal = county.dir().join("internal");
    county
        .build_to(&internal, &["--no-pdf", "--profile", "internal"])
        .unwrap();
}

#[test]
fn kept_pages_that_now_show_a_sensitive_value_leave_the_public_copy() {
    let county = County::fixture();
    // Not sensitive yet: no school has this address as a system's IP.
    county.write(
        "schools/dongshi-jh/overrides/servers.md",
        "---\ntarget: controls\nmode: append\n---\n備援主機位於 10.20.30.40。\n",
    );
    county.build_ok(&["--no-pdf"]);
    assert!(county.out.join("schools/dongshi-jh/index.html").is_file());

    county.edit("schools/jingshan-es.yaml", |t| {
        t.replacen("ip: \"163.27.86.21\"", "ip: \"10.20.30.40\"", 1)
    });
    let run = county.build_binary(&["--no-pdf", "--school", "jingshan-es"]);
    assert_eq!(run.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("schools/dongshi-jh/index.html"), "{stderr}");
    assert!(
        stderr.contains("previous pages of school `dongshi-jh` were left out"),
        "{stderr}"
    );
    assert!(!county.out.join("schools/dongshi-jh").exists());
    assert!(county.out.join("schools/jingshan-es/index.html").is_file());
    assert!(county.out.join("schools/xinwen-es/index.html").is_file());
}
