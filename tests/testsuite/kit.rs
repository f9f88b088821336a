//! A school's kit: what the county centre hands one school, and what the school returns.

use std::collections::BTreeSet;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::harness::{County, pdf_text, repo, school_ids};
use crate::server::Server;

/// Every entry of a zip: its name and its bytes.
pub fn unzip_entries(zip: &Path) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(fs::File::open(zip).unwrap()).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut entry = archive.by_index(i).unwrap();
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).unwrap();
            (entry.name().unwrap().to_string(), bytes)
        })
        .collect()
}

/// Unpacks a zip below `into`, as Explorer's 解壓縮全部 would.
pub fn unzip(zip: &Path, into: &Path) {
    for (name, bytes) in unzip_entries(zip) {
        let file = into.join(&name);
        fs::create_dir_all(file.parent().unwrap()).unwrap();
        fs::write(&file, bytes).unwrap();
        #[cfg(unix)]
        if name.ends_with("/planpress") {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&file, fs::Permissions::from_mode(0o755)).unwrap();
        }
    }
}

/// Makes `school`'s kit of the county with the real binary.
fn make_kit(county: &County, school: &str, extra: &[&str]) -> PathBuf {
    let zip = county.dir().join(format!("{school}.zip"));
    let mut args = vec!["--school", school, "--out", zip.to_str().unwrap()];
    args.extend_from_slice(extra);
    let run = county.command("kit", &args);
    assert!(run.status.success(), "the kit is made: {run:?}");
    zip
}

/// The values the schema marks `x-sensitive` in a school file, found by walking the schema
/// beside the school's data (independently of planpress's own walk).
fn sensitive_values(schema: &Value, data: &Value, out: &mut Vec<String>) {
    if schema.get("x-sensitive") == Some(&Value::Bool(true)) {
        match data {
            Value::String(s) => out.push(s.clone()),
            Value::Array(items) => {
                out.extend(items.iter().filter_map(|v| v.as_str().map(String::from)))
            }
            _ => {}
        }
    }
    let referred = schema.get("$ref").and_then(Value::as_str).map(resolve_ref);
    let part = |name: &str| {
        schema
            .get(name)
            .or_else(|| referred.as_ref().and_then(|r| r.get(name)))
            .cloned()
    };
    match data {
        Value::Object(map) => {
            let properties = part("properties").unwrap_or_default();
            for (key, value) in map {
                if let Some(sub) = properties.get(key) {
                    sensitive_values(sub, value, out);
                }
            }
        }
        Value::Array(items) => {
            if let Some(sub) = part("items") {
                for item in items {
                    sensitive_values(&sub, item, out);
                }
            }
        }
        _ => {}
    }
}

fn the_schema() -> Value {
    serde_saphyr::from_str(&fs::read_to_string(repo().join("schemas/school.schema.yaml")).unwrap())
        .unwrap()
}

fn resolve_ref(reference: &str) -> Value {
    let mut node = the_schema();
    for part in reference.trim_start_matches("#/").split('/') {
        node = node[part].clone();
    }
    node
}

fn school_data(county: &County, id: &str) -> Value {
    serde_saphyr::from_str(&county.read(&format!("schools/{id}.yaml"))).unwrap()
}

#[test]
fn a_kit_holds_the_county_s_shared_files_and_one_school_s_own_only() {
    // The whole example county: 146 other schools to find nothing of.
    let county = County::example();
    let own = "zhuqi-hs";
    let zip = make_kit(&county, own, &[]);
    let entries = unzip_entries(&zip);
    let names: BTreeSet<String> = entries.iter().map(|(n, _)| n.clone()).collect();

    // Exactly the county's shared files, the school's file and its own texts, the schema the
    // county keeps beside it, and the guide.
    let mut expected = BTreeSet::new();
    let top = format!("planpress-{own}");
    for part in ["plan", "docs", "forms"] {
        for entry in fs::read_dir(county.file(part)).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            expected.insert(format!("{top}/content/{part}/{name}"));
        }
    }
    expected.insert(format!("{top}/content/county.yaml"));
    expected.insert(format!("{top}/content/schools/{own}.yaml"));
    for entry in fs::read_dir(county.file(&format!("schools/{own}/overrides"))).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        expected.insert(format!("{top}/content/schools/{own}/overrides/{name}"));
    }
    expected.insert(format!("{top}/schemas/school.schema.yaml"));
    expected.insert(format!("{top}/使用說明.txt"));
    assert_eq!(names, expected);

    // Its files are the county's, byte for byte.
    for (name, bytes) in &entries {
        if let Some(rel) = name.strip_prefix(&format!("{top}/content/")) {
            assert_eq!(bytes, &fs::read(county.file(rel)).unwrap(), "{name}");
        }
    }

    // Nothing of another school: not its id, not one of its sensitive values (but for those
    // the school holds itself: a system the county runs for several schools).
    let schema = the_schema();
    let mut own_values = Vec::new();
    sensitive_values(&schema, &school_data(&county, own), &mut own_values);
    assert!(
        !own_values.is_empty(),
        "the school has sensitive values of its own"
    );
    let text: String = entries
        .iter()
        .map(|(_, bytes)| String::from_utf8_lossy(bytes).into_owned())
        .collect();
    for value in &own_values {
        assert!(
            text.contains(value.as_str()),
            "the school's own {value} is in its kit"
        );
    }
    let mut searched = 0;
    let others: Vec<String> = school_ids().into_iter().filter(|id| id != own).collect();
    assert_eq!(others.len(), 146);
    for other in &others {
        assert!(
            !text.contains(other.as_str()),
            "the kit names school {other}"
        );
        let mut values = Vec::new();
        sensitive_values(&schema, &school_data(&county, other), &mut values);
        for value in values.iter().filter(|v| !own_values.contains(v)) {
            searched += 1;
            assert!(
                !text.contains(value.as_str()),
                "the kit holds a sensitive value of {other}: {value}"
            );
        }
    }
    assert!(
        searched >= 150,
        "other schools' values were searched for: {searched}"
    );

    // The guide names the school's file to fill in and to return, for Notepad.
    let guide = &entries
        .iter()
        .find(|(n, _)| n.ends_with("使用說明.txt"))
        .unwrap()
        .1;
    assert!(guide.starts_with(b"\xEF\xBB\xBF"));
    let guide = String::from_utf8_lossy(guide);
    assert!(guide.contains("content\\schools\\zhuqi-hs.yaml"), "{guide}");
    assert!(guide.contains("\r\n") && !guide.replace("\r\n", "").contains('\n'));
    assert!(guide.contains("嘉義縣立竹崎高級中學"), "{guide}");
}

#[test]
fn a_kit_refuses_a_county_text_that_carries_another_school_s_sensitive_value() {
    let county = County::fixture();
    // An IP only 東石 has, typed into a shared chapter.
    county.edit("plan/02-scope.md", |t| {
        format!("{t}\n主機 163.27.120.15 另計。\n")
    });
    let zip = county.dir().join("kit.zip");
    let run = county.command(
        "kit",
        &["--school", "zhuqi-hs", "--out", zip.to_str().unwrap()],
    );
    let said = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{said}");
    assert!(said.contains("plan/02-scope.md"), "{said}");
    assert!(said.contains("dongshi-jh"), "{said}");
    assert!(
        !said.contains("163.27.120.15"),
        "the value itself is never repeated"
    );
    assert!(!zip.exists() && !county.dir().join("kit.zip.partial").exists());
}

#[test]
fn an_unzipped_kit_previews_by_itself_and_builds_with_no_other_file() {
    let county = County::fixture();
    let zip = make_kit(&county, "dongshi-jh", &["--with-binary", "linux-x64"]);
    let place = tempfile::tempdir().unwrap();
    // A school's folder as Windows names them: a space and Chinese.
    let unpacked = place.path().join("資安 計畫");
    unzip(&zip, &unpacked);
    let kit = unpacked.join("planpress-dongshi-jh");
    let program = kit.join("planpress");
    assert!(program.is_file(), "the kit carries the program");

    // Started with no command in the kit's folder, as a double-click starts it: the school's
    // plan is previewed with every value (the school's own), and the browser is asked to
    // open it.
    let opened = place.path().join("opened.txt");
    let browser = place.path().join("browser.sh");
    fs::write(
        &browser,
        format!("#!/bin/sh\necho \"$1\" > '{}'\n", opened.display()),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&browser, fs::Permissions::from_mode(0o755)).unwrap();
    }
    let mut command = Command::new(&program);
    command.current_dir(&kit).env("BROWSER", &browser);
    let server = Server::spawn(command);
    assert!(
        server.url.ends_with("/schools/dongshi-jh/draft/"),
        "{}",
        server.url
    );
    let page = server.get("/schools/dongshi-jh/draft/").text();
    assert!(page.contains("嘉義縣立東石國民中學"));
    assert!(
        page.contains("163.27.120.15"),
        "the school sees its own IPs"
    );
    let pdf = server.get("/schools/dongshi-jh/draft/plan.pdf");
    assert_eq!(pdf.status, 200);
    let waited = std::time::Instant::now();
    while !opened.exists() && waited.elapsed().as_secs() < 10 {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(
        fs::read_to_string(&opened).unwrap().trim(),
        server.url,
        "the browser opens the school's page"
    );
    drop(server);

    let site = place.path().join("site");
    let built = Command::new(&program)
        .current_dir(&kit)
        .args(["build", "--out", site.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(built.status.code().is_some_and(|c| c <= 1), "{built:?}");
    let plan = pdf_text(&site.join("schools/dongshi-jh/draft/plan.pdf"));
    assert!(plan.contains("嘉義縣立東石國民中學"), "{plan}");
}

/// A school's file as returned: the county's copy changed by `change`, saved as `name`.
fn returned(county: &County, id: &str, name: &str, change: impl FnOnce(&str) -> String) -> PathBuf {
    let file = county.dir().join("mail").join(name);
    fs::create_dir_all(file.parent().unwrap()).unwrap();
    fs::write(&file, change(&county.read(&format!("schools/{id}.yaml")))).unwrap();
    file
}

#[test]
fn a_returned_file_is_taken_back_with_what_changed_field_by_field() {
    let county = County::fixture();
    // Saved by Notepad: a byte-order mark and CRLF line ends.
    let file = returned(&county, "dongshi-jh", "dongshi-jh.yaml", |t| {
        let t = t.replacen("  name: 黃振榮", "  name: 王大明", 1);
        format!("\u{feff}{}", t.replace('\n', "\r\n"))
    });
    let run = county.command("import", &[file.to_str().unwrap()]);
    let said = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{run:?}");
    assert!(said.contains("資通安全長姓名：黃振榮 → 王大明"), "{said}");
    assert_eq!(
        said.matches(" → ").count(),
        2,
        "one field changed, and the line naming the files: {said}"
    );
    assert!(said.contains("匯入後：0 個錯誤"), "{said}");
    let now = county.read("schools/dongshi-jh.yaml");
    assert!(now.contains("  name: 王大明") && !now.contains('\r') && !now.starts_with('\u{feff}'));

    // The same file again changes nothing.
    let again = county.command("import", &[file.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("沒有變更"));
}

#[test]
fn another_school_s_file_is_refused_and_nothing_changes() {
    let county = County::fixture();
    let before = county.read("schools/dongshi-jh.yaml");
    // 新塭國小's file, renamed after 東石國中.
    let renamed = returned(&county, "xinwen-es", "dongshi-jh.yaml", |t| t.to_string());
    let run = county.command("import", &[renamed.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&run.stderr).contains("id"),
        "{run:?}"
    );
    // Awaited from 東石國中, sent by 新塭國小.
    let sent = returned(&county, "xinwen-es", "xinwen-es.yaml", |t| t.to_string());
    let run = county.command(
        "import",
        &[sent.to_str().unwrap(), "--school", "dongshi-jh"],
    );
    let said = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{said}");
    assert!(
        said.contains("這是 xinwen-es 的資料檔，不是 dongshi-jh 的"),
        "{said}"
    );
    // A school the county does not have.
    let stranger = returned(&county, "xinwen-es", "budai-es.yaml", |t| {
        t.replacen("id: xinwen-es", "id: budai-es", 1)
    });
    let run = county.command("import", &[stranger.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("planpress new school"));
    assert_eq!(county.read("schools/dongshi-jh.yaml"), before);
    assert!(!county.file("schools/budai-es.yaml").exists());
}

#[test]
fn a_returned_file_with_errors_is_refused_unless_asked_and_a_dry_run_writes_nothing() {
    let county = County::fixture();
    let before = county.read("schools/dongshi-jh.yaml");
    let file = returned(&county, "dongshi-jh", "dongshi-jh.yaml", |t| {
        t.replacen("  name: 黃振榮\n", "", 1)
    });
    let run = county.command("import", &[file.to_str().unwrap()]);
    let (out, err) = (
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr),
    );
    assert_eq!(run.status.code(), Some(1), "{out}{err}");
    assert!(out.contains("資通安全長姓名：黃振榮 → （無）"), "{out}");
    assert!(
        out.contains("資通安全長姓名"),
        "the finding is listed: {out}"
    );
    assert!(err.contains("未匯入"), "{err}");
    assert_eq!(county.read("schools/dongshi-jh.yaml"), before);

    let dry = county.command(
        "import",
        &[file.to_str().unwrap(), "--allow-incomplete", "--dry-run"],
    );
    assert!(dry.status.success(), "{dry:?}");
    assert_eq!(county.read("schools/dongshi-jh.yaml"), before);

    // A file that does not parse is never taken: the school would have no plan at all.
    let broken = returned(&county, "dongshi-jh", "broken/dongshi-jh.yaml", |t| {
        t.replacen("short_name: 東石國中", "short_name: \"東石國中", 1)
    });
    let run = county.command("import", &[broken.to_str().unwrap(), "--allow-incomplete"]);
    let said = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{said}");
    assert!(
        said.contains("broken/dongshi-jh.yaml:11:9: 引號未成對"),
        "where the parser found it, in Chinese: {said}"
    );
    assert_eq!(county.read("schools/dongshi-jh.yaml"), before);

    let taken = county.command("import", &[file.to_str().unwrap(), "--allow-incomplete"]);
    assert!(taken.status.success(), "{taken:?}");
    assert_eq!(
        school_data(&county, "dongshi-jh")["ciso"]["name"],
        Value::Null
    );
}

#[test]
fn a_kit_carries_the_school_s_own_editions_and_the_shared_documents_but_no_other_school_s() {
    let county = County::fixture();
    county.release_school("dongshi-jh", "V3.1", "依新版範本修訂");
    county.release_school("zhuqi-hs", "V2.1", "依新版範本修訂");
    county.release_doc("incident-procedure", "V1.0");
    let zip = make_kit(&county, "dongshi-jh", &[]);
    let names: Vec<String> = unzip_entries(&zip).into_iter().map(|(n, _)| n).collect();
    let has = |prefix: &str| names.iter().any(|n| n.starts_with(prefix));
    assert!(
        has("planpress-dongshi-jh/content/editions/dongshi-jh/V3.1/edition.yaml"),
        "{names:?}"
    );
    assert!(has(
        "planpress-dongshi-jh/content/editions/dongshi-jh/V3.1/internal/plan.pdf"
    ));
    assert!(has(
        "planpress-dongshi-jh/content/editions/_docs/incident-procedure/V1.0/"
    ));
    assert!(
        !has("planpress-dongshi-jh/content/editions/zhuqi-hs"),
        "{names:?}"
    );

    // Unzipped, the preview lists the school's edition as the county's site does.
    let place = tempfile::tempdir().unwrap();
    unzip(&zip, place.path());
    let site = place.path().join("site");
    let root = place.path().join("planpress-dongshi-jh/content");
    let built = crate::harness::planpress(&[
        "build",
        "--root",
        root.to_str().unwrap(),
        "--out",
        site.to_str().unwrap(),
        "--no-pdf",
    ]);
    assert!(built.status.code().is_some_and(|c| c <= 1), "{built:?}");
    assert!(site.join("schools/dongshi-jh/V3.1/index.html").is_file());
}
