//! Reading source files: UTF-8 text, `+++` TOML front matter, and mapping TOML errors back to
//! lines of the file.

use std::path::Path;

use serde::de::DeserializeOwned;
use toml::Spanned;

use super::SourceError;
use crate::problem::{Position, Problem};
use crate::util::text::{closest, controls, line_of, without_controls};

/// A source file read as text.
pub(crate) struct SourceText {
    /// Without control characters (see [`crate::util::text::without_controls`]).
    pub text: String,
    /// BLAKE3 of the file's bytes: what incremental builds compare.
    pub digest: String,
    /// The control characters the file had, when it had some.
    pub warning: Option<Problem>,
}

/// What a source file is written in: where a backslash escape can make a control character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Syntax {
    /// TOML (channel.toml, the ledger).
    Toml,
    /// `+++` TOML front matter, then Markdown.
    FrontMatter,
    /// No escapes (templates).
    Plain,
}

/// Reads a whole source file as UTF-8 text, reporting the first invalid byte.
pub(crate) fn read_text(path: &Path, syntax: Syntax) -> Result<SourceText, Problem> {
    let bytes = std::fs::read(path)
        .map_err(|e| Problem::error(path, Position::File, SourceError::Io { reason: e.to_string() }))?;
    let digest = crate::util::hash::blake3_hex(&bytes);
    let text = String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let line = line_of(&String::from_utf8_lossy(&e.as_bytes()[..offset]), offset);
        Problem::error(path, Position::Line(line), SourceError::NotUtf8 { offset })
    })?;
    // A BOM is an editor's habit, not content.
    let text = text.strip_prefix('\u{feff}').map(str::to_owned).unwrap_or(text);
    // Control characters are left out of the model, so that no output can hold them.
    let toml_end = match syntax {
        Syntax::Toml => text.len(),
        Syntax::FrontMatter => text.get(3..).and_then(|t| t.find("\n+++")).map_or(text.len(), |at| at + 3),
        Syntax::Plain => 0,
    };
    let Some(found) = controls(&text, toml_end) else { return Ok(SourceText { text, digest, warning: None }) };
    let warning = Problem::warning(path, Position::Line(found.line), control_character(found.first, found.count));
    Ok(SourceText { text: without_controls(&text, toml_end), digest, warning: Some(warning) })
}

/// The problem of a control character found `count` times: with the character Windows-1252
/// puts at that code, the usual cause (a byte of Windows-1252 text read as Latin-1).
fn control_character(first: char, count: usize) -> SourceError {
    let meant = crate::util::text::windows_1252(first);
    SourceError::ControlCharacter { code_point: format!("U+{:04X}", first as u32), meant, others: count - 1 }
}

/// A file split into its TOML front matter and its Markdown body.
pub(crate) struct FrontMatter<'a> {
    /// The TOML between the `+++` lines.
    pub toml: &'a str,
    /// The 1-based line of the file where `toml` starts.
    pub first_line: usize,
    /// The Markdown after the closing `+++`.
    pub body: &'a str,
    /// Where each line of `toml` starts, computed on first use: a long file (the ledger) asks
    /// for thousands of lines.
    line_starts: std::cell::OnceCell<Vec<usize>>,
}

impl<'a> FrontMatter<'a> {
    pub(super) fn new(toml: &'a str, first_line: usize, body: &'a str) -> Self {
        FrontMatter { toml, first_line, body, line_starts: std::cell::OnceCell::new() }
    }

    /// The line of the file where a byte offset of the TOML text falls.
    pub(super) fn line(&self, offset: usize) -> usize {
        let starts = self
            .line_starts
            .get_or_init(|| std::iter::once(0).chain(self.toml.match_indices('\n').map(|(i, _)| i + 1)).collect());
        self.first_line + starts.partition_point(|&start| start <= offset) - 1
    }

    /// The line where a spanned value starts.
    pub(crate) fn line_of<T>(&self, spanned: &Spanned<T>) -> usize {
        self.line(spanned.span().start)
    }

    /// Deserializes the TOML strictly, mapping an error to its line.
    pub(super) fn parse<T: DeserializeOwned>(&self, path: &Path, known: &[&str]) -> Result<T, Problem> {
        toml::from_str(self.toml).map_err(|e| {
            let line = e.span().map_or(self.first_line, |s| self.line(s.start));
            let message = e.message().trim().replace('\n', " ");
            let kind = if let Some(field) = quoted_after(&message, "unknown field `") {
                let suggestion = closest(field, known.iter().copied());
                // The hint names the likely field; the full list of fields would drown it.
                let expected =
                    message.find(", expected").filter(|_| suggestion.is_none()).map(|at| message[at + 2..].to_owned());
                SourceError::UnknownField { field: field.to_owned(), suggestion, expected }
            } else if let Some(field) = quoted_after(&message, "missing field `") {
                SourceError::MissingField { field: field.to_owned() }
            } else {
                SourceError::Toml { message }
            };
            Problem::error(path, Position::Line(line), kind)
        })
    }
}

/// Splits `+++` front matter from the body.
pub(crate) fn split<'a>(path: &Path, text: &'a str) -> Result<FrontMatter<'a>, Problem> {
    if text.trim().is_empty() {
        return Err(Problem::error(path, Position::File, SourceError::Empty));
    }
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().unwrap_or("");
    if first.trim_end() != "+++" {
        return Err(Problem::error(path, Position::Line(1), SourceError::NoFrontMatter));
    }
    let start = first.len();
    let mut offset = start;
    for line in lines {
        if line.trim_end() == "+++" {
            return Ok(FrontMatter::new(&text[start..offset], 2, &text[offset + line.len()..]));
        }
        offset += line.len();
    }
    Err(Problem::error(path, Position::Line(1), SourceError::UnclosedFrontMatter))
}

/// The name in serde's "unknown field `x`, expected …" or "missing field `x`" messages.
fn quoted_after<'a>(message: &'a str, prefix: &str) -> Option<&'a str> {
    message.strip_prefix(prefix)?.split('`').next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_reports_lines() {
        let text = "+++\ntitle = 1\nx = 2\n+++\nbody\n";
        let fm = split(Path::new("a.md"), text).unwrap();
        assert_eq!(fm.toml, "title = 1\nx = 2\n");
        assert_eq!(fm.body, "body\n");
        assert_eq!(fm.line(fm.toml.find('x').unwrap()), 3);
    }
}
