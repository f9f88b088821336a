//! Taking a workbook's values into the schools' data: each cell read as its column's kind, and
//! each cell that cannot be taken said by sheet, row, column and title, its row left unchanged.
//!
//! A cell that reads as the value the school already has (its text, 是/否, a number as written)
//! leaves that value as it is, so that a workbook exported and imported unchanged changes
//! nothing. A school listed in 學校 has each list the workbook holds replaced by its rows there,
//! each entry kept where the workbook has no column for a key of it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde_json::{Map, Value};

use super::cell::read;
use super::layout::{Column, ID, Layout, SCHOOLS, SheetLayout, lookup};
use super::{Raw, RawSheet, column_letters};
use crate::base::diagnostics::did_you_mean;
use crate::source::is_school_id;
use crate::source::schema::{Seg, dotted, is_empty};

/// A cell, or a row or sheet, that could not be taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellError {
    pub sheet: String,
    /// 1-based, as the spreadsheet shows it.
    pub row: usize,
    /// The column's letters, and its title where it has one.
    pub column: Option<(String, String)>,
    pub message: String,
}

impl fmt::Display for CellError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "工作表「{}」第 {} 列", self.sheet, self.row)?;
        if let Some((letters, title)) = &self.column {
            write!(f, " {letters} 欄")?;
            if !title.is_empty() {
                write!(f, "（{title}）")?;
            }
        }
        write!(f, "：{}", self.message)
    }
}

/// What a workbook gives: each school's values after it (only the schools it changes), the
/// schools it adds, and what could not be taken.
#[derive(Debug, Default)]
pub struct Taken {
    pub values: BTreeMap<String, Value>,
    pub new: BTreeSet<String>,
    pub errors: Vec<CellError>,
}

/// What a cell that cannot be taken leaves out: its whole row (of a list, the school's whole
/// list), as an import does, or itself alone, as the form's check as one types does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leave {
    Row,
    Cell,
}

/// Takes `sheets` into `current` (each school's values, by id). A school the county does not
/// have starts from `blank(id)`.
pub fn take(
    layout: &Layout,
    sheets: &[RawSheet],
    current: &BTreeMap<String, Value>,
    blank: &dyn Fn(&str) -> Value,
    leave: Leave,
) -> Taken {
    let mut taken = Taken::default();
    let mut values: BTreeMap<String, Value> = BTreeMap::new();
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    let mut matched: Vec<(&SheetLayout, &RawSheet)> = Vec::new();
    for raw in sheets {
        match layout
            .sheets
            .iter()
            .find(|s| s.name == raw.name || s.list.as_deref().map(dotted) == Some(raw.name.clone()))
        {
            Some(s) if seen.insert(s.name.as_str()) => matched.push((s, raw)),
            Some(s) => taken.errors.push(sheet_error(
                raw,
                format!("與另一工作表同為「{}」，未採用", s.name),
            )),
            None if raw.rows.iter().all(|r| r.iter().all(|c| *c == Raw::Empty)) => {}
            None => {
                let names: Vec<&str> = layout.sheets.iter().map(|s| s.name.as_str()).collect();
                let hint = did_you_mean(&raw.name, &names)
                    .map(|n| format!("；是否為「{n}」？"))
                    .unwrap_or_default();
                taken.errors.push(sheet_error(
                    raw,
                    format!("不是可匯入之工作表（{}）{hint}", names.join("、")),
                ));
            }
        }
    }
    // 學校 first: it says which schools the workbook is about.
    matched.sort_by_key(|(s, _)| s.list.is_some());
    let mut listed: Option<BTreeSet<String>> = None;
    for (layout, raw) in matched {
        let Some(columns) = columns(layout, raw, &mut taken.errors) else {
            continue;
        };
        match &layout.list {
            None => {
                let ids = schools_sheet(
                    raw,
                    &columns,
                    current,
                    blank,
                    leave,
                    &mut values,
                    &mut taken,
                );
                listed = Some(ids);
            }
            Some(path) => list_sheet(
                raw,
                &columns,
                (path, leave),
                listed.as_ref(),
                current,
                &mut values,
                &mut taken.errors,
            ),
        }
    }
    taken.values = values
        .into_iter()
        .filter(|(id, v)| current.get(id) != Some(v))
        .collect();
    taken
}

fn sheet_error(raw: &RawSheet, message: String) -> CellError {
    CellError {
        sheet: raw.name.clone(),
        row: 1,
        column: None,
        message,
    }
}

/// The sheet's columns by their key in row 2; what is wrong with them said once each. None
/// when the sheet cannot be read at all.
fn columns<'l>(
    layout: &'l SheetLayout,
    raw: &RawSheet,
    errors: &mut Vec<CellError>,
) -> Option<Vec<Option<&'l Column>>> {
    let Some(keys) = raw.rows.get(1) else {
        errors.push(sheet_error(
            raw,
            "缺少第 2 列之欄位代碼（例如 id、name）".into(),
        ));
        return None;
    };
    let known: Vec<&str> = layout.columns.iter().map(|c| c.key.as_str()).collect();
    let mut found: Vec<Option<&Column>> = Vec::new();
    for (i, cell) in keys.iter().enumerate() {
        let key = match cell {
            Raw::Text(t) => t.trim().to_string(),
            Raw::Empty => String::new(),
            other => format!("{other:?}"),
        };
        let column = layout.columns.iter().find(|c| c.key == key);
        let error = |message: String| CellError {
            sheet: raw.name.clone(),
            row: 2,
            column: Some((column_letters(i), String::new())),
            message,
        };
        match column {
            Some(c) if found.iter().flatten().any(|f| f.key == c.key) => {
                errors.push(error(format!("欄位代碼「{key}」重複，此欄未採用")));
                found.push(None);
            }
            Some(c) => found.push(Some(c)),
            None if key.is_empty() => found.push(None),
            None => {
                let hint = did_you_mean(&key, &known)
                    .map(|k| format!("；是否為「{k}」？"))
                    .unwrap_or_default();
                errors.push(error(format!("未知之欄位代碼「{key}」，此欄未採用{hint}")));
                found.push(None);
            }
        }
    }
    if !found.iter().flatten().any(|c| c.key == ID) {
        errors.push(sheet_error(
            raw,
            "缺少學校代碼欄（第 2 列為 id 之欄）：此工作表未採用".into(),
        ));
        return None;
    }
    for &(first_row, first_col, last_row, last_col) in &raw.merged {
        if last_row >= 2 || first_row >= 2 {
            errors.push(CellError {
                sheet: raw.name.clone(),
                row: first_row + 1,
                column: Some((column_letters(first_col), String::new())),
                message: format!(
                    "合併儲存格（至 {}{}）：請取消合併，每格各填一值",
                    column_letters(last_col),
                    last_row + 1
                ),
            });
        }
    }
    Some(found)
}

/// The rows of 學校: each school's fields set. Gives the ids the sheet lists.
fn schools_sheet(
    raw: &RawSheet,
    columns: &[Option<&Column>],
    current: &BTreeMap<String, Value>,
    blank: &dyn Fn(&str) -> Value,
    leave: Leave,
    values: &mut BTreeMap<String, Value>,
    taken: &mut Taken,
) -> BTreeSet<String> {
    let mut listed = BTreeSet::new();
    let mut rows_of: BTreeMap<String, usize> = BTreeMap::new();
    for (r, row) in raw.rows.iter().enumerate().skip(2) {
        if row.iter().all(|c| *c == Raw::Empty) {
            continue;
        }
        let mut errors = Vec::new();
        let id = match row_id(raw, r, row, columns, &mut errors) {
            Some(id) => id,
            None => {
                taken.errors.extend(errors);
                continue;
            }
        };
        if let Some(first) = rows_of.get(&id) {
            taken.errors.push(error_at(
                raw,
                r,
                None,
                format!("學校代碼 {id} 重複（亦見第 {first} 列），此列未採用"),
            ));
            continue;
        }
        rows_of.insert(id.clone(), r + 1);
        listed.insert(id.clone());
        let is_new = !current.contains_key(&id);
        let mut school = current.get(&id).cloned().unwrap_or_else(|| blank(&id));
        for (c, column) in columns.iter().enumerate() {
            let Some(column) = column.filter(|c| c.key != ID) else {
                continue;
            };
            let raw_cell = row.get(c).unwrap_or(&Raw::Empty);
            match read(raw_cell, column, lookup(&school, &column.path)) {
                Ok(Some(value)) => set(&mut school, &column.path, value),
                Ok(None) => {}
                Err(message) => errors.push(error_at(raw, r, Some((c, column)), message)),
            }
        }
        if is_new && lookup(&school, &[Seg::Key("name".into())]).is_none_or(is_empty) {
            errors.push(error_at(
                raw,
                r,
                None,
                format!("新學校 {id} 須填學校全銜（name）"),
            ));
        }
        if errors.is_empty() || leave == Leave::Cell {
            if is_new {
                taken.new.insert(id.clone());
            }
            values.insert(id, school);
        }
        taken.errors.extend(errors);
    }
    listed
}

/// The rows of a list's sheet: each school's list made of its rows, in their order. With 學校
/// read (`listed`), the schools it lists, a school without rows getting an empty list; without,
/// the schools the rows name.
fn list_sheet(
    raw: &RawSheet,
    columns: &[Option<&Column>],
    (path, leave): (&[Seg], Leave),
    listed: Option<&BTreeSet<String>>,
    current: &BTreeMap<String, Value>,
    values: &mut BTreeMap<String, Value>,
    errors: &mut Vec<CellError>,
) {
    let mut rows: BTreeMap<String, Vec<(usize, &Vec<Raw>)>> = BTreeMap::new();
    for (r, row) in raw.rows.iter().enumerate().skip(2) {
        if row.iter().all(|c| *c == Raw::Empty) {
            continue;
        }
        let Some(id) = row_id(raw, r, row, columns, errors) else {
            continue;
        };
        let known = match listed {
            Some(ids) => ids.contains(&id),
            None => current.contains_key(&id),
        };
        if !known {
            let whose = if listed.is_some() {
                format!("不在「{SCHOOLS}」工作表中")
            } else {
                "不是縣市資料庫中之學校".to_string()
            };
            errors.push(error_at(
                raw,
                r,
                None,
                format!("學校代碼 {id} {whose}，此列未採用"),
            ));
            continue;
        }
        rows.entry(id).or_default().push((r, row));
    }
    let about: Vec<String> = match listed {
        Some(ids) => ids.iter().cloned().collect(),
        None => rows.keys().cloned().collect(),
    };
    for id in about {
        if listed.is_none() && !values.contains_key(&id) {
            values.insert(id.clone(), current[&id].clone());
        }
        // A school whose row of 學校 could not be taken keeps its lists as well.
        let Some(school) = values.get_mut(&id) else {
            continue;
        };
        let old: Vec<Value> = lookup(school, path)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let mut items = Vec::new();
        let mut wrong = Vec::new();
        for (i, (r, row)) in rows.get(&id).into_iter().flatten().enumerate() {
            // An entry keeps what the sheet has no column for (a key the schema does not know).
            let mut item = old
                .get(i)
                .filter(|v| v.is_object())
                .cloned()
                .unwrap_or_else(|| Value::Object(Map::new()));
            for (c, column) in columns.iter().enumerate() {
                let Some(column) = column.filter(|c| c.key != ID) else {
                    continue;
                };
                let cell = row.get(c).unwrap_or(&Raw::Empty);
                match read(cell, column, lookup(&item, &column.path)) {
                    Ok(Some(value)) => set(&mut item, &column.path, value),
                    Ok(None) => {}
                    Err(message) => wrong.push(error_at(raw, *r, Some((c, column)), message)),
                }
            }
            items.push(item);
        }
        if leave == Leave::Cell {
            errors.append(&mut wrong);
        }
        if let Some(first) = wrong.first().map(|e| e.row) {
            errors.extend(wrong);
            errors.push(CellError {
                sheet: raw.name.clone(),
                row: first,
                column: None,
                message: format!(
                    "{id} 之「{}」有無法採用之儲存格（如上），整份清單未變更",
                    raw.name
                ),
            });
            continue;
        }
        if old.is_empty() && items.is_empty() {
            continue;
        }
        set(school, path, Value::Array(items));
    }
}

/// A row's school id, checked.
fn row_id(
    raw: &RawSheet,
    r: usize,
    row: &[Raw],
    columns: &[Option<&Column>],
    errors: &mut Vec<CellError>,
) -> Option<String> {
    let at = columns
        .iter()
        .position(|c| c.is_some_and(|c| c.key == ID))?;
    let id = match row.get(at) {
        Some(Raw::Text(t)) => t.trim().to_string(),
        _ => String::new(),
    };
    let column = columns[at].map(|c| (at, c));
    if id.is_empty() {
        errors.push(error_at(raw, r, column, "缺少學校代碼，此列未採用".into()));
        None
    } else if !is_school_id(&id) {
        errors.push(error_at(
            raw,
            r,
            column,
            format!("「{id}」不是學校代碼：應為小寫英文字母、數字及連字號，例如 dongshi-jh"),
        ));
        None
    } else {
        Some(id)
    }
}

fn error_at(
    raw: &RawSheet,
    r: usize,
    column: Option<(usize, &Column)>,
    message: String,
) -> CellError {
    CellError {
        sheet: raw.name.clone(),
        row: r + 1,
        column: column.map(|(c, col)| (column_letters(c), col.title.clone())),
        message,
    }
}

/// Sets `value` at `path`, making the maps on the way.
fn set(target: &mut Value, path: &[Seg], value: Value) {
    let Some((last, ancestors)) = path.split_last() else {
        *target = value;
        return;
    };
    let mut here = target;
    for seg in ancestors {
        let Seg::Key(k) = seg else { return };
        if !here.is_object() {
            *here = Value::Object(Map::new());
        }
        here = here
            .as_object_mut()
            .expect("made a map above")
            .entry(k.clone())
            .or_insert_with(|| Value::Object(Map::new()));
    }
    if let (Seg::Key(k), Some(map)) = (last, here.as_object_mut()) {
        map.insert(k.clone(), value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    use crate::model::Profile;
    use crate::source::schema::Schema;

    const SCHEMA: &str = "
type: object
properties:
  id: { title: 學校識別碼, type: string }
  name: { title: 學校全銜, type: string, maxLength: 20 }
  team:
    title: 推動小組
    type: array
    items:
      type: object
      properties:
        name: { title: 姓名, type: string }
        group: { title: 組別, enum: [召集人, 策略規劃組] }
";

    fn t(s: &str) -> Raw {
        if s.is_empty() {
            Raw::Empty
        } else {
            Raw::Text(s.into())
        }
    }

    fn sheet(name: &str, rows: &[&[&str]]) -> RawSheet {
        RawSheet {
            name: name.into(),
            rows: rows
                .iter()
                .map(|r| r.iter().map(|c| t(c)).collect())
                .collect(),
            merged: Vec::new(),
        }
    }

    #[test]
    fn a_list_is_replaced_by_its_rows_and_an_entry_keeps_what_has_no_column() {
        let schema = Schema::parse(SCHEMA, std::path::Path::new("s.yaml")).unwrap();
        let layout = Layout::new(&schema, Profile::Internal);
        let current = BTreeMap::from([(
            "a-es".to_string(),
            json!({ "id": "a-es", "name": "甲", "team": [
                { "name": "王", "group": "召集人", "note": "不在綱要中" },
                { "name": "李", "group": "策略規劃組" },
            ]}),
        )]);
        let sheets = [
            sheet(
                "學校",
                &[&["代碼", "全銜"], &["id", "name"], &["a-es", "甲"]],
            ),
            sheet(
                "推動小組",
                &[
                    &["代碼", "姓名", "組別"],
                    &["id", "name", "group"],
                    &["a-es", "陳", "召集人"],
                ],
            ),
        ];
        let taken = take(&layout, &sheets, &current, &|_| json!({}), Leave::Row);
        assert!(taken.errors.is_empty(), "{:?}", taken.errors);
        assert_eq!(
            taken.values["a-es"]["team"],
            json!([{ "name": "陳", "group": "召集人", "note": "不在綱要中" }])
        );
        // Unchanged: no school given back.
        let same = [sheet("學校", &[&["代碼"], &["id"], &["a-es"]])];
        assert!(
            take(&layout, &same, &current, &|_| json!({}), Leave::Row)
                .values
                .is_empty()
        );
    }

    #[test]
    fn errors_name_their_cell() {
        let e = CellError {
            sheet: "學校".into(),
            row: 5,
            column: Some(("C".into(), "學校簡稱".into())),
            message: "長 120 字，超過 100 字之上限".into(),
        };
        assert_eq!(
            e.to_string(),
            "工作表「學校」第 5 列 C 欄（學校簡稱）：長 120 字，超過 100 字之上限"
        );
    }
}
