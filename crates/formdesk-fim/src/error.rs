//! Why an import was refused: one or more problems, each naming the file, the place and what was expected.
//!
//! The messages are German sentences for the administrator who runs the import; they say what was found and
//! what was expected, in the style of `forms check`.

use serde::Serialize;
use std::fmt;

/// A place in a file: 1-based line and column, as roxmltree counts them (columns in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Position {
    /// The line, from 1.
    pub line: u32,
    /// The column, from 1.
    pub column: u32,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// One problem of one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The file, as given (a schema's name for messages, or a path).
    pub file: String,
    /// Where in the file, if known.
    pub position: Option<Position>,
    /// What is wrong and what was expected.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some(p) => write!(f, "{}:{p}: {}", self.file, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// What kind of failure an [`ImportError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The input is refused (design section 7).
    Refused,
    /// A file or folder could not be read or written.
    Io,
    /// The target folder exists and is not empty.
    Exists,
    /// The produced form does not load: a bug of the importer, not of the input.
    Bug,
}

/// Why nothing was imported: every problem found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ImportError {
    /// What kind of failure.
    pub kind: ErrorKind,
    /// Every problem, in the order found.
    pub problems: Vec<Problem>,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.kind == ErrorKind::Bug {
            writeln!(f, "Fehler des Importers (bitte melden): der erzeugte Entwurf lädt nicht.")?;
        }
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

impl ImportError {
    /// One refusal at one place.
    pub(crate) fn at(file: &str, position: Option<Position>, message: impl Into<String>) -> ImportError {
        ImportError::list(
            ErrorKind::Refused,
            vec![Problem { file: file.to_owned(), position, message: message.into() }],
        )
    }

    /// Several problems of one kind.
    pub(crate) fn list(kind: ErrorKind, problems: Vec<Problem>) -> ImportError {
        ImportError { kind, problems }
    }

    /// A file that could not be read or written.
    pub(crate) fn io(path: &std::path::Path, what: &str, e: &std::io::Error) -> ImportError {
        ImportError::list(
            ErrorKind::Io,
            vec![Problem { file: path.display().to_string(), position: None, message: format!("{what}: {e}") }],
        )
    }
}

/// Collects problems of one file while reading it, so that one run names all of them.
#[derive(Debug)]
pub(crate) struct Problems {
    file: String,
    list: Vec<Problem>,
}

impl Problems {
    pub(crate) fn new(file: &str) -> Problems {
        Problems { file: file.to_owned(), list: Vec::new() }
    }

    pub(crate) fn push(&mut self, position: Option<Position>, message: impl Into<String>) {
        self.list.push(Problem { file: self.file.clone(), position, message: message.into() });
    }

    pub(crate) fn into_result(self) -> Result<(), ImportError> {
        if self.list.is_empty() { Ok(()) } else { Err(ImportError::list(ErrorKind::Refused, self.list)) }
    }
}
