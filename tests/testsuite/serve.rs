//! `planpress serve`: the real binary over the fixture county, edited while it runs.

use std::fs;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::browser::chromium;
use crate::harness::*;
use crate::server::{Events, Reply, Server};

const SCHOOL: &str = "dongshi-jh";
const PAGE: &str = "schools/dongshi-jh/draft/index.html";
const WAIT: Duration = Duration::from_secs(30);

fn serve(root: &Path) -> Server {
    Server::start(env!("CARGO_BIN_EXE_planpress"), root, &[SCHOOL])
}

fn school_file(root: &Path) -> PathBuf {
    root.join("schools").join(format!("{SCHOOL}.yaml"))
}

fn rename_school(root: &Path, name: &str) {
    let file = school_file(root);
    let text = fs::read_to_string(&file).unwrap();
    let renamed = text.replacen("name: 嘉義縣立東石國民中學", &format!("name: {name}"), 1);
    assert_ne!(text, renamed);
    fs::write(&file, renamed).unwrap();
}

#[test]
fn a_saved_edit_reloads_the_page_and_errors_show_over_the_last_good_page() {
    let county = County::fixture();
    let root = county.root.clone();
    let server = serve(&root);
    assert!(
        server.url.ends_with("/schools/dongshi-jh/draft/"),
        "{}",
        server.url
    );

    let page = server.get("/schools/dongshi-jh/draft/");
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(page.text().contains("嘉義縣立東石國民中學"));
    assert!(page.text().contains("/__planpress/events"));
    assert!(!page.text().contains("planpress-overlay"));
    let css = server.get("/static/style.css");
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));

    let mut events = server.events();
    rename_school(&root, "嘉義縣立東石實驗國民中學");
    let rebuilt = events.rebuilt(PAGE, WAIT).expect("a reload event");
    assert_eq!(rebuilt["all"], false, "{rebuilt}");
    let page = server.get("/schools/dongshi-jh/draft/").text();
    assert!(page.contains("嘉義縣立東石實驗國民中學"));
    assert!(
        server.get("/").text().contains("嘉義縣立東石實驗國民中學"),
        "the county index lists the new name"
    );

    // Line 3 gets an unclosed flow sequence.
    let file = school_file(&root);
    let good = fs::read_to_string(&file).unwrap();
    let mut lines: Vec<&str> = good.lines().collect();
    lines.insert(2, "short_name: [東石");
    fs::write(&file, lines.join("\n")).unwrap();
    let rebuilt = events.rebuilt(PAGE, WAIT).expect("an event for the error");
    assert_eq!(rebuilt["all"], true, "the overlay is on every page");
    let page = server.get("/schools/dongshi-jh/draft/");
    assert_eq!(page.status, 200, "the last good page is still served");
    let html = scraper::Html::parse_document(&page.text());
    assert!(text(html.select(&sel("main")).next().unwrap()).contains("嘉義縣立東石實驗國民中學"));
    let overlay = html
        .select(&sel("#planpress-overlay"))
        .next()
        .expect("the overlay");
    assert!(text(overlay).contains("建置錯誤"));
    let cells: Vec<String> = overlay.select(&sel("tbody td")).map(text).collect();
    assert!(cells[0].ends_with("schools/dongshi-jh.yaml"), "{cells:?}");
    let line: u64 = cells[1].parse().unwrap();
    assert!(
        (3..=4).contains(&line),
        "points at the broken line: {cells:?}"
    );
    assert!(
        ["學校簡稱", "學校類別"].contains(&cells[3].as_str()),
        "the field's Chinese name: {cells:?}"
    );
    assert!(!cells[4].is_empty(), "with a message");

    fs::write(&file, &good).unwrap();
    let rebuilt = events.rebuilt(PAGE, WAIT).expect("an event for the fix");
    assert_eq!(rebuilt["all"], true, "the overlay goes from every page");
    let page = server.get("/schools/dongshi-jh/draft/").text();
    assert!(!page.contains("planpress-overlay"));
    assert!(page.contains("嘉義縣立東石實驗國民中學"));

    // A value the schema rejects shows too, with its Chinese label, and the page is rebuilt.
    fs::write(&file, good.replacen("level: D", "level: F", 1)).unwrap();
    events
        .rebuilt(PAGE, WAIT)
        .expect("an event for the schema error");
    let html = scraper::Html::parse_document(&server.get("/schools/dongshi-jh/draft/").text());
    let overlay = html
        .select(&sel("#planpress-overlay"))
        .next()
        .expect("the overlay for a schema error");
    let cells: Vec<String> = overlay.select(&sel("tbody td")).map(text).collect();
    assert_eq!(cells[3], "資通安全責任等級", "{cells:?}");
    assert!(cells[4].contains("「F」"), "{cells:?}");
}

#[test]
fn a_shared_chapter_rebuilds_the_previewed_school() {
    let county = County::fixture();
    let root = county.root.clone();
    let server = serve(&root);
    let mut events = server.events();
    let chapter = root.join("plan/02-scope.md");
    let text = fs::read_to_string(&chapter).unwrap();
    fs::write(&chapter, format!("{text}\n縣版本新增之說明。\n")).unwrap();
    events.rebuilt(PAGE, WAIT).expect("a reload event");
    assert!(
        server
            .get("/schools/dongshi-jh/draft/")
            .text()
            .contains("縣版本新增之說明")
    );

    // A broken chapter breaks the county: the overlay names it, the page stays.
    fs::write(&chapter, format!("{text}\n{{{{ school.name \n")).unwrap();
    events.rebuilt(PAGE, WAIT).expect("an event for the error");
    let page = server.get("/schools/dongshi-jh/draft/").text();
    assert!(
        page.contains("plan/02-scope.md"),
        "the overlay names the chapter"
    );
    assert!(
        page.contains("縣版本新增之說明"),
        "the last good page stays"
    );

    // Editors' scratch files change nothing.
    fs::write(root.join("plan/.02-scope.md.swp"), "x").unwrap();
    fs::write(&chapter, &text).unwrap();
    let rebuilt = events.rebuilt(PAGE, WAIT).expect("an event for the fix");
    assert_eq!(rebuilt["all"], true);
    assert!(
        !server
            .get("/schools/dongshi-jh/draft/")
            .text()
            .contains("planpress-overlay")
    );
}

#[test]
fn a_released_edition_is_previewed_as_it_was_released() {
    let county = County::fixture();
    county.release_school("dongshi-jh", "V3.1", "年度修訂");
    let server = serve(&county.root);
    let page = server.get("/schools/dongshi-jh/V3.1/");
    assert_eq!(page.status, 200);
    assert!(page.text().contains("本頁為最新發布版本 V3.1"));
    let pdf = server.get("/schools/dongshi-jh/V3.1/plan.pdf");
    assert_eq!(pdf.status, 200);
    let stored = std::fs::read(county.file("editions/dongshi-jh/V3.1/public/plan.pdf")).unwrap();
    assert!(pdf.body == stored, "the stored bytes, not a new compile");
    assert_eq!(server.get("/schools/dongshi-jh/V3.1/other.pdf").status, 404);
    assert_eq!(server.get("/schools/dongshi-jh/V9.9/plan.pdf").status, 404);
}

#[test]
fn the_pdf_is_compiled_when_asked_for() {
    let county = County::fixture();
    let root = county.root.clone();
    let server = serve(&root);
    let pdf = server.get("/schools/dongshi-jh/draft/plan.pdf");
    assert_eq!(pdf.status, 200);
    assert_eq!(pdf.header("content-type"), Some("application/pdf"));
    assert!(pdf.body.starts_with(b"%PDF-"));
    let forms = server.get("/schools/dongshi-jh/draft/forms.pdf");
    assert_eq!(forms.status, 200);
    assert!(forms.body.starts_with(b"%PDF-"));
    // The print bundle is the internal copy's.
    assert_eq!(
        server.get("/schools/dongshi-jh/draft/bundle.pdf").status,
        404
    );
    assert_eq!(
        server
            .get("/schools/dongshi-jh/draft/forms/team.pdf")
            .status,
        404
    );
    assert_eq!(server.get("/schools/nowhere/draft/plan.pdf").status, 404);
}

#[test]
fn only_the_site_is_served_and_only_to_get_and_head() {
    let county = County::fixture();
    let root = county.root.clone();
    fs::write(root.join("secret.txt"), "county secret").unwrap();
    let server = serve(&root);
    for target in [
        "/../Cargo.toml",
        "/%2e%2e/Cargo.toml",
        "/%2e%2e%2fCargo.toml",
        "/%2E%2E/%2E%2E/Cargo.toml",
        "/schools/..%2f..%2fcounty.yaml",
        "//etc/passwd",
        "/..%5c..%5cCargo.toml",
        "/county.yaml",
        "/secret.txt",
        "/schools/dongshi-jh.yaml",
        "/etc/passwd",
        "/static/",
    ] {
        let reply = server.get(target);
        assert!(
            [400, 404].contains(&reply.status),
            "{target}: {}",
            reply.status
        );
        let body = reply.text();
        for leak in [
            "[package]",
            "root:",
            "county secret",
            "level_basis",
            "county_name",
        ] {
            assert!(!body.contains(leak), "{target} leaks {leak}");
        }
    }
    for method in ["POST", "PUT", "DELETE"] {
        let reply = server.request(method, "/");
        assert_eq!(reply.status, 405, "{method}");
        assert_eq!(reply.header("allow"), Some("GET, HEAD"));
    }
    let head = server.request("HEAD", "/schools/dongshi-jh/index.html");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(server.get("/schools/dongshi-jh").status, 301);
}

/// A page that reflects a payload (marked `alert(1)`) runs none of it, as a browser parses it:
/// the payload sits only in the string of serve's own script, escaped, and makes no element or
/// event handler.
fn assert_inert(reply: &Reply, target: &str) {
    let html = scraper::Html::parse_document(&reply.text());
    for script in html.select(&sel("script")) {
        let code: String = script.text().collect();
        if !code.contains("alert(1)") {
            continue;
        }
        let config = code.lines().next().unwrap();
        assert!(
            config.starts_with("const planpressServe = {\"page\":"),
            "{target}: a script of the payload's own: {code}"
        );
        assert!(
            !config.contains(['<', '>', '&', '\u{2028}', '\u{2029}']),
            "{target}: unescaped in the script: {config}"
        );
    }
    assert!(html.select(&sel("img")).next().is_none(), "{target}");
    for element in html.select(&sel("*")) {
        for (name, _) in element.value().attrs() {
            assert!(!name.starts_with("on"), "{target}: a handler {name}");
        }
    }
}

#[test]
fn a_requested_path_or_query_never_runs_as_a_script() {
    let county = County::fixture();
    let server = serve(&county.root);
    for target in [
        "/</script><script>alert(1)</script>",
        "/%3C/script%3E%3Cscript%3Ealert(1)%3C/script%3E",
        "/%3C!--%3Cscript%3Ealert(1)%E2%80%A8%E2%80%A9",
        "/%22%3E%3Cimg%20src=x%20onerror=alert(1)%3E",
    ] {
        let reply = server.get(target);
        assert_eq!(reply.status, 404, "{target}");
        let html = scraper::Html::parse_document(&reply.text());
        assert_eq!(html.select(&sel("script")).count(), 1, "{target}");
        assert_inert(&reply, target);
    }
    let reply = server.get("/</script><script>alert(1)</script>");
    assert!(
        reply.text().contains(
            r#""page":"\u003c/script\u003e\u003cscript\u003ealert(1)\u003c/script\u003e""#
        ),
        "the path is kept, escaped"
    );
    for query in [
        "?q=</script><script>alert(1)</script>",
        "?q=%3C/script%3E%3Cscript%3Ealert(1)%3C/script%3E",
        "?q=\"><img/src=x/onerror=alert(1)>",
    ] {
        let target = format!("/schools/dongshi-jh/draft/{query}");
        let reply = server.get(&target);
        assert_eq!(reply.status, 200, "{target}");
        assert!(reply.text().contains("嘉義縣立東石國民中學"));
        assert_inert(&reply, &target);
    }
}

#[test]
fn only_requests_naming_this_server_are_answered() {
    let county = County::fixture();
    let server = serve(&county.root);
    let port = server.addr.rsplit(':').next().unwrap();
    for host in [
        "evil.example".to_string(),
        format!("evil.example:{port}"),
        format!("localhost.evil.example:{port}"),
        "127.0.0.1:1".to_string(),
        String::new(),
    ] {
        for target in [
            "/schools/dongshi-jh/draft/",
            "/schools/dongshi-jh/draft/plan.pdf",
            "/__planpress/events",
        ] {
            let reply = server.request_with_host(&host, "GET", target);
            assert_eq!(reply.status, 421, "{host} {target}");
            assert_eq!(
                reply.header("content-type"),
                Some("text/plain; charset=utf-8")
            );
            assert!(reply.text().contains("只回應以 localhost"), "{host}");
            assert!(!reply.body.starts_with(b"%PDF"), "{host} {target}");
        }
    }
    for host in [
        format!("localhost:{port}"),
        "localhost".to_string(),
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
    ] {
        let reply = server.request_with_host(&host, "GET", "/schools/dongshi-jh/draft/");
        assert_eq!(reply.status, 200, "{host}");
        assert!(reply.text().contains("嘉義縣立東石國民中學"), "{host}");
    }
}

/// `reload::MAX_STREAMS`.
const STREAM_BOUND: usize = 64;

/// An event stream, once streams of pages that went away have freed their places (a closed
/// page's within two seconds).
fn open_stream(server: &Server) -> Events {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match server.try_events() {
            Ok(events) => return events,
            Err(503) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
            Err(status) => panic!("the event stream was refused with {status}"),
        }
    }
}

#[test]
fn event_streams_are_bounded_and_end_with_their_page() {
    let county = County::fixture();
    let server = serve(&county.root);
    assert_eq!(server.get("/").status, 200);
    std::thread::sleep(Duration::from_millis(200));
    let before = server.threads();

    let mut opened = 0;
    while opened < 200 {
        let batch = (200 - opened).min(STREAM_BOUND);
        let streams: Vec<Events> = (0..batch).map(|_| open_stream(&server)).collect();
        if batch == STREAM_BOUND {
            assert_eq!(server.try_events().err(), Some(503), "one beyond the bound");
            assert_eq!(server.get("/").status, 200, "pages are still answered");
        }
        opened += batch;
        drop(streams);
    }

    let closed = Instant::now();
    let mut now = server.threads();
    // Streams end within two seconds, tiny_http's idle connection threads after five.
    while now > before && closed.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(250));
        now = server.threads();
    }
    assert!(
        now <= before,
        "{now} threads {:?} after the streams closed, {before} before",
        closed.elapsed()
    );
}

#[test]
fn a_published_build_carries_no_reload_script() {
    let county = County::fixture();
    county.build_ok(&["--no-pdf", "--school", SCHOOL]);
    for page in ["index.html", PAGE, "docs/incident-procedure/index.html"] {
        let html = fs::read_to_string(county.site(page)).unwrap();
        for mark in [
            "__planpress",
            "EventSource",
            "planpress-overlay",
            "planpressServe",
        ] {
            assert!(!html.contains(mark), "{page} has {mark}");
        }
    }
}

/// Chromium with a remote-debugging port, read over its plain-HTTP `/json/list`.
struct Browser {
    child: Child,
    port: u16,
    _profile: tempfile::TempDir,
}

impl Browser {
    fn open(url: &str) -> Option<Browser> {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let profile = tempfile::tempdir().unwrap();
        let binary = chromium()?;
        let child = std::os::unix::process::CommandExt::process_group(
            Command::new(binary).args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                &format!("--remote-debugging-port={port}"),
                &format!("--user-data-dir={}", profile.path().display()),
                url,
            ]),
            0,
        )
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
        let mut browser = Browser {
            child,
            port,
            _profile: profile,
        };
        let started = Instant::now();
        while started.elapsed() < WAIT {
            if browser.titles().is_some() {
                return Some(browser);
            }
            if browser.child.try_wait().ok().flatten().is_some() {
                return None;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        None
    }

    fn titles(&self) -> Option<Vec<String>> {
        let server = Reply::fetch(&format!("127.0.0.1:{}", self.port), "/json/list")?;
        let pages: serde_json::Value = serde_json::from_slice(&server.body).ok()?;
        Some(
            pages
                .as_array()?
                .iter()
                .filter(|p| p["type"] == "page")
                .filter_map(|p| p["title"].as_str().map(str::to_string))
                .collect(),
        )
    }

    /// Waits until a page's title contains `text`.
    fn wait_for_title(&self, text: &str) -> Result<(), Vec<String>> {
        let started = Instant::now();
        let mut seen = Vec::new();
        while started.elapsed() < WAIT {
            seen = self.titles().unwrap_or_default();
            if seen.iter().any(|t| t.contains(text)) {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err(seen)
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // The whole process group: Chromium's helpers too.
        let _ = Command::new("kill")
            .args(["-TERM", "--", &format!("-{}", self.child.id())])
            .status();
        let _ = self.child.wait();
    }
}

#[test]
fn a_browser_reloads_the_page_by_itself_after_a_save() {
    let county = County::fixture();
    let root = county.root.clone();
    let server = serve(&root);
    let Some(browser) = Browser::open(&server.url) else {
        missing("a Chromium that starts");
        return;
    };
    browser
        .wait_for_title("嘉義縣立東石國民中學")
        .expect("the school page opens");
    rename_school(&root, "嘉義縣立東石瀏覽器測試國民中學");
    if let Err(seen) = browser.wait_for_title("嘉義縣立東石瀏覽器測試國民中學") {
        panic!("the page did not reload by itself; titles: {seen:?}");
    }
}
