//! The test harness, in the manner of mdBook's test suite: a county in a temporary folder (a
//! small fixture of five schools, or a copy of the whole example), changed by the test, built
//! through the library exactly as the binary builds it, and read back (HTML parsed, PDF text
//! extracted). The whole example county is built once per run, for the tests that read it.

#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use clap::Parser;
use planpress::cli::{self, Cli};
use planpress::cmd::Outcome;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The example county (嘉義縣, 147 schools).
pub fn content() -> PathBuf {
    repo().join("content")
}

/// The fixture's schools: three complete (one of level C with its own texts), two partly
/// filled (placeholders, members without deputies).
pub const FIXTURE_SCHOOLS: [&str; 5] = [
    "daji-jh",
    "dongshi-jh",
    "jingshan-es",
    "xinwen-es",
    "zhuqi-hs",
];

/// A tool a test needs is missing. In CI (`CI` set: `.ci/run` installs everything and sets
/// it) that fails the test; elsewhere the test says so and passes.
pub fn missing(what: &str) {
    assert!(
        std::env::var_os("CI").is_none(),
        "{what} is missing, and CI must run this test: .ci/run installs it"
    );
    eprintln!("skipped: no {what} (.ci/run installs it)");
}

/// Runs the real binary (for what it prints and its exit code).
pub fn planpress(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_planpress"))
        .args(args)
        .output()
        .expect("planpress runs")
}

/// Runs a command line through the library, as `main` does; `Err` is what exits with 2.
pub fn run(args: &[&str]) -> anyhow::Result<Outcome> {
    // The library typesets in worker processes: planpress's, not this test binary.
    planpress::base::program::set(env!("CARGO_BIN_EXE_planpress").into());
    let cli = Cli::try_parse_from(std::iter::once("planpress").chain(args.iter().copied()))
        .expect("valid arguments");
    cli::run(cli)
}

/// A county repository of the test's own, with the site built beside it (`public/`).
pub struct County {
    dir: tempfile::TempDir,
    pub root: PathBuf,
    pub out: PathBuf,
}

impl County {
    /// The example county's text, forms and shared documents with the five fixture schools.
    pub fn fixture() -> County {
        let county = County::empty();
        for part in ["plan", "docs", "forms"] {
            copy_dir(&content().join(part), &county.root.join(part));
        }
        fs::copy(
            content().join("county.yaml"),
            county.root.join("county.yaml"),
        )
        .unwrap();
        for id in FIXTURE_SCHOOLS {
            let file = format!("schools/{id}.yaml");
            fs::create_dir_all(county.root.join("schools")).unwrap();
            fs::copy(content().join(&file), county.root.join(&file)).unwrap();
            let own = content().join("schools").join(id);
            if own.is_dir() {
                copy_dir(&own, &county.root.join("schools").join(id));
            }
        }
        county
    }

    /// A copy of the whole example county.
    pub fn example() -> County {
        let county = County::empty();
        copy_dir(&content(), &county.root);
        county
    }

    fn empty() -> County {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("county");
        fs::create_dir_all(&root).unwrap();
        // The schema beside the county, as in this repository.
        copy_dir(&repo().join("schemas"), &dir.path().join("schemas"));
        let out = dir.path().join("public");
        County { dir, root, out }
    }

    /// The folder holding the county, its schema and its site.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn file(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    pub fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.file(rel)).unwrap()
    }

    pub fn write(&self, rel: &str, text: &str) {
        let file = self.file(rel);
        fs::create_dir_all(file.parent().unwrap()).unwrap();
        fs::write(file, text).unwrap();
    }

    /// Changes a file of the county; the change must apply.
    pub fn edit(&self, rel: &str, change: impl FnOnce(&str) -> String) {
        let before = self.read(rel);
        let after = change(&before);
        assert_ne!(before, after, "the edit of {rel} applies");
        self.write(rel, &after);
    }

    /// `planpress build --root ROOT --out OUT --quiet EXTRA…` through the library.
    pub fn build(&self, extra: &[&str]) -> anyhow::Result<Outcome> {
        self.build_to(&self.out, extra)
    }

    /// The same into another folder.
    pub fn build_to(&self, out: &Path, extra: &[&str]) -> anyhow::Result<Outcome> {
        let mut args = vec![
            "build",
            "--root",
            self.root.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ];
        args.extend_from_slice(extra);
        run(&args)
    }

    /// A build that must succeed without content errors.
    pub fn build_ok(&self, extra: &[&str]) {
        self.build_to_ok(&self.out, extra);
    }

    /// The same into another folder.
    pub fn build_to_ok(&self, out: &Path, extra: &[&str]) {
        match self.build_to(out, extra) {
            Ok(Outcome::Success) => {}
            other => panic!("the build succeeds: {other:?}"),
        }
    }

    /// `planpress COMMAND --root ROOT ARGS…` with the real binary.
    pub fn command(&self, command: &str, args: &[&str]) -> Output {
        let mut all = vec![command, "--root", self.root.to_str().unwrap()];
        all.extend_from_slice(args);
        planpress(&all)
    }

    /// `planpress release` of one school with the real binary; it must succeed.
    pub fn release_school(&self, school: &str, version: &str, note: &str) {
        let args = [
            "--school",
            school,
            "--version",
            version,
            "--date",
            "2026-11-27",
            "--note",
            note,
        ];
        let run = self.command("release", &args);
        assert!(run.status.success(), "the release succeeds: {run:?}");
    }

    /// `planpress release --doc` of a shared document, dated 2026-01-15, with the real binary;
    /// it must succeed.
    pub fn release_doc(&self, doc: &str, version: &str) {
        let args = [
            "--doc",
            doc,
            "--version",
            version,
            "--date",
            "2026-01-15",
            "--note",
            "初版",
        ];
        let run = self.command("release", &args);
        assert!(run.status.success(), "the release succeeds: {run:?}");
    }

    /// `planpress build` with the real binary, into `out`.
    pub fn build_binary(&self, args: &[&str]) -> Output {
        let mut all = vec!["--out", self.out.to_str().unwrap()];
        all.extend_from_slice(args);
        self.command("build", &all)
    }

    pub fn site(&self, rel: &str) -> PathBuf {
        self.out.join(rel)
    }

    pub fn page(&self, rel: &str) -> scraper::Html {
        read_html(&self.site(rel))
    }
}

/// The example county built once (with PDFs), for all the tests that read it. It is built into
/// a fixed folder under the target directory, replaced by each run: a static is never dropped,
/// so a temporary folder would outlive the run and each run would leave half a gigabyte behind.
pub fn example_site() -> &'static Path {
    static SITE: OnceLock<PathBuf> = OnceLock::new();
    SITE.get_or_init(|| {
        let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("example-county");
        if out.exists() {
            fs::remove_dir_all(&out).unwrap();
        }
        let outcome = run(&[
            "build",
            "--root",
            content().to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ]);
        assert!(
            matches!(outcome, Ok(Outcome::Success)),
            "the example county builds: {outcome:?}"
        );
        out
    })
}

/// Copies a folder, so that a test may change the copy.
pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

pub fn school_ids() -> Vec<String> {
    let mut ids: Vec<String> = fs::read_dir(content().join("schools"))
        .unwrap()
        .filter_map(|e| {
            let p = e.unwrap().path();
            (p.extension()? == "yaml")
                .then(|| p.file_stem().unwrap().to_string_lossy().into_owned())
        })
        .collect();
    ids.sort();
    ids
}

/// A school file as plain data, read independently of planpress's own loader.
pub fn school_yaml(id: &str) -> serde_json::Value {
    let text = fs::read_to_string(content().join("schools").join(format!("{id}.yaml"))).unwrap();
    serde_saphyr::from_str(&text).unwrap()
}

pub fn read_html(path: &Path) -> scraper::Html {
    scraper::Html::parse_document(&fs::read_to_string(path).unwrap())
}

pub fn sel(s: &str) -> scraper::Selector {
    scraper::Selector::parse(s).unwrap()
}

pub fn text(el: scraper::ElementRef) -> String {
    el.text().collect::<String>().trim().to_string()
}

/// Every file of a folder, relative paths and bytes, sorted.
pub fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    walk(dir, dir, &mut files);
    files.sort();
    files
}

fn walk(base: &Path, dir: &Path, files: &mut Vec<(PathBuf, Vec<u8>)>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            walk(base, &path, files);
        } else {
            files.push((
                path.strip_prefix(base).unwrap().to_path_buf(),
                fs::read(&path).unwrap(),
            ));
        }
    }
}

/// The text in content-stream order (`-raw`): Typst draws a table cell by cell, so a cell's
/// lines stay together instead of interleaving with the next column's.
pub fn pdf_text(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-raw", pdf.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils) is installed: .ci/run installs it");
    assert!(out.status.success(), "pdftotext reads {pdf:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// Each form of a forms PDF in order: its bookmark's title, its number of pages, and the text
/// of its pages (from its bookmark to the next one's).
pub fn form_parts(pdf: &Path) -> Vec<(String, usize, String)> {
    let starts: Vec<(String, usize)> = pdf_bookmarks(pdf);
    let total = page_count(pdf);
    starts
        .iter()
        .enumerate()
        .map(|(i, (title, first))| {
            let last = starts.get(i + 1).map_or(total, |(_, next)| next - 1);
            let out = Command::new("pdftotext")
                .args(["-raw", "-f", &first.to_string(), "-l", &last.to_string()])
                .args([pdf.to_str().unwrap(), "-"])
                .output()
                .expect("pdftotext (poppler-utils) is installed: .ci/run installs it");
            assert!(out.status.success(), "pdftotext reads {pdf:?}");
            let text = String::from_utf8(out.stdout).unwrap();
            (title.clone(), last + 1 - first, text)
        })
        .collect()
}

pub fn page_count(pdf: &Path) -> usize {
    pdf_info(pdf, "Pages").parse().unwrap()
}

/// One field of what `pdfinfo` says about a PDF (`Title`, `Tagged`, `Pages`…). `pdfinfo` must
/// have nothing to complain about.
pub fn pdf_info(pdf: &Path, field: &str) -> String {
    let out = Command::new("pdfinfo")
        .arg(pdf)
        .output()
        .expect("pdfinfo (poppler-utils) is installed: .ci/run installs it");
    assert!(out.status.success(), "pdfinfo reads {pdf:?}");
    let complaints = String::from_utf8_lossy(&out.stderr);
    assert!(
        complaints.trim().is_empty(),
        "pdfinfo on {pdf:?}: {complaints}"
    );
    let info = String::from_utf8(out.stdout).unwrap();
    info.lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")))
        .unwrap_or_else(|| panic!("pdfinfo gives no {field} for {pdf:?}"))
        .trim()
        .to_string()
}

/// The top-level bookmarks of a PDF, read with qpdf (`pdftotext` cannot list them).
pub fn pdf_outline(pdf: &Path) -> Vec<String> {
    pdf_bookmarks(pdf)
        .into_iter()
        .map(|(title, _)| title)
        .collect()
}

/// The top-level bookmarks with the page (from 1) each opens at.
pub fn pdf_bookmarks(pdf: &Path) -> Vec<(String, usize)> {
    let out = Command::new("qpdf")
        .args(["--json", "--json-key=outlines", pdf.to_str().unwrap()])
        .output()
        .expect("qpdf is installed: .ci/run installs it");
    assert!(out.status.success(), "qpdf reads {pdf:?}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    json["outlines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["title"].as_str().unwrap().to_string(),
                o["destpageposfrom1"].as_u64().unwrap() as usize,
            )
        })
        .collect()
}

/// The named destinations of a PDF (what `file.pdf#nameddest=x` opens at).
pub fn pdf_destinations(pdf: &Path) -> Vec<String> {
    let out = Command::new("qpdf")
        .args(["--json", "--json-key=qpdf", pdf.to_str().unwrap()])
        .output()
        .expect("qpdf is installed: .ci/run installs it");
    assert!(out.status.success(), "qpdf reads {pdf:?}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // A leaf of the name tree, wherever it is (in the catalog, or a node of its own):
    // /Names [name₁ dest₁ name₂ dest₂ …], strings as `u:…`.
    fn leaves(value: &serde_json::Value, names: &mut Vec<String>) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, v) in map {
                    match v.as_array() {
                        Some(pairs) if key == "/Names" => names.extend(
                            pairs
                                .iter()
                                .step_by(2)
                                .filter_map(|n| n.as_str()?.strip_prefix("u:"))
                                .map(str::to_string),
                        ),
                        _ => leaves(v, names),
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| leaves(v, names)),
            _ => {}
        }
    }
    let mut names = Vec::new();
    leaves(&json["qpdf"][1], &mut names);
    names
}

/// `qpdf --check` finds nothing wrong with the PDF.
pub fn qpdf_check(pdf: &Path) {
    let out = Command::new("qpdf")
        .args(["--check", pdf.to_str().unwrap()])
        .output()
        .expect("qpdf is installed: .ci/run installs it");
    let said =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && said.contains("No syntax or stream encoding errors"),
        "qpdf --check {pdf:?}: {said}"
    );
}

/// Table cells wrap lines anywhere: compare without white space.
pub fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}
