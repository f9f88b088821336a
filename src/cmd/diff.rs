//! `planpress diff`: what changed in a school's plan between two editions, or between an edition
//! and the draft, in the terminal.

use std::path::PathBuf;

use anyhow::{Result, anyhow};

use super::Outcome;
use crate::editions::diff::diff;
use crate::engine::Engine;
use crate::model::Profile;
use crate::source::county_root;

#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// 縣市資料庫（同 build） / The county repository, as for `build`.
    #[arg(long)]
    pub root: Option<PathBuf>,
    /// 學校識別碼 / The school.
    #[arg(long = "school", value_name = "ID")]
    pub school: String,
    /// 較早的版本，例如 V3.1 / The earlier edition, e.g. V3.1.
    pub from: String,
    /// 較新的版本，或 draft（預設）：學校目前的資料 / The later edition, or `draft` (the
    /// default): the school's data as it is now.
    #[arg(default_value = "draft")]
    pub to: String,
    /// 比較哪一版：public，或含全部之值的 internal / Which copy to compare: `public`, or
    /// `internal` with every value.
    #[arg(long, value_enum, default_value_t = Profile::Public)]
    pub profile: Profile,
}

/// Prints the changes from edition `from` to `to` (a version, or `draft`) of the school.
pub fn run(args: &DiffArgs) -> Result<Outcome> {
    let (id, from, to) = (&args.school, &args.from, &args.to);
    let engine = Engine::load(&county_root(args.root.as_deref()), args.profile)?;
    let plan = |version: &str| {
        engine.plan_of(id, version).map_err(|errors| {
            let said: Vec<String> = errors.iter().map(ToString::to_string).collect();
            anyhow!("{}", said.join("\n"))
        })
    };
    let (old, new) = (plan(from)?, plan(to)?);
    println!("{id}：{from} → {to}");
    print!("{}", diff(&old, &new, &engine.county().schema).to_text());
    Ok(Outcome::Success)
}
