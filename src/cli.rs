//! The command line: `planpress build`, `check`, `new school` and `serve`, turned into calls of
//! the commands in [`crate::cmd`].

use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Result;
use clap::{Parser, Subcommand};

use crate::cmd::build::BuildArgs;
use crate::cmd::check::Format;
use crate::cmd::release::ReleaseArgs;
use crate::cmd::{self, Outcome, resolve_root};
use crate::model::Profile;
use crate::render::pdf::workers::{self, Limits};
use crate::serve::{self, ServeOptions};

#[derive(Debug, Parser)]
#[command(
    name = "planpress",
    version,
    about = "資通安全維護計畫: a county's school plans as a website"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site of every school (or of the named ones) into the output folder.
    Build {
        /// The county repository (the folder with county.yaml). Default: ./content if it has
        /// one, else the current folder.
        #[arg(long)]
        root: Option<PathBuf>,
        /// Where the site goes: an absent or empty folder, or a site planpress built. It is
        /// replaced whole when the build is done. Default: `public`, or `internal` for the
        /// internal copy.
        #[arg(long)]
        out: Option<PathBuf>,
        /// `public`: the website, without the values the schema marks sensitive; `internal`:
        /// every value (system IPs, personal phones), for printing and signing, never published.
        #[arg(long, value_enum, default_value_t = Profile::Public)]
        profile: Profile,
        /// Build only this school (its id, the file name without .yaml); repeatable. The other
        /// schools of an existing site keep their pages as they were.
        #[arg(long = "school", value_name = "ID")]
        schools: Vec<String>,
        /// Skip the PDFs (HTML only).
        #[arg(long)]
        no_pdf: bool,
        /// Also write each school's Typst sources and data here (DIR/<id>/main.typ …), to
        /// compile the same document with the typst CLI.
        #[arg(long, value_name = "DIR")]
        emit_typst: Option<PathBuf>,
        /// Where outputs are kept between builds, by fingerprint. Default: .<out>.planpress/cache
        /// beside the site. A folder of this site's own: unused entries are removed.
        #[arg(long, value_name = "DIR")]
        cache_dir: Option<PathBuf>,
        /// 網站發布之網址，取代 county.yaml 之 site.base_url（用於標準網址、sitemap.xml 及計畫
        /// 之引用）。The address the site is published at, instead of county.yaml's
        /// site.base_url (canonical links, sitemap.xml, citations).
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
        /// The most seconds one school's PDFs may take; past it that school fails alone.
        #[arg(long, value_name = "SECONDS", default_value_t = Limits::default().time.as_secs())]
        pdf_time_limit: u64,
        /// The most memory (MiB) typesetting one school's PDFs may hold; past it that school
        /// fails alone.
        #[arg(long, value_name = "MIB", default_value_t = Limits::default().memory >> 20)]
        pdf_memory_limit: u64,
        /// Stop, changing nothing, when a file of a released edition is not what was released.
        #[arg(long)]
        strict: bool,
        /// Print only errors.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Check the school files against the schema and the plan's rules; list what is missing.
    Check {
        /// The county repository (as for `build`).
        #[arg(long)]
        root: Option<PathBuf>,
        /// Check only this school; repeatable.
        #[arg(long = "school", value_name = "ID")]
        schools: Vec<String>,
        /// `human`: rustc-style, with the line and a caret; `json`: for tools.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Start something new from the schema.
    New {
        #[command(subcommand)]
        what: New,
    },
    /// Preview the site on localhost: rebuilt on every save, pages reload themselves and show
    /// what is wrong. PDFs are compiled when first opened.
    Serve {
        /// The county repository, as for `build`.
        #[arg(long)]
        root: Option<PathBuf>,
        /// Preview only this school (faster); repeatable.
        #[arg(long = "school", value_name = "ID")]
        schools: Vec<String>,
        /// The port; by default 8040, or a free one when 8040 is taken. 0 picks a free one.
        #[arg(long)]
        port: Option<u16>,
        /// The address to listen on. Only this machine can connect by default; 0.0.0.0 opens
        /// the preview to the network.
        #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
        bind: IpAddr,
        /// Open the preview in the browser.
        #[arg(long)]
        open: bool,
        /// Which copy to preview: `public` (the website) or `internal` (every value, as
        /// printed for signing).
        #[arg(long, value_enum, default_value_t = Profile::Public)]
        profile: Profile,
    },
    /// Freeze an edition of each named school (or of all): its plan as data and its PDFs exactly
    /// as released, kept in the county repository under editions/<id>/<version>/, and a row in
    /// its 文件制／修訂紀錄表. With --doc, freeze an edition of a shared document instead
    /// (editions/_docs/<doc>/<version>/): the plans released after it cite that edition.
    Release {
        /// The county repository, as for `build`.
        #[arg(long)]
        root: Option<PathBuf>,
        /// Release this school; repeatable.
        #[arg(long = "school", value_name = "ID", required_unless_present_any = ["all", "docs"])]
        schools: Vec<String>,
        /// Release every school.
        #[arg(long, conflicts_with_all = ["schools", "docs"])]
        all: bool,
        /// Release this shared document (e.g. incident-procedure); repeatable.
        #[arg(long = "doc", value_name = "ID", conflicts_with = "schools")]
        docs: Vec<String>,
        /// The edition's version, e.g. V3.0. A version already released is refused.
        #[arg(long)]
        version: String,
        /// The edition's date, YYYY-MM-DD.
        #[arg(long)]
        date: String,
        /// What this edition revises (修訂內容).
        #[arg(long)]
        note: String,
        /// 修訂人; by default that of the school's latest revision.
        #[arg(long)]
        reviser: Option<String>,
        /// 核定人; by default that of the school's latest revision.
        #[arg(long)]
        approver: Option<String>,
        /// Release a school that still has errors; they are printed and recorded in the edition.
        #[arg(long)]
        allow_incomplete: bool,
    },
    /// Show what changed in a school's plan between two editions, or from an edition to the
    /// draft: the data field by field, the text chapter by chapter.
    Diff {
        /// The county repository, as for `build`.
        #[arg(long)]
        root: Option<PathBuf>,
        /// The school.
        #[arg(long = "school", value_name = "ID")]
        school: String,
        /// The earlier edition, e.g. V3.1.
        from: String,
        /// The later edition, or `draft` (the default): the school's data as it is now.
        #[arg(default_value = "draft")]
        to: String,
        /// Which copy to compare: `public`, or `internal` with every value.
        #[arg(long, value_enum, default_value_t = Profile::Public)]
        profile: Profile,
    },
    /// 建立新的縣市資料庫：設定、17 章計畫本文、附件表單、共用文件及一所範例學校，可直接建置。
    /// Start a new county repository (config, the 17 chapters, forms, shared documents and one
    /// example school) that builds as it is.
    Init {
        /// 新資料庫之資料夾，須不存在或為空。The new repository's folder: absent or empty.
        dir: PathBuf,
    },
    /// Typeset PDFs for a build that started it (over stdin and stdout).
    #[command(name = "pdf-worker", hide = true)]
    PdfWorker,
}

#[derive(Debug, Subcommand)]
pub enum New {
    /// Write `schools/ID.yaml` with every field of the schema, values empty.
    School {
        /// The school's id: lower-case letters, digits and hyphens (e.g. xinggang-es).
        id: String,
        /// The school's full name (全銜), e.g. 嘉義縣新港鄉新港國民小學.
        #[arg(long)]
        name: String,
        #[arg(long)]
        root: Option<PathBuf>,
    },
}

pub fn run(cli: Cli) -> Result<Outcome> {
    match cli.command {
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
        Command::PdfWorker => {
            workers::run_worker()?;
            Ok(Outcome::Success)
        }
    }
}
