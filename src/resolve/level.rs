//! The school's responsibility level as the templates see it (`level.*`): its name, its staff
//! term and count, each role's training, and the annex's table of what the level obliges.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::base::numbering::NumberStyle;
use crate::config::{Courses, LevelRules, RoleTraining};
use crate::markers;
use crate::source::County;
use crate::source::schema::Seg;

/// The aspect under which the annex lists training.
const TRAINING_ASPECT: &str = "認知與訓練";

/// The obligations of the school's level, from the county config. A level the county does not
/// know shows markers where its obligations go (`check` reports the value).
pub(super) fn context(county: &County, values: &Value) -> Value {
    let code = values.get("level").and_then(Value::as_str).unwrap_or("");
    let numbers = county.config.numbers;
    match county.config.levels.get(code) {
        Some(rules) => json!({
            "code": code,
            "name": format!("{code} 級"),
            "staff_kind": rules.staff_kind,
            "min_security_staff": rules.min_security_staff,
            "training": {
                "security_staff": role(&rules.training.security_staff, true, numbers),
                "it_staff": role(&rules.training.it_staff, true, numbers),
                "general_staff": role(&rules.training.general_staff, false, numbers),
                "managers": role(&rules.training.managers, false, numbers),
            },
            "obligations": obligations(rules, numbers),
        }),
        None => {
            let marker = if markers::has_marker(code) {
                code.to_string()
            } else {
                markers::encode("level", &county.schema.title(&[Seg::Key("level".into())]))
            };
            json!({
                "code": code,
                "name": marker,
                "staff_kind": marker,
                "min_security_staff": marker,
                "training": {
                    "security_staff": unknown_role(&marker),
                    "it_staff": unknown_role(&marker),
                    "general_staff": unknown_role(&marker),
                    "managers": unknown_role(&marker),
                },
                "obligations": [],
            })
        }
    }
}

/// One role's training for the templates: the hours a year's plan must hold, the obligation
/// in the annex's words, and its parts, which the `training` filter words as the county does.
fn role(training: &RoleTraining, professional: bool, numbers: NumberStyle) -> Value {
    let (hours, every, general) = training.parts(professional);
    json!({
        "yearly": training.yearly(professional),
        "text": training.describe(professional, numbers),
        "professional": hours,
        "every": every,
        "general": general,
    })
}

/// A role of a level the county does not define: its marker wherever a value would print.
fn unknown_role(marker: &str) -> Value {
    json!({ "yearly": marker, "text": marker })
}

/// The `training` filter: a role's training (`level.training.<role>`) worded with the
/// county's names of the courses, `professional` and `general`, in its number style:
/// `{{ level.training.it_staff | training(professional=county.terms.x, general=county.terms.y) }}`.
pub fn training_filter(numbers: NumberStyle) -> impl tera::Filter {
    move |value: &Value, args: &HashMap<String, Value>| -> tera::Result<Value> {
        // A level the county does not define has its marker in place of the parts.
        if value.get("professional").is_none()
            && let Some(marker) = value.get("text").filter(|t| t.is_string())
        {
            return Ok(marker.clone());
        }
        let count = |key: &str| {
            value.get(key).and_then(Value::as_u64).ok_or_else(|| {
                tera::Error::msg(
                    "`training` 用於 level.training 之某類人員，例如 level.training.it_staff",
                )
            })
        };
        let word = |key: &str| {
            args.get(key).and_then(Value::as_str).ok_or_else(|| {
                tera::Error::msg(format!(
                    "`training` 須指定課程名稱 {key}=…（例如 county.terms 之一項）"
                ))
            })
        };
        let training = RoleTraining::Counted {
            professional: count("professional")? as u32,
            every: count("every")? as u32,
            general: count("general")? as u32,
        };
        let courses = Courses {
            professional: word("professional")?,
            general: word("general")?,
        };
        Ok(Value::String(training.describe_as(true, &courses, numbers)))
    }
}

/// The `number` filter: a count as the county writes numbers, set off from the words around
/// it (`第{{ law.articles.plan | number }}條`: 第 10 條, or 第十條).
pub fn number_filter(numbers: NumberStyle) -> impl tera::Filter {
    move |value: &Value, _: &HashMap<String, Value>| -> tera::Result<Value> {
        match value.as_u64() {
            Some(n) => Ok(Value::String(numbers.inline(n as u32))),
            // A marker or a text stays as it is.
            None if value.is_string() => Ok(value.clone()),
            None => Err(tera::Error::msg(
                "`number` 用於數字，例如 level.min_security_staff",
            )),
        }
    }
}

/// The annex's table as rows (`aspect`, `item`, `detail`, `content`), `first` on the first row
/// of each aspect and `item_first` on the first of each item, so that a chapter names each once
/// as the annex does. The training
/// rows lead the 認知與訓練 aspect (added at the end when the county lists nothing under it),
/// made from the level's training so that the hours are written once.
fn obligations(rules: &LevelRules, numbers: NumberStyle) -> Vec<Value> {
    let Some(groups) = &rules.obligations else {
        return Vec::new();
    };
    let training = training_rows(rules, numbers);
    let mut rows = Vec::new();
    let mut push = |aspect: &str, item: &str, detail: &str, content: &str, first: bool| {
        rows.push(json!({
            "aspect": aspect, "item": item, "detail": detail, "content": content, "first": first,
        }));
    };
    let has_training_aspect = groups.iter().any(|g| g.aspect == TRAINING_ASPECT);
    for group in groups {
        let mut first = true;
        if group.aspect == TRAINING_ASPECT {
            for (detail, content) in &training {
                push(&group.aspect, "資通安全教育訓練", detail, content, first);
                first = false;
            }
        }
        for o in &group.items {
            push(&group.aspect, &o.item, &o.detail, &o.content, first);
            first = false;
        }
    }
    if !has_training_aspect {
        for (i, (detail, content)) in training.iter().enumerate() {
            push(TRAINING_ASPECT, "資通安全教育訓練", detail, content, i == 0);
        }
    }
    // An item spanning rows (安全性檢測: 弱點掃描, 滲透測試) is named on its first row only.
    for i in 0..rows.len() {
        let item_first =
            i == 0 || rows[i]["first"] == true || rows[i]["item"] != rows[i - 1]["item"];
        rows[i]["item_first"] = item_first.into();
    }
    rows
}

/// The training rows by role, in the annex's words; users and managers share a row when
/// their obligation is the same, as the annex writes it.
fn training_rows(rules: &LevelRules, numbers: NumberStyle) -> Vec<(String, String)> {
    let t = &rules.training;
    let staff = &rules.staff_kind;
    let mut rows = vec![
        (
            staff.clone(),
            format!("{}。", t.security_staff.describe(true, numbers)),
        ),
        (
            format!("{staff}以外之資訊人員"),
            format!("{}。", t.it_staff.describe(true, numbers)),
        ),
    ];
    let general = t.general_staff.describe(false, numbers);
    let managers = t.managers.describe(false, numbers);
    if general == managers {
        rows.push(("一般使用者及主管".into(), format!("{general}。")));
    } else {
        rows.push(("一般使用者".into(), format!("{general}。")));
        rows.push(("主管".into(), format!("{managers}。")));
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Obligation, ObligationGroup, TrainingHours};

    fn rules(obligations: Option<Vec<ObligationGroup>>) -> LevelRules {
        LevelRules {
            staff_kind: "資通安全專職人員".into(),
            min_security_staff: 1,
            training: TrainingHours {
                security_staff: RoleTraining::Yearly(12),
                it_staff: RoleTraining::Counted {
                    professional: 3,
                    every: 2,
                    general: 3,
                },
                general_staff: RoleTraining::Yearly(3),
                managers: RoleTraining::Yearly(3),
            },
            obligations,
        }
    }

    fn group(aspect: &str, items: &[(&str, &str)]) -> ObligationGroup {
        ObligationGroup {
            aspect: aspect.into(),
            items: items
                .iter()
                .map(|(item, content)| Obligation {
                    item: item.to_string(),
                    detail: String::new(),
                    content: content.to_string(),
                })
                .collect(),
        }
    }

    fn column(rows: &[Value], key: &str) -> Vec<String> {
        rows.iter()
            .map(|r| r[key].as_str().unwrap().to_string())
            .collect()
    }

    #[test]
    fn training_rows_lead_their_aspect_and_each_aspect_is_named_once() {
        let rows = obligations(
            &rules(Some(vec![
                group("管理面", &[("內部資通安全稽核", "每二年辦理一次。")]),
                group(TRAINING_ASPECT, &[("資通安全專業證照及職能訓練證書", "…")]),
            ])),
            NumberStyle::Arabic,
        );
        assert_eq!(
            column(&rows, "detail"),
            [
                "",
                "資通安全專職人員",
                "資通安全專職人員以外之資訊人員",
                "一般使用者及主管",
                ""
            ]
        );
        assert_eq!(
            column(&rows, "item")[4],
            "資通安全專業證照及職能訓練證書",
            "the county's own items follow the training rows"
        );
        let flags =
            |key: &str| -> Vec<bool> { rows.iter().map(|r| r[key].as_bool().unwrap()).collect() };
        assert_eq!(flags("first"), [true, true, false, false, false]);
        assert_eq!(flags("item_first"), [true, true, false, false, true]);
        assert!(
            rows[2]["content"]
                .as_str()
                .unwrap()
                .starts_with("每人每二年至少接受 3 小時")
        );
    }

    #[test]
    fn training_is_tabulated_even_when_the_county_lists_no_other_obligation() {
        let rows = obligations(&rules(Some(Vec::new())), NumberStyle::Arabic);
        assert_eq!(column(&rows, "aspect"), [TRAINING_ASPECT; 3]);
        assert_eq!(rows[0]["first"], true);
    }

    #[test]
    fn a_level_without_obligations_has_no_table() {
        assert!(obligations(&rules(None), NumberStyle::Arabic).is_empty());
    }

    #[test]
    fn the_training_filter_words_a_role_as_the_county_does() {
        let filter = training_filter(NumberStyle::Han);
        let it = role(&rules(None).training.it_staff, true, NumberStyle::Han);
        let args = HashMap::from([
            ("professional".to_string(), json!("資安專業課程訓練")),
            ("general".to_string(), json!("一般資通安全教育訓練")),
        ]);
        let said = tera::Filter::filter(&filter, &it, &args).unwrap();
        assert_eq!(
            said,
            "每人每二年至少接受三小時以上之資安專業課程訓練，且每年接受三小時以上之一般資通安全教育訓練"
        );
        let missing_word = HashMap::from([("professional".to_string(), json!("x"))]);
        assert!(tera::Filter::filter(&filter, &it, &missing_word).is_err());
    }
}
