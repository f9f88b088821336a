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
