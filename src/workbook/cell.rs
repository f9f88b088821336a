//! A cell's value read as its column's kind: text, a date, a number, 是 or 否, a choice.

use serde_json::Value;

use super::Raw;
use super::layout::{Column, JOIN, Kind, text_of};
use crate::source::schema::is_empty;

/// A cell's value for `column`: `None` to keep `old` (the cell says what it already is), or
/// the new value; what it cannot be, said.
pub fn read(raw: &Raw, column: &Column, old: Option<&Value>) -> Result<Option<Value>, String> {
    let text = match raw {
        Raw::Formula(f) => return Err(format!("為公式（{f}），不予採用：請填入值本身")),
        Raw::Error(e) => return Err(format!("為錯誤值 {e}")),
        Raw::Empty => {
            return Ok(match old {
                Some(v) if !is_empty(v) => Some(match column.kind {
                    Kind::Choices(_) | Kind::Texts => Value::Array(Vec::new()),
                    _ => Value::Null,
                }),
                _ => None,
            });
        }
        Raw::Text(t) => t.clone(),
        Raw::Number(n) => number_text(*n),
        Raw::Bool(b) => text_of(&Value::Bool(*b)),
        Raw::Date(d) => d.clone(),
    };
    if old.is_some_and(|v| text_of(v) == text) {
        return Ok(None);
    }
    let value = match &column.kind {
        Kind::Text => Value::String(text),
        Kind::Date => match raw {
            // A date typed as a number: the spreadsheet's count of days.
            Raw::Number(n) => {
                Value::String(serial_date(*n).ok_or_else(|| format!("「{text}」不是日期"))?)
            }
            _ => Value::String(text),
        },
        Kind::Integer => {
            let digits: String = text.trim().chars().map(half_width).collect();
            let n: i64 = digits
                .parse()
                .map_err(|_| format!("「{text}」不是整數：請填數字，例如 3"))?;
            if let (Some(min), _) = column.range
                && n < min
            {
                return Err(format!("應至少為 {min}，目前為 {n}"));
            }
            if let (_, Some(max)) = column.range
                && n > max
            {
                return Err(format!("應至多為 {max}，目前為 {n}"));
            }
            Value::from(n)
        }
        Kind::Boolean => match text.trim() {
            "是" | "TRUE" | "true" | "True" | "Y" | "y" | "V" | "v" => Value::Bool(true),
            "否" | "FALSE" | "false" | "False" | "N" | "n" => Value::Bool(false),
            _ => return Err(format!("「{text}」應為「是」或「否」")),
        },
        Kind::Choice(choices) => {
            let t = text.trim();
            if !choices.iter().any(|c| c == t) {
                return Err(format!("「{t}」不是可選之值（{}）", choices.join("、")));
            }
            Value::String(t.to_string())
        }
        Kind::Choices(choices) => {
            let parts = split(&text);
            if let Some(wrong) = parts.iter().find(|p| !choices.contains(p)) {
                return Err(format!("「{wrong}」不是可選之值（{}）", choices.join("、")));
            }
            Value::Array(parts.into_iter().map(Value::String).collect())
        }
        Kind::Texts => Value::Array(split(&text).into_iter().map(Value::String).collect()),
    };
    if let (Some(max), Value::String(s)) = (column.max_chars, &value) {
        let chars = s.chars().count();
        if chars > max {
            return Err(format!("長 {chars} 字，超過 {max} 字之上限"));
        }
    }
    Ok(Some(value))
}

/// A number as it is written: 3, not 3.0.
fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

/// Full-width digits (１２) read as their ASCII ones.
fn half_width(c: char) -> char {
    match c {
        '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
        '－' => '-',
        _ => c,
    }
}

fn split(text: &str) -> Vec<String> {
    text.split(|c| {
        [
            JOIN.chars().next().unwrap_or('、'),
            ',',
            '，',
            ';',
            '；',
            '\n',
        ]
        .contains(&c)
    })
    .map(str::trim)
    .filter(|p| !p.is_empty())
    .map(str::to_string)
    .collect()
}

/// A spreadsheet's day count (1 = 1900-01-01 in its 1900 system, whose day 0 is 1899-12-30)
/// as an ISO date; days before 1900-03-01 are not dates a plan has.
fn serial_date(n: f64) -> Option<String> {
    if n.fract() != 0.0 || !(61.0..=2_958_465.0).contains(&n) {
        return None;
    }
    // Days from 1970-01-01, then the civil date (Howard Hinnant's algorithm).
    let z = n as i64 - 25_569 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    Some(format!("{year:04}-{month:02}-{day:02}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::schema::Seg;
    use serde_json::json;

    fn column(kind: Kind) -> Column {
        Column {
            key: "x".into(),
            path: vec![Seg::Key("x".into())],
            title: "欄".into(),
            kind,
            required: false,
            recommended: false,
            sensitive: false,
            hint: None,
            max_chars: Some(5),
            range: (Some(0), None),
            patterns: Vec::new(),
            email: false,
        }
    }

    #[test]
    fn a_cell_that_says_what_the_school_has_changes_nothing() {
        let text = column(Kind::Text);
        assert_eq!(
            read(&Raw::Number(101.0), &text, Some(&json!(101))),
            Ok(None)
        );
        assert_eq!(
            read(&Raw::Text("101".into()), &text, Some(&json!("101"))),
            Ok(None)
        );
        assert_eq!(read(&Raw::Empty, &text, None), Ok(None));
        assert_eq!(read(&Raw::Empty, &text, Some(&json!(""))), Ok(None));
        assert_eq!(
            read(&Raw::Empty, &text, Some(&json!("甲"))),
            Ok(Some(Value::Null))
        );
        let yes = column(Kind::Boolean);
        assert_eq!(
            read(&Raw::Text("否".into()), &yes, Some(&json!(false))),
            Ok(None)
        );
        assert_eq!(
            read(&Raw::Bool(true), &yes, Some(&json!(false))),
            Ok(Some(json!(true)))
        );
    }

    #[test]
    fn cells_are_read_as_their_column_is() {
        let number = column(Kind::Integer);
        assert_eq!(
            read(&Raw::Text("１２".into()), &number, None),
            Ok(Some(json!(12)))
        );
        assert!(
            read(&Raw::Text("十二".into()), &number, None)
                .unwrap_err()
                .contains("不是整數")
        );
        assert!(
            read(&Raw::Number(-1.0), &number, None)
                .unwrap_err()
                .contains("應至少為 0")
        );
        let text = column(Kind::Text);
        assert_eq!(read(&Raw::Number(3.0), &text, None), Ok(Some(json!("3"))));
        assert!(
            read(&Raw::Text("六個中文字啊".into()), &text, None)
                .unwrap_err()
                .contains("超過 5 字")
        );
        assert!(
            read(&Raw::Formula("=1+1".into()), &text, None)
                .unwrap_err()
                .contains("公式")
        );
        let date = Column {
            max_chars: None,
            ..column(Kind::Date)
        };
        assert_eq!(
            read(&Raw::Number(45_413.0), &date, None),
            Ok(Some(json!("2024-05-01")))
        );
        assert_eq!(
            read(&Raw::Date("2024-05-01".into()), &date, None),
            Ok(Some(json!("2024-05-01")))
        );
        let many = column(Kind::Choices(vec!["cii".into(), "statutory".into()]));
        assert_eq!(
            read(&Raw::Text("cii、statutory".into()), &many, None),
            Ok(Some(json!(["cii", "statutory"])))
        );
        assert!(read(&Raw::Text("cii，x".into()), &many, None).is_err());
    }
}
