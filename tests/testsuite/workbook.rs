//! A county collects its schools' data by workbook: `export` writes it (ODS or XLSX), a school or
//! the centre fills it in a spreadsheet, `import` merges it back into the school files, changing
//! only what the workbook changed. LibreOffice, the real client, opens, converts and saves the
//! workbooks; broken workbooks each get their message by sheet, row and column, and no panic.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use planpress::cmd::Outcome;
use rust_xlsxwriter::{Format, Workbook};

use crate::harness::{County, missing, run, snapshot};

fn export(county: &County, file: &Path, extra: &[&str]) {
    let mut args = vec![
        "export",
        "--root",
        county.root.to_str().unwrap(),
        "--out",
        file.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    assert!(
        matches!(run(&args), Ok(Outcome::Success)),
        "export {file:?}"
    );
}

/// `planpress import FILE` with the real binary: its exit code, stdout and stderr.
fn import(county: &County, file: &Path, extra: &[&str]) -> (Option<i32>, String, String) {
    let mut args = vec![file.to_str().unwrap()];
    args.extend_from_slice(extra);
    let out = county.command("import", &args);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn schools(county: &County) -> Vec<(PathBuf, Vec<u8>)> {
    snapshot(&county.root.join("schools"))
}

#[test]
fn the_example_county_goes_out_and_back_without_a_byte_changed() {
    let county = County::example();
    let before = schools(&county);
    for name in ["schools.ods", "schools.xlsx"] {
        let file = county.dir().join(name);
        export(&county, &file, &["--profile", "internal"]);
        let (code, said, errors) = import(&county, &file, &[]);
        assert_eq!(code, Some(0), "{said}\n{errors}");
        assert!(errors.is_empty(), "{errors}");
        assert!(said.contains("已寫入 0 所學校"), "{said}");
        assert!(schools(&county) == before, "{name}: a school file changed");
    }
}

#[test]
fn a_public_workbook_has_no_sensitive_column_and_importing_it_keeps_them() {
    let county = County::fixture();
    let file = county.dir().join("public.xlsx");
    export(&county, &file, &[]);
    let sheets = planpress::workbook::read::read(&file).unwrap();
    let keys = |name: &str| -> Vec<String> {
        let sheet = sheets.iter().find(|s| s.name == name).unwrap();
        sheet.rows[1]
            .iter()
            .filter_map(|c| match c {
                planpress::workbook::Raw::Text(t) => Some(t.clone()),
                _ => None,
            })
            .collect()
    };
    assert!(keys("學校").contains(&"ciso.name".to_string()));
    // The contacts' phones and the systems' addresses are printed on paper only.
    assert!(keys("資安聯絡人").contains(&"email".to_string()));
    assert!(!keys("資安聯絡人").contains(&"phone".to_string()));
    assert!(!keys("核心資通系統").contains(&"ip".to_string()));
    let before = schools(&county);
    let (code, said, _) = import(&county, &file, &[]);
    assert_eq!(code, Some(0), "{said}");
    assert!(schools(&county) == before);
}

/// Runs LibreOffice to convert `file` into `to` (a format), into `dir`; the converted file.
fn libreoffice(file: &Path, to: &str, dir: &Path) -> Option<PathBuf> {
    fs::create_dir_all(dir).unwrap();
    let profile = dir.join("lo-profile");
    let out = Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.to_str().unwrap()
        ))
        .args(["--headless", "--convert-to", to, "--outdir"])
        .arg(dir)
        .arg(file)
        .output()
        .ok()?;
    assert!(out.status.success(), "soffice converts {file:?}: {out:?}");
    let made = dir.join(file.with_extension(to).file_name().unwrap());
    assert!(made.exists(), "soffice made {made:?}: {out:?}");
    Some(made)
}

/// An .ods with one cell's text replaced in its content.
fn change_ods_cell(file: &Path, from: &str, to: &str, out: &Path) {
    let mut archive = zip::ZipArchive::new(fs::File::open(file).unwrap()).unwrap();
    let mut writer = zip::ZipWriter::new(fs::File::create(out).unwrap());
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        let name = entry.name().unwrap().to_string();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut bytes).unwrap();
        if name == "content.xml" {
            let text = String::from_utf8(bytes).unwrap();
            assert_eq!(text.matches(from).count(), 1, "one cell holds {from}");
            bytes = text.replace(from, to).into_bytes();
        }
        let options =
            zip::write::SimpleFileOptions::default().compression_method(if name == "mimetype" {
                zip::CompressionMethod::Stored
            } else {
                zip::CompressionMethod::Deflated
            });
        writer.start_file(name, options).unwrap();
        std::io::Write::write_all(&mut writer, &bytes).unwrap();
    }
    writer.finish().unwrap();
}

#[test]
fn libreoffice_opens_both_formats_and_a_cell_it_saved_changes_that_field_alone() {
    if Command::new("soffice").arg("--version").output().is_err() {
        return missing("LibreOffice (soffice)");
    }
    let county = County::fixture();
    let ods = county.dir().join("schools.ods");
    let xlsx = county.dir().join("schools.xlsx");
    export(&county, &ods, &["--profile", "internal"]);
    export(&county, &xlsx, &["--profile", "internal"]);
    let converted = county.dir().join("converted");
    // Each opens in LibreOffice and converts to the other: both are valid workbooks, and
    // read back the same.
    let ours = planpress::workbook::read::read(&ods).unwrap();
    for (file, to) in [(&ods, "xlsx"), (&xlsx, "ods")] {
        let made = libreoffice(file, to, &converted.join(to)).unwrap();
        let theirs = planpress::workbook::read::read(&made).unwrap();
        assert_eq!(
            theirs.iter().map(|s| &s.name).collect::<Vec<_>>(),
            ours.iter().map(|s| &s.name).collect::<Vec<_>>()
        );
        assert_eq!(theirs[0].rows[..3], ours[0].rows[..3], "{file:?} → {to}");
    }

    // A cell changed, then saved by LibreOffice in each format: that field alone changes.
    let changed = county.dir().join("changed.ods");
    change_ods_cell(
        &ods,
        "嘉義縣朴子市山通路6號",
        "嘉義縣朴子市山通路8號",
        &changed,
    );
    let before = fs::read_to_string(county.file("schools/dongshi-jh.yaml")).unwrap();
    for to in ["xlsx", "ods"] {
        let saved = libreoffice(&changed, to, &county.dir().join(format!("saved-{to}"))).unwrap();
        fs::write(county.file("schools/dongshi-jh.yaml"), &before).unwrap();
        let others = schools(&county);
        let (code, said, errors) = import(&county, &saved, &[]);
        assert_eq!(code, Some(0), "{said}\n{errors}");
        assert!(
            said.contains("學校地址：嘉義縣朴子市山通路6號 → 嘉義縣朴子市山通路8號")
                || said.contains("山通路8號"),
            "{said}"
        );
        let after = fs::read_to_string(county.file("schools/dongshi-jh.yaml")).unwrap();
        assert_eq!(after, before.replace("山通路6號", "山通路8號"), "{to}");
        let now = schools(&county);
        let moved: Vec<_> = now
            .iter()
            .zip(&others)
            .filter(|(a, b)| a != b)
            .map(|(a, _)| a.0.clone())
            .collect();
        assert_eq!(moved, [PathBuf::from("dongshi-jh.yaml")], "{to}");
    }
}

/// A cell of a hand-made workbook.
enum C {
    T(&'static str),
    N(f64),
    F(&'static str),
    Date(u16, u8, u8),
}

/// Writes an .xlsx of `sheets` (name, rows), with `merge` ranges of the first sheet.
fn xlsx(file: &Path, sheets: &[(&str, Vec<Vec<C>>)], merge: Option<(u32, u16, u32, u16)>) {
    let mut book = Workbook::new();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (n, (name, rows)) in sheets.iter().enumerate() {
        let sheet = book.add_worksheet();
        sheet.set_name(*name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match cell {
                    C::T("") => {}
                    C::T(t) => {
                        sheet.write_string(r, c, *t).unwrap();
                    }
                    C::N(v) => {
                        sheet.write_number(r, c, *v).unwrap();
                    }
                    C::F(f) => {
                        sheet.write_formula(r, c, *f).unwrap();
                    }
                    C::Date(y, m, d) => {
                        let when = rust_xlsxwriter::ExcelDateTime::from_ymd(*y, *m, *d).unwrap();
                        sheet
                            .write_datetime_with_format(r, c, &when, &date)
                            .unwrap();
                    }
                }
            }
        }
        if let (0, Some((r1, c1, r2, c2))) = (n, merge) {
            sheet
                .merge_range(r1, c1, r2, c2, "合併", &Format::new())
                .unwrap();
        }
    }
    book.save(file).unwrap();
}

/// The 學校 sheet's two head rows for `keys`.
fn head(keys: &[&'static str]) -> Vec<Vec<C>> {
    vec![
        keys.iter().map(|_| C::T("標題")).collect(),
        keys.iter().map(|k| C::T(k)).collect(),
    ]
}

fn with(mut rows: Vec<Vec<C>>, more: Vec<Vec<C>>) -> Vec<Vec<C>> {
    rows.extend(more);
    rows
}

/// Each broken workbook: what is wrong with it, the sheets, a merge, and what the import must
/// say (on stderr or stdout). The fixture county's schools stay as they are where it says so.
#[allow(clippy::type_complexity)]
fn broken() -> Vec<(
    &'static str,
    Vec<(&'static str, Vec<Vec<C>>)>,
    Option<(u32, u16, u32, u16)>,
    &'static str,
)> {
    use C::*;
    let school = |rows: Vec<Vec<C>>| vec![("學校", rows)];
    vec![
        (
            "a formula",
            school(with(
                head(&["id", "name"]),
                vec![vec![T("dongshi-jh"), F("=1+1")]],
            )),
            None,
            "為公式（",
        ),
        (
            "merged cells",
            school(with(
                head(&["id", "address"]),
                vec![vec![T("dongshi-jh"), T("a")], vec![T("daji-jh"), T("b")]],
            )),
            Some((2, 1, 3, 1)),
            "合併儲存格",
        ),
        (
            "an extra sheet",
            vec![("學校", head(&["id"])), ("備註", vec![vec![T("隨手記")]])],
            None,
            "「備註」第 1 列：不是可匯入之工作表",
        ),
        (
            "a renamed sheet",
            vec![(
                "學校 (2)",
                with(head(&["id", "name"]), vec![vec![T("dongshi-jh"), T("x")]]),
            )],
            None,
            "是否為「學校」",
        ),
        (
            "a huge cell",
            school(with(
                head(&["id", "short_name"]),
                vec![vec![
                    T("dongshi-jh"),
                    T(Box::leak("長".repeat(5000).into_boxed_str())),
                ]],
            )),
            None,
            "長 5000 字，超過 500 字之上限",
        ),
        (
            "duplicate school ids",
            school(with(
                head(&["id", "short_name"]),
                vec![
                    vec![T("dongshi-jh"), T("甲")],
                    vec![T("dongshi-jh"), T("乙")],
                ],
            )),
            None,
            "學校代碼 dongshi-jh 重複（亦見第 3 列）",
        ),
        (
            "an unknown column",
            school(with(
                head(&["id", "nmae"]),
                vec![vec![T("dongshi-jh"), T("x")]],
            )),
            None,
            "未知之欄位代碼「nmae」，此欄未採用；是否為「name」？",
        ),
        (
            "no key row",
            school(vec![vec![T("學校代碼")]]),
            None,
            "缺少第 2 列之欄位代碼",
        ),
        (
            "no id column",
            school(with(head(&["name"]), vec![vec![T("x")]])),
            None,
            "缺少學校代碼欄",
        ),
        (
            "a malformed id",
            school(with(
                head(&["id", "name"]),
                vec![vec![T("Dong Shi"), T("x")]],
            )),
            None,
            "「Dong Shi」不是學校代碼",
        ),
        (
            "a row without its id",
            school(with(head(&["id", "name"]), vec![vec![T(""), T("x")]])),
            None,
            "缺少學校代碼，此列未採用",
        ),
        (
            "a level not among the choices",
            school(with(
                head(&["id", "level"]),
                vec![vec![T("dongshi-jh"), T("F")]],
            )),
            None,
            "「F」不是可選之值（A、B、C、D、E）",
        ),
        (
            "a count in words",
            school(with(
                head(&["id", "staffing.it_staff"]),
                vec![vec![T("dongshi-jh"), T("三")]],
            )),
            None,
            "「三」不是整數",
        ),
        (
            "a negative count",
            school(with(
                head(&["id", "staffing.it_staff"]),
                vec![vec![T("dongshi-jh"), N(-2.0)]],
            )),
            None,
            "應至少為 0，目前為 -2",
        ),
        (
            "a yes-or-no that is neither",
            school(with(
                head(&["id", "kindergarten"]),
                vec![vec![T("dongshi-jh"), T("也許")]],
            )),
            None,
            "「也許」應為「是」或「否」",
        ),
        (
            "a repeated column",
            school(with(
                head(&["id", "name", "name"]),
                vec![vec![T("dongshi-jh"), T("甲"), T("乙")]],
            )),
            None,
            "欄位代碼「name」重複",
        ),
        (
            "a new school without its name",
            school(with(
                head(&["id", "short_name"]),
                vec![vec![T("xinxing-es"), T("新興國小")]],
            )),
            None,
            "新學校 xinxing-es 須填學校全銜",
        ),
        (
            "a list row of a school not in 學校",
            vec![
                ("學校", with(head(&["id"]), vec![vec![T("daji-jh")]])),
                (
                    "資安聯絡人",
                    with(head(&["id", "name"]), vec![vec![T("dongshi-jh"), T("甲")]]),
                ),
            ],
            None,
            "學校代碼 dongshi-jh 不在「學校」工作表中",
        ),
        (
            "a wrong choice in a list",
            vec![
                ("學校", with(head(&["id"]), vec![vec![T("dongshi-jh")]])),
                (
                    "核心資通系統",
                    with(
                        head(&["id", "business", "importance"]),
                        vec![vec![T("dongshi-jh"), T("教務"), T("cii、重要")]],
                    ),
                ),
            ],
            None,
            "整份清單未變更",
        ),
        (
            "a sheet twice",
            vec![
                ("學校", head(&["id"])),
                ("plan.revisions", head(&["id"])),
                ("文件制／修訂紀錄", head(&["id"])),
            ],
            None,
            "未採用",
        ),
        (
            "a formula in a list",
            vec![
                ("學校", with(head(&["id"]), vec![vec![T("dongshi-jh")]])),
                (
                    "資安聯絡人",
                    with(head(&["id", "name"]), vec![vec![T("dongshi-jh"), F("=A3")]]),
                ),
            ],
            None,
            "為公式（",
        ),
        (
            "a date that is no date",
            school(with(
                head(&["id", "plan.date"]),
                vec![vec![T("dongshi-jh"), N(12.5)]],
            )),
            None,
            "「12.5」不是日期",
        ),
        (
            "a list sheet without ids",
            vec![
                ("學校", with(head(&["id"]), vec![vec![T("dongshi-jh")]])),
                ("資安聯絡人", with(head(&["name"]), vec![vec![T("甲")]])),
            ],
            None,
            "缺少學校代碼欄",
        ),
        (
            "an id typed as a number",
            school(with(head(&["id", "name"]), vec![vec![N(101.0), T("x")]])),
            None,
            "缺少學校代碼，此列未採用",
        ),
        (
            "an empty sheet of an unknown name",
            vec![
                (
                    "學校",
                    with(
                        head(&["id", "short_name"]),
                        vec![vec![T("dongshi-jh"), T("東石")]],
                    ),
                ),
                ("工作表2", vec![vec![T("x")]]),
            ],
            None,
            "「工作表2」第 1 列：不是可匯入之工作表",
        ),
        (
            "keys in the first row",
            school(vec![
                vec![T("id"), T("name")],
                vec![T("dongshi-jh"), T("x")],
            ]),
            None,
            "缺少學校代碼欄",
        ),
        (
            "a number for a choice",
            school(with(
                head(&["id", "level"]),
                vec![vec![T("dongshi-jh"), N(4.0)]],
            )),
            None,
            "「4」不是可選之值",
        ),
        (
            "too many columns",
            school(vec![(0..600).map(|_| T("x")).collect()]),
            None,
            "學校",
        ),
        (
            "too many rows",
            school((0..20_002).map(|_| vec![T("x")]).collect()),
            None,
            "學校",
        ),
        (
            "a choice of several with one wrong",
            vec![
                ("學校", with(head(&["id"]), vec![vec![T("daji-jh")]])),
                (
                    "教育訓練課程",
                    with(
                        head(&["id", "name", "audience"]),
                        vec![vec![T("daji-jh"), T("課"), T("managers，老師")]],
                    ),
                ),
            ],
            None,
            "「老師」不是可選之值",
        ),
    ]
}

#[test]
fn each_broken_workbook_gets_its_message_and_no_panic() {
    let county = County::fixture();
    let before = schools(&county);
    let cases = broken();
    assert!(cases.len() >= 30, "{} cases", cases.len());
    for (what, sheets, merge, said) in cases {
        let file = county.dir().join("broken.xlsx");
        xlsx(&file, &sheets, merge);
        let (code, out, errors) = import(&county, &file, &["--dry-run"]);
        assert!(code.is_some(), "{what}: the import ends without a signal");
        let all = format!("{out}\n{errors}");
        assert!(!all.contains("panicked"), "{what}: {all}");
        assert!(all.contains(said), "{what}: expected 「{said}」 in\n{all}");
        assert_ne!(code, Some(0), "{what}: {all}");
    }
    assert!(schools(&county) == before, "a dry run writes nothing");
}

#[test]
fn files_that_are_no_workbook_are_refused_with_their_name() {
    let county = County::fixture();
    let cases: [(&str, &[u8]); 4] = [
        ("random.xlsx", b"\x00\x01not a zip at all"),
        ("empty.ods", b""),
        ("text.ods", "學校,id\n".as_bytes()),
        ("truncated.xlsx", b"PK\x03\x04\x14\x00\x00\x00"),
    ];
    for (name, bytes) in cases {
        let file = county.dir().join(name);
        fs::write(&file, bytes).unwrap();
        let (code, out, errors) = import(&county, &file, &[]);
        assert_eq!(code, Some(2), "{name}: {out}{errors}");
        assert!(errors.contains(name), "{name}: {errors}");
        assert!(!errors.contains("panicked"), "{errors}");
    }
}

#[test]
fn a_csv_sheet_takes_dates_numbers_and_text_that_looks_like_a_formula() {
    let county = County::fixture();
    let file = county.dir().join("學校.csv");
    fs::write(
        &file,
        "\u{feff}學校代碼,全銜,電話,幼兒園,資訊人員\n\
         id,short_name,phone,kindergarten,staffing.it_staff\n\
         dongshi-jh,'=東石國中,05-3792027,否,２\n",
    )
    .unwrap();
    let (code, out, errors) = import(&county, &file, &[]);
    assert_eq!(code, Some(0), "{out}{errors}");
    let text = fs::read_to_string(county.file("schools/dongshi-jh.yaml")).unwrap();
    let values: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
    assert_eq!(values["short_name"], "=東石國中", "{text}");
    assert_eq!(values["staffing"]["it_staff"], 2, "{text}");
    assert!(
        text.contains("phone: \"05-3792027\""),
        "unchanged, as written: {text}"
    );
}

#[test]
fn a_workbook_adds_a_school_as_new_school_starts_one() {
    let county = County::fixture();
    let file = county.dir().join("new.xlsx");
    xlsx(
        &file,
        &[(
            "學校",
            with(
                head(&["id", "name", "level"]),
                vec![vec![
                    C::T("xinxing-es"),
                    C::T("嘉義縣新興國民小學"),
                    C::T("D"),
                ]],
            ),
        )],
        None,
    );
    let (code, out, errors) = import(&county, &file, &["--allow-incomplete"]);
    assert_eq!(code, Some(0), "{out}{errors}");
    assert!(out.contains("xinxing-es：新增學校"), "{out}");
    let text = fs::read_to_string(county.file("schools/xinxing-es.yaml")).unwrap();
    assert!(text.contains("name: 嘉義縣新興國民小學"), "{text}");
    assert!(text.contains("level: D"), "{text}");
    assert!(text.contains("# "), "the scaffold's comments stay: {text}");
    // Dates typed as spreadsheet dates are dates.
    xlsx(
        &file,
        &[(
            "學校",
            with(
                head(&["id", "plan.date"]),
                vec![vec![C::T("xinxing-es"), C::Date(2024, 5, 1)]],
            ),
        )],
        None,
    );
    let (code, out, errors) = import(&county, &file, &["--allow-incomplete"]);
    assert_eq!(code, Some(0), "{out}{errors}");
    let text = fs::read_to_string(county.file("schools/xinxing-es.yaml")).unwrap();
    assert!(text.contains("date: 2024-05-01"), "{text}");
}
