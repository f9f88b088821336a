//! Live reload and the error overlay. Both are added to HTML responses at serve time, before
//! `</body>`, so that the pages of a published build never carry them.

use std::fmt::Write as _;
use std::io::Write;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;

use crate::base::diagnostics::{SourceError, SourceErrors};
use crate::render::html;
use crate::validate::{Kind, SchoolReport};

/// Where the pages listen for rebuilds (server-sent events).
pub const EVENTS_PATH: &str = "__planpress/events";

/// One problem as the overlay shows it. Shaped for any source of problems: build errors now,
/// validation findings (with their field's Chinese label) later.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    pub file: String,
    pub line: Option<u64>,
    pub column: Option<u64>,
    pub message: String,
    /// The Chinese name of the field concerned, where known.
    pub label: Option<String>,
}

impl From<&SourceError> for Problem {
    fn from(e: &SourceError) -> Problem {
        Problem {
            file: e.file.display().to_string(),
            line: e.pos.map(|p| p.line),
            column: e.pos.map(|p| p.column),
            message: e.message.clone(),
            label: None,
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}:{}", self.column.unwrap_or(1))?;
        }
        write!(f, ": {}", self.message)
    }
}

/// The values of a school that the schema rejects (wrong form, unknown keys). Values not yet
/// filled in are not problems here: the page marks them and lists them in its summary.
pub fn schema_problems(report: &SchoolReport) -> Vec<Problem> {
    report
        .findings
        .iter()
        .filter(|f| matches!(f.kind, Kind::Invalid | Kind::UnknownKey))
        .map(|f| Problem {
            file: f.file.display().to_string(),
            line: Some(f.line),
            column: Some(f.column),
            message: match &f.hint {
                Some(hint) => format!("{}（{hint}）", f.message),
                None => f.message.clone(),
            },
            // Where the field is, in words (第 2 位資安聯絡人的聯絡電話); the schema's title when
            // the finding is at a mapping as a whole.
            label: Some(if f.place.is_empty() {
                &f.label
            } else {
                &f.place
            })
            .filter(|l| !l.is_empty())
            .cloned(),
        })
        .collect()
}

/// A county that did not load or render: its located error when there is one, else the chain.
pub fn error_problems(error: &anyhow::Error) -> Vec<Problem> {
    if let Some(errors) = error.chain().find_map(|e| e.downcast_ref::<SourceErrors>()) {
        return errors.0.iter().map(Problem::from).collect();
    }
    match error.chain().find_map(|e| e.downcast_ref::<SourceError>()) {
        Some(e) => vec![Problem::from(e)],
        None => vec![Problem {
            file: String::new(),
            line: None,
            column: None,
            message: format!("{error:#}"),
            label: None,
        }],
    }
}

/// What a page is told after a rebuild.
#[derive(Debug, Serialize)]
pub struct Rebuilt<'a> {
    pub version: u64,
    /// Site paths whose bytes changed (`schools/<id>/index.html`).
    pub pages: &'a [String],
    /// Every page changed (the overlay appeared, changed or went away).
    pub all: bool,
}

/// Event streams open at once, at most: each holds a thread until its page goes away.
pub const MAX_STREAMS: usize = 64;
/// How often an idle stream is written to, which is how a page that went away is noticed.
const PING: Duration = Duration::from_secs(1);

/// The open event streams; a rebuild message goes to each.
#[derive(Default)]
pub struct Broadcaster {
    clients: Arc<Mutex<Clients>>,
}

#[derive(Default)]
struct Clients {
    next_id: u64,
    senders: Vec<(u64, Sender<String>)>,
}

/// One open stream's messages. Dropping it (the stream ended) frees its place at once.
pub struct Subscription {
    id: u64,
    events: Receiver<String>,
    clients: Arc<Mutex<Clients>>,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        lock(&self.clients).senders.retain(|(id, _)| *id != self.id);
    }
}

fn lock(clients: &Mutex<Clients>) -> std::sync::MutexGuard<'_, Clients> {
    clients.lock().expect("not poisoned")
}

impl Broadcaster {
    /// `None` when [`MAX_STREAMS`] are open.
    pub fn subscribe(&self) -> Option<Subscription> {
        let mut clients = lock(&self.clients);
        if clients.senders.len() >= MAX_STREAMS {
            return None;
        }
        let (tx, events) = mpsc::channel();
        let id = clients.next_id;
        clients.next_id += 1;
        clients.senders.push((id, tx));
        Some(Subscription {
            id,
            events,
            clients: self.clients.clone(),
        })
    }

    pub fn rebuilt(&self, event: &Rebuilt) {
        let message = sse(
            "rebuilt",
            &serde_json::to_string(event).expect("serializes"),
        );
        for (_, tx) in &lock(&self.clients).senders {
            // A stream that is ending has dropped its receiver and is removing itself.
            let _ = tx.send(message.clone());
        }
    }
}

fn sse(event: &str, data: &str) -> String {
    format!("event: {event}\ndata: {data}\n\n")
}

/// Streams events to one page until it goes away. Runs on its own thread: the stream lives as
/// long as the page does. A comment every [`PING`] finds out when the page has gone: the write
/// after the page closed its connection fails.
pub fn stream(mut out: Box<dyn Write + Send>, subscription: Subscription, version: u64) {
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n\
                Cache-Control: no-store\r\nConnection: close\r\n\r\n";
    let hello = sse("hello", &format!("{{\"version\":{version}}}"));
    if out
        .write_all(head.as_bytes())
        .and_then(|()| out.write_all(hello.as_bytes()))
        .and_then(|()| out.flush())
        .is_err()
    {
        return;
    }
    loop {
        let message = match subscription.events.recv_timeout(PING) {
            Ok(message) => message,
            Err(RecvTimeoutError::Timeout) => ": ping\n\n".to_string(),
            Err(RecvTimeoutError::Disconnected) => return,
        };
        if out
            .write_all(message.as_bytes())
            .and_then(|()| out.flush())
            .is_err()
        {
            return;
        }
    }
}

/// `html` with the reload script, and the overlay when there are problems, before `</body>`.
/// `page` is the site path the script compares with the rebuilt pages; `pdf` links a school
/// page to its plan, compiled on request.
pub fn inject(
    html: &[u8],
    page: &str,
    version: u64,
    problems: &[Problem],
    pdf: bool,
    edit: Option<&str>,
) -> Vec<u8> {
    let mut extra = String::new();
    if !problems.is_empty() {
        extra.push_str(&overlay(problems));
    }
    if pdf || edit.is_some() {
        extra.push_str(TOOLS);
        if pdf {
            extra.push_str("<a href=\"plan.pdf\">預覽 PDF（按下時編譯）</a>");
        }
        if let Some(href) = edit {
            let _ = write!(
                extra,
                " <a href=\"{}\">編輯資料</a>",
                crate::render::html::escape(href)
            );
        }
        extra.push_str("</p>\n");
    }
    let config = serde_json::json!({ "page": page, "version": version, "events": format!("/{EVENTS_PATH}") });
    extra.push_str(&format!(
        "<script>const planpressServe = {};\n{SCRIPT}</script>\n",
        script_json(&config)
    ));
    let at = find_last(html, b"</body>").unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + extra.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(extra.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

/// JSON that cannot end its `<script>` element (`</script>`, `<!--`) nor, in older engines, a
/// string (U+2028, U+2029). These characters only occur inside JSON strings, where `\u` escapes
/// them without changing the value.
fn script_json(value: &serde_json::Value) -> String {
    let json = value.to_string();
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

fn find_last(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

/// Reloads the page when a rebuild changed it (or a stylesheet), keeping the scroll position.
const SCRIPT: &str = r#"(() => {
  const key = "planpress-scroll:" + location.pathname;
  const saved = sessionStorage.getItem(key);
  if (saved !== null) {
    sessionStorage.removeItem(key);
    scrollTo(0, Number(saved));
    addEventListener("load", () => scrollTo(0, Number(saved)));
  }
  const events = new EventSource(planpressServe.events);
  const reload = () => {
    sessionStorage.setItem(key, String(scrollY));
    events.close();
    location.reload();
  };
  events.addEventListener("hello", (e) => {
    if (JSON.parse(e.data).version !== planpressServe.version) reload();
  });
  events.addEventListener("rebuilt", (e) => {
    const r = JSON.parse(e.data);
    if (r.all || r.pages.includes(planpressServe.page) || r.pages.some((p) => p.startsWith("static/"))) reload();
  });
})();
"#;

/// A school page's tools, in a corner: its PDF, and its form.
const TOOLS: &str = "<p id=\"planpress-pdf\" style=\"position:fixed;right:1rem;bottom:1rem;\
margin:0;padding:.4rem .8rem;background:#fff;border:1px solid #555;border-radius:4px;z-index:9998\">";

fn overlay(problems: &[Problem]) -> String {
    let mut rows = String::new();
    for p in problems {
        let cell = |v: Option<u64>| v.map(|n| n.to_string()).unwrap_or_default();
        rows.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            html::escape(&p.file),
            cell(p.line),
            cell(p.column),
            html::escape(p.label.as_deref().unwrap_or("")),
            html::escape(&p.message),
        ));
    }
    format!(
        "<div id=\"planpress-overlay\" role=\"alert\" lang=\"zh-Hant-TW\" style=\"position:fixed;inset:auto 0 0 0;\
max-height:60vh;overflow:auto;z-index:9999;background:#fff5f5;color:#1a1a1a;border-top:4px solid #b00020;\
padding:1rem 1.5rem;font:15px/1.5 system-ui,sans-serif;box-shadow:0 -4px 16px rgba(0,0,0,.25)\">\n\
<h2 style=\"margin:0 0 .5rem;color:#b00020;font-size:1.2rem\">建置錯誤（共 {} 項）</h2>\n\
<p style=\"margin:0 0 .5rem\">修正下列問題並存檔後，頁面會自動更新；在此之前顯示的是上次成功建置的內容。</p>\n\
<table style=\"border-collapse:collapse;width:100%\">\n\
<thead><tr><th scope=\"col\" style=\"text-align:left\">檔案</th><th scope=\"col\">行</th><th scope=\"col\">欄</th>\
<th scope=\"col\" style=\"text-align:left\">欄位</th><th scope=\"col\" style=\"text-align:left\">訊息</th></tr></thead>\n\
<tbody>\n{rows}</tbody></table></div>\n",
        problems.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn injects_before_the_last_body_end_and_escapes_the_overlay() {
        let problem = Problem {
            file: "schools/a.yaml".into(),
            line: Some(3),
            column: Some(7),
            message: "expected <value>".into(),
            label: Some("學校簡稱".into()),
        };
        let html = b"<html><body><p>x</p></body></html>";
        let out =
            String::from_utf8(inject(html, "index.html", 4, &[problem], false, None)).unwrap();
        assert!(out.ends_with("</script>\n</body></html>"), "{out}");
        assert!(out.contains("<td>schools/a.yaml</td><td>3</td><td>7</td><td>學校簡稱</td>"));
        assert!(out.contains("expected &lt;value&gt;"));
        assert!(out.contains("\"version\":4"));
        let clean = String::from_utf8(inject(html, "index.html", 4, &[], false, None)).unwrap();
        assert!(!clean.contains("planpress-overlay"));
    }

    #[test]
    fn a_path_in_the_script_cannot_end_it() {
        let page = "</script><script>alert(1)</script><!--&\u{2028}\u{2029}";
        let out = String::from_utf8(inject(b"</body>", page, 1, &[], false, None)).unwrap();
        let config = out.lines().next().unwrap();
        assert_eq!(
            config,
            "<script>const planpressServe = {\"page\":\"\\u003c/script\\u003e\\u003cscript\\u003e\
             alert(1)\\u003c/script\\u003e\\u003c!--\\u0026\\u2028\\u2029\",\"version\":1,\
             \"events\":\"/__planpress/events\"};"
        );
        let json = config
            .trim_start_matches("<script>const planpressServe = ")
            .trim_end_matches(';');
        let value: serde_json::Value = serde_json::from_str(json).unwrap();
        assert_eq!(value["page"], page, "the same value once parsed");
    }

    #[test]
    fn streams_are_bounded_and_a_closed_one_frees_its_place() {
        let events = Broadcaster::default();
        let open: Vec<Subscription> = (0..MAX_STREAMS)
            .map(|_| events.subscribe().expect("below the bound"))
            .collect();
        assert!(events.subscribe().is_none());
        drop(open);
        assert!(lock(&events.clients).senders.is_empty());
        let one = events.subscribe().expect("places are free again");
        events.rebuilt(&Rebuilt {
            version: 2,
            pages: &[],
            all: true,
        });
        assert!(one.events.try_recv().unwrap().starts_with("event: rebuilt"));
    }
}
