//! Reading a workbook back: each sheet of an ODS, XLSX, XLS or CSV file, cell by cell as held.

use std::fs::File;
use std::io::{Cursor, Read};
use std::path::Path;

use anyhow::{Context, Result, bail};
use calamine::{Data, Dimensions, Reader, SheetType, Sheets, open_workbook_from_rs};

use super::{Raw, RawSheet, column_letters};

/// Bounds far above a county's data, so that a hostile or mistaken file fails fast.
const MAX_BYTES: u64 = 20 * 1024 * 1024;
const MAX_ROWS: usize = 20_000;
const MAX_COLUMNS: usize = 500;

type Book = Sheets<Cursor<Vec<u8>>>;

/// Every sheet of `file`, read by its extension: `.ods`, `.xlsx`, `.xlsm`, `.xls` or `.csv`. A
/// file over 20 MiB, or a sheet with data beyond 20 000 rows or 500 columns, is refused.
pub fn read(file: &Path) -> Result<Vec<RawSheet>> {
    let shown = file.display();
    let extension = file
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if !matches!(extension.as_str(), "ods" | "xlsx" | "xlsm" | "xls" | "csv") {
        bail!(
            "無法讀取 {shown}：僅支援 .ods、.xlsx、.xlsm、.xls、.csv / cannot read {shown}: only \
             .ods, .xlsx, .xlsm, .xls and .csv are read"
        );
    }
    let mut bytes = Vec::new();
    File::open(file)
        .and_then(|f| f.take(MAX_BYTES + 1).read_to_end(&mut bytes))
        .with_context(|| format!("無法讀取 {shown} / cannot read {shown}"))?;
    if bytes.len() as u64 > MAX_BYTES {
        bail!("{shown} 超過 20 MiB，不予讀取 / {shown} is over 20 MiB and is not read");
    }
    let sheets = match extension.as_str() {
        "csv" => csv(file, &bytes).map(|sheet| vec![sheet]),
        _ => open(&extension, bytes).and_then(|mut book| sheets(&mut book)),
    };
    sheets.with_context(|| format!("無法讀取 {shown} / cannot read {shown}"))
}

fn open(extension: &str, bytes: Vec<u8>) -> Result<Book> {
    let bytes = Cursor::new(bytes);
    let book = match extension {
        "ods" => open_workbook_from_rs(bytes)
            .map(Sheets::Ods)
            .map_err(calamine::Error::from),
        "xls" => open_workbook_from_rs(bytes)
            .map(Sheets::Xls)
            .map_err(calamine::Error::from),
        _ => open_workbook_from_rs(bytes)
            .map(Sheets::Xlsx)
            .map_err(calamine::Error::from),
    };
    let kind = extension.to_ascii_uppercase();
    book.with_context(|| {
        format!("檔案損毀，或不是 {kind} 活頁簿 / the file is damaged or is not an {kind} workbook")
    })
}

/// The worksheets, in order (an XLSX's chart sheets hold no cells and are left out).
fn sheets(book: &mut Book) -> Result<Vec<RawSheet>> {
    let names: Vec<String> = book
        .sheets_metadata()
        .iter()
        .filter(|sheet| sheet.typ == SheetType::WorkSheet)
        .map(|sheet| sheet.name.clone())
        .collect();
    names.iter().map(|name| sheet(book, name)).collect()
}

/// A sheet's cells, each at its place from A1, and its merged areas.
fn sheet(book: &mut Book, name: &str) -> Result<RawSheet> {
    let mut sheet = RawSheet {
        name: name.to_string(),
        ..RawSheet::default()
    };
    let merged = match book {
        // Streamed and checked cell by cell: a range spans from its first cell to its last, so
        // a single cell at XFD1048576 would have it allocate billions.
        Sheets::Xlsx(xlsx) => {
            let mut cells = xlsx.worksheet_cells_reader(name)?;
            while let Some(cell) = cells.next_cell_with_formula()? {
                let raw = match cell.formula.filter(|f| !f.is_empty()) {
                    Some(formula) => Raw::Formula(formula),
                    None => raw(cell.value.into()),
                };
                put(&mut sheet, cell.pos, raw)?;
            }
            drop(cells);
            xlsx.merge_cells_by_sheet_name(name)?
        }
        _ => {
            let values = book.worksheet_range(name)?;
            let formulas = book.worksheet_formula(name)?;
            // A formula's cell may hold no value yet, so formulas are placed after the values.
            for (row, col, value) in values.used_cells() {
                put(&mut sheet, absolute(&values, row, col), raw(value.clone()))?;
            }
            for (row, col, formula) in formulas.used_cells().filter(|(_, _, f)| !f.is_empty()) {
                let at = absolute(&formulas, row, col);
                put(&mut sheet, at, Raw::Formula(formula.clone()))?;
            }
            match book {
                Sheets::Xls(xls) => xls.merge_cells_by_sheet_name(name)?,
                // calamine does not read an ODS file's merged cells.
                _ => Vec::new(),
            }
        }
    };
    sheet.merged = merged.iter().map(area).collect();
    Ok(sheet)
}

/// A range's cell position as counted from A1: a range starts at its first used cell.
fn absolute<T>(range: &calamine::Range<T>, row: usize, col: usize) -> (u32, u32)
where
    T: calamine::CellType,
{
    let (top, left) = range.start().unwrap_or_default();
    (top + row as u32, left + col as u32)
}

fn area(merged: &Dimensions) -> (usize, usize, usize, usize) {
    let (top, left) = merged.start;
    let (bottom, right) = merged.end;
    (top as usize, left as usize, bottom as usize, right as usize)
}

/// Puts a cell at `(row, col)`, 0-based from A1, padding with empty cells up to it.
fn put(sheet: &mut RawSheet, (row, col): (u32, u32), raw: Raw) -> Result<()> {
    if raw == Raw::Empty {
        return Ok(());
    }
    let (row, col) = (row as usize, col as usize);
    if row >= MAX_ROWS || col >= MAX_COLUMNS {
        bail!(
            "工作表「{0}」在 {1}{2} 有資料，超出 {MAX_ROWS} 列、{MAX_COLUMNS} 欄的上限 / sheet \
             `{0}` has data at {1}{2}, beyond the bounds of {MAX_ROWS} rows and {MAX_COLUMNS} \
             columns",
            sheet.name,
            column_letters(col),
            row + 1
        );
    }
    if sheet.rows.len() <= row {
        sheet.rows.resize(row + 1, Vec::new());
    }
    let cells = &mut sheet.rows[row];
    if cells.len() <= col {
        cells.resize(col + 1, Raw::Empty);
    }
    cells[col] = raw;
    Ok(())
}

fn raw(value: Data) -> Raw {
    match value {
        Data::Empty => Raw::Empty,
        Data::String(text) | Data::DurationIso(text) => Raw::Text(text),
        Data::Float(n) => Raw::Number(n),
        Data::Int(n) => Raw::Number(n as f64),
        Data::Bool(b) => Raw::Bool(b),
        // A duration formatted as `[h]:mm` is a count of days, no date.
        Data::DateTime(at) if at.is_duration() => Raw::Number(at.as_f64()),
        Data::DateTime(at) => {
            let (year, month, day, ..) = at.to_ymd_hms_milli();
            Raw::Date(format!("{year:04}-{month:02}-{day:02}"))
        }
        Data::DateTimeIso(at) => Raw::Date(match at.split_once('T') {
            Some((date, _)) => date.to_string(),
            None => at,
        }),
        Data::Error(error) => Raw::Error(error.to_string()),
    }
}

/// A CSV file as one sheet named by the file's stem.
fn csv(file: &Path, bytes: &[u8]) -> Result<RawSheet> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let Ok(text) = std::str::from_utf8(bytes) else {
        bail!("不是 UTF-8 編碼：請另存為「CSV UTF-8」 / not UTF-8: save it as CSV UTF-8");
    };
    let mut sheet = RawSheet {
        name: file
            .file_stem()
            .map(|stem| stem.to_string_lossy().into_owned())
            .unwrap_or_default(),
        ..RawSheet::default()
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    for (row, record) in reader.records().enumerate() {
        let record = record?;
        for (col, field) in record.iter().enumerate() {
            // Exports prefix `'` to a text that a spreadsheet would otherwise run as a formula.
            let unquoted = match field.strip_prefix('\'') {
                Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest,
                _ => field,
            };
            let raw = match unquoted {
                "" => Raw::Empty,
                text => Raw::Text(text.to_string()),
            };
            let at = (u32::try_from(row)?, u32::try_from(col)?);
            put(&mut sheet, at, raw)?;
        }
    }
    Ok(sheet)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};
    use tempfile::TempDir;

    use super::*;
    use crate::workbook::{Cell, Head, Sheet, write};

    fn save(dir: &TempDir, name: &str, bytes: &[u8]) -> PathBuf {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    fn text(s: &str) -> Raw {
        Raw::Text(s.into())
    }

    fn sample() -> Vec<Sheet> {
        let head = |title: &str, key: &str| Head {
            title: title.into(),
            key: key.into(),
            required: false,
            choices: vec!["是".into(), "否".into()],
            hint: None,
        };
        vec![Sheet {
            name: "學校".into(),
            columns: vec![head("學校名稱", "name"), head("學生數", "students")],
            rows: vec![
                vec![Cell::Text("=1+1".into()), Cell::Number(321.0)],
                vec![Cell::Empty, Cell::Number(0.5)],
            ],
        }]
    }

    #[test]
    fn written_workbooks_read_back() {
        let dir = TempDir::new().unwrap();
        for (name, bytes) in [
            ("county.ods", write::ods(&sample()).unwrap()),
            ("county.XLSX", write::xlsx(&sample()).unwrap()),
        ] {
            let sheets = read(&save(&dir, name, &bytes)).unwrap();
            assert_eq!(sheets.len(), 1, "{name}");
            assert_eq!(sheets[0].name, "學校");
            assert_eq!(
                sheets[0].rows,
                [
                    vec![text("學校名稱"), text("學生數")],
                    vec![text("name"), text("students")],
                    vec![text("=1+1"), Raw::Number(321.0)],
                    vec![Raw::Empty, Raw::Number(0.5)],
                ],
                "{name}"
            );
        }
    }

    #[test]
    fn xlsx_cells_are_read_as_held() {
        let mut book = Workbook::new();
        let out = book.add_worksheet();
        out.write_string(2, 1, "在 B3").unwrap();
        out.write_formula(3, 0, Formula::new("=1+1").set_result("2"))
            .unwrap();
        let date = Format::new().set_num_format("yyyy-mm-dd");
        let may = ExcelDateTime::from_ymd(2024, 5, 1).unwrap();
        out.write_datetime_with_format(4, 0, may, &date).unwrap();
        let noon = ExcelDateTime::parse_from_str("2024-05-01T12:30:00").unwrap();
        out.write_datetime_with_format(4, 1, noon, &date).unwrap();
        out.write_boolean(5, 0, true).unwrap();
        out.merge_range(6, 0, 7, 2, "合併", &Format::new()).unwrap();
        let dir = TempDir::new().unwrap();
        let path = save(&dir, "cells.xlsx", &book.save_to_buffer().unwrap());

        let sheet = &read(&path).unwrap()[0];
        assert!(sheet.rows[0].is_empty() && sheet.rows[1].is_empty());
        assert_eq!(sheet.rows[2], [Raw::Empty, text("在 B3")]);
        assert_eq!(sheet.rows[3], [Raw::Formula("1+1".into())]);
        assert_eq!(
            sheet.rows[4],
            [
                Raw::Date("2024-05-01".into()),
                Raw::Date("2024-05-01".into())
            ]
        );
        assert_eq!(sheet.rows[5], [Raw::Bool(true)]);
        assert_eq!(sheet.rows[6][0], text("合併"));
        assert_eq!(sheet.merged, [(6, 0, 7, 2)]);
    }

    #[test]
    fn ods_formulas_are_read_as_formulas() {
        let mut book = spreadsheet_ods::WorkBook::new_empty();
        let mut out = spreadsheet_ods::Sheet::new("計算");
        out.set_value(0, 0, 1.0);
        out.set_formula(0, 1, "of:=[.A1]+1");
        book.push_sheet(out);
        let bytes = spreadsheet_ods::write_ods_buf(&mut book, Vec::new()).unwrap();
        let dir = TempDir::new().unwrap();

        let sheet = &read(&save(&dir, "calc.ods", &bytes)).unwrap()[0];
        assert_eq!(
            sheet.rows,
            [[Raw::Number(1.0), Raw::Formula("of:=[.A1]+1".into())]]
        );
    }

    #[test]
    fn csv_is_one_sheet_without_bom_or_formula_quotes() {
        let dir = TempDir::new().unwrap();
        let csv = "\u{FEFF}名稱,備註\n'=1+1,'一般\n\"王, 小明\",\n'-5,'@x\n";
        let sheets = read(&save(&dir, "推動小組.CSV", csv.as_bytes())).unwrap();
        assert_eq!(sheets.len(), 1);
        assert_eq!(sheets[0].name, "推動小組");
        assert_eq!(
            sheets[0].rows,
            [
                vec![text("名稱"), text("備註")],
                vec![text("=1+1"), text("'一般")],
                vec![text("王, 小明")],
                vec![text("-5"), text("@x")],
            ]
        );
    }

    #[test]
    fn csv_in_another_encoding_is_refused() {
        let dir = TempDir::new().unwrap();
        // 「學校」 in Big5, as Excel saves a CSV on a Taiwanese Windows.
        let error = read(&save(&dir, "big5.csv", b"\xbe\xc7\xae\xd5\n")).unwrap_err();
        assert!(format!("{error:#}").contains("UTF-8"), "{error:#}");
    }

    #[test]
    fn a_file_that_is_no_workbook_is_an_error() {
        let dir = TempDir::new().unwrap();
        for name in ["random.xlsx", "random.ods", "random.xls"] {
            let path = save(
                &dir,
                name,
                &[0x9c, 0x00, 0xff, 0x13, 0x37, 0x42, 0x50, 0x4b],
            );
            let error = format!("{:#}", read(&path).unwrap_err());
            assert!(error.contains(name) && error.contains("損毀"), "{error}");
        }
        // A zip whose parts are not a workbook.
        let path = save(
            &dir,
            "empty.xlsx",
            b"PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0",
        );
        assert!(read(&path).is_err());
    }

    #[test]
    fn an_unknown_extension_is_an_error() {
        let dir = TempDir::new().unwrap();
        let error = read(&save(&dir, "county.numbers", b""))
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("county.numbers") && error.contains(".ods"),
            "{error}"
        );
        assert!(read(&save(&dir, "county", b"")).is_err());
    }

    #[test]
    fn a_file_over_the_size_bound_is_refused_unparsed() {
        let dir = TempDir::new().unwrap();
        let path = dir.path().join("big.xlsx");
        File::create(&path).unwrap().set_len(MAX_BYTES + 1).unwrap();
        let error = read(&path).unwrap_err().to_string();
        assert!(
            error.contains("big.xlsx") && error.contains("20 MiB"),
            "{error}"
        );
    }

    #[test]
    fn a_sheet_beyond_the_bounds_is_refused() {
        let dir = TempDir::new().unwrap();
        for (row, col, cell) in [
            (20_000, 0, "A20001"),
            (0, 500, "SG1"),
            (1_048_575, 16_383, "XFD1048576"),
        ] {
            let mut book = Workbook::new();
            book.add_worksheet()
                .set_name("遠")
                .unwrap()
                .write_number(row, col, 1)
                .unwrap();
            let path = save(&dir, "far.xlsx", &book.save_to_buffer().unwrap());
            let error = format!("{:#}", read(&path).unwrap_err());
            assert!(error.contains("「遠」") && error.contains(cell), "{error}");
        }
        let mut book = spreadsheet_ods::WorkBook::new_empty();
        let mut out = spreadsheet_ods::Sheet::new("遠");
        out.set_value(20_000, 0, "x");
        book.push_sheet(out);
        let bytes = spreadsheet_ods::write_ods_buf(&mut book, Vec::new()).unwrap();
        assert!(read(&save(&dir, "far.ods", &bytes)).is_err());
        let csv = "x\n".repeat(MAX_ROWS) + "last\n";
        assert!(read(&save(&dir, "long.csv", csv.as_bytes())).is_err());
    }
}
