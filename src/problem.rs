//! Problems found in a user's sources, with where they are and how to fix them.
//!
//! Every stage reports bad input as a typed error with a stable code (see each module's error
//! enum). `check` and `build` gather them into [`Problem`]s so that one run shows every problem
//! at once, rendered as `path:line: message — hint`. The code and the typed arguments stay
//! available so that the admin pages can render the same problem in French.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::catalog::SourceError;
use crate::media::ProbeError;
use crate::transcript::TranscriptError;

/// How bad a problem is: errors stop a build, warnings are printed and the build goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// Where in a file a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Position {
    /// The whole file.
    File,
    /// A 1-based line of a text file.
    Line(usize),
    /// A byte offset into a binary file.
    Offset(u64),
    /// A 1-based item of a JSON list (a transcript segment): JSON tools write one long line.
    Segment(usize),
}

/// The typed cause of a problem, one variant per stage.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProblemKind {
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    Probe(#[from] ProbeError),
    #[error(transparent)]
    Transcript(#[from] TranscriptError),
}

impl ProblemKind {
    /// A stable identifier, e.g. `source.unknown-ref` (used by tests, `--json` and the admin).
    pub fn code(&self) -> &'static str {
        match self {
            ProblemKind::Source(e) => e.code(),
            ProblemKind::Probe(e) => e.code(),
            ProblemKind::Transcript(e) => e.code(),
        }
    }

    /// How to fix it, when there is something to say.
    pub fn hint(&self) -> Option<String> {
        match self {
            ProblemKind::Source(e) => e.hint(),
            ProblemKind::Probe(e) => e.hint(),
            ProblemKind::Transcript(e) => e.hint(),
        }
    }
}

/// One problem in one source file.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// The file, relative to the project root when it is inside it.
    pub path: PathBuf,
    pub position: Position,
    pub severity: Severity,
    pub kind: ProblemKind,
}

impl Problem {
    pub fn error(path: impl Into<PathBuf>, position: Position, kind: impl Into<ProblemKind>) -> Self {
        Problem { path: path.into(), position, severity: Severity::Error, kind: kind.into() }
    }

    pub fn warning(path: impl Into<PathBuf>, position: Position, kind: impl Into<ProblemKind>) -> Self {
        Problem { path: path.into(), position, severity: Severity::Warning, kind: kind.into() }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    pub fn code(&self) -> &'static str {
        self.kind.code()
    }

    /// The same problem with its path made relative to `root` (for stable, readable messages).
    pub fn relative_to(mut self, root: &Path) -> Self {
        if let Ok(rel) = self.path.strip_prefix(root) {
            self.path = rel.to_path_buf();
        }
        self
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Forward slashes on every platform keep snapshots and docs identical.
        let path = self.path.to_string_lossy().replace('\\', "/");
        match self.position {
            Position::File => write!(f, "{path}: ")?,
            Position::Line(line) => write!(f, "{path}:{line}: ")?,
            Position::Offset(offset) => write!(f, "{path}: byte {offset}: ")?,
            Position::Segment(n) => write!(f, "{path}: segment {n}: ")?,
        }
        if self.severity == Severity::Warning {
            write!(f, "warning: ")?;
        }
        write!(f, "{}", self.kind)?;
        if let Some(hint) = self.kind.hint() {
            write!(f, " — {hint}")?;
        }
        Ok(())
    }
}

/// Every problem of a failed run, sorted by file and position, errors first within a file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Problems(pub Vec<Problem>);

impl Problems {
    pub fn push(&mut self, problem: Problem) {
        self.0.push(problem);
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Problem::is_error)
    }

    pub fn errors(&self) -> usize {
        self.0.iter().filter(|p| p.is_error()).count()
    }

    pub fn warnings(&self) -> usize {
        self.0.len() - self.errors()
    }

    pub fn sort(&mut self) {
        self.0.sort_by(|a, b| {
            (&a.path, a.position, a.severity, a.kind.code()).cmp(&(&b.path, b.position, b.severity, b.kind.code()))
        });
        self.0.dedup();
    }
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for problem in &self.0 {
            writeln!(f, "{problem}")?;
        }
        let (errors, warnings) = (self.errors(), self.warnings());
        write!(f, "{} error{}, {} warning{}", errors, plural(errors), warnings, plural(warnings))
    }
}

impl std::error::Error for Problems {}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Maps byte offsets of a text to 1-based line numbers.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    text.as_bytes()[..offset].iter().filter(|&&b| b == b'\n').count() + 1
}
