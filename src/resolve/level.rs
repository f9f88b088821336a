//! The school's responsibility level as the templates see it (`level.*`): its name, its staff
//! term and count, each role's training, and the annex's table of what the level obliges.

use serde_json::{Value, json};

use crate::config::{LevelRules, RoleTraining};
use crate::markers;
use crate::source::County;
use crate::source::schema::Seg;

/// The aspect under which the annex lists training.
const TRAINING_ASPECT: &str = "認知與訓練";

/// The obligations of the school's level, from the county config. A level the county does not
/// know shows markers where its obligations go (`check` reports the value).
pub(super) fn context(county: &County, values: &Value) -> Value {
    let code = values.get("level").and_then(Value::as_str).unwrap_or("");
    match county.config.levels.get(code) {
        Some(rules) => json!({
            "code": code,
            "name": format!("{code} 級"),
            "staff_kind": rules.staff_kind,
            "min_security_staff": rules.min_security_staff,
            "training": {
                "security_staff": role(&rules.training.security_staff, true),
                "it_staff": role(&rules.training.it_staff, true),
                "general_staff": role(&rules.training.general_staff, false),
                "managers": role(&rules.training.managers, false),
            },
            "obligations": obligations(rules),
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
                    "security_staff": { "yearly": marker, "text": marker },
                    "it_staff": { "yearly": marker, "text": marker },
                    "general_staff": { "yearly": marker, "text": marker },
                    "managers": { "yearly": marker, "text": marker },
                },
                "obligations": [],
            })
        }
    }
}

/// One role's training for the templates: the hours a year's plan must hold, and the
/// obligation in the annex's words.
fn role(training: &RoleTraining, professional: bool) -> Value {
    json!({ "yearly": training.yearly(professional), "text": training.describe(professional) })
}

/// The annex's table as rows (`aspect`, `item`, `detail`, `content`), `first` on the first row
/// of each aspect and `item_first` on the first of each item, so that a chapter names each once
/// as the annex does. The training
/// rows lead the 認知與訓練 aspect (added at the end when the county lists nothing under it),
/// made from the level's training so that the hours are written once.
fn obligations(rules: &LevelRules) -> Vec<Value> {
    let training = training_rows(rules);
    let mut rows = Vec::new();
    let mut push = |aspect: &str, item: &str, detail: &str, content: &str, first: bool| {
        rows.push(json!({
            "aspect": aspect, "item": item, "detail": detail, "content": content, "first": first,
        }));
    };
    let has_training_aspect = rules
        .obligations
        .iter()
        .any(|g| g.aspect == TRAINING_ASPECT);
    for group in &rules.obligations {
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
fn training_rows(rules: &LevelRules) -> Vec<(String, String)> {
    let t = &rules.training;
    let staff = &rules.staff_kind;
    let mut rows = vec![
        (
            staff.clone(),
            format!("{}。", t.security_staff.describe(true)),
        ),
        (
            format!("{staff}以外之資訊人員"),
            format!("{}。", t.it_staff.describe(true)),
        ),
    ];
    let general = t.general_staff.describe(false);
    let managers = t.managers.describe(false);
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

    fn rules(obligations: Vec<ObligationGroup>) -> LevelRules {
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
        let rows = obligations(&rules(vec![
            group("管理面", &[("內部資通安全稽核", "每二年辦理一次。")]),
            group(TRAINING_ASPECT, &[("資通安全專業證照及職能訓練證書", "…")]),
        ]));
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
        let rows = obligations(&rules(Vec::new()));
        assert_eq!(column(&rows, "aspect"), [TRAINING_ASPECT; 3]);
        assert_eq!(rows[0]["first"], true);
    }
}
