//! The command line: `planpress build`, `check`, `new school` and `serve`.

use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context as _, Result, bail};
use clap::{Parser, Subcommand};

use crate::check::{self, SchoolReport};
use crate::report::{self, CheckRun};
use crate::serve::{self, ServeOptions};
use crate::site::{BuildOptions, SchoolStatus};
use crate::{load, output, scaffold, site};

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
        /// Where the site goes; replaced whole when the build is done.
        #[arg(long, default_value = "public")]
        out: PathBuf,
        /// Build only this school (its id, the file name without .yaml); repeatable.
        #[arg(long = "school", value_name = "ID")]
        schools: Vec<String>,
        /// Skip the PDFs (HTML only).
        #[arg(long)]
        no_pdf: bool,
        /// Also write each school's Typst sources and data here (DIR/<id>/main.typ …), to
        /// compile the same document with the typst CLI.
        #[arg(long, value_name = "DIR")]
        emit_typst: Option<PathBuf>,
    },
    /// Check the school files against the schema and the plan's rules; list what is missing.
    Check {
        /// The county repository (as for `build`).
        #[arg(long)]
        root: Option<PathBuf>,
        /// Check only this school; repeatable.
        #[arg(long = "school", value_name = "ID")]
        schools: Vec<String>,
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
    },
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
}

/// What the process should exit with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    /// Some schools failed; the others were built.
    ContentErrors,
}

pub fn run(cli: Cli) -> Result<Outcome> {
    match cli.command {
        Command::Build {
            root,
            out,
            schools,
            no_pdf,
            emit_typst,
        } => {
            let options = BuildOptions {
                schools,
                pdf: !no_pdf,
                emit_typst: emit_typst.is_some(),
            };
            build(&resolve_root(root), &out, &options, emit_typst.as_deref())
        }
        Command::Check {
            root,
            schools,
            format,
        } => check(&resolve_root(root), &schools, format),
        Command::New {
            what: New::School { id, name, root },
        } => new_school(&resolve_root(root), &id, &name),
        Command::Serve {
            root,
            schools,
            port,
            bind,
            open,
        } => {
            serve::run(ServeOptions {
                root: resolve_root(root),
                schools,
                port,
                bind,
                open,
            })?;
            Ok(Outcome::Success)
        }
    }
}

fn resolve_root(root: Option<PathBuf>) -> PathBuf {
    root.unwrap_or_else(|| {
        let content = Path::new("content");
        if content.join("county.yaml").is_file() {
            content.to_path_buf()
        } else {
            PathBuf::from(".")
        }
    })
}

fn build(
    root: &Path,
    out: &Path,
    options: &BuildOptions,
    emit_typst: Option<&Path>,
) -> Result<Outcome> {
    let started = Instant::now();
    let county = load::load(root)?;
    let loaded = started.elapsed();
    let result = site::build(&county, options)?;
    let rendered = started.elapsed() - loaded;
    if let Some(dir) = emit_typst {
        output::write_files(dir, &result.typst_sources)?;
    }

    let mut keep = Vec::new();
    for (id, errors) in result.failed() {
        for e in errors {
            eprintln!("error: {e}");
        }
        eprintln!("  school `{id}` skipped");
        keep.push(format!("schools/{id}"));
    }
    output::write_site(out, &result.artifacts, &keep)?;

    // The build checked every school already; report the ones built.
    let checked: Vec<SchoolReport> = result
        .reports
        .iter()
        .filter(|r| options.schools.is_empty() || options.schools.contains(&r.school))
        .cloned()
        .collect();
    println!(
        "{}; `planpress check` lists them",
        report::summary(&checked)
    );

    let failed = keep.len();
    let built = result
        .schools
        .iter()
        .filter(|s| matches!(s.status, SchoolStatus::Built))
        .count();
    println!(
        "built {built} school{} ({failed} failed), {} files into {} in {} ms (load {} ms, render {} ms)",
        if built == 1 { "" } else { "s" },
        result.artifacts.len(),
        out.display(),
        started.elapsed().as_millis(),
        loaded.as_millis(),
        rendered.as_millis(),
    );
    if failed > 0 {
        println!("the previous pages of the failed schools were kept where they existed");
        Ok(Outcome::ContentErrors)
    } else {
        Ok(Outcome::Success)
    }
}

fn check(root: &Path, wanted: &[String], format: Format) -> Result<Outcome> {
    let started = Instant::now();
    let county = load::load(root)?;
    for id in wanted {
        if !county.schools.iter().any(|s| &s.id == id) {
            bail!("no school `{id}` in `{}`", root.join("schools").display());
        }
    }
    let reports: Vec<SchoolReport> = county
        .schools
        .iter()
        .filter(|s| wanted.is_empty() || wanted.contains(&s.id))
        .map(|s| check::check_school(&county, s))
        .collect();
    match format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&CheckRun::new(&reports))?
        ),
        Format::Human => {
            let known = county
                .schools
                .iter()
                .map(|s| (s.file.as_path(), s.text.as_str()));
            print!(
                "{}",
                report::human(&reports, &report::sources(&reports, known))
            );
            eprintln!(
                "{} in {} ms",
                report::summary(&reports),
                started.elapsed().as_millis()
            );
        }
    }
    Ok(if reports.iter().any(|r| r.errors > 0) {
        Outcome::ContentErrors
    } else {
        Outcome::Success
    })
}

fn new_school(root: &Path, id: &str, name: &str) -> Result<Outcome> {
    let county = load::load(root)?;
    // The schema decides what an id may be.
    let probe = serde_json::json!({ "id": id });
    if county
        .schema
        .errors(&probe)
        .iter()
        .any(|e| e.instance_path().as_str() == "/id")
    {
        let rule = county
            .schema
            .description(&[crate::schema::Seg::Key("id".into())])
            .unwrap_or_default();
        bail!("`{id}` is not a valid school id: {rule}");
    }
    let file = root.join("schools").join(format!("{id}.yaml"));
    if file.exists() {
        bail!("`{}` already exists; it was left as it is", file.display());
    }
    std::fs::create_dir_all(root.join("schools"))?;
    let text = scaffold::school_yaml(&county.schema, id, name);
    std::fs::write(&file, text).with_context(|| format!("failed to write `{}`", file.display()))?;
    println!(
        "wrote {}: fill in its values, then run `planpress check --school {id}`",
        file.display()
    );
    Ok(Outcome::Success)
}
