//! `planpress import`: a school's returned file taken back into the county.

use std::collections::HashMap;
use std::path::PathBuf;

use anyhow::Result;

use super::{Outcome, color};
use crate::engine::Engine;
use crate::import::{self, Returned};
use crate::model::Profile;
use crate::report;
use crate::source::county_root;

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// 學校交回的資料檔（.yaml） / The school's returned file (.yaml).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// 縣市資料庫（同 build） / The county repository, as for `build`.
    #[arg(long)]
    pub root: Option<PathBuf>,
    /// 應為這所學校的檔案；不是時不匯入 / The school this file must be of; another's is
    /// refused.
    #[arg(long = "school", value_name = "ID")]
    pub school: Option<String>,
    /// 檔案仍有錯誤也匯入 / Take the file even though it still has errors.
    #[arg(long)]
    pub allow_incomplete: bool,
    /// 只列出會變更什麼，不寫入 / Show what would change; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

pub fn run(args: &ImportArgs) -> Result<Outcome> {
    let root = county_root(args.root.as_deref());
    let returned = Returned::read(&args.file, args.school.as_deref())?;
    let mut engine = Engine::load(&root, Profile::Internal)?;
    let merge = import::merge(&mut engine, &returned)?;
    let shown = merge.target.display();
    println!("{}：{} → {shown}", merge.id, returned.file.display());
    if merge.changes.is_empty() {
        println!(
            "  {}",
            if merge.same_bytes {
                "沒有變更"
            } else {
                "資料沒有變更（只有註解、空白或排列不同）"
            }
        );
    }
    for change in &merge.changes {
        let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "（無）".into());
        println!(
            "  {}：{} → {}",
            change.label,
            show(&change.before),
            show(&change.after)
        );
    }
    let names: HashMap<String, String> = HashMap::new();
    let sources = report::sources(
        std::slice::from_ref(&merge.report),
        std::iter::once((returned.file.as_path(), returned.text.as_str())),
    );
    print!(
        "{}",
        report::human(
            std::slice::from_ref(&merge.report),
            &names,
            &sources,
            color()
        )
    );
    let errors = merge.report.errors;
    println!(
        "匯入後：{} 個錯誤、{} 個警告",
        errors, merge.report.warnings
    );
    if errors > 0 && !args.allow_incomplete {
        eprintln!(
            "{} 的資料檔仍有 {errors} 個錯誤，未匯入：請學校修正後再交回，或加 --allow-incomplete 照收 / \
             not imported: the file has {errors} error(s); fix them, or pass --allow-incomplete",
            merge.id
        );
        return Ok(Outcome::ContentErrors);
    }
    if args.dry_run {
        println!("（--dry-run：未寫入）");
    } else if merge.same_bytes {
        println!("{shown} 已是這份檔案，未改寫");
    } else {
        import::write_atomically(&merge.target, &returned.text)?;
        println!("已寫入 {shown}");
    }
    Ok(Outcome::Success)
}
