//! The preview's form over a school's file (編輯資料): every field of the schema with its Chinese
//! title, its description as a hint, its choices to pick from, whether it is mandatory,
//! recommended or printed only, and its finding beside it in `check`'s words; lists with an entry
//! more to fill in, each entry with its order and a box to remove it.
//!
//! The form is the workbook's layout (`workbook::layout`) as fields: what a save posts is read
//! back as the sheets of a workbook and taken as `import` takes one, so the form, a workbook and
//! a file give the same values, bounds and messages. It works as a plain form POST; no script.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::Value;

use crate::render::html::escape;
use crate::source::schema::Schema;
use crate::validate::{Finding, Severity};
use crate::workbook::layout::{Column, ID, JOIN, Kind, Layout, SheetLayout, lookup, text_of};

/// The address of a school's form.
pub fn path(id: &str) -> String {
    format!("_edit/{id}/")
}

/// What the form is drawn from.
pub struct Form<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub schema: &'a Schema,
    pub values: &'a Value,
    pub findings: &'a [Finding],
    /// The server's token for this run, which a save must carry.
    pub token: &'a str,
    /// The file's fingerprint when the form was drawn: a save over a file changed since is
    /// refused.
    pub base: &'a str,
    /// Whether this server may save (loopback, or editing asked for).
    pub editable: bool,
    /// Why the save just posted was not taken.
    pub refused: Vec<String>,
}

/// The form's page.
pub fn page(form: &Form) -> String {
    let layout = Layout::new(form.schema, crate::model::Profile::Internal);
    let findings = by_field(form.findings);
    let mut out = String::new();
    let title = format!("編輯資料：{}", escape(form.name));
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"zh-Hant-TW\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><style>{STYLE}</style></head><body><main>\
         <h1>{title}</h1>\
         <p>存檔即寫入本校資料檔 schools/{id}.yaml：只改變您改動之值，檔案中之註解與排列保留。\
         標＊者必填；標「建議」者建議填寫；標「僅列印版」者只印於簽核用之紙本，不公開於網站。</p>",
        id = escape(form.id),
    );
    if !form.refused.is_empty() {
        out.push_str("<div class=\"notice refused\" role=\"alert\"><p>未存檔：</p><ul>");
        for e in &form.refused {
            let _ = write!(out, "<li>{}</li>", escape(e));
        }
        out.push_str("</ul></div>");
    }
    if !form.editable {
        out.push_str(
            "<p class=\"notice\">此預覽開放於網路，不接受存檔；於本機執行 planpress serve，\
             或以 --allow-edit 啟動，方可編輯。</p>",
        );
    }
    let _ = write!(
        out,
        "<div id=\"planpress-live\" role=\"status\" aria-live=\"polite\"></div>\
         <form method=\"post\" action=\"/{action}\">\
         <input type=\"hidden\" name=\"token\" value=\"{token}\">\
         <input type=\"hidden\" name=\"base\" value=\"{base}\">",
        action = escape(&path(form.id)),
        token = escape(form.token),
        base = escape(form.base),
    );
    for (s, sheet) in layout.sheets.iter().enumerate() {
        match &sheet.list {
            None => {
                let _ = write!(out, "<fieldset><legend>基本資料</legend>");
                for column in sheet.columns.iter().filter(|c| c.key != ID) {
                    let value = lookup(form.values, &column.path);
                    let name = field_name(s, 0, &column.key);
                    let at = column.key.clone();
                    field(&mut out, column, &name, value, findings.get(&at));
                }
                out.push_str("</fieldset>");
            }
            Some(list) => {
                let items = lookup(form.values, list)
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                let list_key = crate::source::schema::dotted(list);
                let _ = write!(out, "<fieldset><legend>{}</legend>", escape(&sheet.name));
                // The list's own findings (none, or too few entries), kept up to date as typed.
                let _ = write!(
                    out,
                    "<div class=\"findings\" data-field=\"s{s}\" aria-live=\"polite\">"
                );
                if let Some(f) = findings.get(&list_key) {
                    finding_list(&mut out, f);
                }
                out.push_str("</div>");
                for i in 0..=items.len() {
                    entry(&mut out, s, sheet, &list_key, i, items.get(i), &findings);
                }
                out.push_str("</fieldset>");
            }
        }
    }
    let disabled = if form.editable { "" } else { " disabled" };
    let _ = writeln!(
        out,
        "<p><button type=\"submit\"{disabled}>存檔</button> \
         <a href=\"{}\">回到本校計畫</a></p></form></main><script>{SCRIPT}</script></body></html>",
        escape(&crate::base::routes::school_url_path(form.id))
    );
    out
}

/// One entry of a list (the one after the last is empty, to add one).
fn entry(
    out: &mut String,
    s: usize,
    sheet: &SheetLayout,
    list_key: &str,
    i: usize,
    item: Option<&Value>,
    findings: &BTreeMap<String, Vec<&Finding>>,
) {
    let legend = match item {
        Some(_) => format!("第 {} 筆", i + 1),
        None => "新增一筆（填寫即加入）".to_string(),
    };
    let _ = write!(out, "<fieldset class=\"entry\"><legend>{legend}</legend>");
    for column in sheet.columns.iter().filter(|c| c.key != ID) {
        let value = item.and_then(|v| lookup(v, &column.path));
        let name = field_name(s, i, &column.key);
        let at = format!("{list_key}.{i}.{}", column.key);
        field(out, column, &name, value, findings.get(&at));
    }
    let order = field_name(s, i, "-order");
    let _ = write!(
        out,
        "<p class=\"controls\"><label for=\"{order}\">排序</label> \
         <input id=\"{order}\" name=\"{order}\" type=\"number\" min=\"1\" value=\"{n}\" class=\"order\">",
        n = i + 1
    );
    if item.is_some() {
        let remove = field_name(s, i, "-remove");
        let _ = write!(
            out,
            " <input id=\"{remove}\" name=\"{remove}\" type=\"checkbox\" value=\"1\">\
             <label for=\"{remove}\">刪除此筆</label>"
        );
    }
    out.push_str("</p></fieldset>");
}

/// A form field's name: the sheet, the row (an entry's place; 0 in 學校), the column's key.
fn field_name(sheet: usize, row: usize, key: &str) -> String {
    format!("s{sheet}.r{row}.{key}")
}

fn field(
    out: &mut String,
    column: &Column,
    name: &str,
    value: Option<&Value>,
    findings: Option<&Vec<&Finding>>,
) {
    let text = value.map(text_of).unwrap_or_default();
    let hint_id = format!("{name}-hint");
    let finding_id = format!("{name}-finding");
    let mut described = Vec::new();
    if column.hint.is_some() {
        described.push(hint_id.clone());
    }
    described.push(finding_id.clone());
    let described = if described.is_empty() {
        String::new()
    } else {
        format!(" aria-describedby=\"{}\"", described.join(" "))
    };
    let required = if column.required {
        " aria-required=\"true\""
    } else {
        ""
    };
    let mark = if column.required { "＊" } else { "" };
    let mut notes = String::new();
    if column.recommended {
        notes.push_str("<span class=\"tag\">建議</span>");
    }
    if column.sensitive {
        notes.push_str("<span class=\"tag\">僅列印版</span>");
    }
    let name = escape(name);
    let _ = write!(
        out,
        "<div class=\"field\"><label for=\"{name}\">{mark}{}{notes}</label>",
        escape(&column.title)
    );
    // Checked as typed: the schema's patterns (any of them), or the browser's own e-mail check.
    let mut cap = column
        .max_chars
        .map(|n| format!(" maxlength=\"{n}\""))
        .unwrap_or_default();
    if !column.patterns.is_empty() {
        let any: Vec<String> = column
            .patterns
            .iter()
            .map(|p| format!("(?:{})", html_pattern(p)))
            .collect();
        let _ = write!(cap, " pattern=\"{}\"", escape(&any.join("|")));
    }
    let kind = if column.email { "email" } else { "text" };
    match &column.kind {
        Kind::Choice(choices) => select(out, &name, &text, choices, &described, required),
        Kind::Boolean => select(
            out,
            &name,
            &text,
            &["是".into(), "否".into()],
            &described,
            required,
        ),
        Kind::Choices(choices) => {
            let picked: Vec<&str> = text.split(JOIN).collect();
            let _ = write!(out, "<span id=\"{name}\" role=\"group\"{described}>");
            for (k, choice) in choices.iter().enumerate() {
                let checked = if picked.contains(&choice.as_str()) {
                    " checked"
                } else {
                    ""
                };
                let _ = write!(
                    out,
                    "<input type=\"checkbox\" id=\"{name}-{k}\" name=\"{name}\" value=\"{c}\"{checked}>\
                     <label for=\"{name}-{k}\">{c}</label> ",
                    c = escape(choice)
                );
            }
            out.push_str("</span>");
        }
        Kind::Texts => {
            let _ = write!(
                out,
                "<textarea id=\"{name}\" name=\"{name}\" rows=\"2\"{described}>{}</textarea>",
                escape(&text.replace(JOIN, "\n"))
            );
        }
        Kind::Integer => {
            let min = column
                .range
                .0
                .map(|n| format!(" min=\"{n}\""))
                .unwrap_or_default();
            let _ = write!(
                out,
                "<input id=\"{name}\" name=\"{name}\" type=\"number\"{min} value=\"{}\"{described}{required}>",
                escape(&text)
            );
        }
        // Long texts get room; a value with line breaks keeps them.
        Kind::Text | Kind::Date if text.contains('\n') || text.chars().count() > 40 => {
            let _ = write!(
                out,
                "<textarea id=\"{name}\" name=\"{name}\" rows=\"3\"{cap}{described}{required}>{}</textarea>",
                escape(&text)
            );
        }
        Kind::Text | Kind::Date => {
            let placeholder = if column.kind == Kind::Date {
                " placeholder=\"2024-05-01 或 民國 113 年 5 月 1 日\""
            } else {
                ""
            };
            let _ = write!(
                out,
                "<input id=\"{name}\" name=\"{name}\" type=\"{kind}\" value=\"{}\"{cap}{placeholder}{described}{required}>",
                escape(&text)
            );
        }
    }
    if let Some(hint) = &column.hint {
        let _ = write!(out, "<small id=\"{hint_id}\">{}</small>", escape(hint));
    }
    // Filled by the page's script as the person types, from the server's check.
    let _ = write!(
        out,
        "<span id=\"{finding_id}\" class=\"findings\" data-field=\"{name}\" aria-live=\"polite\">"
    );
    if let Some(findings) = findings {
        finding_list(out, findings);
    }
    out.push_str("</span>");
    out.push_str("</div>");
}

/// A schema's pattern (ECMA-262, anchored by ^ and $) as an HTML `pattern` attribute, which the
/// browser anchors itself and reads in its `v` mode, where a literal `-` in a class is escaped.
fn html_pattern(pattern: &str) -> String {
    let inner = pattern.strip_prefix('^').unwrap_or(pattern);
    let inner = inner.strip_suffix('$').unwrap_or(inner);
    let chars: Vec<char> = inner.chars().collect();
    let mut out = String::new();
    let mut in_class = false;
    let mut escaped = false;
    for (i, &c) in chars.iter().enumerate() {
        if escaped {
            out.push(c);
            escaped = false;
            continue;
        }
        let edge =
            i.checked_sub(1).map(|p| chars[p]) == Some('[') || chars.get(i + 1) == Some(&']');
        match c {
            '\\' => escaped = true,
            '[' if !in_class => in_class = true,
            ']' if in_class => in_class = false,
            '-' if in_class && edge => out.push('\\'),
            '(' | ')' | '{' | '}' | '/' | '|' if in_class => out.push('\\'),
            _ => {}
        }
        out.push(c);
    }
    out
}

fn select(
    out: &mut String,
    name: &str,
    text: &str,
    choices: &[String],
    described: &str,
    required: &str,
) {
    let _ = write!(
        out,
        "<select id=\"{name}\" name=\"{name}\"{described}{required}><option value=\"\">（未填）</option>"
    );
    for choice in choices {
        let selected = if choice == text { " selected" } else { "" };
        let _ = write!(out, "<option{selected}>{}</option>", escape(choice));
    }
    // A value the file has that is not a choice stays visible, to be corrected.
    if !text.is_empty() && !choices.iter().any(|c| c == text) {
        let _ = write!(out, "<option selected>{}</option>", escape(text));
    }
    out.push_str("</select>");
}

fn finding_list(out: &mut String, findings: &[&Finding]) {
    for f in findings {
        let class = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let hint = f
            .hint
            .as_deref()
            .map(|h| format!("；{h}"))
            .unwrap_or_default();
        let _ = write!(
            out,
            "<span class=\"finding {class}\">{}{}</span>",
            escape(&f.message),
            escape(&hint)
        );
    }
}

/// Findings by the field they concern (`team.0.deputy`).
fn by_field(findings: &[Finding]) -> BTreeMap<String, Vec<&Finding>> {
    let mut map: BTreeMap<String, Vec<&Finding>> = BTreeMap::new();
    for f in findings {
        map.entry(f.path.clone()).or_default().push(f);
    }
    map
}

/// With script, the findings follow the values as they are typed: the form posted as a check
/// (nothing written) a moment after the last keystroke, each field's findings put in place.
const SCRIPT: &str = "(() => {\
const form = document.querySelector('form');\
let timer;\
const show = (el, list) => el.replaceChildren(...list.map(([kind, text]) => {\
  const s = document.createElement('span'); s.className = 'finding ' + kind; s.textContent = text; return s; }));\
const check = async () => {\
  const body = new URLSearchParams(new FormData(form)); body.append('planpress-check', '1');\
  const r = await fetch(form.action, { method: 'POST', body });\
  if (!r.ok) return;\
  const { errors, fields } = await r.json();\
  for (const el of form.querySelectorAll('.findings')) show(el, fields[el.dataset.field] || []);\
  show(document.getElementById('planpress-live'), errors.map((e) => ['error', e]));\
};\
const later = (ms) => { clearTimeout(timer); timer = setTimeout(check, ms); };\
form.addEventListener('input', () => later(400));\
form.addEventListener('change', () => later(100));\
})();";

const STYLE: &str = "body{font-family:system-ui,\"Noto Sans CJK TC\",sans-serif;margin:0 auto;max-width:60rem;padding:1rem;line-height:1.5}\
fieldset{margin:1rem 0;border:1px solid #999}fieldset.entry{border-style:dashed}\
.field{margin:.5rem 0;display:grid;grid-template-columns:12rem 1fr;gap:.25rem .75rem;align-items:start}\
.field small,.field>span[id$=finding]{grid-column:2}.field textarea,.field input[type=text]{width:100%;box-sizing:border-box}\
.finding{display:block}.finding.error{color:#a00000}.finding.warning{color:#6b4f00}\
.notice{padding:.5rem;border:1px solid #555}.notice.refused{border-color:#a00000}\
input.order{width:4rem}small{color:#444}\
.tag{font-size:.8em;border:1px solid #777;border-radius:3px;padding:0 .3em;margin-left:.4em}\
input:invalid{border-color:#a00000;outline:1px solid #a00000}";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_patterns_become_html_patterns() {
        assert_eq!(
            html_pattern("^[A-Za-z0-9._%+-]+@x$"),
            "[A-Za-z0-9._%+\\-]+@x"
        );
        assert_eq!(html_pattern("^\\(?0[-\\s]?$"), "\\(?0[\\-\\s]?");
        assert_eq!(html_pattern("^a([^()]+)$"), "a([^\\(\\)]+)");
    }
}
