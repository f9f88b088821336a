//! `planpress kit`: one school's kit, made by the county centre.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};

use super::Outcome;
use crate::kit::{self, Platform, Program};
use crate::source;
use crate::source::county_root;

#[derive(Debug, clap::Args)]
pub struct KitArgs {
    /// 縣市資料庫（同 build） / The county repository, as for `build`.
    #[arg(long)]
    pub root: Option<PathBuf>,
    /// 為這所學校製作 / The school the kit is for.
    #[arg(long = "school", value_name = "ID")]
    pub school: String,
    /// 寫入的 zip 檔；預設為目前資料夾的 planpress-<ID>.zip / The zip to write. Default:
    /// planpress-<ID>.zip in the current folder.
    #[arg(long, value_name = "FILE.zip")]
    pub out: Option<PathBuf>,
    /// 附上學校電腦用的程式：windows-x64 或 linux-x64（即正在執行的這一版），或程式檔、下載的
    /// zip 檔 / Add the program for the school's PC: `windows-x64` or `linux-x64` (this very
    /// program when it runs there), or a planpress program file, or the download archive that
    /// holds one.
    #[arg(long, value_name = "PLATFORM|FILE")]
    pub with_binary: Option<String>,
}

pub fn run(args: &KitArgs) -> Result<Outcome> {
    let root = county_root(args.root.as_deref());
    let county = source::load(&root)?;
    let program = args.with_binary.as_deref().map(program).transpose()?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("planpress-{}.zip", args.school)));
    let written = kit::write(&county, &args.school, program.as_ref(), &out)?;
    println!(
        "wrote {} ({:.1} MB, {} files): {} 的工具包{}",
        out.display(),
        written.bytes as f64 / 1_048_576.0,
        written.files.len(),
        args.school,
        match &program {
            Some(p) => format!("，附 {} 版程式", p.platform.name()),
            None => String::new(),
        }
    );
    Ok(Outcome::Success)
}

/// The program `--with-binary` names: this one when it runs on the platform named, else the
/// file given.
fn program(wanted: &str) -> Result<Program> {
    let Some(platform) = Platform::parse(wanted) else {
        return Program::read(&PathBuf::from(wanted));
    };
    if Platform::current() != Some(platform) {
        bail!(
            "this planpress does not run on {0}: give the {0} program's file, or the download \
             archive planpress-{1}-{0}.zip / 這個 planpress 不是 {0} 版：請指定 {0} 版的程式檔，或下載的 \
             planpress-{1}-{0}.zip",
            platform.name(),
            env!("CARGO_PKG_VERSION")
        );
    }
    let exe = crate::base::program::path().context("failed to find this program's file")?;
    Program::read(&exe)
}
