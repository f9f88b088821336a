//! `planpress check`: every school file against the schema and the plan's rules.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Result, bail};

use super::{Outcome, color};
use crate::editions;
use crate::progress::count;
use crate::report::{self, CheckRun};
use crate::resolve::CountyText;
use crate::source::{self, county_root};
use crate::validate::{self, SchoolReport};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// 給人看：依學校分組，標出檔案中的行與欄位 / For people: by school, the line marked
    Human,
    /// 給程式讀：JSON / For tools: JSON
    Json,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// 縣市資料庫（同 build） / The county repository, as for `build`.
    #[arg(long)]
    pub root: Option<PathBuf>,
    /// 只檢核這所學校，可重複 / Check only this school; repeatable.
    #[arg(long = "school", value_name = "ID")]
    pub schools: Vec<String>,
    /// human：給人看，標出行與欄位；json：給程式讀 / `human`: for people, with the line
    /// marked; `json`: for tools.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

/// Which edition of the act the plans cite: the drafts, the county's `law` now; a school's
/// latest release, the edition it recorded, named where it is another one (to be revised).
fn law_lines(
    county: &source::County,
    root: &std::path::Path,
    reports: &[SchoolReport],
    names: &HashMap<String, String>,
) -> Vec<String> {
    let Some(law) = &county.config.law else {
        return vec!["計畫引用之法規版本：未設定（county.yaml 無 law）".to_string()];
    };
    let now = law.cited();
    let mut lines = vec![format!("計畫引用之法規版本：{now}")];
    // A store that cannot be read is `build`'s and `release`'s to report.
    let store = editions::Store::load(root).unwrap_or_default();
    for r in reports {
        let Some(latest) = store.of(&r.school).last() else {
            continue;
        };
        match &latest.law {
            Some(cited) if *cited != now => lines.push(format!(
                "  {}之最新發布版本 {} 引用 {cited}：與現行設定不同，請修訂後發布新版本",
                names.get(&r.school).unwrap_or(&r.school),
                latest.release.version
            )),
            _ => {}
        }
    }
    lines
}

pub fn run(args: &CheckArgs) -> Result<Outcome> {
    let started = Instant::now();
    let root = &county_root(args.root.as_deref());
    let wanted = &args.schools;
    // county.yaml first, by its schema: a wrong key there is said in the county's terms.
    let wrong = validate::check_county_file(root);
    if !wrong.is_empty() {
        for e in &wrong {
            eprintln!("error: {e}");
        }
        bail!(
            "county.yaml has {} (above): no school can be checked until they are fixed",
            count(wrong.len(), "error")
        );
    }
    let county = source::load(root)?;
    for id in wanted {
        if !county.schools.iter().any(|s| &s.id == id) {
            bail!("no school `{id}` in `{}`", root.join("schools").display());
        }
    }
    // The county's own text first: what it names that does not exist breaks every school.
    let county_errors = CountyText::compile(&county).err().unwrap_or_default();
    for e in &county_errors {
        eprintln!("error: {e}");
    }
    let reports: Vec<SchoolReport> = county
        .schools
        .iter()
        .filter(|s| wanted.is_empty() || wanted.contains(&s.id))
        .map(|s| validate::check_school(&county, s))
        .collect();
    match args.format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&CheckRun::new(&reports))?
        ),
        Format::Human => {
            let known = county
                .schools
                .iter()
                .map(|s| (s.file.as_path(), s.text.as_str()));
            let names: HashMap<String, String> = county
                .schools
                .iter()
                .filter_map(|s| {
                    let node = s.data.as_ref().ok()?;
                    Some((s.id.clone(), node.get("name")?.as_str()?.to_string()))
                })
                .collect();
            print!(
                "{}",
                report::human(&reports, &names, &report::sources(&reports, known), color())
            );
            eprintln!(
                "{}（{} 毫秒）",
                report::tally(&reports),
                started.elapsed().as_millis()
            );
            for line in law_lines(&county, root, &reports, &names) {
                eprintln!("{line}");
            }
        }
    }
    if !county_errors.is_empty() {
        bail!(
            "the county's text has {} (above): no school can be built until they are fixed",
            count(county_errors.len(), "error")
        );
    }
    Ok(if reports.iter().any(|r| r.errors > 0) {
        Outcome::ContentErrors
    } else {
        Outcome::Success
    })
}
