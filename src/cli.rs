//! The command line: `planpress build`, `check`, `new school` and `serve`, turned into calls of
//! the commands in [`crate::cmd`].

use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use anyhow::Result;
use clap::{ArgAction, Parser, Subcommand};

use crate::cmd::build::BuildArgs;
use crate::cmd::check::Format;
use crate::cmd::release::ReleaseArgs;
use crate::cmd::{self, Outcome, resolve_root};
use crate::model::Profile;
use crate::render::pdf::workers::{self, Limits};
use crate::roc::Date;
use crate::serve::{self, ServeOptions};

/// Every command and option is described in Chinese and in English: the readers are school and
/// county staff, and whoever maintains their repository. clap's own help flag and subcommand
/// are replaced by ones that say so in both.
#[derive(Debug, Parser)]
#[command(
    name = "planpress",
    version = version(),
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
    Build {
        /// 縣市資料庫（含 county.yaml 的資料夾）；預設為 ./content（若有），否則為目前資料夾 /
        /// The county repository (the folder with county.yaml). Default: ./content if it has
        /// one, else the current folder.
        #[arg(long)]
        root: Option<PathBuf>,
        /// 網站寫入之處：不存在或空的資料夾，或 planpress 建置過的網站，建置完成時整個替換；預設
        /// public（內部版為 internal） / Where the site goes: an absent or empty folder, or a
        /// site planpress built, replaced whole when the build is done. Default: `public`, or
        /// `internal` for the internal copy.
        #[arg(long)]
        out: Option<PathBuf>,
        /// public：公開網站，不含 schema 標為敏感之值；internal：含全部之值，供列印簽核，不可發布 /
        /// `public`: the website, without the values the schema marks sensitive; `internal`:
        /// every value (system IPs, personal phones), for printing and signing, never published.
        #[arg(long, value_enum, default_value_t = Profile::Public)]
        profile: Profile,
        /// 只建置這所學校（識別碼，即檔名去掉 .yaml），可重複；其他學校的網頁保持原樣 / Build
        /// only this school (its id, the file name without .yaml); repeatable. The other
        /// schools of an existing site keep their pages as they were.
        #[arg(long = "school", value_name = "ID")]
        schools: Vec<String>,
        /// 不產生 PDF（只有網頁） / Skip the PDFs (HTML only).
        #[arg(long)]
        no_pdf: bool,
        /// 另將各校的 Typst 原始檔與資料寫到此處（DIR/<id>/main.typ …），可用 typst 指令編譯 /
        /// Also write each school's Typst sources and data here (DIR/<id>/main.typ …), to
        /// compile the same document with the typst CLI.
        #[arg(long, value_name = "DIR")]
        emit_typst: Option<PathBuf>,
        /// 建置之間保存產出的快取資料夾；預設為網站旁的 .<out>.planpress/cache，不再使用的項目會
        /// 被刪除 / Where outputs are kept between builds, by fingerprint. Default:
        /// .<out>.planpress/cache beside the site. A folder of this site's own: unused entries
        /// are removed.
        #[arg(long, value_name = "DIR")]
        cache_dir: Option<PathBuf>,
        /// 網站發布的網址，取代 county.yaml 的 site.base_url（用於標準網址、sitemap.xml 與計畫
        /// 的引用）/ The address the site is published at, instead of county.yaml's
        /// site.base_url (canonical links, sitemap.xml, citations).
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
        /// 一所學校的 PDF 最多可花的秒數，超過時只有該校失敗 / The most seconds one school's
        /// PDFs may take; past it that school fails alone.
        #[arg(long, value_name = "SECONDS", default_value_t = Limits::default().time.as_secs())]
        pdf_time_limit: u64,
        /// 排版一所學校的 PDF 最多可用的記憶體（MiB），超過時只有該校失敗 / The most memory
        /// (MiB) typesetting one school's PDFs may hold; past it that school fails alone.
        #[arg(long, value_name = "MIB", default_value_t = Limits::default().memory >> 20)]
        pdf_memory_limit: u64,
        /// 已發布版本的檔案與發布時不同時停止，不做任何變更 / Stop, changing nothing, when a
        /// file of a released edition is not what was released.
        #[arg(long)]
        strict: bool,
        /// 只印出錯誤 / Print only errors.
        #[arg(long, short)]
        quiet: bool,
    },
    /// 檢核學校資料：對照 schema 與計畫規定，依學校列出缺漏與錯誤 / Check the school files
    /// against the schema and the plan's rules; list what is missing, school by school.
    Check {
        /// 縣市資料庫（同 build） / The county repository (as for `build`).
        #[arg(long)]
        root: Option<PathBuf>,
        /// 只檢核這所學校，可重複 / Check only this school; repeatable.
        #[arg(long = "school", value_name = "ID")]
        schools: Vec<String>,
        /// human：給人看，標出行與欄位；json：給程式讀 / `human`: for people, with the line
        /// marked; `json`: for tools.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// 依 schema 建立新的檔案 / Start something new from the schema.
    New {
        #[command(subcommand)]
        what: New,
    },
    /// 在本機預覽網站：每次存檔即重建，網頁自動重新載入並顯示問題；PDF 於第一次開啟時產生 /
    /// Preview the site on localhost: rebuilt on every save, pages reload themselves and show
    /// what is wrong. PDFs are compiled when first opened.
    Serve {
        /// 縣市資料庫（同 build） / The county repository, as for `build`.
        #[arg(long)]
        root: Option<PathBuf>,
        /// 只預覽這所學校（較快），可重複 / Preview only this school (faster); repeatable.
        #[arg(long = "school", value_name = "ID")]
        schools: Vec<String>,
        /// 連接埠；預設 8040，被占用時另選一個；0 一律另選 / The port; by default 8040, or a
        /// free one when 8040 is taken. 0 picks a free one.
        #[arg(long)]
        port: Option<u16>,
        /// 監聽的位址；預設只有本機可連線，0.0.0.0 則開放給網路 / The address to listen on.
        /// Only this machine can connect by default; 0.0.0.0 opens the preview to the network.
        #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
        bind: IpAddr,
        /// 在瀏覽器中開啟預覽 / Open the preview in the browser.
        #[arg(long)]
        open: bool,
        /// 預覽哪一版：public（公開網站）或 internal（含全部之值，供列印簽核） / Which copy to
        /// preview: `public` (the website) or `internal` (every value, as printed for signing).
        #[arg(long, value_enum, default_value_t = Profile::Public)]
        profile: Profile,
    },
    /// 發布版本：凍結指定學校（或全部）的計畫資料與 PDF，存於 editions/<id>/<version>/，並記入
    /// 文件制／修訂紀錄表；加 --doc 則發布共用文件 / Freeze an edition of each named school (or
    /// of all): its plan as data and its PDFs exactly as released, kept in the county
    /// repository under editions/<id>/<version>/, and a row in its 文件制／修訂紀錄表. With
    /// --doc, freeze an edition of a shared document instead (editions/_docs/<doc>/<version>/):
    /// the plans released after it cite that edition.
    Release {
        /// 縣市資料庫（同 build） / The county repository, as for `build`.
        #[arg(long)]
        root: Option<PathBuf>,
        /// 發布這所學校，可重複 / Release this school; repeatable.
        #[arg(long = "school", value_name = "ID", required_unless_present_any = ["all", "docs"])]
        schools: Vec<String>,
        /// 發布所有學校 / Release every school.
        #[arg(long, conflicts_with_all = ["schools", "docs"])]
        all: bool,
        /// 發布這份共用文件（例如 incident-procedure），可重複 / Release this shared document
        /// (e.g. incident-procedure); repeatable.
        #[arg(long = "doc", value_name = "ID", conflicts_with = "schools")]
        docs: Vec<String>,
        /// 版次，例如 V3.0；已發布的版次不可再發布 / The edition's version, e.g. V3.0. A
        /// version already released is refused.
        #[arg(long)]
        version: String,
        /// 版本日期，YYYY-MM-DD / The edition's date, YYYY-MM-DD.
        #[arg(long)]
        date: String,
        /// 修訂內容 / What this edition revises.
        #[arg(long)]
        note: String,
        /// 修訂人；預設同該校最近一筆修訂紀錄 / The reviser; by default that of the school's
        /// latest revision.
        #[arg(long)]
        reviser: Option<String>,
        /// 核定人；預設同該校最近一筆修訂紀錄 / The approver; by default that of the school's
        /// latest revision.
        #[arg(long)]
        approver: Option<String>,
        /// 學校仍有錯誤也發布；錯誤會印出並記入該版本 / Release a school that still has errors;
        /// they are printed and recorded in the edition.
        #[arg(long)]
        allow_incomplete: bool,
    },
    /// 比較差異：一所學校的計畫在兩個版本之間，或從某版本到草稿，逐欄比較資料、逐章比較本文 /
    /// Show what changed in a school's plan between two editions, or from an edition to the
    /// draft: the data field by field, the text chapter by chapter.
    Diff {
        /// 縣市資料庫（同 build） / The county repository, as for `build`.
        #[arg(long)]
        root: Option<PathBuf>,
        /// 學校識別碼 / The school.
        #[arg(long = "school", value_name = "ID")]
        school: String,
        /// 較早的版本，例如 V3.1 / The earlier edition, e.g. V3.1.
        from: String,
        /// 較新的版本，或 draft（預設）：學校目前的資料 / The later edition, or `draft` (the
        /// default): the school's data as it is now.
        #[arg(default_value = "draft")]
        to: String,
        /// 比較哪一版：public，或含全部之值的 internal / Which copy to compare: `public`, or
        /// `internal` with every value.
        #[arg(long, value_enum, default_value_t = Profile::Public)]
        profile: Profile,
    },
    /// 建立新的縣市資料庫：設定、17 章計畫本文、附件表單、共用文件及一所範例學校，可直接建置 /
    /// Start a new county repository (config, the 17 chapters, forms, shared documents and one
    /// example school) that builds as it is.
    Init {
        /// 新資料庫的資料夾，須不存在或為空 / The new repository's folder: absent or empty.
        dir: PathBuf,
    },
    /// 為一所學校製作工具包（zip）：縣市共用的檔案與該校自己的資料檔，不含他校資料；可附上程式
    /// / Make one school's kit (a zip): the county's shared files and that school's own file,
    /// nothing of another school's; optionally with the program.
    Kit(cmd::kit::KitArgs),
    /// 收回學校交回的資料檔：檢核後放入 schools/，列出變更的欄位；他校的檔案不收 / Take back
    /// a school's returned file: checked, then copied into schools/, with what changed, field
    /// by field; another school's file is refused.
    Import(cmd::import::ImportArgs),
    /// 為啟動它的建置排版 PDF（經由標準輸入與輸出） / Typeset PDFs for a build that started
    /// it (over stdin and stdout).
    #[command(name = "pdf-worker", hide = true)]
    PdfWorker,
}

#[derive(Debug, Subcommand)]
pub enum New {
    /// 建立 schools/ID.yaml：列出 schema 的每個欄位，值留空 / Write `schools/ID.yaml` with
    /// every field of the schema, values empty.
    School {
        /// 學校識別碼：小寫英文字母、數字及連字號（例如 xinggang-es） / The school's id:
        /// lower-case letters, digits and hyphens (e.g. xinggang-es).
        id: String,
        /// 學校全銜，例如 嘉義縣新港鄉新港國民小學 / The school's full name (全銜), e.g.
        /// 嘉義縣新港鄉新港國民小學.
        #[arg(long)]
        name: String,
        /// 縣市資料庫（同 build） / The county repository, as for `build`.
        #[arg(long)]
        root: Option<PathBuf>,
    },
}

/// `0.2.0 (commit 1a2b3c4d5e, built 2026-12-07)`: what `--version` prints after the name.
pub fn version() -> &'static str {
    static LINE: OnceLock<String> = OnceLock::new();
    LINE.get_or_init(|| {
        let built = env!("PLANPRESS_BUILD_TIME").parse().unwrap_or(0);
        format!(
            "{} (commit {}, built {})",
            env!("CARGO_PKG_VERSION"),
            env!("PLANPRESS_COMMIT"),
            Date::from_unix(built).iso()
        )
    })
}

pub fn run(cli: Cli) -> Result<Outcome> {
    let Some(command) = cli.command else {
        return cmd::start::run(cli.dir);
    };
    match command {
        Command::Build {
            root,
            out,
            profile,
            schools,
            no_pdf,
            emit_typst,
            cache_dir,
            base_url,
            pdf_time_limit,
            pdf_memory_limit,
            strict,
            quiet,
        } => cmd::build::run(&BuildArgs {
            root: resolve_root(root),
            out: out.unwrap_or_else(|| PathBuf::from(profile.as_str())),
            profile,
            schools,
            pdf: !no_pdf,
            emit_typst,
            cache_dir,
            base_url,
            pdf_limits: Limits {
                time: Duration::from_secs(pdf_time_limit),
                memory: pdf_memory_limit << 20,
            },
            strict,
            quiet,
        }),
        Command::Check {
            root,
            schools,
            format,
        } => cmd::check::run(&resolve_root(root), &schools, format),
        Command::New {
            what: New::School { id, name, root },
        } => cmd::new::school(&resolve_root(root), &id, &name),
        Command::Serve {
            root,
            schools,
            port,
            bind,
            open,
            profile,
        } => {
            serve::run(ServeOptions {
                root: resolve_root(root),
                schools,
                port,
                bind,
                open,
                profile,
            })?;
            Ok(Outcome::Success)
        }
        Command::Release {
            root,
            schools,
            all: _,
            version,
            date,
            note,
            reviser,
            approver,
            allow_incomplete,
            docs,
        } => cmd::release::run(&ReleaseArgs {
            root: resolve_root(root),
            schools,
            docs,
            version,
            date,
            note,
            reviser,
            approver,
            allow_incomplete,
        }),
        Command::Diff {
            root,
            school,
            from,
            to,
            profile,
        } => cmd::diff::run(&resolve_root(root), &school, &from, &to, profile),
        Command::Init { dir } => cmd::init::run(&dir),
        Command::Kit(args) => cmd::kit::run(&args),
        Command::Import(args) => cmd::import::run(&args),
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
