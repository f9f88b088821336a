//! Problems found in a county's files, reported as `file:line:column: message`, and the
//! positions they are found at.

use std::fmt;
use std::path::PathBuf;

/// A position in a source file, 1-based, columns counted in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Pos {
    pub line: u64,
    pub column: u64,
}

impl Pos {
    /// The position of byte `at` of `text`, which starts at line `first_line` of its file.
    pub fn in_text(text: &str, at: usize, first_line: usize) -> Pos {
        let before = &text[..at];
        Pos {
            line: (first_line + before.matches('\n').count()) as u64,
            column: before.rsplit('\n').next().unwrap_or("").chars().count() as u64 + 1,
        }
    }
}

/// A problem in one source file. Content problems are data: the build collects them, carries on
/// with the other schools, and decides its exit code from them.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SourceError {
    pub file: PathBuf,
    /// `None` where the problem is the file as a whole (unreadable, or a template that failed to
    /// render somewhere inside a block).
    pub pos: Option<Pos>,
    pub message: String,
}

impl SourceError {
    pub fn new(file: impl Into<PathBuf>, pos: Option<Pos>, message: impl Into<String>) -> Self {
        SourceError {
            file: file.into(),
            pos,
            message: message.into(),
        }
    }
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(pos) = self.pos {
            write!(f, ":{}:{}", pos.line, pos.column)?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for SourceError {}

/// Several problems at once (every template of the county's text that names what does not
/// exist), as one error: a line each.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceErrors(pub Vec<SourceError>);

impl fmt::Display for SourceErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        write!(f, "{}", lines.join("\n"))
    }
}

impl std::error::Error for SourceErrors {}

/// The closest of `known` to `wrong`, when it is close enough to be a typo of it.
pub fn did_you_mean<'k>(wrong: &str, known: &[&'k str]) -> Option<&'k str> {
    known
        .iter()
        .map(|k| (strsim::jaro_winkler(wrong, k), *k))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}
