//! The build driver: the county's site made in one pass through the stages, in order. Load the
//! county (its schools validated as they load), check the released editions, build the schools
//! (resolve, render, typeset), check the public copy for leaks, keep the schools not built
//! this time, make the county's pages, index the site for search, then swap the finished site
//! in. `planpress build` parses its options and prints; everything between is here.

mod leak_check;
mod schools;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Result, bail};

use crate::cache::Cache;
use crate::engine::{Engine, PAGES, PDFS};
use crate::model::Profile;
use crate::output::{self, SiteWriter};
use crate::progress::{Progress, count};
use crate::render::crawlers;
use crate::render::pdf::workers::Limits;
use crate::report;
use crate::search;
use crate::source;
use leak_check::LeakGuard;
use schools::Tally;

/// `planpress build`'s options, as the command line gives them: the command hands them to
/// [`build`] as parsed.
#[derive(Debug, Clone, clap::Args)]
pub struct BuildOptions {
    /// 縣市資料庫（含 county.yaml 的資料夾）；預設為 ./content（若有），否則為目前資料夾 /
    /// The county repository (the folder with county.yaml). Default: ./content if it has
    /// one, else the current folder.
    #[arg(long)]
    pub root: Option<PathBuf>,
    /// 網站寫入之處：不存在或空的資料夾，或 planpress 建置過的網站，建置完成時整個替換；預設
    /// public（內部版為 internal） / Where the site goes: an absent or empty folder, or a
    /// site planpress built, replaced whole when the build is done. Default: `public`, or
    /// `internal` for the internal copy.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// public：公開網站，不含 schema 標為敏感之值；internal：含全部之值，供列印簽核，不可發布 /
    /// `public`: the website, without the values the schema marks sensitive; `internal`:
    /// every value (system IPs, personal phones), for printing and signing, never published.
    #[arg(long, value_enum, default_value_t = Profile::Public)]
    pub profile: Profile,
    /// 只建置這所學校（識別碼，即檔名去掉 .yaml），可重複；其他學校的網頁保持原樣 / Build
    /// only this school (its id, the file name without .yaml); repeatable. The other
    /// schools of an existing site keep their pages as they were.
    #[arg(long = "school", value_name = "ID")]
    pub schools: Vec<String>,
    /// 不產生 PDF（只有網頁） / Skip the PDFs (HTML only).
    #[arg(long)]
    pub no_pdf: bool,
    /// 另將各校的 Typst 原始檔與資料寫到此處（DIR/<id>/main.typ …），可用 typst 指令編譯 /
    /// Also write each school's Typst sources and data here (DIR/<id>/main.typ …), to
    /// compile the same document with the typst CLI.
    #[arg(long, value_name = "DIR")]
    pub emit_typst: Option<PathBuf>,
    /// 建置之間保存產出的快取資料夾；預設為網站旁的 .<out>.planpress/cache，不再使用的項目會
    /// 被刪除 / Where outputs are kept between builds, by fingerprint. Default:
    /// .<out>.planpress/cache beside the site. A folder of this site's own: unused entries
    /// are removed.
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// 網站發布的網址，取代 county.yaml 的 site.base_url（用於標準網址、sitemap.xml 與計畫
    /// 的引用）/ The address the site is published at, instead of county.yaml's
    /// site.base_url (canonical links, sitemap.xml, citations).
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// 一所學校的 PDF 最多可花的秒數，超過時只有該校失敗 / The most seconds one school's
    /// PDFs may take; past it that school fails alone.
    #[arg(long, value_name = "SECONDS", default_value_t = Limits::default().time.as_secs())]
    pub pdf_time_limit: u64,
    /// 排版一所學校的 PDF 最多可用的記憶體（MiB），超過時只有該校失敗 / The most memory
    /// (MiB) typesetting one school's PDFs may hold; past it that school fails alone.
    #[arg(long, value_name = "MIB", default_value_t = Limits::default().memory >> 20)]
    pub pdf_memory_limit: u64,
    /// 已發布版本的檔案與發布時不同時停止，不做任何變更 / Stop, changing nothing, when a
    /// file of a released edition is not what was released.
    #[arg(long)]
    pub strict: bool,
    /// 只印出錯誤 / Print only errors.
    #[arg(long, short)]
    pub quiet: bool,
}

impl BuildOptions {
    /// The county repository (see [`source::county_root`]).
    pub fn root(&self) -> PathBuf {
        source::county_root(self.root.as_deref())
    }

    /// The site's folder: the one given, else named after the copy (`public`, `internal`).
    pub fn out(&self) -> PathBuf {
        self.out
            .clone()
            .unwrap_or_else(|| PathBuf::from(self.profile.as_str()))
    }

    pub fn pdf(&self) -> bool {
        !self.no_pdf
    }

    /// What one school's PDFs may take; past it that school fails alone.
    pub fn pdf_limits(&self) -> Limits {
        Limits {
            time: Duration::from_secs(self.pdf_time_limit),
            memory: self.pdf_memory_limit << 20,
        }
    }
}

/// What a finished build did, for the command's last line and its exit code.
pub struct Built {
    pub schools: usize,
    /// Schools that could not be built (they keep their previous pages).
    pub failed: usize,
    /// Schools whose previous pages were left out of the public copy for a sensitive value.
    pub withheld: usize,
}

/// In the cache folder: how each released file looked when its hash was last found right.
const VERIFIED: &str = "editions-verified.json";

/// Builds the county's site into `options.out()`, saying each stage to `p`. An error means no
/// site was changed; a school's failure is that school's alone (see [`Built`]).
pub fn build(options: &BuildOptions, p: &Progress) -> Result<Built> {
    let t = Instant::now();
    let root = options.root();
    let mut engine = Engine::load_at(&root, options.profile, options.base_url.as_deref())?;
    engine.set_pdf_limits(options.pdf_limits());
    let county = engine.county();
    let selected = county.select(&options.schools)?;
    p.stage(
        "load",
        format!(
            "{}, {}, {}, {}",
            count(county.schools.len(), "school"),
            count(county.chapters.len(), "chapter"),
            count(county.docs.len(), "shared document"),
            count(county.forms.len(), "form")
        ),
        t.elapsed(),
    );
    let out = options.out();
    let writer = SiteWriter::begin(&out, &root, options.profile)?;
    let cache = Cache::open(&match &options.cache_dir {
        Some(dir) => dir.clone(),
        None => writer.work().join("cache"),
    })?;
    check_sources(&engine, &cache, options.strict, p)?;
    if options.pdf() {
        // Fonts and library once, before the schools; a theme without fonts stops here.
        engine.pdf_engine()?;
    }

    let t = Instant::now();
    // The public copy is searched for every sensitive value before it is swapped in.
    let guard = (options.profile == Profile::Public).then(|| LeakGuard::of(county));
    let tally = schools::build_schools(
        &engine,
        &selected,
        options,
        &cache,
        &writer,
        guard.as_ref(),
        p,
    )?;
    p.stage("schools", tally.summary(options.pdf()), t.elapsed());

    let t = Instant::now();
    let (has_page, withheld) = keep_schools(&engine, &tally, &writer, &cache, guard.as_ref(), p)?;
    let county_pages =
        engine.county_pages(options.pdf(), &|id| has_page.contains(id), &tally.failed)?;
    if let Some(guard) = &guard {
        let leaks = guard.outputs(&county_pages);
        if !leaks.is_empty() {
            for leak in &leaks {
                p.error(format!("error: {leak}"));
            }
            bail!(
                "the public copy would publish {}: it was not written; move the values out of \
                 the county's text (the signed copy has them: --profile internal)",
                count(leaks.len(), "sensitive value")
            );
        }
    }
    writer.write(&county_pages)?;
    p.stage(
        "county",
        format!(
            "{} (index, dashboard, shared documents)",
            count(county_pages.len(), "file")
        ),
        t.elapsed(),
    );
    engine.stop_typesetting();

    // Last, over every page the site now holds, kept schools' included.
    let t = Instant::now();
    let (searched, reused) = search::write_index(&writer, &cache)?;
    p.stage(
        "search",
        format!(
            "{} indexed in bundles of {} schools ({} unchanged, reused)",
            count(searched, "page"),
            search::BUNDLE_SCHOOLS,
            count(reused, "bundle")
        ),
        t.elapsed(),
    );
    write_crawlers(&engine, &writer, options.profile, p)?;

    let t = Instant::now();
    if let Some(dir) = &options.emit_typst {
        output::write_files(dir, &tally.typst_sources)?;
    }
    // Pruned while the site's lock is held; a build without PDFs leaves the PDFs' entries for
    // the next build with them.
    let kinds: &[&str] = if options.pdf() {
        &[PAGES, PDFS, search::CACHE_KIND]
    } else {
        &[PAGES, search::CACHE_KIND]
    };
    let pruned = cache.prune(kinds)?;
    let counts = writer.finish()?;
    p.stage(
        "write",
        format!(
            "{} into {} ({} kept from the previous site); cache {} ({} removed)",
            count(counts.written + counts.reused + counts.kept, "file"),
            out.display(),
            counts.kept,
            cache.dir().display(),
            count(pruned, "unused entry"),
        ),
        t.elapsed(),
    );
    Ok(Built {
        schools: tally.built.len(),
        failed: tally.failed.len(),
        withheld,
    })
}

/// Says what is wrong with the county's sources before any school is built: a released edition
/// whose stored file changed (with `strict`, the build stops), and the schools that cannot be
/// read; then the count of findings.
fn check_sources(engine: &Engine, cache: &Cache, strict: bool, p: &Progress) -> Result<()> {
    // A released edition is what was signed: a stored file that changed is said loudly.
    let drifts = engine.verify_editions(Some(&cache.dir().join(VERIFIED)));
    for drift in drifts {
        p.error(format!("error: released edition changed: {drift}"));
    }
    if strict && !drifts.is_empty() {
        bail!(
            "{} released files are not what was released (--strict); nothing was changed",
            drifts.len()
        );
    }
    // A school that cannot be read is said now, not after the whole county.
    for school in &engine.county().schools {
        if let Err(e) = &school.data {
            p.error(format!("error: {e}"));
        }
        if let Err(errors) = &school.overrides {
            for e in errors {
                p.error(format!("error: {e}"));
            }
        }
    }
    let reports: Vec<_> = engine.reports().cloned().collect();
    p.line(format!(
        "{:<8} {}; `planpress check` lists them",
        "check",
        report::summary(&reports)
    ));
    Ok(())
}

/// A school not built this time (not asked for, or failed) keeps its pages as they were, once
/// they pass the leak check. Returns the schools the site has pages of, and how many schools'
/// previous pages were withheld.
fn keep_schools(
    engine: &Engine,
    tally: &Tally,
    writer: &SiteWriter,
    cache: &Cache,
    guard: Option<&LeakGuard>,
    p: &Progress,
) -> Result<(BTreeSet<String>, usize)> {
    let mut has_page: BTreeSet<String> = tally.built.iter().cloned().collect();
    let mut withheld = 0;
    for school in &engine.county().schools {
        if has_page.contains(&school.id) {
            continue;
        }
        let Some(mut kept) = writer.previous_school(&school.id) else {
            continue;
        };
        if let Some(guard) = guard {
            let released = engine.released_texts(&school.id);
            let leaks = guard.kept(&mut kept, cache, &released, p)?;
            if !leaks.is_empty() {
                for leak in &leaks {
                    p.error(format!("error: {leak}"));
                }
                p.error(format!(
                    "  the previous pages of school `{}` were left out of the public copy",
                    school.id
                ));
                withheld += 1;
                continue;
            }
        }
        writer.keep(&kept)?;
        kept.fingerprints.iter().for_each(|fp| cache.keep(fp));
        has_page.insert(school.id.clone());
    }
    Ok((has_page, withheld))
}

/// `robots.txt`, and `sitemap.xml` over every page the site holds when its address is known.
fn write_crawlers(
    engine: &Engine,
    writer: &SiteWriter,
    profile: Profile,
    p: &Progress,
) -> Result<()> {
    let site = &engine.county().config.site;
    let paths: Vec<String> = writer.hashes().into_iter().map(|(path, _)| path).collect();
    let sitemap = crawlers::sitemap(site, profile, paths.iter().map(String::as_str));
    let robots = crawlers::robots(site, profile, sitemap.is_some());
    if sitemap.is_none() && profile == Profile::Public {
        p.line(
            "sitemap.xml not written: the site's address is unknown (site.base_url in \
             county.yaml, or --base-url)",
        );
    }
    writer.write(&[robots].into_iter().chain(sitemap).collect::<Vec<_>>())
}
