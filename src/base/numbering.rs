//! The official numbering of Taiwanese government documents: 壹、 一、 (一) 1. (1).
//!
//! Authors never type these; the theme asks for the marker of a heading by its depth.

const FORMAL: [&str; 10] = ["", "壹", "貳", "參", "肆", "伍", "陸", "柒", "捌", "玖"];
const PLAIN: [&str; 10] = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"];

/// Chinese numeral for 1..=99 in the given digit set: 10 → 拾/十, 11 → 壹拾壹 / 十一.
///
/// Formal numerals keep the leading 壹 before 拾 (壹拾柒, as in the plans); plain ones drop it
/// (十一, the usual section numbering).
fn chinese(n: usize, digits: &[&str; 10], ten: &str, leading_one: bool) -> String {
    match n {
        0 => "〇".to_string(),
        1..=9 => digits[n].to_string(),
        10..=99 => {
            let (tens, ones) = (n / 10, n % 10);
            let mut s = String::new();
            if tens > 1 || leading_one {
                s.push_str(digits[tens]);
            }
            s.push_str(ten);
            s.push_str(digits[ones]);
            s
        }
        _ => n.to_string(),
    }
}

/// 壹, 貳 … 壹拾柒: chapters.
pub fn formal(n: usize) -> String {
    chinese(n, &FORMAL, "拾", true)
}

/// 一, 二 … 十一: sections.
pub fn plain(n: usize) -> String {
    chinese(n, &PLAIN, "十", false)
}

/// How a county writes the hours and counts in its text (`numbers:` in county.yaml): `3` set off
/// by spaces, as Chinese text sets Arabic digits (至少接受 3 小時), or `三` run into the words
/// (至少接受三小時).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NumberStyle {
    #[default]
    Arabic,
    Han,
}

impl NumberStyle {
    /// `n` as it stands between two words: ` 3 ` or `三`. Numbers past 99 stay in digits.
    pub fn inline(self, n: u32) -> String {
        match self {
            NumberStyle::Han if n < 100 => plain(n as usize),
            _ => format!(" {n} "),
        }
    }
}

/// How an ordered list is numbered. A chapter declares it with `<!-- planpress:list 一、 -->`
/// on the line before the list; an undeclared list is numbered by its depth (1. → (1) → A.).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListNumbering {
    /// 一、 二、
    Han,
    /// (一) (二)
    HanParen,
    /// 1. 2.
    Decimal,
    /// (1) (2)
    DecimalParen,
    /// A. B.
    Upper,
}

/// What a chapter writes to declare a list's numbering.
pub const LIST_DECLARATION: &str = "<!-- planpress:list ";

impl ListNumbering {
    /// The numbering a chapter declares, as it writes it (full-width parentheses too).
    pub fn declared(marker: &str) -> Option<ListNumbering> {
        Some(match marker.trim() {
            "一、" => ListNumbering::Han,
            "(一)" | "（一）" => ListNumbering::HanParen,
            "1." => ListNumbering::Decimal,
            "(1)" | "（1）" => ListNumbering::DecimalParen,
            "A." => ListNumbering::Upper,
            _ => return None,
        })
    }

    /// The marker a declaration names, when `html` is one: `Some(Err(marker))` for a marker
    /// planpress does not know.
    pub fn declaration(html: &str) -> Option<Result<ListNumbering, String>> {
        let marker = html
            .trim()
            .strip_prefix(LIST_DECLARATION)?
            .strip_suffix("-->")?;
        Some(ListNumbering::declared(marker).ok_or_else(|| marker.trim().to_string()))
    }

    /// An undeclared list's numbering among the ordered lists it is nested in (0: outermost).
    pub fn by_depth(depth: usize) -> ListNumbering {
        [
            ListNumbering::Decimal,
            ListNumbering::DecimalParen,
            ListNumbering::Upper,
        ][depth.min(2)]
    }

    /// Typst's numbering pattern (its 一 counts as Chinese numerals do up to 9999).
    pub fn typst_pattern(self) -> &'static str {
        match self {
            ListNumbering::Han => "一、",
            ListNumbering::HanParen => "(一)",
            ListNumbering::Decimal => "1.",
            ListNumbering::DecimalParen => "(1)",
            ListNumbering::Upper => "A.",
        }
    }

    /// The class of the list on a page; the theme's stylesheet numbers each.
    pub fn class(self) -> &'static str {
        match self {
            ListNumbering::Han => "num-han",
            ListNumbering::HanParen => "num-han-paren",
            ListNumbering::Decimal => "num-decimal",
            ListNumbering::DecimalParen => "num-decimal-paren",
            ListNumbering::Upper => "num-upper",
        }
    }
}

/// The marker printed before a heading of Markdown level `level` (1 = chapter) numbered `n`.
pub fn heading_marker(level: usize, n: usize) -> String {
    match level {
        1 => format!("{}、", formal(n)),
        2 => format!("{}、", plain(n)),
        3 => format!("({})", plain(n)),
        4 => format!("{n}."),
        _ => format!("({n})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chapters_use_formal_numerals() {
        let all: Vec<String> = (1..=17).map(formal).collect();
        assert_eq!(all[0], "壹");
        assert_eq!(all[8], "玖");
        assert_eq!(all[9], "壹拾");
        assert_eq!(all[10], "壹拾壹");
        assert_eq!(all[16], "壹拾柒");
        assert_eq!(formal(20), "貳拾");
    }

    #[test]
    fn lists_declare_their_numbering() {
        assert_eq!(
            ListNumbering::declaration("<!-- planpress:list 一、 -->\n"),
            Some(Ok(ListNumbering::Han))
        );
        assert_eq!(
            ListNumbering::declaration("<!-- planpress:list （一） -->"),
            Some(Ok(ListNumbering::HanParen))
        );
        assert_eq!(
            ListNumbering::declaration("<!-- planpress:list 甲、 -->"),
            Some(Err("甲、".into()))
        );
        assert_eq!(ListNumbering::declaration("<!-- other -->"), None);
        assert_eq!(ListNumbering::by_depth(5), ListNumbering::Upper);
    }

    #[test]
    fn markers_by_depth() {
        assert_eq!(heading_marker(1, 10), "壹拾、");
        assert_eq!(heading_marker(2, 11), "十一、");
        assert_eq!(heading_marker(3, 2), "(二)");
        assert_eq!(heading_marker(4, 3), "3.");
        assert_eq!(heading_marker(5, 4), "(4)");
    }
}
