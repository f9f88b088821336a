//! `planpress serve`: the site built in memory and served on localhost, rebuilt by what changed
//! on every save, with pages that reload themselves and show the build's problems over the last
//! good content.

mod edit;
mod form;
mod http;
mod labels;
mod posted;
mod preview;
mod reload;
mod watch;

use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::Arc;
use std::thread;

use anyhow::{Context, Result};
use tiny_http::{Method, Request, Server};

use crate::base::routes::{self, Route};
use crate::model::Profile;
use crate::source;
use http::Refused;
use preview::{Preview, Rebuild};
use reload::{Broadcaster, Rebuilt};

/// The port tried first; a busy one falls back to any free port.
pub const DEFAULT_PORT: u16 = 8040;
/// Threads answering page requests; each event stream has a thread of its own (at most
/// [`reload::MAX_STREAMS`]).
const WORKERS: usize = 4;

/// `planpress serve`'s options, as parsed.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeOptions {
    /// 縣市資料庫（同 build） / The county repository, as for `build`.
    #[arg(long)]
    pub root: Option<PathBuf>,
    /// 只預覽這所學校（較快），可重複 / Preview only this school (faster); repeatable.
    #[arg(long = "school", value_name = "ID")]
    pub schools: Vec<String>,
    /// 連接埠；預設 8040，被占用時另選一個；0 一律另選 / The port; by default 8040, or a
    /// free one when 8040 is taken. 0 picks a free one.
    #[arg(long)]
    pub port: Option<u16>,
    /// 監聽的位址；預設只有本機可連線，0.0.0.0 則開放給網路 / The address to listen on.
    /// Only this machine can connect by default; 0.0.0.0 opens the preview to the network.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub bind: IpAddr,
    /// 允許網路上之瀏覽器以表單編輯學校資料（預設只有本機可以；只在信任之網路使用） / Let
    /// browsers on the network edit schools' data in the form (by default only this machine
    /// may; for a trusted network only).
    #[arg(long)]
    pub allow_edit: bool,
    /// 在瀏覽器中開啟預覽 / Open the preview in the browser.
    #[arg(long)]
    pub open: bool,
    /// 預覽哪一版：public（公開網站）或 internal（含全部之值，供列印簽核） / Which copy to
    /// preview: `public` (the website) or `internal` (every value, as printed for signing).
    #[arg(long, value_enum, default_value_t = Profile::Public)]
    pub profile: Profile,
}

struct Shared {
    preview: Preview,
    events: Broadcaster,
    editing: edit::Editing,
}

/// Serves until the process is stopped.
pub fn run(options: &ServeOptions) -> Result<()> {
    let root = source::county_root(options.root.as_deref());
    let shared = Arc::new(Shared {
        preview: Preview::new(root.clone(), options.schools.clone(), options.profile),
        events: Broadcaster::default(),
        editing: edit::Editing::new(options.bind.is_loopback() || options.allow_edit),
    });
    // Watch before the first build so that no save is missed in between.
    let watcher = watch::Watcher::new(&root)?;
    report(&shared.preview.build_all());

    let listener = bind(options.bind, options.port)?;
    let addr = listener.local_addr()?;
    let server = Arc::new(
        Server::from_listener(listener, None)
            .map_err(|e| anyhow::anyhow!("failed to start the server on {addr}: {e}"))?,
    );
    let url = page_url(addr, &options.schools);
    println!("serving {} at {url} (Ctrl-C stops)", root.display());
    // Without a desktop there is no browser to open: the address is printed anyway.
    if options.open && opener::open_browser(&url).is_err() {
        println!("請以瀏覽器開啟 {url}");
    }
    for _ in 0..WORKERS {
        let server = server.clone();
        let shared = shared.clone();
        thread::spawn(move || {
            while let Ok(request) = server.recv() {
                handle(request, &shared, addr);
            }
        });
    }

    while let Some(batch) = watcher.next_batch() {
        let rebuild = shared.preview.apply(&batch);
        report(&rebuild);
        shared.events.rebuilt(&Rebuilt {
            version: rebuild.version,
            pages: &rebuild.changed,
            all: rebuild.problems_changed,
        });
    }
    anyhow::bail!("the file watcher stopped")
}

fn bind(ip: IpAddr, port: Option<u16>) -> Result<TcpListener> {
    let first = port.unwrap_or(DEFAULT_PORT);
    match TcpListener::bind(SocketAddr::new(ip, first)) {
        Ok(listener) => Ok(listener),
        Err(_) if port.is_none() => TcpListener::bind(SocketAddr::new(ip, 0))
            .with_context(|| format!("failed to listen on {ip}")),
        Err(e) => Err(e).with_context(|| format!("failed to listen on {ip}:{first}")),
    }
}

/// The index, or the page of the one school previewed.
fn page_url(addr: SocketAddr, schools: &[String]) -> String {
    let host = match addr.ip() {
        ip if ip.is_unspecified() => "127.0.0.1".to_string(),
        IpAddr::V6(ip) => format!("[{ip}]"),
        IpAddr::V4(ip) => ip.to_string(),
    };
    match schools {
        [one] => format!(
            "http://{host}:{}{}",
            addr.port(),
            routes::school_url_path(one)
        ),
        _ => format!("http://{host}:{}/", addr.port()),
    }
}

fn report(rebuild: &Rebuild) {
    println!(
        "{} in {} ms ({} file{} changed)",
        rebuild.what,
        rebuild.millis,
        rebuild.changed.len(),
        if rebuild.changed.len() == 1 { "" } else { "s" },
    );
    if rebuild.problems_changed {
        if rebuild.problems.is_empty() {
            println!("no problems left");
        }
        for problem in &rebuild.problems {
            eprintln!("error: {problem}");
        }
    }
}

/// `addr`: where the server listens, the one address besides `localhost` a request may name.
fn handle(request: Request, shared: &Arc<Shared>, addr: SocketAddr) {
    // A save of a school's form: the only POST there is.
    if *request.method() == Method::Post {
        let url = request.url().split(['?', '#']).next().unwrap_or_default();
        let form = format!("{}index.html", url.trim_start_matches('/'));
        return match edit::school_of(&form).map(str::to_string) {
            Some(id) => edit::save(request, &shared.preview, &shared.editing, addr, &id),
            None => http::send(request, http::refusal(Refused::Method)),
        };
    }
    let path = match http::checked_path(&request, addr) {
        Ok(path) => path,
        Err(refused) => return http::send(request, http::refusal(refused)),
    };
    if path == reload::EVENTS_PATH {
        return open_stream(request, shared);
    }
    if let Some(id) = edit::school_of(&path) {
        let answer = edit::show(&shared.preview, &shared.editing, id);
        return http::send(request, answer);
    }
    let route = Route::parse(&path);
    // A school's PDFs (plan, forms, bundle) are compiled when one of them is asked for; a
    // released edition's are read from where they are kept.
    if let Some(
        Route::PlanPdf(id)
        | Route::Bundle(id)
        | Route::FormsPdf(id)
        | Route::EditionFile { school: id, .. },
    ) = &route
    {
        return serve_pdf(request, shared, id, &path);
    }
    let pages = shared.preview.pages();
    let html = |page: &str, body: &[u8]| {
        let school = match &route {
            Some(Route::School(id)) => Some(id),
            _ => None,
        };
        let form = school
            .filter(|_| shared.editing.allowed)
            .map(|id| format!("/{}", form::path(id)));
        reload::inject(
            body,
            page,
            pages.version,
            &pages.problems,
            school.is_some(),
            form.as_deref(),
        )
    };
    let response = match pages.files.get(&path) {
        Some(bytes) if path.ends_with(".html") => {
            http::answer(200, &http::content_type(&path), html(&path, bytes))
        }
        Some(bytes) => http::answer(200, &http::content_type(&path), bytes.to_vec()),
        None if pages
            .files
            .contains_key(&routes::folder_index(&format!("{path}/"))) =>
        {
            http::redirect(request.url())
        }
        None => http::answer(
            404,
            "text/html; charset=utf-8",
            html(&path, NOT_FOUND.as_bytes()),
        ),
    };
    drop(pages);
    http::send(request, response);
}

/// A page's event stream, on a thread of its own, while fewer than the bound are open.
fn open_stream(request: Request, shared: &Arc<Shared>) {
    let Some(subscription) = shared.events.subscribe() else {
        return http::send(request, http::refusal(Refused::Streams));
    };
    let version = shared.preview.pages().version;
    let out = request.into_writer();
    // Without a thread the stream and its connection are dropped: the page retries later.
    let _ = thread::Builder::new()
        .name("planpress-events".into())
        .spawn(move || reload::stream(out, subscription, version));
}

const NOT_FOUND: &str = "<!DOCTYPE html>\n<html lang=\"zh-Hant-TW\"><head><meta charset=\"utf-8\">\
<title>404 找不到頁面</title></head><body><h1>404 找不到頁面</h1>\
<p><a href=\"/\">回到首頁</a></p></body></html>\n";

/// One of a school's PDFs, compiled now if the school changed since it was last asked for.
fn serve_pdf(request: Request, shared: &Arc<Shared>, id: &str, path: &str) {
    let response = match shared.preview.pdf(id, path) {
        Some(Ok(pdf)) => http::answer(200, &http::content_type(path), pdf.to_vec()),
        Some(Err(problems)) => {
            let version = shared.preview.pages().version;
            let page = format!(
                "<!DOCTYPE html>\n<html lang=\"zh-Hant-TW\"><head><meta charset=\"utf-8\">\
                <title>PDF 編譯失敗</title></head><body><h1>PDF 編譯失敗：{}</h1></body></html>\n",
                crate::render::html::escape(id)
            );
            http::answer(
                500,
                "text/html; charset=utf-8",
                reload::inject(page.as_bytes(), path, version, &problems, false, None),
            )
        }
        None => http::answer(404, "text/plain; charset=utf-8", "404\n".into()),
    };
    http::send(request, response);
}
