//! Hostile and broken input, the way real files come from about 150 schools: a corpus of school
//! files (tests/hostile) built with the fixture county in one build. Each gives the message its
//! expectation names, or builds and shows nothing it should not; nothing panics; every other
//! school is built.

use std::collections::BTreeMap;
use std::fs;

use serde::Deserialize;

use crate::harness::*;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    fails: Option<String>,
    #[serde(default)]
    builds: bool,
    #[serde(default)]
    page_has: Vec<String>,
    #[serde(default)]
    page_lacks: Vec<String>,
    #[serde(default)]
    data_lacks: Vec<String>,
    #[serde(default)]
    pdf_has: Vec<String>,
    #[serde(default)]
    csv_has: Vec<String>,
}

#[test]
fn every_hostile_file_fails_alone_with_its_message_or_builds_clean() {
    let corpus = repo().join("tests/hostile");
    let expected: BTreeMap<String, Expect> =
        serde_saphyr::from_str(&fs::read_to_string(corpus.join("expected.yaml")).unwrap()).unwrap();
    let county = County::fixture();
    copy_dir(&corpus.join("schools"), &county.root.join("schools"));
    let mut cases: Vec<String> = fs::read_dir(corpus.join("schools"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|name| name.strip_suffix(".yaml").map(str::to_string))
        .collect();
    cases.sort();
    for case in &cases {
        assert!(expected.contains_key(case), "no expectation for {case}");
    }
    assert_eq!(
        cases.len(),
        expected.len(),
        "no expectation without its file"
    );

    // Two cases made here: a file far larger than any school's, a link out of the repository.
    let big = format!(
        "id: too-large\nname: 測試\nnote: \"{}\"\n",
        "長".repeat(700_000)
    );
    county.write("schools/too-large.yaml", &big);
    let outside = county.dir().join("elsewhere.yaml");
    fs::write(&outside, "id: linked-out\nname: 外部檔案\n").unwrap();
    std::os::unix::fs::symlink(&outside, county.file("schools/linked-out.yaml")).unwrap();
    assert!(cases.len() + 2 >= 60, "the corpus holds at least 60 cases");

    let run = county.build_binary(&[]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "some schools failed: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    for id in FIXTURE_SCHOOLS {
        assert!(
            county
                .site(&format!("schools/{id}/draft/plan.pdf"))
                .is_file(),
            "{id} is built whatever the others hold"
        );
    }
    let said = |file: &str, message: &str| {
        stderr
            .lines()
            .any(|l| l.contains(&format!("schools/{file}")) && l.contains(message))
    };
    assert!(said("too-large.yaml", "檔案過大"), "{stderr}");
    assert!(said("linked-out.yaml", "符號連結"), "{stderr}");
    assert!(!stderr.contains("外部檔案"));

    let csv = fs::read_to_string(county.site("dashboard.csv")).unwrap();
    let built: Vec<String> = fs::read_dir(county.site("schools"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    for (case, expect) in &expected {
        let page = county.site(&format!("schools/{case}/index.html"));
        if let Some(message) = &expect.fails {
            assert!(!expect.builds, "{case}: fails or builds");
            assert!(
                said(&format!("{case}.yaml"), message) || said(case, message),
                "{case}: {message}\n{stderr}"
            );
            assert!(!built.contains(case), "{case} has no page");
            continue;
        }
        assert!(expect.builds, "{case}: says what it gives");
        assert!(page.is_file(), "{case} is built: {stderr}");
        let html = fs::read_to_string(&page).unwrap();
        for text in &expect.page_has {
            assert!(
                html.contains(text.as_str()),
                "{case}: the page shows {text}"
            );
        }
        for text in &expect.page_lacks {
            assert!(
                !html.contains(text.as_str()),
                "{case}: the page never shows {text:?}"
            );
        }
        let data =
            fs::read_to_string(county.site(&format!("schools/{case}/draft/data/index.html")))
                .unwrap();
        for text in &expect.data_lacks {
            assert!(
                !data.contains(text.as_str()),
                "{case}: the data page never shows {text}"
            );
        }
        if !expect.pdf_has.is_empty() {
            let pdf = pdf_text(&county.site(&format!("schools/{case}/draft/plan.pdf")));
            for text in &expect.pdf_has {
                assert!(
                    pdf.contains(text.as_str()),
                    "{case}: the PDF prints {text}\n{pdf}"
                );
            }
        }
        for text in &expect.csv_has {
            assert!(csv.contains(text.as_str()), "{case}: the CSV holds {text}");
        }
    }
}

mod properties {
    use std::sync::OnceLock;

    use planpress::model::Profile;
    use planpress::resolve::{CountyText, resolve_school};
    use planpress::source::{self, County};
    use planpress::validate;
    use proptest::prelude::*;

    use crate::harness::*;

    fn county() -> &'static (County, CountyText) {
        static COUNTY: OnceLock<(County, CountyText)> = OnceLock::new();
        COUNTY.get_or_init(|| {
            let county = source::load(&content()).unwrap();
            let text = CountyText::compile(&county).unwrap();
            (county, text)
        })
    }

    /// Text shaped like a school file: its keys, YAML's indicators, indentation, Chinese.
    fn yaml_like() -> impl Strategy<Value = String> {
        let pieces = prop::sample::select(vec![
            "id: fuzz-school",
            "name: ",
            "level: ",
            "ciso:",
            "  name: ",
            "core_systems:",
            "  - ",
            "    ip: ",
            "team:",
            "plan:",
            "  date: ",
            "  revisions:",
            "mtpd: ",
            ": ",
            "- ",
            "[",
            "]",
            "{",
            "}",
            "&a ",
            "*a",
            "!x ",
            "|",
            ">",
            "\"",
            "'",
            "#",
            "\n",
            "  ",
            "\t",
            "○○○",
            "嘉義縣",
            "D",
            "2024-05-01",
            "113.5.1",
            "163.27.1.1",
            "<<: *a",
            "---",
            "~",
            "null",
            "0x1F",
            "1e9",
            ",",
            "?",
            "%",
        ]);
        prop::collection::vec(pieces, 0..60).prop_map(|p| p.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]

        /// Any bytes as a school file: a finding or a school, never a panic.
        #[test]
        fn any_bytes_as_a_school_file_give_a_finding_or_a_school(
            bytes in prop::collection::vec(any::<u8>(), 0..300),
            shaped in yaml_like(),
        ) {
            let (county, text) = county();
            let dir = tempfile::tempdir().unwrap();
            let root = dir.path().join("county");
            std::fs::create_dir_all(root.join("schools")).unwrap();
            for content in [bytes, shaped.into_bytes()] {
                let file = root.join("schools/fuzz-school.yaml");
                std::fs::write(&file, &content).unwrap();
                let school = source::load_school(&root, file);
                let checked = validate::validate(county, &school, Profile::Public);
                match (&school.data, &checked.data) {
                    (Err(_), _) => prop_assert!(checked.report.errors > 0, "a failed file is a finding"),
                    (Ok(_), Some(data)) => {
                        let _ = resolve_school(county, text, &school, data, Profile::Public, &Default::default());
                    }
                    (Ok(_), None) => prop_assert!(false, "a school that parses has data"),
                }
            }
        }
    }
}
