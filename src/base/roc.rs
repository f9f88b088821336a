//! Dates of the Republic of China calendar (民國紀年): year 1 is 1912.

use std::collections::HashMap;

use tera::{Result as TeraResult, Value};

/// A calendar date read from ISO `YYYY-MM-DD` (as YAML files carry them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    pub fn parse_iso(s: &str) -> Option<Date> {
        let mut parts = s.trim().splitn(3, '-');
        let year: i32 = parts.next()?.parse().ok()?;
        let month: u32 = parts.next()?.parse().ok()?;
        let day: u32 = parts.next()?.parse().ok()?;
        let days_in_month = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
            2 => 28,
            _ => return None,
        };
        (year > 1911 && (1..=days_in_month).contains(&day)).then_some(Date { year, month, day })
    }

    /// The build's day (UTC): `SOURCE_DATE_EPOCH` when set, as reproducible builds ask, else
    /// the clock.
    pub fn today() -> Date {
        let secs = std::env::var("SOURCE_DATE_EPOCH")
            .ok()
            .and_then(|s| s.trim().parse::<i64>().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs() as i64)
            });
        Date::from_unix(secs)
    }

    /// The day (UTC) of a time in seconds since 1970.
    pub fn from_unix(secs: i64) -> Date {
        Date::from_days(secs.div_euclid(86_400))
    }

    /// `YYYY-MM-DD`.
    pub fn iso(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    /// The date `days` after 1970-01-01 (Howard Hinnant's civil-from-days).
    fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    pub fn roc_year(&self) -> i32 {
        self.year - 1911
    }

    /// 中華民國 113 年 5 月 1 日
    pub fn long(&self) -> String {
        format!(
            "中華民國 {} 年 {} 月 {} 日",
            self.roc_year(),
            self.month,
            self.day
        )
    }

    /// An ISO date (`2024-05-01`) as `long` writes it; text that is not one, as it is.
    pub fn long_from_iso(iso: &str) -> String {
        Date::parse_iso(iso).map_or_else(|| iso.to_string(), |d| d.long())
    }

    /// 113.5.1
    pub fn short(&self) -> String {
        format!("{}.{}.{}", self.roc_year(), self.month, self.day)
    }
}

/// Tera filter `roc_date`: `{{ d | roc_date }}`, `{{ d | roc_date(short=true) }}`.
/// A value that is not an ISO date passes through unchanged, so a date already written in ROC
/// form by a school (民國 108 年…) still prints.
pub fn roc_date_filter(value: &Value, args: &HashMap<String, Value>) -> TeraResult<Value> {
    let short = args.get("short").and_then(Value::as_bool).unwrap_or(false);
    let Some(text) = value.as_str() else {
        return Ok(value.clone());
    };
    Ok(match Date::parse_iso(text) {
        Some(d) if short => Value::String(d.short()),
        Some(d) => Value::String(d.long()),
        None => value.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_since_the_epoch_are_calendar_dates() {
        let date = |d| Date::from_days(d);
        assert_eq!(date(0), Date::parse_iso("1970-01-01").unwrap());
        assert_eq!(date(19_844), Date::parse_iso("2024-05-01").unwrap());
        assert_eq!(date(19_782), Date::parse_iso("2024-02-29").unwrap());
        assert_eq!(date(20_420), Date::parse_iso("2025-11-28").unwrap());
    }

    #[test]
    fn converts_iso_to_roc() {
        let d = Date::parse_iso("2024-05-01").unwrap();
        assert_eq!(d.long(), "中華民國 113 年 5 月 1 日");
        assert_eq!(d.short(), "113.5.1");
        assert_eq!(Date::parse_iso("2018-12-26").unwrap().roc_year(), 107);
    }

    #[test]
    fn rejects_impossible_dates() {
        assert!(Date::parse_iso("2023-02-29").is_none());
        assert!(Date::parse_iso("2024-02-29").is_some());
        assert!(Date::parse_iso("2024-13-01").is_none());
        assert!(Date::parse_iso("民國113年").is_none());
    }

    #[test]
    fn filter_passes_non_dates_through() {
        let v = roc_date_filter(&Value::from("民國 108 年"), &HashMap::new()).unwrap();
        assert_eq!(v, Value::from("民國 108 年"));
        let mut args = HashMap::new();
        args.insert("short".to_string(), Value::Bool(true));
        let v = roc_date_filter(&Value::from("2019-12-26"), &args).unwrap();
        assert_eq!(v, Value::from("108.12.26"));
    }
}
