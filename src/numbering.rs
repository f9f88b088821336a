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
    fn markers_by_depth() {
        assert_eq!(heading_marker(1, 10), "壹拾、");
        assert_eq!(heading_marker(2, 11), "十一、");
        assert_eq!(heading_marker(3, 2), "(二)");
        assert_eq!(heading_marker(4, 3), "3.");
        assert_eq!(heading_marker(5, 4), "(4)");
    }
}
