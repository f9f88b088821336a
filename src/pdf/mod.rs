//! Print-ready PDFs with Typst embedded as a library.
//!
//! The engine (standard library, fonts, the theme's template, the county's appendix) is built
//! once per process and shared by every school compiling in parallel. Each school brings its
//! plan as generated Typst markup (`/body.typ`) and its data as a virtual file (`/data.json`).

mod world;

use std::path::PathBuf;

use anyhow::Result;
use typst::diag::{Severity, SourceDiagnostic, Warned};
use typst::foundations::{Bytes, Datetime, Smart};
use typst::syntax::Source;
use typst::text::Font;
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World, WorldExt};
use typst_kit::fonts::FontStore;
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

use crate::diagnostics::SourceError;
use crate::roc::Date;
use crate::theme::Theme;
use crate::yaml::Pos;
use world::{APPENDIX, BODY, DocWorld, MAIN};

/// The theme file that lays out a plan.
pub const PLAN_TEMPLATE: &str = "typst/plan.typ";

pub struct PdfEngine {
    stdlib: LazyHash<Library>,
    fonts: FontStore,
    main: Source,
    main_origin: PathBuf,
    appendix: Source,
}

/// One document to compile.
pub struct PdfJob<'a> {
    /// Names the document in errors (`schools/<id>`).
    pub name: &'a str,
    /// Generated Typst markup of the plan.
    pub body: String,
    /// The school's data for the template, as JSON.
    pub data: Vec<u8>,
    /// The edition date: PDF timestamp and `today`, so that the bytes never depend on the clock.
    pub date: Date,
    /// A stable document identifier.
    pub ident: String,
}

impl PdfEngine {
    /// Loads the theme's fonts (files under `fonts/`) and template. `appendix` is Typst markup
    /// shared by every plan (the county's shared documents).
    pub fn new(theme: &Theme, appendix: String) -> Result<PdfEngine> {
        let mut fonts = FontStore::new();
        for (name, file) in theme.under("fonts") {
            if !(name.ends_with(".otf") || name.ends_with(".ttf") || name.ends_with(".ttc")) {
                continue;
            }
            let bytes = match &file.bytes {
                std::borrow::Cow::Borrowed(b) => Bytes::new(*b),
                std::borrow::Cow::Owned(v) => Bytes::new(v.clone()),
            };
            let mut faces = 0;
            for font in Font::iter(bytes) {
                let info = font.info().clone();
                fonts.push((font, info));
                faces += 1;
            }
            anyhow::ensure!(faces > 0, "`{}` holds no font", file.origin.display());
        }
        anyhow::ensure!(
            fonts.book().families().next().is_some(),
            "the theme has no fonts under fonts/: the PDFs need a CJK face"
        );
        let (origin, text) = theme.text(PLAN_TEMPLATE)?;
        Ok(PdfEngine {
            stdlib: LazyHash::new(Library::builder().build()),
            fonts,
            main: Source::new(*MAIN, text.to_string()),
            main_origin: origin.to_path_buf(),
            appendix: Source::new(*APPENDIX, appendix),
        })
    }

    /// The template's text, for `--emit-typst`.
    pub fn template(&self) -> &str {
        self.main.text()
    }

    pub fn appendix(&self) -> &str {
        self.appendix.text()
    }

    /// Compiles one document to PDF/A-2b.
    pub fn compile(&self, job: &PdfJob) -> Result<Vec<u8>, Vec<SourceError>> {
        let today = Datetime::from_ymd(job.date.year, job.date.month as u8, job.date.day as u8)
            .ok_or_else(|| {
                vec![self.plain_error(job, "the edition date is not a calendar date")]
            })?;
        let world = DocWorld {
            engine: self,
            body: Source::new(*BODY, job.body.clone()),
            data: Bytes::new(job.data.clone()),
            today,
        };
        let Warned { output, warnings } = typst::compile::<PagedDocument>(&world);
        // Falling back to a face the theme does not ship would print with whatever the machine
        // has: a font problem is an error, not a warning.
        let font_problems: Vec<SourceError> = warnings
            .iter()
            .filter(|w| w.message.contains("font"))
            .map(|w| self.diagnostic(&world, job, w))
            .collect();
        let document = output.map_err(|errors| {
            errors
                .iter()
                .map(|e| self.diagnostic(&world, job, e))
                .collect::<Vec<_>>()
        })?;
        if !font_problems.is_empty() {
            return Err(font_problems);
        }
        let standards = PdfStandards::new(&[PdfStandard::A_2b])
            .map_err(|e| vec![self.plain_error(job, e.message())])?;
        let timestamp = Datetime::from_ymd_hms(
            job.date.year,
            job.date.month as u8,
            job.date.day as u8,
            0,
            0,
            0,
        )
        .map(Timestamp::new_utc);
        let options = PdfOptions {
            ident: Smart::Custom(job.ident.clone()),
            creator: Smart::Custom(Some("planpress".to_string())),
            timestamp,
            standards,
            ..PdfOptions::default()
        };
        typst_pdf::pdf(&document, &options).map_err(|errors| {
            errors
                .iter()
                .map(|e| self.diagnostic(&world, job, e))
                .collect()
        })
    }

    fn plain_error(&self, job: &PdfJob, message: &str) -> SourceError {
        SourceError::new(job.name, None, format!("PDF: {message}"))
    }

    /// A Typst diagnostic as file:line:column. An error in the template points into the theme
    /// file; one in generated markup names the school and where to look with `--emit-typst`.
    fn diagnostic(&self, world: &DocWorld, job: &PdfJob, d: &SourceDiagnostic) -> SourceError {
        let mut message = match d.severity {
            Severity::Error => format!("PDF: {}", d.message),
            Severity::Warning => format!("PDF (warning treated as error): {}", d.message),
        };
        for hint in &d.hints {
            message.push_str(&format!("; hint: {}", hint.v));
        }
        let located = d.span.id().and_then(|id| {
            let range = world.range(d.span)?;
            let source = world.source(id).ok()?;
            let (line, column) = source.lines().byte_to_line_column(range.start)?;
            Some((
                id,
                Pos {
                    line: line as u64 + 1,
                    column: column as u64 + 1,
                },
            ))
        });
        match located {
            Some((id, pos)) if id == *MAIN => SourceError::new(
                &self.main_origin,
                Some(pos),
                format!("{message} (compiling {})", job.name),
            ),
            Some((id, pos)) => SourceError::new(
                job.name,
                None,
                format!(
                    "{message} (at {}:{}:{} of the generated Typst; see it with --emit-typst)",
                    id.vpath().get_without_slash(),
                    pos.line,
                    pos.column
                ),
            ),
            None => SourceError::new(job.name, None, message),
        }
    }
}

/// Frees Typst's memoized results. Call after a batch, never per document: the caches are what
/// makes the second school cheap.
pub fn evict_caches() {
    comemo::evict(0);
}
