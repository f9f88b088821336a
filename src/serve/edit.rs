//! Saving the form: a POST to a school's form, taken only from this machine (or where editing
//! was asked for), from the form's own page (its Origin, and the token of this run), bounded,
//! and over the file as it was when the form was drawn. The save writes the school's file in
//! place (`source::edit`); the watcher sees it as it sees an editor's save, and the pages rebuild.

use std::collections::BTreeMap;
use std::io::Read;
use std::net::SocketAddr;

use serde_json::Value;
use tiny_http::{Method, Request};

use super::form::{self, Form};
use super::http::{self, Answer};
use super::posted;
use super::preview::Preview;
use crate::base::files::write_atomically;
use crate::base::hash::sha256;
use crate::model::Profile;
use crate::source::{edit, yaml};
use crate::workbook::layout::{Layout, SCHOOLS};
use crate::workbook::take::{CellError, Leave, take};

/// The most a save may post: a school's whole data is a few kilobytes.
const BODY_LIMIT: u64 = 1024 * 1024;

/// What a server may do with forms.
pub struct Editing {
    /// Saves are taken (loopback, or `--allow-edit`); otherwise no form is shown at all, since
    /// it would show every value of the file to the network.
    pub allowed: bool,
    /// This run's token, which every form carries and every save must return.
    pub token: String,
}

impl Editing {
    pub fn new(allowed: bool) -> Editing {
        Editing {
            allowed,
            token: token(),
        }
    }
}

/// A token no other page can know: this run's time, process and hasher seeds, hashed.
fn token() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    h.write_u32(std::process::id());
    let seed = std::collections::hash_map::RandomState::new().hash_one(h.finish());
    sha256(format!("{}{seed}", h.finish()).as_bytes())
}

/// The school a form path names (`_edit/<id>/index.html`).
pub fn school_of(path: &str) -> Option<&str> {
    let id = path.strip_prefix("_edit/")?.strip_suffix("/index.html")?;
    crate::source::is_school_id(id).then_some(id)
}

/// GET: the form as the file is now.
pub fn show(preview: &Preview, editing: &Editing, id: &str) -> Answer {
    if !editing.allowed {
        return refused(403, "編輯資料僅限本機（或以 --allow-edit 啟動之預覽）");
    }
    match drawn(preview, editing, id, Vec::new()) {
        Some(page) => http::answer(200, "text/html; charset=utf-8", page.into_bytes()),
        None => refused(404, "沒有這所學校，或其資料檔無法讀取"),
    }
}

/// The form's page over the file as it is on disk now.
fn drawn(preview: &Preview, editing: &Editing, id: &str, refused: Vec<String>) -> Option<String> {
    preview.with_engine(|engine| {
        let county = engine.county();
        let school = county.schools.iter().find(|s| s.id == id)?;
        let text = std::fs::read_to_string(&school.file).ok()?;
        let values = yaml::parse_school(&text).ok()?.to_json();
        let findings = engine
            .report(id)
            .map(|r| r.findings.clone())
            .unwrap_or_default();
        let name = values
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or(id)
            .to_string();
        Some(form::page(&Form {
            id,
            name: &name,
            schema: &county.schema,
            values: &values,
            findings: &findings,
            token: &editing.token,
            base: &sha256(text.as_bytes()),
            editable: editing.allowed,
            refused,
        }))
    })?
}

/// POST: the save.
pub fn save(
    mut request: Request,
    preview: &Preview,
    editing: &Editing,
    addr: SocketAddr,
    id: &str,
) {
    let answer = match checked(&mut request, editing, addr) {
        Err(answer) => answer,
        Ok(body) => saved(preview, editing, id, &body),
    };
    http::send(request, answer);
}

/// The body of a save that comes from this server's own form page, within bounds.
fn checked(request: &mut Request, editing: &Editing, addr: SocketAddr) -> Result<String, Answer> {
    if !editing.allowed {
        return Err(refused(
            403,
            "編輯資料僅限本機（或以 --allow-edit 啟動之預覽）",
        ));
    }
    let header = |name: &'static str| -> Option<String> {
        let mut found = request
            .headers()
            .iter()
            .filter(|h| h.field.equiv(name))
            .map(|h| h.value.as_str().to_string());
        let first = found.next();
        // A header given twice is not believed.
        if found.next().is_some() { None } else { first }
    };
    let host = header("Host").filter(|h| http::host_allowed(h, addr));
    let Some(host) = host else {
        return Err(refused(421, "不是本預覽之位址"));
    };
    // The page that posts must be this server's: its Origin (every browser sends one with a
    // POST), else its Referer.
    let origin = header("Origin").or_else(|| {
        header("Referer").map(|r| r.splitn(4, '/').take(3).collect::<Vec<_>>().join("/"))
    });
    if origin.as_deref() != Some(&format!("http://{host}")) {
        return Err(refused(403, "存檔須來自本預覽之編輯頁面"));
    }
    let form_type =
        header("Content-Type").is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
    if *request.method() != Method::Post || !form_type {
        return Err(refused(415, "存檔應為表單之 POST"));
    }
    if request.body_length().is_some_and(|n| n as u64 > BODY_LIMIT) {
        return Err(refused(413, "送出之資料過大"));
    }
    let mut body = String::new();
    let read = request
        .as_reader()
        .take(BODY_LIMIT + 1)
        .read_to_string(&mut body);
    if read.is_err() || body.len() as u64 > BODY_LIMIT {
        return Err(refused(413, "送出之資料過大，或不是 UTF-8"));
    }
    Ok(body)
}

/// Takes the posted values into the school's file, unless the file changed since the form was
/// drawn or a value cannot be taken (then the form again, saying why). A post with
/// `planpress-check` (the form's script, as a person types) writes nothing: it gets the findings
/// the values would have, by field.
fn saved(preview: &Preview, editing: &Editing, id: &str, body: &str) -> Answer {
    let posted = posted::fields(body);
    let value = |key: &str| {
        posted
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    if value("token") != Some(editing.token.as_str()) {
        return refused(
            403,
            "表單已過期（預覽曾重新啟動）：請重新整理編輯頁面後再存檔",
        );
    }
    if value("planpress-check").is_some() {
        return checked_values(preview, id, &posted);
    }
    type Saved = Result<Option<(std::path::PathBuf, String)>, (u16, Vec<String>)>;
    let outcome = preview.with_engine(|engine| -> Saved {
        let county = engine.county();
        let Some(school) = county.schools.iter().find(|s| s.id == id) else {
            return Err((404, vec!["沒有這所學校".into()], ));
        };
        let text = std::fs::read_to_string(&school.file)
            .map_err(|e| (409, vec![format!("資料檔無法讀取：{e}")], ))?;
        if value("base") != Some(sha256(text.as_bytes()).as_str()) {
            return Err((
                409,
                vec!["資料檔已在他處變更（例如以編輯器存檔）：未覆寫。下方為檔案目前之內容，請再改一次後存檔。".into()],
            ));
        }
        let current = yaml::parse_school(&text)
            .map_err(|e| (409, vec![format!("資料檔無法讀取：{}", e.message)], ))?
            .to_json();
        let layout = Layout::new(&county.schema, Profile::Internal);
        let sheets = posted::sheets(&layout, id, &posted);
        let schools = BTreeMap::from([(id.to_string(), current)]);
        // The one school is the county's: no new school is started from a form.
        let taken = take(&layout, &sheets, &schools, &|_| Value::Null, Leave::Row);
        if !taken.errors.is_empty() {
            let errors = taken.errors.iter().map(in_form).collect();
            return Err((422, errors, ));
        }
        let Some(values) = taken.values.get(id) else {
            return Ok(None);
        };
        let written = edit::rewrite(&text, values).map_err(|e| (500, vec![e.to_string()], ))?;
        Ok(Some((school.file.clone(), written)))
    });
    let page = crate::base::routes::school_url_path(id);
    match outcome {
        None => refused(404, "沒有這所學校"),
        Some(Ok(None)) => http::see_other(&page),
        Some(Ok(Some((file, text)))) => match write_atomically(&file, text.as_bytes()) {
            // The watcher takes it from here, as for an editor's save.
            Ok(()) => http::see_other(&page),
            Err(e) => refused(500, &format!("無法寫入資料檔：{e:#}")),
        },
        Some(Err((status, errors))) => match drawn(preview, editing, id, errors) {
            Some(page) => http::answer(status, "text/html; charset=utf-8", page.into_bytes()),
            None => refused(status, "未存檔"),
        },
    }
}

/// What the posted values would give, as JSON: the values that cannot be taken, and every
/// finding by the form's field (`s0.r0.ciso.name`) or list (`s2`).
fn checked_values(preview: &Preview, id: &str, posted: &[(String, String)]) -> Answer {
    let json = preview.with_engine(|engine| {
        let county = engine.county();
        let school = county.schools.iter().find(|s| s.id == id)?;
        let current = school.data.as_ref().ok()?.to_json();
        let layout = Layout::new(&county.schema, Profile::Internal);
        let sheets = posted::sheets(&layout, id, posted);
        let schools = BTreeMap::from([(id.to_string(), current.clone())]);
        let taken = take(&layout, &sheets, &schools, &|_| Value::Null, Leave::Cell);
        let values = taken.values.get(id).unwrap_or(&current);
        let text = edit::rewrite(&school.text, values).ok()?;
        let source =
            crate::source::parse_school(&county.root, id.to_string(), school.file.clone(), text);
        let report = crate::validate::check_school(county, &source);
        let mut fields: BTreeMap<String, Vec<(&str, String)>> = BTreeMap::new();
        for f in &report.findings {
            let hint = f
                .hint
                .as_deref()
                .map(|h| format!("；{h}"))
                .unwrap_or_default();
            let severity = match f.severity {
                crate::validate::Severity::Error => "error",
                crate::validate::Severity::Warning => "warning",
            };
            fields
                .entry(posted::field_of(&layout, &f.path))
                .or_default()
                .push((severity, format!("{}{hint}", f.message)));
        }
        let errors: Vec<String> = taken.errors.iter().map(in_form).collect();
        Some(serde_json::json!({ "errors": errors, "fields": fields }))
    });
    match json.flatten() {
        Some(json) => http::answer(
            200,
            "application/json; charset=utf-8",
            json.to_string().into_bytes(),
        ),
        None => refused(404, "沒有這所學校，或其資料檔無法讀取"),
    }
}

/// A value the form could not take, said by the field's place in the form.
fn in_form(e: &CellError) -> String {
    let title = e.column.as_ref().map_or("", |(_, t)| t.as_str());
    if e.sheet == SCHOOLS {
        format!("{title}：{}", e.message)
    } else {
        format!(
            "{}第 {} 筆{title}：{}",
            e.sheet,
            e.row.saturating_sub(2),
            e.message
        )
    }
}

fn refused(status: u16, why: &str) -> Answer {
    let page = format!(
        "<!DOCTYPE html>\n<html lang=\"zh-Hant-TW\"><head><meta charset=\"utf-8\">\
         <title>{status} 未能編輯</title></head><body><main><h1>未能編輯</h1><p>{}</p>\
         </main></body></html>\n",
        crate::render::html::escape(why)
    );
    http::answer(status, "text/html; charset=utf-8", page.into_bytes())
}
