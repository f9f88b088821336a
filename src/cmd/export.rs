//! `planpress export`: the county's school data as a workbook (ODS or XLSX) to collect by e-mail.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};

use super::Outcome;
use crate::base::files::write_atomically;
use crate::model::Profile;
use crate::source::{self, county_root};
use crate::workbook::{layout::Layout, write};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// OpenDocument 試算表（政府可編輯文件之格式） / OpenDocument spreadsheet.
    Ods,
    /// Excel 活頁簿 / Excel workbook.
    Xlsx,
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// 縣市資料庫（同 build） / The county repository, as for `build`.
    #[arg(long)]
    pub root: Option<PathBuf>,
    /// 格式；未指定時依 --out 之副檔名 / The format; by default, that of --out's extension.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// 只匯出這所學校（可重複），例如寄給該校填寫 / Only this school; repeatable (a
    /// workbook to e-mail to that school).
    #[arg(long = "school", value_name = "ID")]
    pub schools: Vec<String>,
    /// public：不含僅列印版之欄位（預設）；internal：全部欄位 / `public` leaves out the
    /// fields printed on paper only (the default); `internal` has every field.
    #[arg(long, value_enum, default_value_t = Profile::Public)]
    pub profile: Profile,
    /// 寫入之檔案，例如 學校資料.ods / The file to write, e.g. schools.ods.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

pub fn run(args: &ExportArgs) -> Result<Outcome> {
    let format = match (args.format, extension(&args.out).as_deref()) {
        (Some(f), _) => f,
        (None, Some("ods")) => Format::Ods,
        (None, Some("xlsx")) => Format::Xlsx,
        _ => bail!(
            "`{}`：請以 --format ods 或 xlsx 指定格式，或以 .ods、.xlsx 為副檔名 / give --format, \
             or name the file .ods or .xlsx",
            args.out.display()
        ),
    };
    let root = county_root(args.root.as_deref());
    let county = source::load(&root)?;
    for id in &args.schools {
        if !county.schools.iter().any(|s| &s.id == id) {
            bail!("no school `{id}` in `{}`", root.join("schools").display());
        }
    }
    let mut schools = Vec::new();
    for school in &county.schools {
        if !args.schools.is_empty() && !args.schools.contains(&school.id) {
            continue;
        }
        match &school.data {
            Ok(node) => schools.push((school.id.clone(), node.to_json())),
            // A file that does not parse has no values to give; the others are exported.
            Err(e) => eprintln!("warning: {e}：此校未匯出 / not exported"),
        }
    }
    let layout = Layout::new(&county.schema, args.profile);
    let sheets = layout.sheets(&schools);
    let bytes = match format {
        Format::Ods => write::ods(&sheets)?,
        Format::Xlsx => write::xlsx(&sheets)?,
    };
    write_atomically(&args.out, &bytes)
        .with_context(|| format!("failed to write `{}`", args.out.display()))?;
    println!(
        "已匯出 {} 所學校、{} 張工作表至 {}",
        schools.len(),
        sheets.len(),
        args.out.display()
    );
    Ok(Outcome::Success)
}

fn extension(path: &std::path::Path) -> Option<String> {
    Some(path.extension()?.to_str()?.to_ascii_lowercase())
}
