//! `planpress import`: a school's returned file taken back into the county.

use std::collections::HashMap;
use std::path::PathBuf;

use anyhow::Result;

use super::{Outcome, color};
use crate::base::files::write_atomically;
use crate::engine::Engine;
use crate::import::workbook;
use crate::import::{self, Returned};
use crate::model::Profile;
use crate::report;
use crate::source::county_root;

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// 學校交回的資料檔（.yaml），或試算表（.ods、.xlsx；.csv 為單一工作表） / The school's
    /// returned file (.yaml), or a workbook (.ods, .xlsx; .csv for one sheet).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// 縣市資料庫（同 build） / The county repository, as for `build`.
    #[arg(long)]
    pub root: Option<PathBuf>,
    /// 應為這所學校的檔案；不是時不匯入 / The school this file must be of; another's is
    /// refused.
    #[arg(long = "school", value_name = "ID")]
    pub school: Option<String>,
    /// 檔案仍有錯誤也匯入（試算表：錯誤增加之學校也寫入） / Take the file even though it
    /// still has errors (a workbook: write schools whose errors grow too).
    #[arg(long)]
    pub allow_incomplete: bool,
    /// 只列出會變更什麼，不寫入 / Show what would change; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

pub fn run(args: &ImportArgs) -> Result<Outcome> {
    let root = county_root(args.root.as_deref());
    if workbook::is_workbook(&args.file) {
        return run_workbook(args, &root);
    }
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
    show(&merge, &returned.file, &returned.text);
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
        write_atomically(&merge.target, returned.text.as_bytes())?;
        println!("已寫入 {shown}");
    }
    Ok(Outcome::Success)
}

/// A workbook: what it cannot give, then each school it changes, field by field, with its
/// findings after; written unless `--dry-run`, a school whose errors grow only with
/// `--allow-incomplete`.
fn run_workbook(args: &ImportArgs, root: &std::path::Path) -> Result<Outcome> {
    let mut engine = Engine::load(root, Profile::Internal)?;
    let taken = workbook::take_workbook(&mut engine, &args.file)?;
    for e in &taken.errors {
        eprintln!("error: {e}");
    }
    let mut refused = 0;
    let mut written = 0;
    for school in &taken.schools {
        let merge = &school.merge;
        let shown = merge.target.display();
        if school.new {
            println!("{}：新增學校 → {shown}", merge.id);
        } else {
            println!("{}：{shown}", merge.id);
        }
        show(merge, &merge.target, &school.text);
        let after = merge.report.errors;
        println!("  匯入後：{after} 個錯誤、{} 個警告", merge.report.warnings);
        if after > school.errors_before && !args.allow_incomplete {
            refused += 1;
            println!(
                "  錯誤由 {} 個增為 {after} 個，未寫入：修正試算表後再匯入，或加 --allow-incomplete",
                school.errors_before
            );
        } else if !args.dry_run {
            write_atomically(&merge.target, school.text.as_bytes())?;
            written += 1;
        }
    }
    if args.dry_run {
        println!(
            "（--dry-run：未寫入；{} 所學校會變更）",
            taken.schools.len()
        );
    } else {
        println!("已寫入 {written} 所學校之資料檔");
    }
    Ok(if taken.errors.is_empty() && refused == 0 {
        Outcome::Success
    } else {
        Outcome::ContentErrors
    })
}

/// What a merge changes, field by field as `diff` says it, and the school's findings after it,
/// their lines shown from `text` (the file as it would be, at `file`).
fn show(merge: &import::Merge, file: &std::path::Path, text: &str) {
    for change in &merge.changes {
        let value = |v: &Option<String>| v.clone().unwrap_or_else(|| "（無）".into());
        println!(
            "  {}：{} → {}",
            change.label,
            value(&change.before),
            value(&change.after)
        );
    }
    let sources = report::sources(
        std::slice::from_ref(&merge.report),
        std::iter::once((file, text)),
    );
    print!(
        "{}",
        report::human(
            std::slice::from_ref(&merge.report),
            &HashMap::new(),
            &sources,
            color()
        )
    );
}
