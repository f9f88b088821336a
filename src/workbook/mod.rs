//! The county's school data as a workbook (ODS, the government's format for editable files, or
//! XLSX): a sheet 學校 with a row per school and a column per field, and a sheet per list (推動小組,
//! 資安聯絡人, 核心資通系統 …) with a row per entry, keyed by the school's id. Row 1 heads each
//! column with its Chinese title, row 2 with its key, which is what a column is read back by.

pub mod cell;
pub mod layout;
pub mod read;
pub mod take;
pub mod write;

/// One sheet as written: its name, its columns' heads and its rows of values (from row 3).
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    pub name: String,
    pub columns: Vec<Head>,
    pub rows: Vec<Vec<Cell>>,
}

/// A column's head: its title (row 1), its key (row 2), whether it is mandatory (marked), the
/// values it may take (a drop-down list), and its description (a note on the title).
#[derive(Debug, Clone, PartialEq)]
pub struct Head {
    pub title: String,
    pub key: String,
    pub required: bool,
    pub choices: Vec<String>,
    pub hint: Option<String>,
}

/// A value as written.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
}

/// A sheet as read: every row from row 1, every cell as the file holds it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RawSheet {
    pub name: String,
    pub rows: Vec<Vec<Raw>>,
    /// Merged areas, as (first row, first column, last row, last column), 0-based.
    pub merged: Vec<(usize, usize, usize, usize)>,
}

/// A cell as read.
#[derive(Debug, Clone, PartialEq)]
pub enum Raw {
    Empty,
    Text(String),
    Number(f64),
    Bool(bool),
    /// A date or date-time cell, as its ISO date (`2024-05-01`).
    Date(String),
    /// A cell computed by a formula (its formula's text).
    Formula(String),
    /// A cell holding a spreadsheet error (`#DIV/0!`).
    Error(String),
}

/// A column's letters as a spreadsheet shows them: 0 → A, 25 → Z, 26 → AA.
pub fn column_letters(index: usize) -> String {
    let mut n = index + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        out.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII letters")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_lettered_as_spreadsheets_do() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
    }
}
