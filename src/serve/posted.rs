//! A posted form read back: its fields, and those fields as the sheets of a workbook of the one
//! school, which `workbook::take` takes as it takes any workbook.

use std::collections::BTreeMap;

use percent_encoding::percent_decode_str;

use crate::workbook::layout::{Column, ID, JOIN, Kind, Layout};
use crate::workbook::{Raw, RawSheet};

/// A posted form's fields, in order (a name may come more than once: checkboxes).
pub fn fields(body: &str) -> Vec<(String, String)> {
    body.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(s: &str) -> String {
    percent_decode_str(&s.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

/// The posted fields as the sheets of a workbook of this one school: 學校's row, and each list's
/// entries in the order asked, without those removed and the new one only when filled in.
pub fn sheets(layout: &Layout, id: &str, posted: &[(String, String)]) -> Vec<RawSheet> {
    let mut cells: BTreeMap<(usize, usize), BTreeMap<String, Vec<String>>> = BTreeMap::new();
    for (name, value) in posted {
        let Some((s, r, key)) = parse_name(name) else {
            continue;
        };
        cells
            .entry((s, r))
            .or_default()
            .entry(key.to_string())
            .or_default()
            .push(value.replace("\r\n", "\n"));
    }
    layout
        .sheets
        .iter()
        .enumerate()
        .map(|(s, sheet)| {
            let keys: Vec<Raw> = sheet
                .columns
                .iter()
                .map(|c| Raw::Text(c.key.clone()))
                .collect();
            let mut rows: Vec<(usize, usize, Vec<Raw>)> = cells
                .range((s, 0)..(s + 1, 0))
                .filter(|(_, fields)| !fields.contains_key("-remove"))
                .filter_map(|(&(_, r), fields)| {
                    let row: Vec<Raw> = sheet
                        .columns
                        .iter()
                        .map(|c| match c.key.as_str() {
                            ID => Raw::Text(id.to_string()),
                            key => cell(c, fields.get(key)),
                        })
                        .collect();
                    let filled = row
                        .iter()
                        .zip(&sheet.columns)
                        .any(|(cell, c)| c.key != ID && *cell != Raw::Empty);
                    // An entry left empty is none (the one offered for adding, or one cleared).
                    if sheet.list.is_some() && !filled {
                        return None;
                    }
                    let order = fields
                        .get("-order")
                        .and_then(|v| v.first())
                        .and_then(|v| v.trim().parse().ok())
                        .unwrap_or(r + 1);
                    Some((order, r, row))
                })
                .collect();
            rows.sort_by_key(|(order, r, _)| (*order, *r));
            let mut all = vec![Vec::new(), keys];
            all.extend(rows.into_iter().map(|(_, _, row)| row));
            RawSheet {
                name: sheet.name.clone(),
                rows: all,
                merged: Vec::new(),
            }
        })
        .collect()
}

/// The form's name for a finding's field (`team.0.deputy` → `s2.r0.deputy`), or for a list
/// as a whole (`team` → `s2`); a field of 學校 as itself in sheet 0.
pub fn field_of(layout: &Layout, path: &str) -> String {
    for (s, sheet) in layout.sheets.iter().enumerate() {
        let Some(list) = &sheet.list else { continue };
        let key = crate::source::schema::dotted(list);
        if path == key {
            return format!("s{s}");
        }
        if let Some(rest) = path.strip_prefix(&format!("{key}.")) {
            return match rest.split_once('.') {
                Some((row, field)) => format!("s{s}.r{row}.{field}"),
                None => format!("s{s}"),
            };
        }
    }
    format!("s0.r0.{path}")
}

/// A field's posted values as a cell: checkboxes joined as a workbook joins them; an unticked
/// group posts nothing, which is empty.
fn cell(column: &Column, values: Option<&Vec<String>>) -> Raw {
    let Some(values) = values else {
        return Raw::Empty;
    };
    let text = match column.kind {
        Kind::Choices(_) => values.join(JOIN),
        Kind::Texts => values
            .join("\n")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(JOIN),
        _ => values.last().cloned().unwrap_or_default(),
    };
    if text.trim().is_empty() {
        Raw::Empty
    } else {
        Raw::Text(text)
    }
}

/// `s1.r2.name` → (1, 2, "name").
fn parse_name(name: &str) -> Option<(usize, usize, &str)> {
    let rest = name.strip_prefix('s')?;
    let (s, rest) = rest.split_once(".r")?;
    let (r, key) = rest.split_once('.')?;
    Some((s.parse().ok()?, r.parse().ok()?, key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_bodies_are_read_back() {
        assert_eq!(parse_name("s1.r2.ciso.name"), Some((1, 2, "ciso.name")));
        assert_eq!(parse_name("token"), None);
        assert_eq!(
            fields("s0.r0.name=%E6%9D%B1%E7%9F%B3+%E5%9C%8B%E4%B8%AD&x=&x=2"),
            [
                ("s0.r0.name".to_string(), "東石 國中".to_string()),
                ("x".to_string(), String::new()),
                ("x".to_string(), "2".to_string())
            ]
        );
    }
}
