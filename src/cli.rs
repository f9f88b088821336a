//! The command line: every command and option, described in Chinese and English, each command
//! handed its options as parsed ([`crate::cmd`]).

use std::path::PathBuf;

use anyhow::Result;
use clap::{ArgAction, Parser, Subcommand};

use crate::cmd::{self, Outcome};
use crate::render::pdf::workers;
use crate::serve::{self, ServeOptions};
use crate::site::BuildOptions;

/// Every command and option is described in Chinese and in English: the readers are school and
/// county staff, and whoever maintains their repository. clap's own help flag and subcommand
/// are replaced by ones that say so in both.
#[derive(Debug, Parser)]
#[command(
    name = "planpress",
    version = crate::base::program::version(),
    about = "資通安全維護計畫：將縣市各校之計畫發布為網站 / A county's school plans as a website",
    disable_help_flag = true,
    disable_version_flag = true,
    disable_help_subcommand = true,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// 不加指令時：預覽這個縣市資料庫或工具包（可將資料夾拖放到 planpress 上）/ With no
    /// command: preview this county repository or kit (a folder dropped on planpress).
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// 顯示說明 / Print help
    #[arg(short, long, action = ArgAction::Help, global = true)]
    pub help: Option<bool>,
    /// 顯示版本 / Print the version
    #[arg(short = 'V', long, action = ArgAction::Version)]
    pub version: Option<bool>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// 建置網站：每所學校（或指定的學校）的網頁與 PDF 寫入輸出資料夾 / Build the site of every
    /// school (or of the named ones) into the output folder.
    Build(BuildOptions),
    /// 檢核學校資料：對照 schema 與計畫規定，依學校列出缺漏與錯誤 / Check the school files
    /// against the schema and the plan's rules; list what is missing, school by school.
    Check(cmd::check::CheckArgs),
    /// 依 schema 建立新的檔案 / Start something new from the schema.
    #[command(subcommand)]
    New(cmd::new::NewArgs),
    /// 在本機預覽網站：每次存檔即重建，網頁自動重新載入並顯示問題；PDF 於第一次開啟時產生 /
    /// Preview the site on localhost: rebuilt on every save, pages reload themselves and show
    /// what is wrong. PDFs are compiled when first opened.
    Serve(ServeOptions),
    /// 發布版本：凍結指定學校（或全部）的計畫資料與 PDF，存於 editions/<id>/<version>/，並記入
    /// 文件制／修訂紀錄表；加 --doc 則發布共用文件 / Freeze an edition of each named school (or
    /// of all): its plan as data and its PDFs exactly as released, kept in the county
    /// repository under editions/<id>/<version>/, and a row in its 文件制／修訂紀錄表. With
    /// --doc, freeze an edition of a shared document instead (editions/_docs/<doc>/<version>/):
    /// the plans released after it cite that edition.
    Release(cmd::release::ReleaseArgs),
    /// 比較差異：一所學校的計畫在兩個版本之間，或從某版本到草稿，逐欄比較資料、逐章比較本文 /
    /// Show what changed in a school's plan between two editions, or from an edition to the
    /// draft: the data field by field, the text chapter by chapter.
    Diff(cmd::diff::DiffArgs),
    /// 建立新的縣市資料庫：設定、17 章計畫本文、附件表單、共用文件及一所範例學校，可直接建置 /
    /// Start a new county repository (config, the 17 chapters, forms, shared documents and one
    /// example school) that builds as it is.
    Init(cmd::init::InitArgs),
    /// 為一所學校製作工具包（zip）：縣市共用的檔案與該校自己的資料檔，不含他校資料；可附上程式
    /// / Make one school's kit (a zip): the county's shared files and that school's own file,
    /// nothing of another school's; optionally with the program.
    Kit(cmd::kit::KitArgs),
    /// 收回學校交回的資料檔：檢核後放入 schools/，列出變更的欄位；他校的檔案不收 / Take back
    /// a school's returned file: checked, then copied into schools/, with what changed, field
    /// by field; another school's file is refused.
    Import(cmd::import::ImportArgs),
    /// 匯出學校資料為試算表（.ods 或 .xlsx）：學校一列一校，各清單一張工作表；可只匯出一校寄給該校
    /// / Export the schools' data as a workbook (.ods or .xlsx): a row per school, a sheet per
    /// list; or one school's, to e-mail to it.
    Export(cmd::export::ExportArgs),
    /// 為啟動它的建置排版 PDF（經由標準輸入與輸出） / Typeset PDFs for a build that started
    /// it (over stdin and stdout).
    #[command(name = "pdf-worker", hide = true)]
    PdfWorker,
}

/// Runs the command given, its options as parsed.
pub fn run(cli: Cli) -> Result<Outcome> {
    let Some(command) = cli.command else {
        return cmd::start::run(cli.dir);
    };
    match command {
        Command::Build(options) => cmd::build::run(&options),
        Command::Check(args) => cmd::check::run(&args),
        Command::New(args) => cmd::new::run(&args),
        Command::Serve(options) => {
            serve::run(&options)?;
            Ok(Outcome::Success)
        }
        Command::Release(args) => cmd::release::run(&args),
        Command::Diff(args) => cmd::diff::run(&args),
        Command::Init(args) => cmd::init::run(&args),
        Command::Kit(args) => cmd::kit::run(&args),
        Command::Import(args) => cmd::import::run(&args),
        Command::Export(args) => cmd::export::run(&args),
        Command::PdfWorker => {
            workers::run_worker()?;
            Ok(Outcome::Success)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// In both languages: a Chinese character and a word in Latin letters.
    fn bilingual(text: &str) -> bool {
        let cjk = text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
        let latin = text
            .split(|c: char| !c.is_ascii_alphabetic())
            .any(|w| w.len() >= 3);
        cjk && latin
    }

    fn every_command(cmd: &clap::Command, out: &mut Vec<clap::Command>) {
        out.push(cmd.clone());
        for sub in cmd.get_subcommands() {
            every_command(sub, out);
        }
    }

    #[test]
    fn every_command_and_option_is_described_in_chinese_and_english() {
        let mut root = Cli::command();
        root.build();
        let mut commands = Vec::new();
        every_command(&root, &mut commands);
        assert!(commands.len() >= 9, "{}", commands.len());
        for cmd in &commands {
            let about = cmd.get_about().map(ToString::to_string).unwrap_or_default();
            assert!(bilingual(&about), "{}: {about:?}", cmd.get_name());
            for arg in cmd.get_arguments() {
                let help = arg.get_help().map(ToString::to_string).unwrap_or_default();
                assert!(
                    bilingual(&help),
                    "{} {}: {help:?}",
                    cmd.get_name(),
                    arg.get_id()
                );
            }
        }
    }

    #[test]
    fn help_flags_still_work() {
        for args in [&["planpress", "--help"][..], &["planpress", "check", "-h"]] {
            let err = Cli::try_parse_from(args).unwrap_err();
            assert_eq!(err.kind(), clap::error::ErrorKind::DisplayHelp, "{args:?}");
            assert!(err.to_string().contains("顯示說明 / Print help"), "{err}");
        }
        let err = Cli::try_parse_from(["planpress", "--version"]).unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::DisplayVersion);
    }
}
