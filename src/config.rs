//! The county's configuration (`county.yaml`): who the county is, where plans are reported,
//! its incident contact windows, and what each responsibility level obliges.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::base::numbering::NumberStyle;
use crate::base::routes::Route;

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CountyConfig {
    /// 嘉義縣
    pub name: String,
    pub site: Site,
    #[serde(default = "default_theme")]
    pub theme: String,
    /// The supervising authority (上級機關), e.g. 嘉義縣政府.
    pub authority: String,
    /// The county's security policy the plans cite (嘉義縣政府資通安全政策).
    pub policy_name: String,
    /// Where each school reports its yearly implementation (實施情形), unless it says otherwise.
    pub report: Reporting,
    #[serde(default)]
    pub network_centre: Option<String>,
    #[serde(default)]
    pub contacts: Vec<Contact>,
    /// The school schema, relative to the county root; the one built into planpress if absent.
    #[serde(default)]
    pub schema: Option<std::path::PathBuf>,
    /// Obligations by responsibility level A–E.
    pub levels: BTreeMap<String, LevelRules>,
    /// The county's own documents the chapters cite by name (its discipline standard, its risk
    /// assessment procedure): `{{ county.documents.<key> }}`.
    #[serde(default)]
    pub documents: BTreeMap<String, String>,
    /// The county's own words for what chapters say (its 研考 office, its network centre's short
    /// name): `{{ county.terms.<key> }}`.
    #[serde(default)]
    pub terms: BTreeMap<String, String>,
    /// How each plan carries the shared documents.
    #[serde(default)]
    pub appendix: AppendixMode,
    /// How hours and counts are printed: 3 or 三.
    #[serde(default)]
    pub numbers: NumberStyle,
    /// The act and the rules the plans cite, as of the edition the county follows.
    #[serde(default)]
    pub law: Option<Law>,
}

/// The law the plans cite (`law:` in county.yaml): the act's name and articles by what they are
/// about, its enforcement rules and their articles, the rules' names, and which edition of the
/// act these are. Chapters cite them as `{{ law.act }}第{{ law.articles.plan | number }}條`, so
/// that an amendment is followed by changing this one block.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Law {
    /// The edition followed, as the dashboard and `check` show it: 中華民國 107 年 6 月 6 日制定公布.
    pub edition: String,
    /// 資通安全管理法
    pub act: String,
    /// The act's articles by what they are about (plan, ciso, implementation, incident).
    pub articles: BTreeMap<String, u32>,
    /// 資通安全管理法施行細則
    pub enforcement_rules: String,
    /// The enforcement rules' articles by what they are about (plan_items, core_business).
    pub enforcement_articles: BTreeMap<String, u32>,
    /// The rules made under the act, by what they are about (grading, incident, …).
    pub rules: BTreeMap<String, String>,
}

impl Law {
    /// The act and its edition, for a line of `check` or a dashboard cell.
    pub fn cited(&self) -> String {
        format!("{}（{}）", self.act, self.edition)
    }
}

/// How each plan carries the county's shared documents (`appendix:` in county.yaml).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AppendixMode {
    /// Each document printed at the end of every plan, as rendered with `in_plan`: the plan is
    /// complete on paper.
    #[default]
    Append,
    /// Each document published once as a PDF of its own; the plan's appendix cites it by title,
    /// edition and address.
    Cite,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Site {
    pub title: String,
    /// Where the site is published. Pages link relatively; this only feeds canonical links.
    #[serde(default)]
    pub base_url: Option<String>,
}

impl Site {
    /// A base URL is a full `http(s)://` address: canonical links, the sitemap and a plan's
    /// citation are read away from the site, where a relative one would lead nowhere.
    pub fn check_base_url(url: &str) -> Result<(), String> {
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"));
        match rest {
            Some(rest)
                if !rest.is_empty()
                    && !rest.starts_with('/')
                    && !rest
                        .contains(|c: char| c.is_whitespace() || "\"<>\\^`{|}#?".contains(c)) =>
            {
                Ok(())
            }
            _ => Err(format!(
                "網站網址 `{url}` 不是完整網址：應為 https:// 或 http:// 開頭之網址，例如 \
                 https://www.cyc.edu.tw/isms/ (the base URL must be a full http(s) address)"
            )),
        }
    }

    /// The full address of a site file under `base_url` (its canonical form: a folder, not its
    /// `index.html`), when the county says where the site is published.
    pub fn address(&self, route: &Route) -> Option<String> {
        let base = self.base_url.as_ref()?;
        Some(format!(
            "{}/{}",
            base.trim_end_matches('/'),
            route.canonical()
        ))
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Reporting {
    pub authority: String,
    pub deadline: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub name: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LevelRules {
    /// What the level calls its security staff (資通安全兼辦人員 / 專責人員 / 專職人員).
    pub staff_kind: String,
    pub min_security_staff: u32,
    pub training: TrainingHours,
    /// What the annex obliges besides training, by aspect (管理面, 技術面, …), in the annex's
    /// order; the training rows of 認知與訓練 are made from `training`. A level without it has
    /// no table: an empty list gives the training rows alone.
    #[serde(default)]
    pub obligations: Option<Vec<ObligationGroup>>,
}

/// One aspect of the annex's table (制度面向) and its items.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ObligationGroup {
    pub aspect: String,
    pub items: Vec<Obligation>,
}

/// One row of the annex's table: 辦理項目, 辦理項目細項 (if any), 辦理內容.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Obligation {
    pub item: String,
    #[serde(default)]
    pub detail: String,
    pub content: String,
}

/// Security training by role, as the level's annex states it.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingHours {
    pub security_staff: RoleTraining,
    pub it_staff: RoleTraining,
    pub general_staff: RoleTraining,
    pub managers: RoleTraining,
}

/// One role's training per person: hours a year (`6`: professional training for security and
/// IT staff, general training for the others), or as the annex counts it since 2021,
/// professional hours every `every` years and general hours every year
/// (`{ professional: 3, every: 2, general: 3 }`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(untagged)]
pub enum RoleTraining {
    Yearly(u32),
    Counted {
        #[serde(default)]
        professional: u32,
        #[serde(default = "one")]
        every: u32,
        #[serde(default)]
        general: u32,
    },
}

fn one() -> u32 {
    1
}

impl RoleTraining {
    /// The professional hours, the years they are counted over, and the general hours a year;
    /// `professional_role`: whether plain yearly hours are professional training.
    pub fn parts(&self, professional_role: bool) -> (u32, u32, u32) {
        match *self {
            RoleTraining::Yearly(h) if professional_role => (h, 1, 0),
            RoleTraining::Yearly(h) => (0, 1, h),
            RoleTraining::Counted {
                professional,
                every,
                general,
            } => (professional, every.max(1), general),
        }
    }

    /// The hours each person needs in every year's plan: professional training counted yearly,
    /// and general training. Training counted over two years cannot be told from one year's.
    pub fn yearly(&self, professional_role: bool) -> u32 {
        let (professional, every, general) = self.parts(professional_role);
        general + if every == 1 { professional } else { 0 }
    }

    /// The obligation in the annex's words (資通安全專業課程訓練或資通安全職能訓練; 資通安全通識教育訓練).
    pub fn describe(&self, professional_role: bool, numbers: NumberStyle) -> String {
        self.describe_as(professional_role, &ANNEX_COURSES, numbers)
    }

    /// The obligation with the county's names of the courses: 每人每二年至少接受 3 小時以上之…，
    /// 且每年接受 3 小時以上之….
    pub fn describe_as(
        &self,
        professional_role: bool,
        courses: &Courses,
        numbers: NumberStyle,
    ) -> String {
        let (professional, every, general) = self.parts(professional_role);
        let years = match every {
            1 => "每年".to_string(),
            n => format!("每{}年", crate::base::numbering::plain(n as usize)),
        };
        let hours = |n: u32| numbers.inline(n);
        let professional = (professional > 0).then(|| {
            format!(
                "每人{years}至少接受{}小時以上之{}",
                hours(professional),
                courses.professional
            )
        });
        match (professional, general) {
            (Some(p), 0) => p,
            (Some(p), g) => format!("{p}，且每年接受{}小時以上之{}", hours(g), courses.general),
            (None, g) => format!("每人每年接受{}小時以上之{}", hours(g), courses.general),
        }
    }
}

/// What the courses of a training obligation are called.
pub struct Courses<'a> {
    pub professional: &'a str,
    pub general: &'a str,
}

/// The courses as the annex of 資通安全責任等級分級辦法 names them (its table quotes them).
pub const ANNEX_COURSES: Courses<'static> = Courses {
    professional: "資通安全專業課程訓練或資通安全職能訓練",
    general: "資通安全通識教育訓練",
};

fn default_theme() -> String {
    "default".to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn training_counted_over_two_years_is_said_as_the_annex_says_it() {
        let it = RoleTraining::Counted {
            professional: 3,
            every: 2,
            general: 3,
        };
        assert_eq!(
            it.describe(true, NumberStyle::Arabic),
            "每人每二年至少接受 3 小時以上之資通安全專業課程訓練或資通安全職能訓練，且每年接受 3 小時以上之資通安全通識教育訓練"
        );
        assert_eq!(it.yearly(true), 3, "a year's plan holds the general hours");
        assert_eq!(RoleTraining::Yearly(12).yearly(true), 12);
        assert_eq!(
            RoleTraining::Yearly(3).describe(false, NumberStyle::Arabic),
            "每人每年接受 3 小時以上之資通安全通識教育訓練"
        );
    }

    #[test]
    fn training_in_han_numerals_runs_into_the_words() {
        let it = RoleTraining::Counted {
            professional: 3,
            every: 2,
            general: 12,
        };
        let courses = Courses {
            professional: "資安專業課程訓練",
            general: "一般資通安全教育訓練",
        };
        assert_eq!(
            it.describe_as(true, &courses, NumberStyle::Han),
            "每人每二年至少接受三小時以上之資安專業課程訓練，且每年接受十二小時以上之一般資通安全教育訓練"
        );
    }
}
