//! The preview's form (編輯資料) over a school's file, driven as a browser without script drives
//! it: the form read from its page, its fields posted back as they stand with one changed. A save
//! changes that value's line alone; a save from elsewhere, without the run's token, over a file
//! changed since, or too large, writes nothing.

use std::fs;
use std::time::{Duration, Instant};

use crate::browser::Person;
use crate::harness::{County, missing, sel};
use crate::server::{Reply, Server};

const SCHOOL: &str = "dongshi-jh";
const FORM: &str = "/_edit/dongshi-jh/";

fn serve(county: &County) -> Server {
    Server::start(env!("CARGO_BIN_EXE_planpress"), &county.root, &[])
}

/// The fields a browser would post from the form on `page`, in order: hidden and text inputs,
/// ticked boxes, the selected option of each list, text areas.
fn fields_of(page: &str) -> Vec<(String, String)> {
    let html = scraper::Html::parse_document(page);
    let mut out = Vec::new();
    for el in html.select(&sel("form input, form select, form textarea")) {
        let v = el.value();
        let Some(name) = v.attr("name") else { continue };
        match (v.name(), v.attr("type").unwrap_or("text")) {
            ("input", "checkbox") if v.attr("checked").is_none() => {}
            ("input", _) => out.push((name.into(), v.attr("value").unwrap_or("").into())),
            ("select", _) => {
                let picked = el
                    .select(&sel("option[selected]"))
                    .next()
                    .or_else(|| el.select(&sel("option")).next());
                let value = picked.map_or(String::new(), |o| {
                    o.value()
                        .attr("value")
                        .map_or_else(|| o.text().collect(), str::to_string)
                });
                out.push((name.into(), value));
            }
            _ => out.push((name.into(), el.text().collect())),
        }
    }
    out
}

/// Whether the school's page, rebuilt by the watcher, shows `text`.
fn page_shows(server: &Server, text: &str) -> bool {
    server
        .get("/schools/dongshi-jh/draft/")
        .text()
        .contains(text)
}

/// Waits, at most a minute, until `done`.
fn until(done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done() {
        assert!(Instant::now() < deadline, "in time");
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn encode(fields: &[(String, String)]) -> String {
    let enc = |s: &str| {
        percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn set(fields: &mut [(String, String)], name: &str, value: &str) {
    let field = fields
        .iter_mut()
        .find(|(k, _)| k == name)
        .unwrap_or_else(|| panic!("the form has {name}"));
    field.1 = value.to_string();
}

fn save(server: &Server, body: &str, origin: &str) -> Reply {
    server.post(
        FORM,
        &[
            ("Origin", origin),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        body,
    )
}

#[test]
fn a_save_changes_that_value_alone_and_the_page_rebuilds() {
    let county = County::fixture();
    let server = serve(&county);
    let page = server.get("/schools/dongshi-jh/draft/").text();
    assert!(
        page.contains("href=\"/_edit/dongshi-jh/\""),
        "the page offers the form"
    );

    let form = server.get(FORM);
    assert_eq!(form.status, 200);
    let text = form.text();
    let html = scraper::Html::parse_document(&text);
    let label = html
        .select(&sel("label[for='s0.r0.ciso.name']"))
        .next()
        .expect("the CISO's name has its label");
    assert!(label.text().collect::<String>().contains("資通安全長姓名"));
    // A finding stands beside its field, in check's words (大吉國中 has some).
    let other = scraper::Html::parse_document(&server.get("/_edit/daji-jh/").text());
    let beside = other
        .select(&sel(".field .finding.error"))
        .next()
        .expect("a finding beside a field");
    let field = beside
        .ancestors()
        .filter_map(scraper::ElementRef::wrap)
        .find(|e| e.value().classes().any(|c| c == "field"))
        .unwrap();
    assert!(field.select(&sel("label")).next().is_some());

    let mut fields = fields_of(&text);
    set(&mut fields, "s0.r0.ciso.name", "王大明");
    let before = county.read("schools/dongshi-jh.yaml");
    let origin = format!("http://{}", server.addr);
    let reply = save(&server, &encode(&fields), &origin);
    assert_eq!(reply.status, 303, "{}", reply.text());
    assert_eq!(reply.header("location"), Some("/schools/dongshi-jh/draft/"));

    let after = county.read("schools/dongshi-jh.yaml");
    let changed: Vec<(&str, &str)> = before
        .lines()
        .zip(after.lines())
        .filter(|(a, b)| a != b)
        .collect();
    assert_eq!(changed, [("  name: 黃振榮", "  name: 王大明")], "{after}");
    assert_eq!(before.lines().count(), after.lines().count());

    // The watcher rebuilds the page as for an editor's save.
    until(|| page_shows(&server, "王大明"));
}

#[test]
fn a_list_entry_is_added_removed_and_moved_without_script() {
    let county = County::fixture();
    let server = serve(&county);
    let text = server.get(FORM).text();
    let mut fields = fields_of(&text);
    let sheet = |key: &str| {
        fields
            .iter()
            .find(|(k, _)| k.ends_with(key))
            .map(|(k, _)| k.split('.').next().unwrap().to_string())
            .unwrap()
    };
    // The contacts' sheet: its first entry removed, a new one added in front.
    let s = sheet(".r0.email");
    let count = fields
        .iter()
        .filter(|(k, _)| k.starts_with(&format!("{s}.r")) && k.ends_with(".-order"))
        .count();
    let new = count - 1;
    fields.push((format!("{s}.r0.-remove"), "1".into()));
    set(&mut fields, &format!("{s}.r{new}.name"), "新聯絡人");
    set(&mut fields, &format!("{s}.r{new}.title"), "資訊組長");
    set(&mut fields, &format!("{s}.r{new}.-order"), "0");
    let origin = format!("http://{}", server.addr);
    let reply = save(&server, &encode(&fields), &origin);
    assert_eq!(reply.status, 303, "{}", reply.text());
    let values: serde_json::Value =
        serde_saphyr::from_str(&county.read("schools/dongshi-jh.yaml")).unwrap();
    let contacts = values["contacts"].as_array().unwrap();
    assert_eq!(contacts.len(), count - 1, "one removed, one added");
    assert_eq!(contacts[0]["name"], "新聯絡人");
}

#[test]
fn a_save_from_elsewhere_stale_or_too_large_writes_nothing() {
    let county = County::fixture();
    let server = serve(&county);
    let text = server.get(FORM).text();
    let mut fields = fields_of(&text);
    set(&mut fields, "s0.r0.ciso.name", "王大明");
    let before = county.read("schools/dongshi-jh.yaml");
    let origin = format!("http://{}", server.addr);

    // Another site's page posting here.
    let reply = save(&server, &encode(&fields), "http://evil.example");
    assert_eq!(reply.status, 403);
    // Without this run's token.
    let mut forged = fields.clone();
    set(&mut forged, "token", "0000");
    assert_eq!(save(&server, &encode(&forged), &origin).status, 403);
    // Too large.
    let huge = format!("{}&pad={}", encode(&fields), "x".repeat(1024 * 1024 + 10));
    assert_eq!(save(&server, &huge, &origin).status, 413);
    // A value the schema refuses: the form again, saying why, by the field's title.
    let mut wrong = fields.clone();
    set(&mut wrong, "s0.r0.level", "F");
    let reply = save(&server, &encode(&wrong), &origin);
    assert_eq!(reply.status, 422);
    assert!(
        reply.text().contains("「F」不是可選之值"),
        "{}",
        reply.text()
    );
    assert_eq!(county.read("schools/dongshi-jh.yaml"), before);

    // The file saved by an editor meanwhile: not overwritten.
    let edited = before.replace("東石國中", "東石國民中學");
    fs::write(county.file("schools/dongshi-jh.yaml"), &edited).unwrap();
    let reply = save(&server, &encode(&fields), &origin);
    assert_eq!(reply.status, 409);
    assert!(
        reply.text().contains("資料檔已在他處變更"),
        "{}",
        reply.text()
    );
    assert_eq!(county.read("schools/dongshi-jh.yaml"), edited);
}

#[test]
fn a_preview_open_to_the_network_shows_no_form_unless_asked() {
    let county = County::fixture();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_planpress"));
    command.args([
        "serve",
        "--port",
        "0",
        "--bind",
        "0.0.0.0",
        "--school",
        SCHOOL,
        "--root",
        county.root.to_str().unwrap(),
    ]);
    let server = Server::spawn(command);
    let form = server.get(FORM);
    assert_eq!(form.status, 403);
    assert!(
        !form.text().contains("黃振榮"),
        "no value of the file is shown"
    );
    assert!(
        !server
            .get("/schools/dongshi-jh/draft/")
            .text()
            .contains("/_edit/")
    );
}

#[test]
fn chromium_fills_the_form_and_saves() {
    let county = County::fixture();
    let server = serve(&county);
    // A person in the browser: the CISO's name typed over, then 存檔 pressed.
    let extension = county.dir().join("person");
    fs::create_dir_all(&extension).unwrap();
    fs::write(
        extension.join("manifest.json"),
        r#"{ "manifest_version": 3, "name": "person", "version": "1.0",
  "content_scripts": [{ "matches": ["http://127.0.0.1/*"], "js": ["person.js"],
                        "run_at": "document_idle" }] }"#,
    )
    .unwrap();
    fs::write(
        extension.join("person.js"),
        "if (location.pathname === '/_edit/dongshi-jh/') {\n\
           const name = document.querySelector('[name=\"s0.r0.ciso.name\"]');\n\
           name.value = '王大明';\n\
           name.dispatchEvent(new Event('input', { bubbles: true }));\n\
           document.querySelector('form button[type=submit]').click();\n\
         }\n",
    )
    .unwrap();
    let before = county.read("schools/dongshi-jh.yaml");
    let url = format!("http://{}{FORM}", server.addr);
    let Some(person) = Person::open(&url, &extension) else {
        return missing("Chromium");
    };
    until(|| county.read("schools/dongshi-jh.yaml") != before);
    drop(person);
    let after = county.read("schools/dongshi-jh.yaml");
    assert_eq!(
        after,
        before.replacen(
            "  name: 黃振榮\n  title: 校長",
            "  name: 王大明\n  title: 校長",
            1
        )
    );
    until(|| page_shows(&server, "王大明"));
}

#[test]
fn as_a_person_types_the_form_is_checked_without_a_write() {
    let county = County::fixture();
    let server = serve(&county);
    let text = server.get(FORM).text();
    assert!(
        text.contains("planpress-check"),
        "the page checks as it is typed"
    );
    let mut fields = fields_of(&text);
    set(&mut fields, "s0.r0.ciso.name", "");
    set(&mut fields, "s0.r0.level", "F");
    fields.push(("planpress-check".into(), "1".into()));
    let before = county.read("schools/dongshi-jh.yaml");
    let origin = format!("http://{}", server.addr);
    let reply = save(&server, &encode(&fields), &origin);
    assert_eq!(reply.status, 200, "{}", reply.text());
    let json: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
    assert!(
        json["errors"][0]
            .as_str()
            .unwrap()
            .contains("「F」不是可選之值"),
        "{json}"
    );
    // The level could not be taken, the cleared name could: its finding, by the field.
    let name = json["fields"]["s0.r0.ciso.name"].to_string();
    assert!(name.contains("資通安全長姓名"), "{json}");
    assert_eq!(
        county.read("schools/dongshi-jh.yaml"),
        before,
        "nothing written"
    );
}
