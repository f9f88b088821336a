//! What a school's documents are typeset from: the theme's layouts (`plan.typ`, `forms.typ`),
//! the generated main files of the forms, the bundle and a shared document, and the appendix
//! every plan carries.

use std::path::PathBuf;

use anyhow::Result;
use serde::{Deserialize, Serialize};
use typst::syntax::Source;

use super::world::{APPENDIX, FORMS, MAIN};
use crate::source::theme::Theme;

/// The theme file that lays out a plan.
pub const PLAN_TEMPLATE: &str = "typst/plan.typ";
/// The theme file that lays out any attachment form, imported by the plan template.
pub const FORMS_TEMPLATE: &str = "typst/forms.typ";
/// The part name of the forms' document (`forms.pdf`); the plan's is `plan`.
pub const FORMS_PART: &str = "forms";

/// The county's sources of every document: the theme's layouts and the shared documents.
pub struct PdfSources {
    pub(super) main: Source,
    pub(super) main_origin: PathBuf,
    pub(super) forms: Source,
    pub(super) forms_origin: PathBuf,
    pub(super) appendix: Source,
}

/// The main file of the forms' document: every form, each from a new page. The title is set
/// last, out of the styles of the forms' pages (see the theme's `plan.typ`).
pub const FORMS_MAIN: &str = "#import \"/forms.typ\": form-pages, forms-title\n\
                      #let d = json(\"/data.json\")\n\
                      #form-pages(d)\n\
                      #set document(title: forms-title(d), author: d.author)\n";

/// The main file of the print bundle: the plan, then every form.
pub const BUNDLE_MAIN: &str = "#include \"/main.typ\"\n\
                      #import \"/forms.typ\": form-pages\n\
                      #form-pages(json(\"/data.json\"))\n";

/// The main file of a shared document's own PDF: its text (`/body.typ`) in the plan's style.
const DOC_MAIN: &str = "#import \"/forms.typ\": shared-document\n\
                        #let d = json(\"/data.json\")\n\
                        #set document(title: d.title, author: d.author)\n\
                        #show: shared-document.with(d)\n\
                        #include \"/body.typ\"\n";

/// The county's sources as text, as a worker is sent them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceTexts {
    main: String,
    main_origin: PathBuf,
    forms: String,
    forms_origin: PathBuf,
    appendix: String,
}

impl PdfSources {
    /// The theme's layouts; `appendix` is Typst markup shared by every plan (the county's
    /// shared documents).
    pub fn new(theme: &Theme, appendix: String) -> Result<PdfSources> {
        let (origin, text) = theme.text(PLAN_TEMPLATE)?;
        let (forms_origin, forms_text) = theme.text(FORMS_TEMPLATE)?;
        Ok(PdfSources::from_texts(SourceTexts {
            main: text.to_string(),
            main_origin: origin.to_path_buf(),
            forms: forms_text.to_string(),
            forms_origin: forms_origin.to_path_buf(),
            appendix,
        }))
    }

    /// The sources of a shared document's own PDF: the theme's `shared-document` layout over
    /// the document's text, which a job gives as its body.
    pub fn for_docs(theme: &Theme) -> Result<PdfSources> {
        let (forms_origin, forms_text) = theme.text(FORMS_TEMPLATE)?;
        Ok(PdfSources::from_texts(SourceTexts {
            main: DOC_MAIN.to_string(),
            // The generated main only calls the theme's layout: an error is the theme's.
            main_origin: forms_origin.to_path_buf(),
            forms: forms_text.to_string(),
            forms_origin: forms_origin.to_path_buf(),
            appendix: String::new(),
        }))
    }

    pub fn from_texts(texts: SourceTexts) -> PdfSources {
        PdfSources {
            main: Source::new(*MAIN, texts.main),
            main_origin: texts.main_origin,
            forms: Source::new(*FORMS, texts.forms),
            forms_origin: texts.forms_origin,
            appendix: Source::new(*APPENDIX, texts.appendix),
        }
    }

    pub fn texts(&self) -> SourceTexts {
        SourceTexts {
            main: self.main.text().to_string(),
            main_origin: self.main_origin.clone(),
            forms: self.forms.text().to_string(),
            forms_origin: self.forms_origin.clone(),
            appendix: self.appendix.text().to_string(),
        }
    }

    /// Whether an error's file is one of the theme's layouts.
    pub fn is_template(&self, file: &std::path::Path) -> bool {
        file == self.main_origin || file == self.forms_origin
    }

    /// The plan's layout (`main.typ`), for `--emit-typst` and fingerprints.
    pub fn template(&self) -> &str {
        self.main.text()
    }

    pub fn forms_template(&self) -> &str {
        self.forms.text()
    }

    pub fn appendix(&self) -> &str {
        self.appendix.text()
    }
}
