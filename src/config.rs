//! The county's configuration (`county.yaml`): who the county is, where plans are reported,
//! its incident contact windows, and what each responsibility level obliges.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

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
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Site {
    pub title: String,
    /// Where the site is published. Pages link relatively; this only feeds canonical links.
    #[serde(default)]
    pub base_url: Option<String>,
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
}

/// Hours of security training per person per year, by role.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingHours {
    pub security_staff: u32,
    pub it_staff: u32,
    pub general_staff: u32,
    pub managers: u32,
}

fn default_theme() -> String {
    "default".to_string()
}
