//! The Windows program, cross-compiled by `.ci/run`, run under Wine: what a school's PC does
//! with it. `PLANPRESS_WINDOWS_EXE` names the program; without it these tests say so and pass,
//! except in CI, where a missing program fails them.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::harness::*;
use crate::kit::unzip;
use crate::portable::to_windows_line_ends;
use crate::server::Server;

/// The Windows program, or `None` (see [`missing`]) where it was not built.
fn windows_exe() -> Option<PathBuf> {
    let Some(exe) = std::env::var_os("PLANPRESS_WINDOWS_EXE") else {
        missing("Windows program (PLANPRESS_WINDOWS_EXE)");
        return None;
    };
    let exe = PathBuf::from(exe);
    assert!(
        exe.is_file(),
        "PLANPRESS_WINDOWS_EXE names no file: {exe:?}"
    );
    Some(exe)
}

/// A path as the Windows program names it: Wine shows the Linux root as drive Z:.
fn windows_path(path: &Path) -> String {
    format!("Z:{}", path.display()).replace('/', "\\")
}

/// `wine EXE ARGS…`, quiet about Wine's own messages.
fn wine(exe: &Path, args: &[&str]) -> Command {
    let mut command = Command::new("wine");
    command
        .arg(exe)
        .args(args)
        .env("WINEDEBUG", "-all")
        .stdin(Stdio::null());
    command
}

fn run(exe: &Path, args: &[&str]) -> Output {
    wine(exe, args).output().expect("wine runs")
}

/// `planpress.exe build --root ROOT --out SITE --quiet EXTRA…`, paths as Windows names them.
fn build_site(exe: &Path, root: &Path, site: &Path, extra: &[&str]) -> Output {
    let (root, site) = (windows_path(root), windows_path(site));
    let mut args = vec!["build", "--root", &root, "--out", &site, "--quiet"];
    args.extend_from_slice(extra);
    run(exe, &args)
}

#[test]
fn the_windows_program_names_the_same_version_as_the_linux_one() {
    let Some(exe) = windows_exe() else { return };
    let windows = run(&exe, &["--version"]);
    let linux = planpress(&["--version"]);
    assert!(windows.status.success(), "{windows:?}");
    let (w, l) = (
        String::from_utf8_lossy(&windows.stdout),
        String::from_utf8_lossy(&linux.stdout),
    );
    // The same commit; the build date may differ by the day the two were compiled.
    let commit = |s: &str| s.split(", built").next().unwrap_or_default().to_string();
    assert_eq!(commit(&w), commit(&l), "{w} / {l}");
}

#[test]
fn init_check_and_build_under_windows_in_a_folder_with_spaces_and_chinese() {
    let Some(exe) = windows_exe() else { return };
    let place = tempfile::tempdir().unwrap();
    let desktop = place.path().join("王小明").join("資安 計畫");
    fs::create_dir_all(&desktop).unwrap();
    let root = desktop.join("新 縣市");
    let init = run(&exe, &["init", &windows_path(&root)]);
    assert!(init.status.success(), "{init:?}");
    assert!(root.join("county.yaml").is_file());
    let id = fs::read_dir(root.join("schools"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "yaml"))
        .unwrap()
        .file_stem()
        .unwrap()
        .to_string_lossy()
        .into_owned();

    // check says the same, in UTF-8, as the Linux program over the same county.
    let windows = run(&exe, &["check", "--root", &windows_path(&root)]);
    let linux = planpress(&["check", "--root", root.to_str().unwrap()]);
    assert_eq!(windows.status.code(), linux.status.code(), "{windows:?}");
    let findings = |out: &Output| {
        String::from_utf8(out.stdout.clone())
            .expect("UTF-8")
            .lines()
            .filter(|l| l.contains("缺漏") || l.contains("錯誤") || l.contains("警告"))
            .map(|l| l.replace('\\', "/"))
            .filter(|l| !l.contains("-->"))
            .collect::<Vec<_>>()
    };
    assert_eq!(findings(&windows), findings(&linux));
    let tally = String::from_utf8(windows.stderr.clone()).expect("UTF-8");
    assert!(tally.contains("檢查 1 所學校"), "{tally}");

    let site = desktop.join("網站");
    let build = build_site(&exe, &root, &site, &["--school", &id]);
    assert!(build.status.code().is_some_and(|c| c <= 1), "{build:?}");
    for pdf in ["plan.pdf", "forms.pdf"] {
        let file = site.join("schools").join(&id).join("draft").join(pdf);
        assert!(pdf_text(&file).contains("資通安全"), "{pdf}");
    }
    // A second build replaces the first site whole, as on Linux.
    let again = build_site(&exe, &root, &site, &[]);
    assert!(again.status.code().is_some_and(|c| c <= 1), "{again:?}");
    assert!(site.join("index.html").is_file());
}

/// A county with Windows' line ends, built by each program: the PDFs are the same bytes.
#[test]
fn pdfs_built_on_windows_are_the_bytes_built_on_linux() {
    let Some(exe) = windows_exe() else { return };
    let county = County::fixture();
    county.build_ok(&["--school", "zhuqi-hs"]);
    let windows_county = County::fixture();
    to_windows_line_ends(&windows_county.root);
    let site = windows_county.dir().join("windows-site");
    let build = build_site(&exe, &windows_county.root, &site, &["--school", "zhuqi-hs"]);
    assert!(build.status.success(), "{build:?}");
    for pdf in ["plan.pdf", "forms.pdf"] {
        let rel = format!("schools/zhuqi-hs/draft/{pdf}");
        let (linux, windows) = (
            fs::read(county.site(&rel)).unwrap(),
            fs::read(site.join(&rel)).unwrap(),
        );
        assert!(
            linux == windows,
            "{pdf}: {} against {} bytes",
            linux.len(),
            windows.len()
        );
    }
    let page = fs::read_to_string(site.join("schools/zhuqi-hs/draft/index.html")).unwrap();
    assert_eq!(
        page,
        fs::read_to_string(county.site("schools/zhuqi-hs/draft/index.html")).unwrap()
    );
}

#[test]
fn a_runaway_pdf_under_windows_is_stopped_at_the_memory_limit() {
    let Some(exe) = windows_exe() else { return };
    let county = County::fixture();
    county.write(
        "themes/default/typst/plan.typ",
        &(fs::read_to_string(repo().join("themes/default/typst/plan.typ")).unwrap()
            + "\n#if d.name.contains(\"景山\") { let a = range(100000000); \
               for i in range(100000) { for j in range(100000) {} } }\n"),
    );
    let site = county.dir().join("windows-site");
    let limits = [
        "--school",
        "jingshan-es",
        "--pdf-memory-limit",
        "700",
        "--pdf-time-limit",
        "100",
    ];
    let build = build_site(&exe, &county.root, &site, &limits);
    let said = String::from_utf8_lossy(&build.stderr);
    assert_eq!(build.status.code(), Some(1), "{said}");
    assert!(said.contains("PDF：排版用掉"), "{said}");
    assert!(said.contains("超過 700 MiB 的上限"), "{said}");
}

#[test]
fn serve_under_windows_answers_a_page_and_a_pdf_and_sees_a_save_by_rename() {
    let Some(exe) = windows_exe() else { return };
    let county = County::fixture();
    let server = Server::spawn(wine(
        &exe,
        &[
            "serve",
            "--root",
            &windows_path(&county.root),
            "--school",
            "dongshi-jh",
            "--port",
            "0",
        ],
    ));
    let page = server.get("/schools/dongshi-jh/draft/");
    assert_eq!(page.status, 200);
    assert!(page.text().contains("嘉義縣立東石國民中學"));
    let pdf = server.get("/schools/dongshi-jh/draft/plan.pdf");
    assert_eq!(pdf.status, 200);
    let file = county.dir().join("served.pdf");
    fs::write(&file, &pdf.body).unwrap();
    assert!(pdf_text(&file).contains("嘉義縣立東石國民中學"));

    let mut events = server.events();
    let school = county.file("schools/dongshi-jh.yaml");
    let beside = county.file("schools/dongshi-jh.yaml.tmp");
    let text = county.read("schools/dongshi-jh.yaml");
    fs::write(
        &beside,
        text.replacen(
            "name: 嘉義縣立東石國民中學",
            "name: 嘉義縣立東石視窗國民中學",
            1,
        ),
    )
    .unwrap();
    fs::rename(&beside, &school).unwrap();
    events
        .rebuilt(
            "schools/dongshi-jh/draft/index.html",
            Duration::from_secs(60),
        )
        .expect("the save is seen");
    assert!(
        server
            .get("/schools/dongshi-jh/draft/")
            .text()
            .contains("嘉義縣立東石視窗國民中學")
    );
}

#[test]
fn a_kit_with_the_windows_program_previews_when_started_with_no_command() {
    let Some(exe) = windows_exe() else { return };
    let county = County::fixture();
    let zip = county.dir().join("kit.zip");
    let made = county.command(
        "kit",
        &[
            "--school",
            "zhuqi-hs",
            "--with-binary",
            exe.to_str().unwrap(),
            "--out",
            zip.to_str().unwrap(),
        ],
    );
    assert!(made.status.success(), "{made:?}");
    let place = tempfile::tempdir().unwrap();
    unzip(&zip, place.path());
    let kit = place.path().join("planpress-zhuqi-hs");
    let program = kit.join("planpress.exe");
    assert_eq!(fs::read(&program).unwrap(), fs::read(&exe).unwrap());
    // What Wine needs beside the program to run it (see .ci/run), as Windows has it.
    for dll in fs::read_dir(exe.parent().unwrap()).unwrap() {
        let dll = dll.unwrap().path();
        if dll.extension().is_some_and(|e| e == "dll") {
            fs::copy(&dll, kit.join(dll.file_name().unwrap())).unwrap();
        }
    }
    // A double-click: no command, started in the program's folder; no browser to open here.
    let mut command = wine(&program, &[]);
    command.current_dir(&kit).env("BROWSER", "hostname");
    let started = Instant::now();
    let server = Server::spawn(command);
    assert!(
        server.url.ends_with("/schools/zhuqi-hs/draft/"),
        "{}",
        server.url
    );
    let page = server.get("/schools/zhuqi-hs/draft/").text();
    assert!(
        page.contains("嘉義縣立竹崎高級中學"),
        "{:?}",
        started.elapsed()
    );
}
