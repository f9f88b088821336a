//! Missing and wrong data: `planpress check` finds it at the right line with the field's
//! Chinese label, the page marks it in place, and the dashboard counts what check counts.

use std::fs;
use std::path::Path;

use crate::harness::*;
use serde_json::Value;

fn check_json(root: &Path, extra: &[&str]) -> (Option<i32>, Value) {
    let mut args = vec![
        "check",
        "--root",
        root.to_str().unwrap(),
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let run = planpress(&args);
    let json = serde_json::from_slice(&run.stdout).unwrap_or_else(|e| {
        panic!(
            "check prints JSON ({e}): {}{}",
            String::from_utf8_lossy(&run.stdout),
            String::from_utf8_lossy(&run.stderr)
        )
    });
    (run.status.code(), json)
}

/// A dotted field path (`core_systems.1.mtpd`, as the page's markers name fields) as the JSON
/// Pointer that `check --format json` gives.
fn pointer(dotted: &str) -> String {
    format!("/{}", dotted.replace('.', "/"))
}

fn findings(report: &Value) -> Vec<Value> {
    report["schools"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["findings"].as_array().unwrap().clone())
        .collect()
}

/// The 1-based line of the first line of `text` that starts (after indent) with `start`.
fn line_of(text: &str, start: &str, after: usize) -> u64 {
    text.lines()
        .enumerate()
        .skip(after)
        .find(|(_, l)| l.trim_start().starts_with(start))
        .map(|(i, _)| i as u64 + 1)
        .unwrap_or_else(|| panic!("no line starting with {start}"))
}

struct Case {
    what: &'static str,
    edit: fn(&str) -> String,
    path: &'static str,
    label: &'static str,
    kind: &'static str,
    /// The line the finding must point at, found in the edited file.
    line: fn(&str) -> u64,
    /// Whether the school page shows a marker for it (else the summary links to the data page).
    marker: bool,
    /// Whether the data page shows its line (a key the schema does not know is not published:
    /// the summary links to the data page's list of findings).
    shown: bool,
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            what: "missing CISO name",
            edit: |t| t.replacen("  name: 黃振榮\n", "", 1),
            path: "ciso.name",
            label: "資通安全長姓名",
            kind: "missing",
            line: |t| line_of(t, "ciso:", 0),
            marker: true,
            shown: true,
        },
        Case {
            what: "missing MTPD of the second core system",
            edit: |t| {
                let line = "    mtpd: 4 工作小時\n";
                let first = t.find(line).unwrap() + line.len();
                let second = first + t[first..].find(line).unwrap();
                format!("{}{}", &t[..second], &t[second + line.len()..])
            },
            path: "core_systems.1.mtpd",
            label: "最大可容忍中斷時間",
            kind: "missing",
            line: |t| line_of(t, "- business: 文書", 0),
            marker: true,
            shown: true,
        },
        Case {
            what: "no security contact",
            edit: |t| {
                let from = t.find("contacts:").unwrap();
                let to = t.find("training:").unwrap();
                format!("{}contacts: []\n{}", &t[..from], &t[to..])
            },
            path: "contacts",
            label: "資安聯絡人",
            kind: "missing",
            line: |t| line_of(t, "contacts:", 0),
            marker: true,
            shown: true,
        },
        Case {
            what: "a level that does not exist",
            edit: |t| t.replacen("level: D\n", "level: F\n", 1),
            path: "level",
            label: "資通安全責任等級",
            kind: "invalid",
            line: |t| line_of(t, "level: F", 0),
            marker: true,
            shown: true,
        },
        Case {
            what: "an unknown key",
            edit: |t| {
                t.replacen(
                    "phone: \"05-3792027\"\n",
                    "phone: \"05-3792027\"\nadress: 朴子市\n",
                    1,
                )
            },
            path: "adress",
            label: "學校資通安全維護計畫資料",
            kind: "unknown_key",
            line: |t| line_of(t, "adress:", 0),
            marker: false,
            shown: false,
        },
        Case {
            what: "a bad IP",
            edit: |t| t.replacen("163.27.120.15", "163.27.120.999", 1),
            path: "core_systems.0.ip",
            label: "系統 IP",
            kind: "invalid",
            line: |t| line_of(t, "ip: \"163.27.120.999\"", 0),
            marker: false,
            shown: true,
        },
    ]
}

/// What a complete plan merely benefits from is a warning, found at the item that lacks it; a
/// plan without it still builds and is not counted as having errors.
#[test]
fn a_recommended_detail_left_out_is_a_warning_at_its_item() {
    let county = County::fixture();
    let root = county.root.clone();
    let file = root.join("schools/dongshi-jh.yaml");
    let complete = fs::read_to_string(&file).unwrap();
    let extension = complete
        .lines()
        .find(|l| l.trim_start().starts_with("extension:"))
        .unwrap()
        .to_string();
    let text = complete.replacen(&format!("{extension}\n"), "", 1);
    let training = text.find("\ntraining:").unwrap();
    let text = text[..training + 1].to_string();
    fs::write(&file, &text).unwrap();

    let (code, report) = check_json(&root, &["--school", "dongshi-jh"]);
    assert_eq!(code, Some(0), "warnings only: {report}");
    let all = findings(&report);
    for (path, label, place) in [
        ("/team/0/extension", "分機", "第 1 位推動小組成員的分機"),
        ("/training", "年度資通安全教育訓練", "年度資通安全教育訓練"),
    ] {
        let found = all
            .iter()
            .find(|f| f["pointer"] == path)
            .unwrap_or_else(|| panic!("no finding at {path}: {all:#?}"));
        assert_eq!(found["severity"], "warning", "{path}");
        assert_eq!(found["label"], label, "{path}");
        assert_eq!(found["place"], place, "{path}");
    }
    let member = all
        .iter()
        .find(|f| f["pointer"] == "/team/0/extension")
        .unwrap();
    assert_eq!(
        member["line"],
        line_of(&text, "- group: 召集人", 0),
        "{member}"
    );
    let built = county.build(&["--no-pdf", "--school", "dongshi-jh"]);
    assert!(
        matches!(built, Ok(planpress::cmd::Outcome::Success)),
        "{built:?}"
    );
}

/// A real, signed D-level plan (seed 001, 基隆市隆聖國民小學) holds no team extensions or deputies,
/// no e-mail, township or course list: the default schema finds no error in it, only what a
/// complete plan would add.
#[test]
fn a_real_signed_d_level_plan_has_no_errors() {
    let county = County::fixture();
    let root = county.root.clone();
    fs::copy(
        repo().join("tests/fixtures/longsheng-es.yaml"),
        root.join("schools/longsheng-es.yaml"),
    )
    .unwrap();
    let (code, report) = check_json(&root, &["--school", "longsheng-es"]);
    assert_eq!(code, Some(0), "{report}");
    let all = findings(&report);
    assert!(all.iter().all(|f| f["severity"] == "warning"), "{all:#?}");
    let mut warned: Vec<&str> = all.iter().map(|f| f["label"].as_str().unwrap()).collect();
    warned.sort();
    warned.dedup();
    assert_eq!(
        warned,
        [
            "代理人",
            "分機",
            "學校地址",
            "學校總機",
            "年度資通安全教育訓練",
            "鄉鎮市",
            "電子郵件"
        ]
    );
    let built = county.build(&["--no-pdf", "--school", "longsheng-es"]);
    assert!(
        matches!(built, Ok(planpress::cmd::Outcome::Success)),
        "{built:?}"
    );
}

#[test]
fn each_broken_field_is_found_at_its_line_and_marked_on_the_page() {
    let county = County::fixture();
    let root = county.root.clone();
    let file = root.join("schools/dongshi-jh.yaml");
    let complete = fs::read_to_string(&file).unwrap();
    let (code, before) = check_json(&root, &["--school", "dongshi-jh"]);
    assert_eq!(
        code,
        Some(0),
        "the complete fixture has no errors: {before}"
    );

    for (n, case) in cases().into_iter().enumerate() {
        let text = (case.edit)(&complete);
        assert_ne!(text, complete, "{}: the edit applies", case.what);
        fs::write(&file, &text).unwrap();

        let (code, report) = check_json(&root, &["--school", "dongshi-jh"]);
        assert_eq!(code, Some(1), "{}: errors exit with 1", case.what);
        let all = findings(&report);
        let found = all
            .iter()
            .find(|f| f["pointer"] == pointer(case.path) && f["kind"] == case.kind)
            .unwrap_or_else(|| {
                panic!(
                    "{}: no {} finding at {}: {all:#?}",
                    case.what, case.kind, case.path
                )
            });
        assert_eq!(found["severity"], "error", "{}", case.what);
        assert_eq!(found["label"], case.label, "{}", case.what);
        assert_eq!(found["line"], (case.line)(&text), "{}: {found}", case.what);
        assert!(found["file"].as_str().unwrap().ends_with("dongshi-jh.yaml"));
        if case.kind == "unknown_key" {
            assert!(
                found["hint"].as_str().unwrap().contains("「address」"),
                "did you mean: {found}"
            );
        }

        let out = county.dir().join(format!("public-{n}"));
        let built = county.build_to(&out, &["--no-pdf", "--school", "dongshi-jh"]);
        assert!(
            matches!(built, Ok(planpress::cmd::Outcome::Success)),
            "{}: {built:?}",
            case.what
        );
        let page_file = out.join("schools/dongshi-jh/draft/index.html");
        let page = read_html(&page_file);
        let marks: Vec<_> = page
            .select(&sel(&format!("mark.missing[data-field=\"{}\"]", case.path)))
            .collect();
        if case.marker {
            assert!(!marks.is_empty(), "{}: a marker on the page", case.what);
            assert!(text_of(marks[0]).starts_with("【待填："), "{}", case.what);
        } else {
            assert!(marks.is_empty(), "{}", case.what);
        }
        // The summary lists the finding and its link resolves.
        let items: Vec<_> = page.select(&sel("#findings li a")).collect();
        assert_eq!(
            items.len(),
            all.len(),
            "{}: one summary line per finding",
            case.what
        );
        for a in &items {
            let href = a.value().attr("href").unwrap();
            assert_link_resolves(&page_file, &page, href);
        }
        if case.marker {
            let id = marks
                .iter()
                .find_map(|m| m.value().attr("id"))
                .expect("one of the markers has an id");
            assert!(
                items
                    .iter()
                    .any(|a| a.value().attr("href") == Some(&format!("#{id}"))),
                "{}: the summary links to the marker",
                case.what
            );
        } else {
            let line = (case.line)(&text);
            let target = if case.shown {
                format!("data/index.html#L{line}")
            } else {
                "data/index.html#findings".to_string()
            };
            assert!(
                items
                    .iter()
                    .any(|a| a.value().attr("href") == Some(target.as_str())),
                "{}: the summary links to {target}",
                case.what
            );
        }
    }
}

fn text_of(el: scraper::ElementRef) -> String {
    text(el)
}

fn assert_link_resolves(page_file: &Path, page: &scraper::Html, href: &str) {
    let (target, fragment) = href.split_once('#').unwrap_or((href, ""));
    let (file, doc) = if target.is_empty() {
        (page_file.to_path_buf(), None)
    } else {
        let f = page_file.parent().unwrap().join(target);
        assert!(f.is_file(), "{href} resolves to a file");
        let d = read_html(&f);
        (f, Some(d))
    };
    if !fragment.is_empty() {
        let doc = doc.as_ref().unwrap_or(page);
        assert!(
            doc.select(&sel(&format!("[id=\"{fragment}\"]")))
                .next()
                .is_some(),
            "#{fragment} exists in {}",
            file.display()
        );
    }
}

#[test]
fn the_dashboard_and_its_csv_count_what_check_counts() {
    let out = example_site();
    let (code, report) = check_json(&content(), &[]);
    assert_eq!(
        code,
        Some(1),
        "the example county has partly filled schools"
    );

    let index = read_html(&out.join("index.html"));
    let csv_bytes = fs::read(out.join("dashboard.csv")).unwrap();
    assert!(csv_bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 with BOM");
    let mut csv = csv::Reader::from_reader(&csv_bytes[3..]);
    let header: Vec<String> = csv.headers().unwrap().iter().map(str::to_string).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();

    let schools = report["schools"].as_array().unwrap();
    assert_eq!(schools.len(), school_ids().len());
    assert_eq!(rows.len(), schools.len());
    for s in schools {
        let id = s["school"].as_str().unwrap();
        let (errors, warnings) = (
            s["errors"].as_u64().unwrap(),
            s["warnings"].as_u64().unwrap(),
        );
        let findings = s["findings"].as_array().unwrap();
        assert_eq!(
            errors as usize,
            findings.iter().filter(|f| f["severity"] == "error").count()
        );

        let row = index
            .select(&sel(&format!("tr[data-school=\"{id}\"]")))
            .next()
            .unwrap_or_else(|| panic!("a dashboard row for {id}"));
        let cell = |class: &str| {
            row.select(&sel(&format!("td.{class}")))
                .next()
                .unwrap()
                .value()
                .attr("data-value")
                .unwrap()
                .parse::<u64>()
                .unwrap()
        };
        assert_eq!(cell("errors"), errors, "{id}");
        assert_eq!(cell("warnings"), warnings, "{id}");
        let completeness = row.select(&sel("td.completeness")).next().unwrap().value();
        assert_eq!(
            completeness.attr("data-filled").unwrap(),
            s["filled"].to_string(),
            "{id}"
        );
        assert_eq!(
            completeness.attr("data-total").unwrap(),
            s["total"].to_string(),
            "{id}"
        );

        let name = text(row.select(&sel("th[scope=row] a")).next().unwrap());
        let rec = rows.iter().find(|r| r[col("學校")] == name).unwrap();
        assert_eq!(rec[col("錯誤")].parse::<u64>().unwrap(), errors, "{id}");
        assert_eq!(rec[col("警告")].parse::<u64>().unwrap(), warnings, "{id}");
        let percent = s["filled"].as_u64().unwrap() * 100 / s["total"].as_u64().unwrap();
        assert_eq!(rec[col("完整度")], format!("{percent}%"), "{id}");
        // The CSV is the table: the same columns, each row's cells as the table shows them.
        let cells: Vec<String> = row.select(&sel("th, td")).map(text).collect();
        assert_eq!(cells.len(), header.len(), "{id}");
        for (i, column) in header.iter().enumerate() {
            if !["完整度", "最新發布"].contains(&column.as_str()) {
                assert_eq!(squeeze(&cells[i]), squeeze(&rec[i]), "{id}: {column}");
            }
        }
    }
    // Every school counts the same fields: completeness compares between schools.
    let totals: std::collections::BTreeSet<u64> = schools
        .iter()
        .map(|s| s["total"].as_u64().unwrap())
        .collect();
    assert_eq!(totals.len(), 1, "{totals:?}");
    let header_cells: Vec<String> = index
        .select(&sel("table.dashboard thead th"))
        .map(text)
        .collect();
    assert_eq!(header_cells, header);
}

#[test]
fn full_schools_are_clean_and_partly_filled_ones_show_real_findings() {
    let (code, report) = check_json(
        &content(),
        &[
            "--school",
            "dongshi-jh",
            "--school",
            "jingshan-es",
            "--school",
            "zhuqi-hs",
        ],
    );
    assert_eq!(code, Some(0), "{report}");
    for s in report["schools"].as_array().unwrap() {
        assert_eq!(s["errors"], 0, "{s}");
        assert_eq!(s["filled"], s["total"], "{s}");
    }

    let (code, report) = check_json(
        &content(),
        &["--school", "xinwen-es", "--school", "daji-jh"],
    );
    assert_eq!(code, Some(1));
    let all = findings(&report);
    let placeholder = all
        .iter()
        .find(|f| f["school"] == "xinwen-es" && f["kind"] == "placeholder")
        .expect("xinwen-es still has 「○○○」 as its CISO");
    assert_eq!(placeholder["pointer"], "/ciso/name");
    assert_eq!(placeholder["label"], "資通安全長姓名");
    let text = fs::read_to_string(content().join("schools/xinwen-es.yaml")).unwrap();
    assert_eq!(placeholder["line"], line_of(&text, "name: ○○○", 0));
    assert!(
        all.iter().any(|f| f["school"] == "daji-jh"
            && f["pointer"] == "/team/1/deputy"
            && f["kind"] == "missing"),
        "daji-jh's second team member has no deputy"
    );
}

fn check_human(root: &Path) -> (Option<i32>, String) {
    let run = planpress(&[
        "check",
        "--root",
        root.to_str().unwrap(),
        "--school",
        "dongshi-jh",
    ]);
    (
        run.status.code(),
        String::from_utf8_lossy(&run.stdout).into_owned(),
    )
}

/// A list position as code counts it (`contacts.1.`, `/contacts/1/`): never shown to people.
fn zero_based_positions(out: &str) -> Vec<String> {
    let chars: Vec<char> = out.chars().collect();
    let mut found = Vec::new();
    for (i, w) in chars.windows(3).enumerate() {
        let sep = w[0];
        if !matches!(sep, '.' | '/') || !w[1].is_ascii_digit() {
            continue;
        }
        let after_name = i > 0 && (chars[i - 1].is_ascii_alphabetic() || chars[i - 1] == '_');
        let digits: String = chars[i + 1..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        if after_name && chars.get(i + 1 + digits.len()) == Some(&sep) {
            found.push(
                chars[i.saturating_sub(8)..(i + 4).min(chars.len())]
                    .iter()
                    .collect(),
            );
        }
    }
    found
}

#[test]
fn human_output_points_at_the_line_with_a_caret() {
    let county = County::fixture();
    let root = county.root.clone();
    let file = root.join("schools/dongshi-jh.yaml");
    let text = fs::read_to_string(&file)
        .unwrap()
        .replacen("level: D\n", "level: F\n", 1);
    fs::write(&file, &text).unwrap();
    let (code, out) = check_human(&root);
    assert_eq!(code, Some(1));
    let line = line_of(&text, "level: F", 0);
    assert!(
        out.starts_with("嘉義縣立東石國民中學（") && out.contains("dongshi-jh.yaml）：1 個錯誤"),
        "a heading per school: {out}"
    );
    assert!(
        out.contains("錯誤[格式不符]: 資通安全責任等級格式不符：「F」"),
        "{out}"
    );
    assert!(out.contains(&format!("dongshi-jh.yaml:{line}:8")), "{out}");
    assert!(out.contains(&format!("{line} | level: F")), "{out}");
    assert!(out.contains("  |        ^ 資通安全責任等級"), "{out}");
    assert!(out.contains("= 提示: 應為下列之一：A、B、C、D、E"), "{out}");
    assert!(
        !out.contains('\x1b'),
        "no colour codes when not at a terminal: {out}"
    );
}

/// People count list items from 1 and know fields by their Chinese names; a field that is not
/// there is shown at the mapping it belongs in.
#[test]
fn a_list_items_field_is_named_and_counted_from_one() {
    let county = County::fixture();
    let root = county.root.clone();
    let file = root.join("schools/dongshi-jh.yaml");
    let text =
        fs::read_to_string(&file)
            .unwrap()
            .replacen("    phone: \"05-3792027#212\"\n", "", 1);
    fs::write(&file, &text).unwrap();

    let (code, report) = check_json(&root, &["--school", "dongshi-jh"]);
    assert_eq!(code, Some(1));
    let all = findings(&report);
    let found = all
        .iter()
        .find(|f| f["pointer"] == "/contacts/1/phone")
        .unwrap_or_else(|| panic!("{all:#?}"));
    assert_eq!(found["place"], "第 2 位資安聯絡人的聯絡電話");
    assert_eq!(
        found["line"],
        line_of(&text, "- name: 許雅婷", 0),
        "{found}"
    );

    let (_, out) = check_human(&root);
    assert!(
        out.contains("尚未填寫「第 2 位資安聯絡人的聯絡電話」"),
        "{out}"
    );
    assert!(out.contains("  - name: 許雅婷"), "{out}");
    assert!(out.contains("= 欄位名稱: phone:"), "{out}");
    assert_eq!(zero_based_positions(&out), Vec::<String>::new(), "{out}");
    assert!(!out.contains("在此加入") && !out.contains('`'), "{out}");

    // The page says the same, in plain words.
    county.build_ok(&["--no-pdf", "--school", "dongshi-jh"]);
    let page = fs::read_to_string(county.site("schools/dongshi-jh/draft/index.html")).unwrap();
    let findings = page
        .split("id=\"findings\"")
        .nth(1)
        .and_then(|s| s.split("</section>").next())
        .unwrap();
    assert!(
        findings.contains("第 2 位資安聯絡人的聯絡電話"),
        "{findings}"
    );
    assert!(
        !findings.contains("contacts.1") && !findings.contains("在此加入"),
        "{findings}"
    );
}

/// A field absent at the top is shown at the file's first key, not at a comment above it.
#[test]
fn a_missing_top_level_field_points_at_the_first_key() {
    let county = County::fixture();
    let root = county.root.clone();
    let file = root.join("schools/dongshi-jh.yaml");
    let text = fs::read_to_string(&file)
        .unwrap()
        .replacen("level: D\n", "", 1);
    let text = format!("# 東石國中之資料\n\n{text}");
    fs::write(&file, &text).unwrap();
    let (_, report) = check_json(&root, &["--school", "dongshi-jh"]);
    let all = findings(&report);
    let found = all
        .iter()
        .find(|f| f["pointer"] == "/level")
        .unwrap_or_else(|| panic!("{all:#?}"));
    assert_eq!(found["line"], 3, "{found}");
    assert_eq!(found["message"], "尚未填寫「資通安全責任等級」");
}

/// An unknown key is marked at the key, where the mistake is, not under its value.
#[test]
fn an_unknown_key_is_marked_at_the_key() {
    let county = County::fixture();
    let root = county.root.clone();
    let file = root.join("schools/dongshi-jh.yaml");
    let text = fs::read_to_string(&file)
        .unwrap()
        .replacen("ciso:\n", "ciso:\n  nmae: 黃振榮\n", 1);
    fs::write(&file, &text).unwrap();
    let (_, report) = check_json(&root, &["--school", "dongshi-jh"]);
    let all = findings(&report);
    let found = all
        .iter()
        .find(|f| f["kind"] == "unknown_key")
        .unwrap_or_else(|| panic!("{all:#?}"));
    assert_eq!(found["line"], line_of(&text, "nmae:", 0));
    assert_eq!(found["column"], 3, "the key's column: {found}");
    assert_eq!(found["message"], "未知欄位「nmae」");

    let (_, out) = check_human(&root);
    let lines: Vec<&str> = out.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.ends_with("  nmae: 黃振榮"))
        .unwrap_or_else(|| panic!("{out}"));
    let key = lines[at].find("nmae").unwrap();
    let caret = lines[at + 1].find('^').unwrap_or_else(|| panic!("{out}"));
    assert_eq!(caret, key, "the caret under the key: {out}");
    assert!(lines[at + 1].contains("^^^^ "), "{out}");
}

/// YAML that does not parse is explained in Chinese; the parser's words follow as 原文.
#[test]
fn a_yaml_syntax_error_is_explained_in_chinese() {
    let county = County::fixture();
    let root = county.root.clone();
    let file = root.join("schools/dongshi-jh.yaml");
    let text = fs::read_to_string(&file).unwrap().replacen(
        "short_name: 東石國中\n",
        "short_name: 東石國中: 東石\n",
        1,
    );
    fs::write(&file, &text).unwrap();
    let (code, out) = check_human(&root);
    assert_eq!(code, Some(1));
    let title = out
        .lines()
        .find(|l| l.starts_with("錯誤[語法錯誤]: "))
        .unwrap_or_else(|| panic!("{out}"));
    let (lead, original) = title
        .split_once("原文：")
        .unwrap_or_else(|| panic!("{title}"));
    assert!(lead.contains("以引號括住整個值"), "{title}");
    assert!(
        !lead.contains("mapping") && !lead.contains("YAML："),
        "{title}"
    );
    assert!(
        original.contains("mapping values are not allowed"),
        "{title}"
    );
    // No English parser wording outside 原文.
    let english = out.replace(original, "");
    assert!(!english.contains("mapping values"), "{out}");
}

#[test]
fn check_help_is_in_chinese_and_english() {
    let run = planpress(&["check", "--help"]);
    assert!(run.status.success());
    let help = String::from_utf8_lossy(&run.stdout);
    for says in [
        "檢核學校資料",
        "Check the school files",
        "只檢核這所學校",
        "顯示說明 / Print help",
    ] {
        assert!(help.contains(says), "{says}: {help}");
    }
}

#[test]
fn a_new_school_lists_every_field_and_fails_only_on_empty_values() {
    let county = County::fixture();
    let root = county.root.clone();
    let root_s = root.to_str().unwrap();
    let run = planpress(&[
        "new",
        "school",
        "xinxing-es",
        "--name",
        "嘉義縣新興國民小學",
        "--root",
        root_s,
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let text = fs::read_to_string(root.join("schools/xinxing-es.yaml")).unwrap();
    assert!(text.contains("name: 嘉義縣新興國民小學"));
    assert!(text.contains("# 資通安全長姓名（必填）"), "{text}");
    assert!(text.contains("# 最大可容忍中斷時間（必填）"), "{text}");

    let (code, report) = check_json(&root, &["--school", "xinxing-es"]);
    assert_eq!(code, Some(1));
    let all = findings(&report);
    assert!(!all.is_empty());
    for f in &all {
        assert_eq!(f["kind"], "missing", "only empty values: {f}");
        assert_ne!(f["pointer"], "/id");
        assert_ne!(f["pointer"], "/name");
    }
    assert!(
        all.iter()
            .any(|f| f["pointer"] == "/ciso/name" && f["severity"] == "error")
    );

    let again = planpress(&[
        "new",
        "school",
        "xinxing-es",
        "--name",
        "x",
        "--root",
        root_s,
    ]);
    assert_eq!(
        again.status.code(),
        Some(2),
        "an existing file is never overwritten"
    );
    assert!(
        planpress(&["new", "school", "Bad_ID", "--name", "x", "--root", root_s])
            .status
            .code()
            == Some(2)
    );
}

/// What a chapter cites of the county: a county without the incident procedure still builds
/// (chapter 壹拾 cites it conditionally), and a citation of a document the county does not name
/// is the county's error at the chapter's line, not every school's.
#[test]
fn a_citation_of_what_the_county_lacks_is_its_error_at_the_line() {
    let county = County::fixture();
    fs::remove_file(county.file("docs/incident-procedure.md")).unwrap();
    county.build_ok(&["--no-pdf", "--school", "dongshi-jh"]);
    let page = fs::read_to_string(county.site("schools/dongshi-jh/draft/index.html")).unwrap();
    assert!(page.contains("本機關依資通安全事件通報及應變辦法及嘉義縣政府之規定"));

    county.edit("plan/14-appraisal.md", |t| {
        t.replacen(
            "{{ county.documents.discipline }}",
            "{{ county.documents.discipline_2024 }}",
            1,
        )
    });
    let refused = county
        .build(&["--no-pdf"])
        .expect_err("the county's error stops the build");
    let said = format!("{refused:#}");
    let line = county
        .read("plan/14-appraisal.md")
        .lines()
        .position(|l| l.contains("discipline_2024"))
        .unwrap()
        + 1;
    assert!(
        said.contains(&format!("14-appraisal.md:{line}:")) && said.contains("discipline_2024"),
        "{said}"
    );
    assert!(said.contains("county.yaml 之 documents"), "{said}");
}
