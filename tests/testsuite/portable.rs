//! What a school's PC brings, checked on any system: files with Windows' line ends, folders
//! named with spaces and Chinese, editors that save by writing a new file and renaming it, a
//! program started with no command (a double-click), and `--version`.

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::harness::*;
use crate::server::Server;

/// Every text file of the county (chapters, forms, documents, config, school files) with CRLF
/// line ends and Notepad's byte-order mark, as a Windows checkout or editor leaves them.
pub fn to_windows_line_ends(dir: &Path) {
    for (rel, bytes) in snapshot(dir) {
        let is_text = matches!(
            rel.extension().and_then(|e| e.to_str()),
            Some("yaml" | "md")
        );
        if is_text {
            let text = String::from_utf8(bytes).unwrap();
            let crlf = format!("\u{feff}{}", text.replace('\n', "\r\n"));
            fs::write(dir.join(rel), crlf).unwrap();
        }
    }
}

#[test]
fn a_county_saved_with_windows_line_ends_builds_the_same_site() {
    let unix = County::fixture();
    unix.build_ok(&["--school", "zhuqi-hs"]);
    let windows = County::fixture();
    to_windows_line_ends(&windows.root);
    windows.build_ok(&["--school", "zhuqi-hs"]);
    let (a, b) = (snapshot(&unix.out), snapshot(&windows.out));
    let names =
        |s: &[(std::path::PathBuf, Vec<u8>)]| s.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>();
    assert_eq!(names(&a), names(&b));
    for ((path, x), (_, y)) in a.iter().zip(&b) {
        // The data page shows the file as it is; everything else is the same to the byte.
        if path.starts_with("schools/zhuqi-hs/draft/data")
            || path.ends_with(".planpress-manifest.json")
        {
            continue;
        }
        assert!(x == y, "{} differs", path.display());
    }
    assert!(
        pdf_text(&windows.site("schools/zhuqi-hs/draft/plan.pdf")).contains("嘉義縣立竹崎高級中學")
    );
}

#[test]
fn a_county_in_a_folder_with_spaces_and_chinese_checks_and_builds() {
    let place = tempfile::tempdir().unwrap();
    let root = place.path().join("王小明的桌面").join("資安 計畫");
    fs::create_dir_all(&root).unwrap();
    copy_dir(&County::fixture().root, &root);
    let site = place.path().join("網站 輸出");
    let built = planpress(&[
        "build",
        "--root",
        root.to_str().unwrap(),
        "--out",
        site.to_str().unwrap(),
        "--school",
        "dongshi-jh",
        "--quiet",
    ]);
    assert!(built.status.success(), "{built:?}");
    assert!(
        pdf_text(&site.join("schools/dongshi-jh/draft/forms.pdf")).contains("資通安全推動小組")
    );
}

#[test]
fn a_save_by_writing_a_new_file_and_renaming_it_reloads_the_page() {
    let county = County::fixture();
    let server = Server::start(
        env!("CARGO_BIN_EXE_planpress"),
        &county.root,
        &["dongshi-jh"],
    );
    let mut events = server.events();
    // As Word, Notepad++ or vim save: the new text in a file beside, renamed over the old.
    let file = county.file("schools/dongshi-jh.yaml");
    let beside = county.file("schools/dongshi-jh.yaml~new");
    let text = county.read("schools/dongshi-jh.yaml");
    fs::write(
        &beside,
        text.replacen(
            "name: 嘉義縣立東石國民中學",
            "name: 嘉義縣立東石改名國民中學",
            1,
        ),
    )
    .unwrap();
    fs::rename(&beside, &file).unwrap();
    events
        .rebuilt(
            "schools/dongshi-jh/draft/index.html",
            Duration::from_secs(30),
        )
        .expect("the renamed file is seen as a save");
    assert!(
        server
            .get("/schools/dongshi-jh/draft/")
            .text()
            .contains("嘉義縣立東石改名國民中學")
    );
}

#[test]
fn the_version_names_the_commit_and_the_build_date() {
    let run = planpress(&["--version"]);
    let said = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success());
    let line = said.trim();
    let prefix = format!("planpress {} (commit ", env!("CARGO_PKG_VERSION"));
    assert!(line.starts_with(&prefix), "{line}");
    let head = Command::new("git")
        .args(["rev-parse", "--short=10", "HEAD"])
        .current_dir(repo())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "unknown".into());
    assert!(line.contains(&format!("commit {head}, built ")), "{line}");
    let date = line.rsplit("built ").next().unwrap().trim_end_matches(')');
    let parts: Vec<&str> = date.split('-').collect();
    assert!(
        parts.len() == 3 && parts[0].len() == 4 && parts[0] >= "2026",
        "{date}"
    );
}

#[test]
fn with_no_command_and_no_county_it_says_how_to_begin() {
    let empty = tempfile::tempdir().unwrap();
    let run = Command::new(env!("CARGO_BIN_EXE_planpress"))
        .current_dir(empty.path())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{run:?}");
    assert!(said.contains("找不到 county.yaml"), "{said}");
    assert!(said.contains("planpress kit"), "{said}");

    let not_a_county = planpress(&[empty.path().to_str().unwrap()]);
    assert_eq!(not_a_county.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&not_a_county.stderr).contains("不是縣市資料庫或工具包"));
}

#[test]
fn with_no_command_in_a_county_it_previews_every_school() {
    let county = County::fixture();
    let mut command = Command::new(env!("CARGO_BIN_EXE_planpress"));
    // A folder dropped on the program; `true` as the browser, which opens nothing.
    command.arg(&county.root).env("BROWSER", "true");
    let server = Server::spawn(command);
    assert!(server.url.ends_with('/'), "{}", server.url);
    let index = server.get("/").text();
    for id in FIXTURE_SCHOOLS {
        assert!(index.contains(&format!("schools/{id}/")), "{id}");
    }
    // The internal copy: every value, as printed for signing.
    assert!(
        server
            .get("/schools/dongshi-jh/draft/")
            .text()
            .contains("163.27.120.15")
    );
}
