//! The county's own text cannot print wrong in silence: each way it used to (a map printed as
//! `[object]`, a misspelled name taken as false or blamed on a school, a form placeholder that
//! names nothing, a key of county.yaml misspelled) is an error at its file, line and column, found
//! by `check` without building, and stopping `build` before any school.

use crate::harness::County;

/// `check` and `build` of the fixture county with one of its files changed: what `check` says
/// on stderr, and the build's exit code.
fn both(county: &County) -> (String, Option<i32>) {
    let check = county.command("check", &[]);
    assert_eq!(check.status.code(), Some(2), "{check:?}");
    let said = String::from_utf8_lossy(&check.stderr).into_owned();
    let out = county.dir().join("site");
    let build = county.command(
        "build",
        &["--out", out.to_str().unwrap(), "--no-pdf", "--quiet"],
    );
    let build_said = String::from_utf8_lossy(&build.stderr);
    // The same errors, and no school built.
    for line in said
        .lines()
        .filter(|l| l.starts_with("error: ") && l.contains(".md:"))
    {
        assert!(
            build_said.contains(&line["error: ".len()..]),
            "{line} in {build_said}"
        );
    }
    assert!(!out.join("schools").exists(), "no school is built");
    (said, build.status.code())
}

#[test]
fn a_map_printed_in_a_chapter_is_an_error_that_names_its_text() {
    let county = County::fixture();
    county.edit("plan/13-training.md", |t| {
        t.replace(
            "{{ level.training.security_staff | training(professional=county.terms.professional_training, general=county.terms.general_training) }}",
            "{{ level.training.security_staff }}",
        )
    });
    let (said, code) = both(&county);
    assert_eq!(code, Some(2));
    assert!(
        said.contains(
            "plan/13-training.md:5:29: `level.training.security_staff` 是一組資料（every、general、professional、text、yearly），\
             不是文字，印出會成為「[object]」；請改用 `level.training.security_staff.text`（整句）、\
             `level.training.security_staff.yearly`（每年時數），或 \
             `level.training.security_staff | training(professional=…, general=…)`（以本縣用語組句）"
        ),
        "{said}"
    );
}

#[test]
fn a_misspelled_name_in_a_condition_is_an_error_with_the_field_meant() {
    let county = County::fixture();
    county.edit("plan/05-organisation.md", |t| {
        t.replace("{% if school.ciso.name %}", "{% if school.ciso.nmae %}")
    });
    let (said, code) = both(&county);
    assert_eq!(code, Some(2));
    assert!(
        said.contains(
            "`school.ciso.nmae` 不存在：`school.ciso` 沒有 `nmae`；是否為 `school.ciso.name`（資通安全長姓名）？"
        ),
        "{said}"
    );
    assert!(said.contains("plan/05-organisation.md:5:"), "{said}");
}

#[test]
fn a_misspelled_county_name_stops_the_build_instead_of_every_school() {
    let county = County::fixture();
    county.edit("plan/14-appraisal.md", |t| {
        t.replace("county.documents.discipline", "county.document.discipline")
    });
    let (said, code) = both(&county);
    assert_eq!(code, Some(2), "a county error, not a school's");
    assert!(
        said.contains("plan/14-appraisal.md:3:")
            && said.contains("沒有 `document`；是否為 `county.documents`？"),
        "{said}"
    );
}

#[test]
fn a_form_placeholder_that_names_nothing_is_the_countys_error_not_the_schools() {
    let county = County::fixture();
    county.edit("forms/01-team.yaml", |t| {
        t.replace(
            "{school.ciso.name|資通安全長姓名|ciso.name}",
            "{school.ciso.nmae|資通安全長姓名|ciso.name}",
        )
    });
    let (said, code) = both(&county);
    assert_eq!(code, Some(2));
    assert!(
        said.contains("forms/01-team.yaml:17:")
            && said.contains("`school.ciso.nmae` 不存在：沒有 `nmae`；是否為 `school.ciso.name`？"),
        "{said}"
    );
}

#[test]
fn a_schools_own_text_that_names_nothing_fails_that_school_alone() {
    let county = County::fixture();
    let own = county.file("schools/zhuqi-hs/overrides");
    let file = std::fs::read_dir(&own)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "md"))
        .expect("竹崎高中 has a text of its own");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, format!("{text}\n{{{{ school.nmae }}}}\n")).unwrap();
    let outcome = county.build(&["--no-pdf"]).expect("the county builds");
    assert_eq!(outcome, planpress::cmd::Outcome::ContentErrors);
    assert!(county.site("schools/daji-jh/index.html").is_file());
    assert!(!county.site("schools/zhuqi-hs/index.html").exists());
}

#[test]
fn county_yaml_is_held_to_its_schema_before_anything_else() {
    let county = County::fixture();
    county.edit("county.yaml", |t| {
        t.replacen(
            "security_staff: { professional: 12 }",
            "security_staff: { profesional: 6 }",
            1,
        )
        .replacen("general_staff: { general: 3 }", "general_staff: 十二", 1)
    });
    let text = county.read("county.yaml");
    let line = |needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let (said, code) = both(&county);
    assert_eq!(code, Some(2));
    assert!(
        said.contains(&format!("county.yaml:{}:", line("profesional")))
            && said
                .contains("未知欄位「profesional」；是否為「professional」（專業課程訓練時數）？"),
        "{said}"
    );
    assert!(
        said.contains(&format!("county.yaml:{}:", line("十二")))
            && said.contains("一般使用者之訓練格式不符：「十二」"),
        "{said}"
    );
    assert!(
        said.contains("計畫中印作「十二」請設定 numbers: han"),
        "hours in Chinese numerals are a style of the county's: {said}"
    );
}

#[test]
fn the_law_is_cited_by_the_names_of_its_block() {
    let county = County::fixture();
    county.edit("plan/16-reporting.md", |t| {
        t.replace("law.articles.implementation", "law.articles.implementaion")
    });
    let (said, code) = both(&county);
    assert_eq!(code, Some(2));
    assert!(said.contains("plan/16-reporting.md:3:"), "{said}");
    assert!(said.contains("`law.articles.implementation`"), "{said}");
}

#[test]
fn a_county_without_a_law_block_is_told_where_its_chapters_cite_one() {
    let county = County::fixture();
    county.edit("county.yaml", |t| {
        let start = t.find("\nlaw:\n").unwrap();
        let end = t[start + 1..].find("\n# ").unwrap() + start + 1;
        format!("{}{}", &t[..start], &t[end..])
    });
    let (said, code) = both(&county);
    assert_eq!(code, Some(2));
    assert!(said.contains("plan/01-basis.md:3:"), "{said}");
    assert!(said.contains("`law.act`"), "{said}");
    assert!(
        said.contains("county.yaml"),
        "says where the law is set: {said}"
    );
}
