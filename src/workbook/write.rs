//! Writing the workbook: the sheets as ODS or XLSX bytes, with styled heads and drop-down lists.

use anyhow::{Context, Result, bail};
use rust_xlsxwriter::{Color, DataValidation, Format, Note, Workbook, Worksheet};
use spreadsheet_ods::color::Rgb;
use spreadsheet_ods::condition::Condition;
use spreadsheet_ods::draw::Annotation;
use spreadsheet_ods::style::units::FontSize;
use spreadsheet_ods::text::TextP;
use spreadsheet_ods::validation::{Validation, ValidationError};
use spreadsheet_ods::{CellStyle, CellStyleRef, Length, WorkBook};

use super::{Cell, Head, Sheet};

/// The first row of values, 0-based: rows 1 and 2 hold the titles and the keys.
const FIRST_ROW: usize = 2;
/// Rows under the values that keep the drop-down lists, for entries added by hand.
const ROOM: usize = 500;

const CHOICE_TITLE: &str = "不在選項中";
const CHOICE_MESSAGE: &str = "請從下拉選單中選擇。";

/// The workbook as ODS: a worksheet per sheet, in order. Row 1 holds the titles in bold (＊ on a
/// required one, its hint as a note), row 2 the keys in small grey, and the values follow, a text
/// always a text even when it starts with `=`. A column with choices has a drop-down list down to
/// 500 rows under the values; rows 1–2 and column A stay in view.
pub fn ods(sheets: &[Sheet]) -> Result<Vec<u8>> {
    let mut book = WorkBook::new_empty();
    let mut title = CellStyle::new_empty();
    title.set_font_bold();
    // A CJK title is drawn with the Asian font attributes, so those are set too.
    title.set_font_bold_asian();
    let title = book.add_cellstyle(title);
    let mut key = CellStyle::new_empty();
    key.set_color(Rgb::new(128, 128, 128));
    key.set_font_size(FontSize::Length(Length::Pt(8.0)));
    key.set_font_size_asian(FontSize::Length(Length::Pt(8.0)));
    let key = book.add_cellstyle(key);
    for sheet in sheets {
        let out = ods_sheet(&mut book, sheet, &title, &key).with_context(|| failed(sheet))?;
        book.push_sheet(out);
    }
    spreadsheet_ods::write_ods_buf(&mut book, Vec::new())
        .context("無法產生 ODS 檔 / cannot make the ODS file")
}

fn ods_sheet(
    book: &mut WorkBook,
    sheet: &Sheet,
    title: &CellStyleRef,
    key: &CellStyleRef,
) -> Result<spreadsheet_ods::Sheet> {
    fits(sheet)?;
    let mut out = spreadsheet_ods::Sheet::new(&sheet.name);
    for (c, head) in sheet.columns.iter().enumerate() {
        let c = c as u32;
        out.set_styled_value(0, c, heading(head), title);
        if let Some(hint) = &head.hint {
            let mut note = Annotation::new(hint);
            note.set_display(false);
            out.set_annotation(0, c, note);
        }
        out.set_styled_value(1, c, head.key.as_str(), key);
        out.set_col_width(c, Length::Mm(width(sheet, c as usize) * 2.0));
        if !head.choices.is_empty() {
            let valid = book.add_validation(ods_list(&head.choices));
            for r in FIRST_ROW..=last_row(sheet) {
                out.set_validation(r as u32, c, &valid);
            }
        }
    }
    for (r, row) in sheet.rows.iter().enumerate() {
        let r = (FIRST_ROW + r) as u32;
        for (c, cell) in row.iter().enumerate() {
            match cell {
                Cell::Empty => {}
                Cell::Text(text) => out.set_value(r, c as u32, text.as_str()),
                Cell::Number(n) => out.set_value(r, c as u32, *n),
            }
        }
    }
    // Freezes rows 1–2 and column A.
    out.split_row_header(1);
    out.split_col_header(0);
    Ok(out)
}

/// A column's drop-down list. Each choice is quoted, a `"` in it doubled, so that a comma or a
/// semicolon in a choice stays part of it.
fn ods_list(choices: &[String]) -> Validation {
    let mut valid = Validation::new();
    valid.set_condition(Condition::content_is_in_list(choices));
    let mut error = ValidationError::new();
    error.set_title(Some(CHOICE_TITLE.to_string()));
    // Without a text, spreadsheet-ods writes the message's attributes on the validation itself.
    error.set_text(Some(TextP::new().text(CHOICE_MESSAGE).into_xmltag()));
    valid.set_err(Some(error));
    valid
}

/// The workbook as XLSX, laid out as [`ods`] lays it out.
pub fn xlsx(sheets: &[Sheet]) -> Result<Vec<u8>> {
    let mut book = Workbook::new();
    let title = Format::new().set_bold();
    let key = Format::new().set_font_color(Color::Gray).set_font_size(8);
    for sheet in sheets {
        xlsx_sheet(book.add_worksheet(), sheet, &title, &key).with_context(|| failed(sheet))?;
    }
    book.save_to_buffer()
        .context("無法產生 XLSX 檔 / cannot make the XLSX file")
}

fn xlsx_sheet(out: &mut Worksheet, sheet: &Sheet, title: &Format, key: &Format) -> Result<()> {
    fits(sheet)?;
    out.set_name(&sheet.name)?;
    for (c, head) in sheet.columns.iter().enumerate() {
        let c = c as u16;
        out.write_string_with_format(0, c, heading(head), title)?;
        if let Some(hint) = &head.hint {
            out.insert_note(0, c, &Note::new(hint).add_author_prefix(false))?;
        }
        out.write_string_with_format(1, c, &head.key, key)?;
        out.set_column_width(c, width(sheet, c as usize))?;
        if let Some(list) = xlsx_list(&head.choices)? {
            out.add_data_validation(FIRST_ROW as u32, c, last_row(sheet) as u32, c, &list)?;
        }
    }
    for (r, row) in sheet.rows.iter().enumerate() {
        let r = (FIRST_ROW + r) as u32;
        for (c, cell) in row.iter().enumerate() {
            // A text is a string cell even when it starts with `=`: no formula runs from data.
            match cell {
                Cell::Empty => {}
                Cell::Text(text) => {
                    out.write_string(r, c as u16, text)?;
                }
                Cell::Number(n) => {
                    out.write_number(r, c as u16, *n)?;
                }
            }
        }
    }
    // Freezes rows 1–2 and column A.
    out.set_freeze_panes(FIRST_ROW as u32, 1)?;
    Ok(())
}

/// A column's drop-down list, unless Excel cannot hold it inline: its list is at most 255
/// characters, and a comma always parts two choices, whatever the quoting. Such a column goes
/// without a list rather than with a wrong one; the values are checked when read back anyway.
fn xlsx_list(choices: &[String]) -> Result<Option<DataValidation>> {
    if choices.is_empty() || choices.iter().any(|c| c.contains(',')) {
        return Ok(None);
    }
    let Ok(list) = DataValidation::new().allow_list_strings(choices) else {
        return Ok(None);
    };
    Ok(Some(
        list.set_error_title(CHOICE_TITLE)?
            .set_error_message(CHOICE_MESSAGE)?,
    ))
}

/// Row 1's text: the title, marked with ＊ when the column must be filled in.
fn heading(head: &Head) -> String {
    if head.required {
        format!("＊{}", head.title)
    } else {
        head.title.clone()
    }
}

/// The last row (0-based) under a drop-down list.
fn last_row(sheet: &Sheet) -> usize {
    FIRST_ROW + sheet.rows.len() + ROOM
}

/// A column's width in characters: its longest title, key or text, a CJK character counted
/// twice, within bounds that keep a long value from widening the sheet past use.
fn width(sheet: &Sheet, c: usize) -> f64 {
    let units = |s: &str| {
        s.chars()
            .map(|ch| if ch.is_ascii() { 1 } else { 2 })
            .sum::<usize>()
    };
    let head = sheet.columns.get(c);
    let heads = head.map(|h| [units(&heading(h)), units(&h.key)]);
    let values = sheet.rows.iter().filter_map(|row| match row.get(c) {
        Some(Cell::Text(text)) => Some(units(text)),
        Some(Cell::Number(n)) => Some(n.to_string().len()),
        _ => None,
    });
    let longest = heads.into_iter().flatten().chain(values).max().unwrap_or(0);
    (longest + 2).clamp(8, 40) as f64
}

/// Both formats hold at most 16 384 columns and 1 048 576 rows; checked once, so that the
/// indices below fit their integer types.
fn fits(sheet: &Sheet) -> Result<()> {
    let columns = sheet
        .rows
        .iter()
        .map(Vec::len)
        .chain([sheet.columns.len()])
        .max();
    if columns.unwrap_or(0) > 16_384 || last_row(sheet) >= 1_048_576 {
        bail!("資料超出試算表的列數或欄數上限 / the data exceeds a spreadsheet's rows or columns");
    }
    Ok(())
}

fn failed(sheet: &Sheet) -> String {
    format!(
        "無法寫入工作表「{0}」 / cannot write sheet `{0}`",
        sheet.name
    )
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use calamine::{Data, Reader, open_workbook_auto_from_rs};

    use super::*;

    fn head(title: &str, key: &str, required: bool, choices: &[&str]) -> Head {
        Head {
            title: title.into(),
            key: key.into(),
            required,
            choices: choices.iter().map(|c| c.to_string()).collect(),
            hint: Some(format!("{title}的說明")),
        }
    }

    fn sample() -> Vec<Sheet> {
        let text = |s: &str| Cell::Text(s.into());
        vec![
            Sheet {
                name: "學校".into(),
                columns: vec![
                    head("學校名稱", "name", true, &[]),
                    head("學生數", "students", false, &[]),
                    head("等級", "level", false, &["A 級", "B \"級\"", "C；級"]),
                ],
                rows: vec![
                    vec![text("仁愛國小"), Cell::Number(321.0), text("A 級")],
                    vec![text("=1+1"), Cell::Empty, text("C；級")],
                ],
            },
            Sheet {
                name: "推動小組".into(),
                columns: vec![head("姓名", "name", true, &["王, 小明"])],
                rows: vec![vec![text("王, 小明")]],
            },
        ]
    }

    fn check(bytes: Vec<u8>) {
        let mut book = open_workbook_auto_from_rs(Cursor::new(bytes)).unwrap();
        assert_eq!(book.sheet_names(), ["學校", "推動小組"]);
        let school = book.worksheet_range("學校").unwrap();
        let row = |r: u32| -> Vec<Data> {
            (0..3)
                .map(|c| school.get_value((r, c)).cloned().unwrap_or_default())
                .collect()
        };
        let s = |s: &str| Data::String(s.into());
        assert_eq!(row(0), [s("＊學校名稱"), s("學生數"), s("等級")]);
        assert_eq!(row(1), [s("name"), s("students"), s("level")]);
        assert_eq!(row(2), [s("仁愛國小"), Data::Float(321.0), s("A 級")]);
        assert_eq!(row(3), [s("=1+1"), Data::Empty, s("C；級")]);
        let formulas = book.worksheet_formula("學校").unwrap();
        assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()));
        let team = book.worksheet_range("推動小組").unwrap();
        assert_eq!(team.get_value((0, 0)), Some(&s("＊姓名")));
        assert_eq!(team.get_value((2, 0)), Some(&s("王, 小明")));
    }

    #[test]
    fn ods_round_trips_through_calamine() {
        check(ods(&sample()).unwrap());
    }

    #[test]
    fn xlsx_round_trips_through_calamine() {
        check(xlsx(&sample()).unwrap());
    }

    fn part(bytes: &[u8], name: &str) -> String {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        std::io::read_to_string(zip.by_name(name).unwrap()).unwrap()
    }

    #[test]
    fn choices_become_drop_down_lists() {
        let content = part(&ods(&sample()).unwrap(), "content.xml");
        assert!(content.contains(
            "of:cell-content-is-in-list(&quot;A 級&quot;;&quot;B &quot;&quot;級&quot;&quot;&quot;;\
             &quot;C；級&quot;)"
        ));
        // Rows 3 to 3 + 2 + 500 on 學校, 3 to 3 + 1 + 500 on 推動小組.
        let cells = content.matches("table:content-validation-name=").count();
        assert_eq!(cells, 503 + 502);

        let xlsx = xlsx(&sample()).unwrap();
        let school = part(&xlsx, "xl/worksheets/sheet1.xml");
        assert!(school.contains(r#"sqref="C3:C505"><formula1>"A 級,B ""級"",C；級"</formula1>"#));
        // Excel would part 王, 小明 in two at its comma, so that column goes without a list.
        assert!(!part(&xlsx, "xl/worksheets/sheet2.xml").contains("dataValidation"));
        assert!(
            xlsx_list(&["選項".repeat(100), "其他".repeat(100)])
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn heads_are_frozen_with_their_hints_as_notes() {
        let content = part(&ods(&sample()).unwrap(), "content.xml");
        assert!(content.contains("<text:p>學生數的說明</text:p></office:annotation>"));
        let settings = part(&ods(&sample()).unwrap(), "settings.xml");
        assert!(settings.contains(r#""VerticalSplitPosition" config:type="int">2<"#));

        let xlsx = xlsx(&sample()).unwrap();
        assert!(part(&xlsx, "xl/comments1.xml").contains("學生數的說明"));
        let school = part(&xlsx, "xl/worksheets/sheet1.xml");
        assert!(school.contains(r#"xSplit="1" ySplit="2" topLeftCell="B3""#));
    }
}
