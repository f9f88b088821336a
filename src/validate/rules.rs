//! The rules of the plan that the schema cannot say: they depend on the level, whose obligations
//! are the county's data (county.yaml `levels`), and on values the county may set for all.

use serde_json::Value;

use super::{Checker, Kind, Severity};
use crate::config::LevelRules;
use crate::model::effective_report;
use crate::source::County;
use crate::source::schema::{self, PLACEHOLDER, Seg};
use crate::source::yaml::Node;

impl Checker<'_> {
    /// The rules of the plan that the schema cannot say: they depend on the level, whose
    /// obligations are the county's data (county.yaml `levels`).
    pub(super) fn rules(&mut self, county: &County, node: &Node, data: &Value) {
        let level = data.get("level").and_then(Value::as_str).unwrap_or("");
        if let Some(rules) = county.config.levels.get(level) {
            self.staff_minimum(node, data, level, rules);
            self.training_hours(node, data, level, rules);
        }
        let report = effective_report(county, data);
        for (key, label) in [("authority", "實施情形提出對象"), ("deadline", "提出期限")]
        {
            if report.get(key).is_none_or(schema::is_empty) {
                let path = [Seg::Key("reporting".into()), Seg::Key(key.into())];
                self.push_field(
                    node,
                    &path,
                    Kind::Rule,
                    Severity::Error,
                    format!("計畫須載明{label}"),
                    Some("請填寫本校之實施情形提出（reporting），或由縣市於 county.yaml 之 report 設定全縣共同之值".into()),
                );
            }
        }
        self.edition_matches_revisions(node, data);
    }

    fn staff_minimum(&mut self, node: &Node, data: &Value, level: &str, rules: &LevelRules) {
        let Some(staffing) = data.get("staffing") else {
            return;
        };
        let n = |k: &str| staffing.get(k).and_then(Value::as_u64);
        // Levels whose staff must be 專責/專職 count only dedicated staff.
        let dedicated_only = !rules.staff_kind.contains("兼辦");
        let (have, field) = if dedicated_only {
            (n("security_dedicated"), "security_dedicated")
        } else {
            (
                n("security_dedicated")
                    .zip(n("security_part_time"))
                    .map(|(a, b)| a + b),
                "security_part_time",
            )
        };
        if let Some(have) = have
            && have < u64::from(rules.min_security_staff)
        {
            let path = [Seg::Key("staffing".into()), Seg::Key(field.into())];
            self.push_field(
                node,
                &path,
                Kind::Rule,
                Severity::Error,
                format!(
                    "資通安全責任等級 {level} 級應設置{} {} 人以上，目前 {have} 人",
                    rules.staff_kind, rules.min_security_staff
                ),
                Some("依資通安全責任等級分級辦法；見 county.yaml 之 levels".into()),
            );
        }
    }

    fn training_hours(&mut self, node: &Node, data: &Value, level: &str, rules: &LevelRules) {
        let Some(courses) = data.pointer("/training/courses").and_then(Value::as_array) else {
            return;
        };
        // Courses still being filled in are reported as missing values, not as too few hours.
        let complete = |c: &Value| {
            c.get("hours").is_some_and(Value::is_number)
                && c.get("audience")
                    .and_then(Value::as_array)
                    .is_some_and(|a| !a.is_empty())
        };
        if !courses.iter().all(complete) {
            return;
        }
        let staffing = data.get("staffing");
        let staff = |keys: &[&str]| -> Option<u64> {
            keys.iter()
                .map(|k| staffing?.get(*k)?.as_u64())
                .sum::<Option<u64>>()
        };
        let roles = [
            (
                "security_staff",
                rules.staff_kind.as_str(),
                rules.training.security_staff.yearly(true),
                staff(&["security_dedicated", "security_part_time"]),
            ),
            (
                "it_staff",
                "資訊人員",
                rules.training.it_staff.yearly(true),
                staff(&["it_staff"]),
            ),
            (
                "general_staff",
                "一般使用者",
                rules.training.general_staff.yearly(false),
                staff(&["general_staff"]),
            ),
            (
                "managers",
                "主管",
                rules.training.managers.yearly(false),
                staff(&["managers"]),
            ),
        ];
        for (role, name, minimum, people) in roles {
            if people == Some(0) {
                continue;
            }
            let hours: f64 = courses
                .iter()
                .filter(|c| {
                    c.get("audience")
                        .and_then(Value::as_array)
                        .is_some_and(|a| a.iter().any(|r| r == role))
                })
                .filter_map(|c| c.get("hours").and_then(Value::as_f64))
                .sum();
            if hours < f64::from(minimum) {
                let path = [Seg::Key("training".into()), Seg::Key("courses".into())];
                self.push_field(
                    node,
                    &path,
                    Kind::Rule,
                    Severity::Error,
                    format!(
                        "{name}之年度訓練時數合計 {hours} 小時，少於 {level} 級每人每年 {minimum} 小時之要求"
                    ),
                    Some(format!("請增列參訓對象含{name}之課程，或調整課程時數")),
                );
            }
        }
    }

    fn edition_matches_revisions(&mut self, node: &Node, data: &Value) {
        let version = data.pointer("/plan/version").and_then(Value::as_str);
        let last = data
            .pointer("/plan/revisions")
            .and_then(Value::as_array)
            .and_then(|r| r.last())
            .and_then(|r| r.get("version"))
            .and_then(Value::as_str);
        if let (Some(version), Some(last)) = (version, last)
            && version != last
            && !version.contains(PLACEHOLDER)
        {
            let path = [Seg::Key("plan".into()), Seg::Key("version".into())];
            self.push_field(
                node,
                &path,
                Kind::Rule,
                Severity::Warning,
                format!("計畫版次 {version} 與最後一筆制/修訂紀錄之版次 {last} 不同"),
                Some("新版次應於文件制/修訂紀錄增列一筆".into()),
            );
        }
    }
}
