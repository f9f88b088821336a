//! Print-ready PDFs with Typst embedded as a library.
//!
//! The engine (standard library and fonts) is built once per process and shared by every school
//! compiling in parallel; the county's sources (the theme's templates, the shared documents as an
//! appendix) once per county. Each school brings its plan as generated Typst markup
//! (`/body.typ`, which includes a file per section) and its data as a virtual file
//! (`/data.json`).
//!
//! A school's plan and its attachment forms are two documents, so that each PDF is tagged
//! (Typst cannot tag a page range of a larger document), titled as itself and carries only its
//! own glyphs. The print bundle is a further document: the plan's template followed by every
//! form.
//!
//! A build typesets in worker processes ([`workers`]), which run [`PdfEngine::compile`].

mod finish;
mod resident;
mod sources;
pub mod workers;
mod world;

pub use sources::{
    BUNDLE_MAIN, FORMS_MAIN, FORMS_PART, FORMS_TEMPLATE, PLAN_TEMPLATE, PdfSources, SourceTexts,
};

use anyhow::Result;
use typst::diag::{Severity, SourceDiagnostic, Warned};
use typst::foundations::{Bytes, Datetime, Smart};
use typst::layout::{Frame, FrameItem};
use typst::syntax::Source;
use typst::text::Font;
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World, WorldExt};
use typst_kit::fonts::FontStore;
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

use crate::base::diagnostics::Pos;
use crate::base::diagnostics::SourceError;
use crate::base::roc::Date;
use crate::source::theme::Theme;
use world::{BODY, Body, DocWorld, FORMS, MAIN};

/// What every document shares: Typst's standard library and the theme's fonts.
pub struct PdfEngine {
    stdlib: LazyHash<Library>,
    fonts: FontStore,
    /// The font files as read, for the workers.
    files: Vec<Bytes>,
}

/// The PDFs of one school by part: the plan, and the forms' document when asked for; and the
/// print bundle (the plan followed by every form) when asked for.
pub struct PdfOutput {
    pub parts: Vec<(String, Vec<u8>)>,
    pub bundle: Option<Vec<u8>>,
    /// The text of every page, as laid out: what a reader of the PDFs can find in them.
    pub text: String,
}

/// One document to compile.
pub struct PdfJob {
    /// Names the document in errors (`schools/<id>`).
    pub name: String,
    /// Generated Typst markup of the plan.
    pub body: String,
    /// The school's data for the template, as JSON.
    pub data: Vec<u8>,
    /// The edition date: PDF timestamp and `today`, so that the bytes never depend on the clock.
    pub date: Date,
    /// A stable document identifier.
    pub ident: String,
    /// Also typeset the forms (the data's `forms`) as their own document.
    pub forms: bool,
    /// Also typeset the print bundle: the plan followed by every form.
    pub bundle: bool,
}

impl PdfEngine {
    /// Loads the theme's fonts (files under `fonts/`).
    pub fn new(theme: &Theme) -> Result<PdfEngine> {
        let mut files = Vec::new();
        for (name, file) in theme.under("fonts") {
            if !(name.ends_with(".otf") || name.ends_with(".ttf") || name.ends_with(".ttc")) {
                continue;
            }
            let bytes = match &file.bytes {
                std::borrow::Cow::Borrowed(b) => Bytes::new(*b),
                std::borrow::Cow::Owned(v) => Bytes::new(v.clone()),
            };
            anyhow::ensure!(
                Font::iter(bytes.clone()).next().is_some(),
                "`{}` holds no font",
                file.origin.display()
            );
            files.push(bytes);
        }
        let engine = PdfEngine::from_fonts(files);
        anyhow::ensure!(
            engine.fonts.book().families().next().is_some(),
            "the theme has no fonts under fonts/: the PDFs need a CJK face"
        );
        Ok(engine)
    }

    /// The engine over font files already checked by [`PdfEngine::new`] (a worker's).
    pub fn from_fonts(files: Vec<Bytes>) -> PdfEngine {
        let mut fonts = FontStore::new();
        for font in files.iter().flat_map(|bytes| Font::iter(bytes.clone())) {
            let info = font.info().clone();
            fonts.push((font, info));
        }
        PdfEngine {
            stdlib: LazyHash::new(Library::builder().build()),
            fonts,
            files,
        }
    }

    /// The font files, as the workers are given them.
    pub fn font_files(&self) -> &[Bytes] {
        &self.files
    }

    /// Whether a font of the theme has a glyph for `c`.
    pub fn covers(&self, c: char) -> bool {
        let book = self.fonts.book();
        (0..)
            .map_while(|i| book.info(i))
            .any(|info| info.coverage.contains(c as u32))
    }

    /// Typesets the school's plan, each of its forms and, when asked for, the print bundle.
    pub fn compile(
        &self,
        sources: &PdfSources,
        job: &PdfJob,
    ) -> Result<PdfOutput, Vec<SourceError>> {
        // A value printed in several places gives the same error in each: say it once.
        self.typeset(sources, job).map_err(|mut errors| {
            errors.dedup();
            errors
        })
    }

    fn typeset(&self, sources: &PdfSources, job: &PdfJob) -> Result<PdfOutput, Vec<SourceError>> {
        let today = Datetime::from_ymd(job.date.year, job.date.month as u8, job.date.day as u8)
            .ok_or_else(|| {
                vec![self.plain_error(job, "the edition date is not a calendar date")]
            })?;
        let body = Body::new(&job.body);
        let world = |main: Source| DocWorld {
            engine: self,
            sources,
            main,
            body: &body,
            data: Bytes::new(job.data.clone()),
            today,
        };
        let mut text = String::new();
        let mut parts = Vec::with_capacity(2);
        let plan = world(sources.main.clone());
        let document = self.lay_out(&plan, job)?;
        text.push_str(&document_text(&document));
        parts.push((
            "plan".to_string(),
            self.export(&plan, job, &document, &job.ident)?,
        ));
        if job.forms {
            let forms = world(Source::new(*world::FORMS_MAIN, FORMS_MAIN.to_string()));
            let document = self.lay_out(&forms, job)?;
            text.push_str(&document_text(&document));
            let ident = format!("{}-forms", job.ident);
            parts.push((
                FORMS_PART.to_string(),
                self.export(&forms, job, &document, &ident)?,
            ));
        }
        let bundle = match job.bundle {
            true => {
                let bundle = world(Source::new(*world::BUNDLE, BUNDLE_MAIN.to_string()));
                let document = self.lay_out(&bundle, job)?;
                let ident = format!("{}-bundle", job.ident);
                Some(self.export(&bundle, job, &document, &ident)?)
            }
            false => None,
        };
        Ok(PdfOutput {
            parts,
            bundle,
            text,
        })
    }

    /// Compiles one document of the school's.
    fn lay_out(&self, world: &DocWorld, job: &PdfJob) -> Result<PagedDocument, Vec<SourceError>> {
        let Warned { output, warnings } = typst::compile::<PagedDocument>(world);
        // Falling back to a face the theme does not ship would print with whatever the machine
        // has: a font problem is an error, not a warning.
        let font_problems: Vec<SourceError> = warnings
            .iter()
            .filter(|w| w.message.contains("font"))
            .map(|w| self.diagnostic(world, job, w))
            .collect();
        let document = output.map_err(|errors| {
            errors
                .iter()
                .map(|e| self.diagnostic(world, job, e))
                .collect::<Vec<_>>()
        })?;
        if !font_problems.is_empty() {
            return Err(font_problems);
        }
        Ok(document)
    }

    /// One laid-out document as a tagged PDF/A-2b and PDF/UA-1 file: archivable, and readable
    /// aloud with its headings as bookmarks. Its timestamp is the edition date.
    fn export(
        &self,
        world: &DocWorld,
        job: &PdfJob,
        document: &PagedDocument,
        ident: &str,
    ) -> Result<Vec<u8>, Vec<SourceError>> {
        let standards = PdfStandards::new(&[PdfStandard::A_2b, PdfStandard::Ua_1])
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
            ident: Smart::Custom(ident.to_string()),
            creator: Smart::Custom(Some("planpress".to_string())),
            timestamp,
            standards,
            ..PdfOptions::default()
        };
        let bytes = typst_pdf::pdf(document, &options).map_err(|errors| {
            errors
                .iter()
                .map(|e| self.diagnostic(world, job, e))
                .collect::<Vec<_>>()
        })?;
        finish::finish(&bytes).map_err(|e| vec![self.plain_error(job, &e)])
    }

    fn plain_error(&self, job: &PdfJob, message: &str) -> SourceError {
        SourceError::new(&job.name, None, format!("PDF: {message}"))
    }

    /// A Typst diagnostic as file:line:column. An error in the template points into the theme
    /// file; one in generated markup names the school and where to look with `--emit-typst`.
    fn diagnostic(&self, world: &DocWorld, job: &PdfJob, d: &SourceDiagnostic) -> SourceError {
        let mut message = match d.severity {
            Severity::Error => format!("PDF: {}", d.message),
            Severity::Warning => format!("PDF (warning treated as error): {}", d.message),
        };
        if d.message.contains("could not be displayed") {
            let shown = d.message.split('`').nth(1).unwrap_or("");
            message = format!(
                "字型中沒有 {shown} 這個字：請改用他字，或在本縣之 themes/default/fonts/ 放入涵蓋此字之字型（{message}）"
            );
        }
        for hint in &d.hints {
            message.push_str(&format!("; hint: {}", hint.v));
        }
        let located = d.span.id().and_then(|id| {
            let range = world.range(d.span)?;
            let source = world.source(id).ok()?;
            let (line, column) = source.lines().byte_to_line_column(range.start)?;
            // A section's file is a cut of the body, which --emit-typst writes whole.
            let (id, line) = match world.body.line_in_body(id, line) {
                Some(line) => (*BODY, line),
                None => (id, line),
            };
            Some((
                id,
                Pos {
                    line: line as u64 + 1,
                    column: column as u64 + 1,
                },
            ))
        });
        match located {
            Some((id, pos)) if id == *MAIN || id == *FORMS => SourceError::new(
                if id == *MAIN {
                    &world.sources.main_origin
                } else {
                    &world.sources.forms_origin
                },
                Some(pos),
                format!("{message} (compiling {})", job.name),
            ),
            Some((id, pos)) => SourceError::new(
                &job.name,
                None,
                format!(
                    "{message} (at {}:{}:{} of the generated Typst; see it with --emit-typst)",
                    id.vpath().get_without_slash(),
                    pos.line,
                    pos.column
                ),
            ),
            None => SourceError::new(&job.name, None, message),
        }
    }
}

/// The text of every page of a laid-out document, run after run.
fn document_text(document: &PagedDocument) -> String {
    fn frame(f: &Frame, out: &mut String) {
        for (_, item) in f.items() {
            match item {
                FrameItem::Group(group) => frame(&group.frame, out),
                FrameItem::Text(text) => out.push_str(&text.text),
                _ => {}
            }
        }
    }
    let mut out = String::new();
    for page in document.pages() {
        frame(&page.frame, &mut out);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::render::document::Document;
    use crate::render::typst::{self, SECTION_MARK, TypstOptions};
    use crate::resolve::templates::escape_markdown;
    use world::APPENDIX;

    fn engine() -> &'static PdfEngine {
        static ENGINE: std::sync::OnceLock<PdfEngine> = std::sync::OnceLock::new();
        ENGINE.get_or_init(|| {
            let theme = Theme::load(std::path::Path::new("/nonexistent"), "default").unwrap();
            PdfEngine::new(&theme).unwrap()
        })
    }

    /// A layout that prints the body alone, in the theme's face, unhyphenated.
    fn bare() -> PdfSources {
        let main = "#set text(font: \"Noto Serif CJK TC\", lang: \"zh\", region: \"tw\", \
                    fallback: false, hyphenate: false)\n#include \"/body.typ\"\n";
        PdfSources {
            main: Source::new(*MAIN, main.to_string()),
            main_origin: "main.typ".into(),
            forms: Source::new(*FORMS, String::new()),
            forms_origin: "forms.typ".into(),
            appendix: Source::new(*APPENDIX, String::new()),
        }
    }

    /// What a body lays out to, as text.
    fn printed(body: String) -> Result<String, Vec<SourceError>> {
        let sources = bare();
        let job = PdfJob {
            name: "test".into(),
            body,
            data: b"{}".to_vec(),
            date: Date {
                year: 2024,
                month: 5,
                day: 1,
            },
            ident: "test".into(),
            forms: false,
            bundle: false,
        };
        let body = Body::new(&job.body);
        let world = DocWorld {
            engine: engine(),
            sources: &sources,
            main: sources.main.clone(),
            body: &body,
            data: Bytes::new(job.data.clone()),
            today: Datetime::from_ymd(2024, 5, 1).unwrap(),
        };
        let document = ::typst::compile::<PagedDocument>(&world)
            .output
            .map_err(|errors| {
                errors
                    .iter()
                    .map(|e| engine().diagnostic(&world, &job, e))
                    .collect::<Vec<_>>()
            })?;
        Ok(document_text(&document))
    }

    #[test]
    fn an_error_in_a_section_is_placed_in_the_whole_body() {
        let body = format!("第一章\n{SECTION_MARK}第二章\n\n#nonexistent-function()\n");
        let errors = printed(body.clone()).unwrap_err();
        let line = body
            .lines()
            .position(|l| l.starts_with("#nonexistent"))
            .unwrap()
            + 1;
        assert!(
            errors
                .iter()
                .any(|e| e.message.contains(&format!("at body.typ:{line}:2 "))),
            "{errors:?}"
        );
    }

    /// Text a school could type: ASCII with every punctuation mark, Chinese, full-width marks.
    fn text() -> impl Strategy<Value = String> {
        let chars: Vec<char> = (' '..='~')
            .chain("嘉義縣立東石國民中學資通安全維護計畫王大明，。、：；「」『』（）【】〓".chars())
            .collect();
        proptest::collection::vec(proptest::sample::select(chars), 0..40)
            .prop_map(|cs| cs.into_iter().collect())
    }

    fn squeeze(s: &str) -> String {
        s.chars().filter(|c| !c.is_whitespace()).collect()
    }

    #[test]
    fn the_bare_layout_prints_its_body() {
        let body = typst::render(
            &Document::parse(&escape_markdown("嘉義縣 #include \"x\" $1 *粗*")),
            &TypstOptions::default(),
        );
        assert_eq!(
            squeeze(&printed(body).unwrap()),
            squeeze("嘉義縣 #include \"x\" $1 *粗*")
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(40))]

        /// A value of the school's data goes through Markdown (escaped for it), the document
        /// and Typst markup (escaped for it) and prints as itself.
        #[test]
        fn any_text_prints_literally_and_compiles(value in text()) {
            let doc = Document::parse(&escape_markdown(&value));
            let body = typst::render(&doc, &TypstOptions::default());
            let text = printed(body.clone()).map_err(|e| {
                TestCaseError::fail(format!("{e:?} in {body}"))
            })?;
            prop_assert_eq!(squeeze(&text), squeeze(&value), "markup: {}", body);
        }
    }
}
