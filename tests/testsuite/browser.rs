//! A headless Chromium over a built site served as any static host would serve it: pages that
//! run scripts (search, the dashboard) are checked in a real browser.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::thread;
use std::time::{Duration, Instant};

/// The Chromium of this machine, if it has one (`.ci/run` installs it).
pub fn chromium() -> Option<&'static str> {
    static FOUND: OnceLock<Option<&'static str>> = OnceLock::new();
    *FOUND.get_or_init(|| {
        ["chromium", "chromium-browser", "google-chrome"]
            .into_iter()
            .find(|b| {
                Command::new(b)
                    .arg("--version")
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status()
                    .is_ok_and(|s| s.success())
            })
    })
}

/// A folder served over HTTP on a free port of this machine, until dropped.
pub struct StaticServer {
    server: std::sync::Arc<tiny_http::Server>,
    pub base: String,
    worker: Option<thread::JoinHandle<()>>,
}

impl StaticServer {
    pub fn start(dir: &Path) -> StaticServer {
        StaticServer::serve(dir, None)
    }

    /// The same, with `library` served at `/__injected.js` and loaded at the end of every HTML
    /// page, then `run`: what a browser extension would add, without changing the site.
    pub fn injecting(dir: &Path, library: Vec<u8>, run: &str) -> StaticServer {
        StaticServer::serve(dir, Some((library, run.to_string())))
    }

    fn serve(dir: &Path, inject: Option<(Vec<u8>, String)>) -> StaticServer {
        let server = std::sync::Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
        let port = server.server_addr().to_ip().unwrap().port();
        let dir: PathBuf = dir.to_path_buf();
        let serving = server.clone();
        let worker = thread::spawn(move || {
            for request in serving.incoming_requests() {
                let path = request.url().split(['?', '#']).next().unwrap().to_string();
                let path = percent_encoding::percent_decode_str(&path)
                    .decode_utf8_lossy()
                    .into_owned();
                let mut file = dir.join(path.trim_start_matches('/'));
                if path.ends_with('/') {
                    file = file.join("index.html");
                }
                let read = match &inject {
                    Some((library, _)) if path == "/__injected.js" => Ok(library.clone()),
                    _ => std::fs::read(&file),
                };
                let response = match read {
                    Ok(mut bytes) if !path.contains("..") => {
                        if let Some((_, run)) = inject
                            .as_ref()
                            .filter(|_| file.extension().is_some_and(|e| e == "html"))
                        {
                            let html = String::from_utf8_lossy(&bytes);
                            let tags = format!(
                                "<script src=\"/__injected.js\"></script><script>{run}</script></body>"
                            );
                            bytes = html.replacen("</body>", &tags, 1).into_bytes();
                        }
                        let kind = match file.extension().and_then(|e| e.to_str()) {
                            Some("html") => "text/html; charset=utf-8",
                            Some("js") => "text/javascript",
                            Some("css") => "text/css",
                            Some("json") => "application/json",
                            _ => "application/octet-stream",
                        };
                        tiny_http::Response::from_data(bytes).with_header(
                            tiny_http::Header::from_bytes("Content-Type", kind).unwrap(),
                        )
                    }
                    _ => {
                        tiny_http::Response::from_data(b"not found".to_vec()).with_status_code(404)
                    }
                };
                let _ = request.respond(response);
            }
        });
        StaticServer {
            server,
            base: format!("http://127.0.0.1:{port}/"),
            worker: Some(worker),
        }
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}

/// The page at `url` as Chromium has it once its scripts ran (`None` without Chromium).
/// Chromium now and then stalls on a page it has loaded; a run that takes longer than a
/// minute is stopped and tried again.
pub fn dom_after_scripts(url: &str) -> Option<String> {
    let binary = chromium()?;
    for _ in 0..3 {
        if let Some(dom) = dump_dom(binary, url) {
            return Some(dom);
        }
    }
    panic!("Chromium gave no page for {url} in three tries");
}

/// A Chromium at `url` with the unpacked extension in `extension` loaded, whose content scripts
/// act on the page as a person would (fill a field, press a button); stopped when dropped.
/// `None` without Chromium.
pub struct Person {
    child: std::process::Child,
    _profile: tempfile::TempDir,
}

impl Person {
    pub fn open(url: &str, extension: &Path) -> Option<Person> {
        let binary = chromium()?;
        let profile = tempfile::tempdir().unwrap();
        let child = headless(binary, profile.path())
            .args([
                &format!("--disable-extensions-except={}", extension.display()),
                &format!("--load-extension={}", extension.display()),
                url,
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("Chromium runs");
        Some(Person {
            child,
            _profile: profile,
        })
    }
}

impl Drop for Person {
    fn drop(&mut self) {
        // The whole process group: Chromium's helpers too.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .status();
        let _ = self.child.wait();
    }
}

/// A headless Chromium with a profile of its own, in a process group of its own (so that its
/// helpers can be stopped with it), quiet about its own services.
fn headless(binary: &str, profile: &Path) -> Command {
    let mut command = Command::new(binary);
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    command.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        &format!("--user-data-dir={}", profile.display()),
    ]);
    command
}

fn dump_dom(binary: &str, url: &str) -> Option<String> {
    let profile = tempfile::tempdir().unwrap();
    let mut child = headless(binary, profile.path())
        // Virtual time runs the page's scripts and fetches to the end before the dump.
        .args(["--virtual-time-budget=60000", "--dump-dom", url])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("Chromium runs");
    let mut stdout = child.stdout.take().unwrap();
    let reader = thread::spawn(move || {
        let mut out = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut out).map(|_| out)
    });
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let out = reader.join().unwrap().ok()?;
            return (status.success() && out.contains("</html>")).then_some(out);
        }
        if started.elapsed() > Duration::from_secs(60) {
            // The whole process group: Chromium's helpers too.
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", child.id())])
                .status();
            let _ = child.wait();
            return None;
        }
        thread::sleep(Duration::from_millis(100));
    }
}
