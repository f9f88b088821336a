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

pub struct DocWorld<'a> {
    pub engine: &'a PdfEngine,
    pub sources: &'a PdfSources,
    /// The document's main file: the plan's template, or the forms' or the bundle's generated
    /// main, which import the templates.
    pub main: Source,
    pub body: Source,
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
        } else if id == *BODY {
            Ok(self.body.clone())
        } else if id == *FORMS {
            Ok(self.sources.forms.clone())
        } else if id == *APPENDIX {
            Ok(self.sources.appendix.clone())
        } else {
            Err(not_found(id))
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
