//! Problems found in a user's sources, with where they are and how to fix them.
//!
//! Every stage reports bad input as a typed error with a stable code and typed arguments (each
//! module's error enum, which implements [`Diagnostic`]). `check`, `build` and `serve` gather
//! them into [`Problem`]s so that one run shows every problem at once. The same problem renders
//! in English in the command line (`path:line: message — hint`) and in French on the web.
//! This module depends on no stage: the stages depend on it.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The language a problem is rendered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// The command line's.
    En,
    /// The web pages' (the associations' staff and their listeners).
    Fr,
}

/// What a stage's error gives a problem: a stable code, typed arguments, and its text in each
/// language.
pub trait Diagnostic: fmt::Debug + Send + Sync + 'static {
    /// A stable identifier, e.g. `source.unknown-ref` (tests, `--json`, the API and the admin).
    fn code(&self) -> &'static str;
    /// What is wrong.
    fn message(&self, lang: Lang) -> String;
    /// How to fix it, when there is something to say.
    fn hint(&self, lang: Lang) -> Option<String>;
    /// The arguments of the message, by name.
    fn args(&self) -> serde_json::Value;
}

/// The arguments of a problem as [`Diagnostic::args`] gives them: the fields of its variant
/// (an object, empty for a variant without any).
pub(crate) fn args_of<T: serde::Serialize>(variant: &T) -> serde_json::Value {
    match serde_json::to_value(variant) {
        Ok(serde_json::Value::Null) | Err(_) => serde_json::Value::Object(serde_json::Map::new()),
        Ok(args) => args,
    }
}

/// How bad a problem is: errors stop a build, warnings are printed and the build goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// Where in a file a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
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

/// One problem in one source file.
#[derive(Debug, Clone)]
pub struct Problem {
    /// The file, relative to the project root when it is inside it.
    pub path: PathBuf,
    pub position: Position,
    pub severity: Severity,
    pub kind: Arc<dyn Diagnostic>,
}

impl PartialEq for Problem {
    fn eq(&self, other: &Self) -> bool {
        (&self.path, self.position, self.severity, self.code())
            == (&other.path, other.position, other.severity, other.code())
            && self.kind.args() == other.kind.args()
    }
}

impl Problem {
    pub fn error(path: impl Into<PathBuf>, position: Position, kind: impl Diagnostic) -> Self {
        Problem { path: path.into(), position, severity: Severity::Error, kind: Arc::new(kind) }
    }

    pub fn warning(path: impl Into<PathBuf>, position: Position, kind: impl Diagnostic) -> Self {
        Problem { path: path.into(), position, severity: Severity::Warning, kind: Arc::new(kind) }
    }

    pub(crate) fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    pub fn code(&self) -> &'static str {
        self.kind.code()
    }

    /// The same problem with its path made relative to `root` (for stable, readable messages).
    #[must_use]
    pub(crate) fn relative_to(mut self, root: &Path) -> Self {
        if let Ok(rel) = self.path.strip_prefix(root) {
            self.path = rel.to_path_buf();
        }
        self
    }

    /// The file with forward slashes on every platform (snapshots and docs stay identical).
    fn file(&self) -> String {
        self.path.to_string_lossy().replace('\\', "/")
    }

    /// `path:line: warning: message — hint` in English, `path:line : attention : message — hint`
    /// in French.
    pub fn render(&self, lang: Lang) -> String {
        let path = self.file();
        let (sep, warning) = match lang {
            Lang::En => (":", "warning: "),
            Lang::Fr => (" :", "attention : "),
        };
        let mut out = match (self.position, lang) {
            (Position::File, _) => format!("{path}{sep} "),
            (Position::Line(line), _) => format!("{path}:{line}{sep} "),
            (Position::Offset(offset), Lang::En) => format!("{path}: byte {offset}: "),
            (Position::Offset(offset), Lang::Fr) => format!("{path}, octet {offset} : "),
            (Position::Segment(n), Lang::En) => format!("{path}: segment {n}: "),
            (Position::Segment(n), Lang::Fr) => format!("{path}, segment {n} : "),
        };
        if self.severity == Severity::Warning {
            out.push_str(warning);
        }
        out.push_str(&self.kind.message(lang));
        if let Some(hint) = self.kind.hint(lang) {
            out.push_str(" — ");
            out.push_str(&hint);
        }
        out
    }

    /// The problem as data: where, how bad, the code and its arguments, and its text in `lang`.
    pub fn to_json(&self, lang: Lang) -> serde_json::Value {
        let mut out = serde_json::json!({
            "path": self.file(),
            "severity": self.severity,
            "code": self.code(),
            "args": self.kind.args(),
            "message": self.kind.message(lang),
            "hint": self.kind.hint(lang),
        });
        let (key, value) = match self.position {
            Position::File => return out,
            Position::Line(n) | Position::Segment(n) => {
                (if matches!(self.position, Position::Line(_)) { "line" } else { "segment" }, n as u64)
            }
            Position::Offset(o) => ("offset", o),
        };
        out[key] = value.into();
        out
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(Lang::En))
    }
}

/// Every problem of a failed run, sorted by file and position, errors first within a file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Problems(pub Vec<Problem>);

impl Problems {
    pub fn push(&mut self, problem: Problem) {
        self.0.push(problem);
    }

    pub(crate) fn has_errors(&self) -> bool {
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
            (&a.path, a.position, a.severity, a.code()).cmp(&(&b.path, b.position, b.severity, b.code()))
        });
        self.0.dedup();
    }

    /// Every problem as data (see [`Problem::to_json`]).
    pub fn to_json(&self, lang: Lang) -> serde_json::Value {
        self.0.iter().map(|p| p.to_json(lang)).collect()
    }

    /// One line per problem, then the count, in `lang`.
    pub fn render(&self, lang: Lang) -> String {
        let mut out = String::new();
        for problem in &self.0 {
            out.push_str(&problem.render(lang));
            out.push('\n');
        }
        out.push_str(&match lang {
            Lang::En => count_en(self.errors(), self.warnings()),
            Lang::Fr => count_fr(self.errors(), self.warnings()),
        });
        out
    }
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(Lang::En))
    }
}

impl std::error::Error for Problems {}

fn count_en(errors: usize, warnings: usize) -> String {
    let s = |n: usize| if n == 1 { "" } else { "s" };
    format!("{errors} error{}, {warnings} warning{}", s(errors), s(warnings))
}

/// `2 erreurs, 1 avertissement`.
pub(crate) fn count_fr(errors: usize, warnings: usize) -> String {
    let s = |n: usize| if n > 1 { "s" } else { "" };
    format!("{errors} erreur{}, {warnings} avertissement{}", s(errors), s(warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Serialize)]
    struct Typo {
        field: &'static str,
    }

    impl Diagnostic for Typo {
        fn code(&self) -> &'static str {
            "test.typo"
        }
        fn message(&self, lang: Lang) -> String {
            match lang {
                Lang::En => format!("unknown field `{}`", self.field),
                Lang::Fr => format!("champ inconnu `{}`", self.field),
            }
        }
        fn hint(&self, lang: Lang) -> Option<String> {
            Some(match lang {
                Lang::En => "fix it".into(),
                Lang::Fr => "corrigez-le".into(),
            })
        }
        fn args(&self) -> serde_json::Value {
            serde_json::to_value(self).unwrap()
        }
    }

    #[test]
    fn one_problem_two_languages() {
        let p = Problems(vec![
            Problem::error("episodes/a.md", Position::Line(3), Typo { field: "titel" }),
            Problem::warning("a.mp3", Position::Offset(12), Typo { field: "x" }),
        ]);
        assert_eq!(
            p.render(Lang::En),
            "episodes/a.md:3: unknown field `titel` — fix it\na.mp3: byte 12: warning: unknown field `x` — fix it\n1 error, 1 warning"
        );
        assert_eq!(
            p.render(Lang::Fr),
            "episodes/a.md:3 : champ inconnu `titel` — corrigez-le\na.mp3, octet 12 : attention : champ inconnu `x` — corrigez-le\n1 erreur, 1 avertissement"
        );
        assert_eq!(
            p.0[0].to_json(Lang::Fr),
            serde_json::json!({"path": "episodes/a.md", "line": 3, "severity": "error", "code": "test.typo",
                "args": {"field": "titel"}, "message": "champ inconnu `titel`", "hint": "corrigez-le"})
        );
    }
}
