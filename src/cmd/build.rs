//! `planpress build`: the county's site, every school (or the named ones) into the output
//! folder, reusing from the cache every output whose inputs did not change.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Instant;

use anyhow::{Context, Result, bail};

use super::Outcome;
use crate::cache::Cache;
use crate::engine::{Engine, Failure, Made, PAGES, PDFS, SchoolFiles, SchoolOptions};
use crate::leak::{self, Leak, Secrets};
use crate::model::Profile;
use crate::output::{self, KeptSchool, SiteWriter};
use crate::progress::{Progress, count, duration};
use crate::render::pdf::workers::Limits;
use crate::render::{Output, crawlers};
use crate::report;
use crate::routes;
use crate::search;

pub struct BuildArgs {
    pub root: PathBuf,
    pub out: PathBuf,
    pub profile: Profile,
    /// Only these schools (all when empty); the others keep their pages as they were.
    pub schools: Vec<String>,
    pub pdf: bool,
    pub emit_typst: Option<PathBuf>,
    /// The cache; by default `.<out>.planpress/cache` beside the site.
    pub cache_dir: Option<PathBuf>,
    /// Where the site is published, instead of the county's `site.base_url`.
    pub base_url: Option<String>,
    /// What one school's PDFs may take; past it that school fails alone.
    pub pdf_limits: Limits,
    /// Stop when a released edition's file is not what was released.
    pub strict: bool,
    pub quiet: bool,
}

/// Counts of what the school stage did.
#[derive(Default)]
struct Tally {
    built: Vec<String>,
    /// The schools that failed, with the first reason.
    failed: BTreeMap<String, String>,
    pages_built: usize,
    pages_reused: usize,
    pdfs_built: usize,
    pdfs_reused: usize,
    typst_sources: Vec<(String, Vec<u8>)>,
}

/// In the cache folder: how each released file looked when its hash was last found right.
const VERIFIED: &str = "editions-verified.json";

pub fn run(args: &BuildArgs) -> Result<Outcome> {
    let started = Instant::now();
    let p = Progress::new(args.quiet);

    let t = Instant::now();
    let mut engine = Engine::load_at(&args.root, args.profile, args.base_url.as_deref())?;
    engine.set_pdf_limits(args.pdf_limits);
    let county = engine.county();
    let selected = super::select(county, &args.schools)?;
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
    let writer = SiteWriter::begin(&args.out, &args.root, args.profile)?;
    let cache_dir = match &args.cache_dir {
        Some(dir) => dir.clone(),
        None => writer.work().join("cache"),
    };
    let cache = Cache::open(&cache_dir)?;
    // A released edition is what was signed: a stored file that changed is said loudly.
    let drifts = engine.verify_editions(Some(&cache.dir().join(VERIFIED)));
    for drift in drifts {
        p.error(format!("error: released edition changed: {drift}"));
    }
    if args.strict && !drifts.is_empty() {
        bail!(
            "{} released files are not what was released (--strict); nothing was changed",
            drifts.len()
        );
    }
    // A school that cannot be read is said now, not after the whole county.
    for school in &county.schools {
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

    if args.pdf {
        // Fonts and library once, before the schools; a theme without fonts stops here.
        engine.pdf_engine()?;
    }

    let t = Instant::now();
    // The public copy is searched for every sensitive value before it is swapped in.
    let guard = (args.profile == Profile::Public).then(|| LeakGuard {
        secrets: Secrets::collect(county),
    });
    let tally = build_schools(
        &engine,
        &selected,
        args,
        &cache,
        &writer,
        guard.as_ref(),
        &p,
    )?;
    p.stage(
        "schools",
        format!(
            "{} built, {} failed: pages {} made, {} reused{}",
            tally.built.len(),
            tally.failed.len(),
            tally.pages_built,
            tally.pages_reused,
            if args.pdf {
                format!(
                    "; PDFs of {} typeset, {} reused",
                    tally.pdfs_built, tally.pdfs_reused
                )
            } else {
                String::new()
            }
        ),
        t.elapsed(),
    );

    // A school not built this time (not asked for, or failed) keeps its pages as they were.
    let t = Instant::now();
    let mut has_page: BTreeSet<String> = tally.built.iter().cloned().collect();
    let mut withheld = 0;
    for school in &county.schools {
        if has_page.contains(&school.id) {
            continue;
        }
        let Some(mut kept) = writer.previous_school(&school.id) else {
            continue;
        };
        if let Some(guard) = &guard {
            let released = engine.released_texts(&school.id);
            let leaks = guard.kept(&mut kept, &cache, &released, &p)?;
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
    let county_pages = engine.county_pages(args.pdf, &|id| has_page.contains(id), &tally.failed)?;
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
    let site = &county.config.site;
    let paths: Vec<String> = writer.hashes().into_iter().map(|(path, _)| path).collect();
    let sitemap = crawlers::sitemap(site, args.profile, paths.iter().map(String::as_str));
    let robots = crawlers::robots(site, args.profile, sitemap.is_some());
    if sitemap.is_none() && args.profile == Profile::Public {
        p.line(
            "sitemap.xml not written: the site's address is unknown (site.base_url in \
             county.yaml, or --base-url)",
        );
    }
    writer.write(&[robots].into_iter().chain(sitemap).collect::<Vec<_>>())?;
    let t = Instant::now();
    if let Some(dir) = &args.emit_typst {
        output::write_files(dir, &tally.typst_sources)?;
    }
    // Pruned while the site's lock is held; a build without PDFs leaves the PDFs' entries for
    // the next build with them.
    let kinds: &[&str] = if args.pdf {
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
            args.out.display(),
            counts.kept,
            cache.dir().display(),
            count(pruned, "unused entry"),
        ),
        t.elapsed(),
    );

    let failed = tally.failed.len();
    let built = tally.built.len();
    p.line(format!(
        "built {} ({failed} failed) into {} in {}",
        count(built, "school"),
        args.out.display(),
        duration(started.elapsed()),
    ));
    if failed > 0 || withheld > 0 {
        if failed > 0 {
            p.line("the failed schools keep their previous pages where the previous site had them");
        }
        Ok(Outcome::ContentErrors)
    } else {
        Ok(Outcome::Success)
    }
}

/// Every selected school, each school's files into the site as soon as it is done.
fn build_schools(
    engine: &Engine,
    selected: &[&str],
    args: &BuildArgs,
    cache: &Cache,
    writer: &SiteWriter,
    guard: Option<&LeakGuard>,
    p: &Progress,
) -> Result<Tally> {
    let options = SchoolOptions {
        pdf: args.pdf,
        emit_typst: args.emit_typst.is_some(),
    };
    let bar = p.bar(if args.pdf { "pdf" } else { "pages" }, selected.len());
    let tally = Mutex::new(Tally::default());
    let fail = |id: &str, reason: String| {
        let mut t = tally.lock().expect("not poisoned");
        t.failed.insert(id.to_string(), reason);
    };
    engine.build_all(selected, options, Some(cache), |id, result| {
        match result {
            Ok(files) => {
                // A school whose own files would publish a sensitive value fails alone.
                let leaks = match guard {
                    Some(guard) => guard.school(&files)?,
                    None => Vec::new(),
                };
                if leaks.is_empty() {
                    writer.write(&files.fresh)?;
                    writer.reuse(&files.cached)?;
                    writer.record_school(id, files.fingerprints.clone());
                    let mut t = tally.lock().expect("not poisoned");
                    let t = &mut *t;
                    t.built.push(id.to_string());
                    tally_made(&mut t.pages_built, &mut t.pages_reused, files.pages);
                    tally_made(&mut t.pdfs_built, &mut t.pdfs_reused, files.pdfs);
                    t.typst_sources.extend(files.typst_sources);
                } else {
                    for leak in &leaks {
                        bar.error(format!("error: {leak}"));
                    }
                    bar.error(format!(
                        "  school `{id}` skipped: move the values out of its text or the \
                         county's (the signed copy has them: --profile internal)"
                    ));
                    fail(
                        id,
                        format!(
                            "公開版將含有 {} 項標示為不公開之資料（如系統 IP），故未發布",
                            leaks.len()
                        ),
                    );
                }
            }
            // The theme fails every school alike: the build stops, as for any county error.
            Err(Failure::Theme(e)) => return Err(e.into()),
            Err(Failure::School(errors)) => {
                // Read errors were said when the county loaded.
                let source = engine.county().schools.iter().find(|s| s.id == id);
                let said = source.is_some_and(|s| s.data.is_err() || s.overrides.is_err());
                if !said {
                    for e in &errors {
                        bar.error(format!("error: {e}"));
                    }
                }
                bar.error(format!("  school `{id}` skipped"));
                fail(
                    id,
                    errors.first().map(ToString::to_string).unwrap_or_default(),
                );
            }
        }
        bar.inc(id);
        Ok(())
    })?;
    bar.finish();
    Ok(tally.into_inner().expect("not poisoned"))
}

/// What the public copy's files are searched for.
struct LeakGuard {
    secrets: Secrets,
}

impl LeakGuard {
    fn outputs<'a>(&self, outputs: impl IntoIterator<Item = &'a Output>) -> Vec<Leak> {
        outputs
            .into_iter()
            .flat_map(|o| self.file(&o.route.path(), &o.bytes))
            .collect()
    }

    /// A school's files: pages by the text they show, PDFs by the text laid out in them.
    fn school(&self, files: &SchoolFiles) -> Result<Vec<Leak>> {
        let mut leaks = self.outputs(files.fresh.iter().filter(|o| !is_pdf(&o.route.path())));
        for c in files.cached.iter().filter(|c| !is_pdf(&c.route.path())) {
            leaks.extend(self.file(&c.route.path(), &read(&c.file)?));
        }
        if let (Some(text), Some(pdf)) = (
            &files.pdf_text,
            files
                .fresh
                .iter()
                .map(|o| &o.route)
                .chain(files.cached.iter().map(|c| &c.route))
                .find(|r| is_pdf(&r.path())),
        ) {
            let dir = pdf.school().map(routes::draft_dir).unwrap_or_default();
            leaks.extend(self.secrets.find(&format!("{dir}*.pdf"), text));
        }
        for (dir, text) in &files.edition_texts {
            leaks.extend(self.secrets.find(&format!("{dir}*.pdf"), text));
        }
        Ok(leaks)
    }

    /// A school's files kept from the previous site. Its draft's PDFs are searched by the text
    /// the cache noted when they were made, its released PDFs by the text the store keeps
    /// (`released`: by edition folder); PDFs whose text is not known are not kept.
    fn kept(
        &self,
        school: &mut KeptSchool,
        cache: &Cache,
        released: &[(String, String)],
        p: &Progress,
    ) -> Result<Vec<Leak>> {
        let draft = routes::draft_dir(&school.id);
        let pdf_text: Option<String> = school
            .fingerprints
            .iter()
            .filter_map(|fp| fp.strip_prefix(&format!("{PDFS}/")))
            .find_map(|fp| cache.get(PDFS, fp))
            .and_then(|entry| entry.text);
        let draft_pdf = |path: &str| is_pdf(path) && path.starts_with(&draft);
        let has_pdf = school.files.iter().any(|f| draft_pdf(&f.path));
        if has_pdf && pdf_text.is_none() {
            school.files.retain(|f| !draft_pdf(&f.path));
            p.error(format!(
                "warning: the previous PDFs of school `{}` were left out: the cache no longer \
                 knows their text, which the public copy is checked for (build them with --pdf)",
                school.id
            ));
        }
        school.files.retain(|f| {
            !is_pdf(&f.path)
                || draft_pdf(&f.path)
                || released.iter().any(|(dir, _)| f.path.starts_with(dir))
        });
        let mut leaks = Vec::new();
        for f in school.files.iter().filter(|f| !is_pdf(&f.path)) {
            leaks.extend(self.file(&f.path, &read(&f.file)?));
        }
        if let Some(text) = pdf_text.filter(|_| has_pdf) {
            leaks.extend(self.secrets.find(&format!("{draft}*.pdf"), &text));
        }
        for (dir, text) in released {
            leaks.extend(self.secrets.find(&format!("{dir}*.pdf"), text));
        }
        Ok(leaks)
    }

    /// A page or the CSV by the text it shows.
    fn file(&self, path: &str, bytes: &[u8]) -> Vec<Leak> {
        let text = String::from_utf8_lossy(bytes);
        if path.ends_with(".html") {
            self.secrets.find(path, &leak::page_text(&text))
        } else {
            self.secrets.find(path, &text)
        }
    }
}

fn read(file: &std::path::Path) -> Result<Vec<u8>> {
    std::fs::read(file).with_context(|| format!("failed to read `{}`", file.display()))
}

fn is_pdf(path: &str) -> bool {
    path.ends_with(".pdf")
}

fn tally_made(built: &mut usize, reused: &mut usize, made: Made) {
    match made {
        Made::Built => *built += 1,
        Made::Reused => *reused += 1,
        Made::Not => {}
    }
}
