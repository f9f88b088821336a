//! The leak check, the stage between rendering and writing: in a public build, every file about
//! to be written (a school's, a school's kept from the previous site, the county's) is searched
//! for the sensitive values of every school ([`crate::leak`]); a school whose files hold one is
//! not published, and the county's pages holding one stop the build.

use anyhow::{Context, Result};

use crate::base::routes::{self, Output};
use crate::cache::Cache;
use crate::engine::{PDFS, SchoolFiles};
use crate::leak::{self, Leak, Secrets};
use crate::output::KeptSchool;
use crate::progress::Progress;
use crate::source::County;

/// What the public copy's files are searched for.
pub struct LeakGuard {
    secrets: Secrets,
}

impl LeakGuard {
    /// The guard of `county`'s public copy: every school's sensitive values.
    pub fn of(county: &County) -> LeakGuard {
        LeakGuard {
            secrets: Secrets::collect(county),
        }
    }

    /// Files made for the county (its index, dashboard, shared documents).
    pub fn outputs<'a>(&self, outputs: impl IntoIterator<Item = &'a Output>) -> Vec<Leak> {
        outputs
            .into_iter()
            .flat_map(|o| self.file(&o.route.path(), &o.bytes))
            .collect()
    }

    /// A school's files: pages by the text they show, PDFs by the text laid out in them.
    pub fn school(&self, files: &SchoolFiles) -> Result<Vec<Leak>> {
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
    pub fn kept(
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
