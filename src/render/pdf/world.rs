//! The Typst `World` of one document: the library and fonts are borrowed from the engine, built
//! once per process, the templates and appendix from the county's sources; only the school's
//! generated body and its data are the document's own.

use std::sync::LazyLock;

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, World};

use super::{PdfEngine, PdfSources};
use crate::render::typst::SECTION_MARK;

/// Fixed virtual paths, interned once: typst's file ids are a small global table, so every
/// school reuses the same ids rather than making new ones.
fn file_id(path: &str) -> FileId {
    RootedPath::new(
        VirtualRoot::Project,
        VirtualPath::new(path).expect("a valid virtual path"),
    )
    .intern()
}

pub static MAIN: LazyLock<FileId> = LazyLock::new(|| file_id("/main.typ"));
pub static BODY: LazyLock<FileId> = LazyLock::new(|| file_id("/body.typ"));
pub static FORMS: LazyLock<FileId> = LazyLock::new(|| file_id("/forms.typ"));
pub static APPENDIX: LazyLock<FileId> = LazyLock::new(|| file_id("/appendix.typ"));
pub static FORMS_MAIN: LazyLock<FileId> = LazyLock::new(|| file_id("/forms-main.typ"));
pub static BUNDLE: LazyLock<FileId> = LazyLock::new(|| file_id("/bundle.typ"));
pub static DATA: LazyLock<FileId> = LazyLock::new(|| file_id("/data.json"));

/// A plan's generated body as Typst sources: `/body.typ` includes one file per chapter and
/// section (`/body/<n>.typ`). Typst's memoized layout is keyed by the text's positions in its
/// file, so one file for the whole body made every school's text differ from the first
/// difference on; a section of the county's text is now the same source in every school, and a
/// worker lays it out once for all the schools it typesets. (A file per section rather than per
/// chapter: 3 % less CPU, as a chapter with a school's table keeps its other sections.)
pub struct Body {
    index: Source,
    /// Each section's source and its first line's number in the whole body (from 0).
    sections: Vec<(Source, usize)>,
}

impl Body {
    /// The body cut at each [`SECTION_MARK`].
    pub fn new(text: &str) -> Body {
        let mut index = String::new();
        let mut sections = Vec::new();
        let mut line = 0;
        for (n, section) in text.split(SECTION_MARK).enumerate() {
            let id = file_id(&format!("/body/{n}.typ"));
            index.push_str(&format!("#include \"/body/{n}.typ\"\n"));
            sections.push((Source::new(id, section.to_string()), line));
            line += section.matches('\n').count() + SECTION_MARK.matches('\n').count();
        }
        Body {
            index: Source::new(*BODY, index),
            sections,
        }
    }

    fn source(&self, id: FileId) -> Option<Source> {
        if id == *BODY {
            return Some(self.index.clone());
        }
        self.sections
            .iter()
            .find(|(s, _)| s.id() == id)
            .map(|(s, _)| s.clone())
    }

    /// The line (from 0) in the whole body of `line` in the section file `id`.
    pub fn line_in_body(&self, id: FileId, line: usize) -> Option<usize> {
        let (_, first) = self.sections.iter().find(|(s, _)| s.id() == id)?;
        Some(first + line)
    }
}

pub struct DocWorld<'a> {
    pub engine: &'a PdfEngine,
    pub sources: &'a PdfSources,
    /// The document's main file: the plan's template, or the forms' or the bundle's generated
    /// main, which import the templates.
    pub main: Source,
    pub body: &'a Body,
    pub data: Bytes,
    /// The edition date: `datetime.today()` in a template gives it, never the clock.
    pub today: Datetime,
}

impl World for DocWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.engine.stdlib
    }

    fn book(&self) -> &LazyHash<FontBook> {
        self.engine.fonts.book()
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else if id == *MAIN {
            Ok(self.sources.main.clone())
        } else if id == *FORMS {
            Ok(self.sources.forms.clone())
        } else if id == *APPENDIX {
            Ok(self.sources.appendix.clone())
        } else {
            self.body.source(id).ok_or_else(|| not_found(id))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == *DATA {
            Ok(self.data.clone())
        } else {
            self.source(id)
                .map(|s| Bytes::from_string(s.text().to_string()))
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.engine.fonts.font(index)
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        Some(self.today)
    }
}

fn not_found(id: FileId) -> FileError {
    FileError::NotFound(id.vpath().get_without_slash().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_is_a_file_per_section_and_lines_count_in_the_whole_body() {
        let text =
            format!("前言\n{SECTION_MARK}#heading[壹]\n一\n{SECTION_MARK}#heading[貳]\n二\n");
        let body = Body::new(&text);
        let index = body.source(*BODY).unwrap();
        assert_eq!(
            index.text(),
            "#include \"/body/0.typ\"\n#include \"/body/1.typ\"\n#include \"/body/2.typ\"\n"
        );
        let second = file_id("/body/2.typ");
        assert_eq!(body.source(second).unwrap().text(), "#heading[貳]\n二\n");
        // `二` is on line 1 (from 0) of its section's file, and on its own line of the body.
        let whole_line = text.lines().position(|l| l == "二").unwrap();
        assert_eq!(body.line_in_body(second, 1), Some(whole_line));
        assert_eq!(body.line_in_body(*BODY, 0), None);
    }
}
