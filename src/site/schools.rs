//! The school stage: every selected school built in parallel, each school's files checked and
//! written into the site as soon as it is done, and one school's failure kept to that school.

use std::collections::BTreeMap;
use std::sync::Mutex;

use anyhow::Result;

use super::BuildOptions;
use super::leak_check::LeakGuard;
use crate::cache::Cache;
use crate::engine::{Engine, Failure, Made, SchoolOptions};
use crate::output::SiteWriter;
use crate::progress::Progress;

/// Counts of what the school stage did.
#[derive(Default)]
pub(super) struct Tally {
    pub built: Vec<String>,
    /// The schools that failed, with the first reason.
    pub failed: BTreeMap<String, String>,
    pub pages_built: usize,
    pub pages_reused: usize,
    pub pdfs_built: usize,
    pub pdfs_reused: usize,
    pub typst_sources: Vec<(String, Vec<u8>)>,
}

impl Tally {
    /// The school stage's line: what was built, failed, made and reused.
    pub(super) fn summary(&self, pdf: bool) -> String {
        format!(
            "{} built, {} failed: pages {} made, {} reused{}",
            self.built.len(),
            self.failed.len(),
            self.pages_built,
            self.pages_reused,
            if pdf {
                format!(
                    "; PDFs of {} typeset, {} reused",
                    self.pdfs_built, self.pdfs_reused
                )
            } else {
                String::new()
            }
        )
    }
}

/// Every selected school, each school's files into the site as soon as it is done.
pub(super) fn build_schools(
    engine: &Engine,
    selected: &[&str],
    options: &BuildOptions,
    cache: &Cache,
    writer: &SiteWriter,
    guard: Option<&LeakGuard>,
    p: &Progress,
) -> Result<Tally> {
    let school = SchoolOptions {
        pdf: options.pdf(),
        emit_typst: options.emit_typst.is_some(),
    };
    let bar = p.bar(if options.pdf() { "pdf" } else { "pages" }, selected.len());
    let tally = Mutex::new(Tally::default());
    let fail = |id: &str, reason: String| {
        let mut t = tally.lock().expect("not poisoned");
        t.failed.insert(id.to_string(), reason);
    };
    engine.build_all(selected, school, Some(cache), |id, result| {
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

fn tally_made(built: &mut usize, reused: &mut usize, made: Made) {
    match made {
        Made::Built => *built += 1,
        Made::Reused => *reused += 1,
        Made::Not => {}
    }
}
