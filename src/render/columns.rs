//! How wide each column of a chapter's table is, and which cells must not break, decided once
//! for the HTML and the PDF alike.
//!
//! A chapter may declare the widths of the table that follows, as relative shares:
//! `<!-- planpress:table 2 3 6 2 -->`. Otherwise they come from the text: no column is narrower
//! than its longest short cell (a name, a system, a term such as 最大可容忍中斷時間, a number with
//! its unit), and the width left over goes to the columns with the most text. A short cell is
//! then kept on one line, never broken inside a name (陳 / 素梅).

use pulldown_cmark::{Event, Tag, TagEnd};

use crate::source::plan::table_widths;

/// A cell of at most this many ems is a name or a term: it stays on one line.
const SHORT: usize = 12;
/// Width of the plan's text column in half-ems of table text (15.8 cm at 10.5 pt is 42 ems):
/// what the shares are computed against.
const PAGE: usize = 84;
/// What a cell's padding (5 pt each side) takes of its column, in half-ems, with half an em
/// to spare for rounding.
const PADDING: usize = 3;

/// Widths in half-ems: a Chinese character is two, an ASCII character one; a cell of several
/// lines is as wide as its widest.
fn half_ems(text: &str) -> usize {
    text.lines()
        .map(|line| {
            line.trim()
                .chars()
                .map(|c| if c.is_ascii() { 1 } else { 2 })
                .sum()
        })
        .max()
        .unwrap_or(0)
}

/// The laid-out columns of one table.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Columns {
    /// Each column's relative width.
    pub widths: Vec<usize>,
    /// For each cell in reading order (the header row's first, never kept): whether it stays
    /// on one line.
    pub keep: Vec<bool>,
}

/// The cells of a table as text (a line break as `\n`): its header row, then its body rows.
#[derive(Debug, Default)]
struct TableText {
    head: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl TableText {
    /// The columns: `declared` widths when the chapter gives them (and as many as the table
    /// has columns), else widths from the text.
    fn columns(&self, declared: Option<Vec<usize>>) -> Columns {
        let n = self.head.len();
        let widths = match declared {
            Some(w) if w.len() == n => w,
            _ => self.widths_from_text(),
        };
        // The half-ems each column's text gets on the page, to tell whether a cell fits on one
        // line.
        let total: usize = widths.iter().sum::<usize>().max(1);
        let fits: Vec<usize> = widths
            .iter()
            .map(|w| (w * PAGE / total).saturating_sub(PADDING))
            .collect();
        let head = self.head.iter().map(|_| false);
        let keep = head
            .chain(self.rows.iter().flat_map(|row| {
                row.iter().enumerate().map(|(i, cell)| {
                    let width = half_ems(cell.trim());
                    width > 0 && width <= SHORT * 2 && fits.get(i).is_some_and(|&f| width <= f)
                })
            }))
            .collect();
        Columns { widths, keep }
    }

    /// Widths in half-ems: each column at least its longest short cell (a header may take two
    /// lines) and its padding, the rest of the page shared by how much text each column holds.
    fn widths_from_text(&self) -> Vec<usize> {
        let n = self.head.len();
        let mut least = vec![2usize; n];
        let mut text = vec![0usize; n];
        for (i, cell) in self.head.iter().enumerate() {
            // A header of up to four characters stays on one line; a longer one may take two
            // lines of whole characters.
            let width = half_ems(cell.trim());
            least[i] = least[i].max(if width <= 8 {
                width
            } else {
                width.div_ceil(4) * 2
            });
        }
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate().take(n) {
                let width = half_ems(cell.trim());
                text[i] += width;
                // Running text breaks between any two Chinese characters: only its short lines
                // (系統管理人員：吳俊宏) and Latin words hold it open, and it is never squeezed
                // below four ems.
                let unbroken = if width <= SHORT * 2 {
                    width
                } else {
                    let lines = cell.lines().map(half_ems).filter(|&w| w <= SHORT * 2);
                    lines
                        .chain([longest_word(cell)])
                        .max()
                        .unwrap_or(0)
                        .clamp(8, SHORT * 2)
                };
                least[i] = least[i].max(unbroken);
            }
        }
        let least: Vec<usize> = least.iter().map(|l| l + PADDING).collect();
        let needed: usize = least.iter().sum();
        if needed >= PAGE {
            return least;
        }
        // What is left goes to the columns whose text runs longer than their least width.
        let rows = self.rows.len().max(1);
        let extra: Vec<usize> = (0..n)
            .map(|i| (text[i] / rows).saturating_sub(least[i]) + 1)
            .collect();
        let spare = PAGE - needed;
        let weight: usize = extra.iter().sum();
        (0..n)
            .map(|i| least[i] + spare * extra[i] / weight)
            .collect()
    }
}

/// The widest Latin word of a cell (a line may break between Chinese characters, not inside a
/// word), in half-ems.
fn longest_word(cell: &str) -> usize {
    cell.split(|c: char| !c.is_ascii_alphanumeric() && !".-_@:/".contains(c))
        .map(half_ems)
        .max()
        .unwrap_or(0)
}

/// The columns of each table, in order: widths declared by the block before it
/// (`<!-- planpress:table 2 3 6 -->`) or from the text its cells hold, and which cells are kept
/// on one line.
pub fn of_tables(events: &[Event]) -> Vec<Columns> {
    let mut tables = Vec::new();
    let mut declared = None;
    let mut table: Option<TableText> = None;
    let mut in_head = false;
    for e in events {
        match e {
            Event::Html(html) => {
                if let Some(widths) = table_widths(html) {
                    declared = widths.ok();
                }
            }
            Event::Start(Tag::Table(_)) => table = Some(TableText::default()),
            Event::Start(Tag::TableHead) => in_head = true,
            Event::End(TagEnd::TableHead) => in_head = false,
            Event::Start(Tag::TableRow) => {
                if let Some(t) = table.as_mut() {
                    t.rows.push(Vec::new());
                }
            }
            Event::Start(Tag::TableCell) => match table.as_mut() {
                Some(t) if in_head => t.head.push(String::new()),
                Some(t) => t
                    .rows
                    .last_mut()
                    .into_iter()
                    .for_each(|r| r.push(String::new())),
                None => {}
            },
            Event::Text(_) | Event::Code(_) | Event::InlineHtml(_) | Event::HardBreak => {
                let text = match e {
                    Event::Text(t) | Event::Code(t) => t.as_ref(),
                    Event::InlineHtml(h) if h.trim_start().starts_with("<br") => "\n",
                    Event::HardBreak => "\n",
                    _ => "",
                };
                if let Some(t) = table.as_mut() {
                    let cell = match in_head {
                        true => t.head.last_mut(),
                        false => t.rows.last_mut().and_then(|r| r.last_mut()),
                    };
                    cell.into_iter().for_each(|c| c.push_str(text));
                }
            }
            Event::End(TagEnd::Table) => {
                if let Some(t) = table.take() {
                    tables.push(t.columns(declared.take()));
                }
            }
            // A declaration holds for the table right after it only.
            Event::Start(_) if table.is_none() => declared = None,
            _ => {}
        }
    }
    tables
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(head: &[&str], rows: &[&[&str]]) -> TableText {
        TableText {
            head: head.iter().map(|s| s.to_string()).collect(),
            rows: rows
                .iter()
                .map(|r| r.iter().map(|s| s.to_string()).collect())
                .collect(),
        }
    }

    #[test]
    fn no_column_is_narrower_than_its_names_and_long_text_gets_the_rest() {
        let t = table(
            &[
                "核心業務",
                "核心資通系統",
                "業務失效影響說明",
                "最大可容忍中斷時間",
            ],
            &[
                &[
                    "資訊管理",
                    "校務行政系統",
                    "財務損失：輕微影響，需要進行系統復原；民眾生命財產損失：無；經濟發展受阻：無",
                    "4 工作小時",
                ],
                &[
                    "文書",
                    "員工入口網",
                    "違反法遵義務：違反檔案管理法",
                    "8 小時",
                ],
            ],
        );
        let columns = t.columns(None);
        let w = &columns.widths;
        // 校務行政系統 is 12 half-ems, 4 工作小時 10, each with its padding.
        assert!(w[1] >= 12 + PADDING, "{w:?}");
        assert!(w[3] >= half_ems("4 工作小時") + PADDING, "{w:?}");
        assert!(
            w[2] > w[1] && w[2] > w[3],
            "the long text gets the room: {w:?}"
        );
        let body = &columns.keep[4..];
        assert_eq!(body, [true, true, false, true, true, true, false, true]);
        assert!(columns.keep[..4].iter().all(|k| !k), "headers may wrap");
    }

    #[test]
    fn declared_widths_are_used_when_they_match_the_columns() {
        let t = table(&["甲", "乙"], &[&["陳素梅", "說明"]]);
        assert_eq!(t.columns(Some(vec![1, 3])).widths, [1, 3]);
        assert_ne!(t.columns(Some(vec![1, 3, 5])).widths, [1, 3, 5]);
    }
}
