//! Reading transcript bytes with bounds, and decoding them.

use std::borrow::Cow;
use std::io::Read;
use std::path::Path;

use super::{Failure, TranscriptError};
use crate::problem::Position;
use crate::util::text::line_of;

/// The largest transcript read: ten hours of word-level whisper JSON is well under it.
pub(crate) const MAX_FILE: u64 = 64 * 1024 * 1024;
/// The longest line of a WebVTT or SRT file (JSON is often one line).
pub(crate) const MAX_LINE: usize = 64 * 1024;

/// The character encoding of a transcript file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Encoding {
    #[default]
    #[value(name = "utf-8")]
    Utf8,
    /// Old Windows subtitle editors; only on request, never guessed.
    #[value(name = "windows-1252")]
    Windows1252,
}

/// The whole file, refused early when it is too large or, for a text format, when a line runs
/// past [`MAX_LINE`] (checked while reading, so a runaway file costs one buffer, not its size).
pub(super) fn read_bounded(path: &Path) -> Result<Vec<u8>, Failure> {
    let io = |e: std::io::Error| (Position::File, TranscriptError::Io { reason: e.to_string() });
    let mut file = std::fs::File::open(path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    if size > MAX_FILE {
        return Err((Position::File, TranscriptError::TooLarge { size, limit: MAX_FILE }));
    }
    let mut bytes = Vec::with_capacity(size.min(MAX_LINE as u64 * 4) as usize);
    let mut chunk = vec![0u8; 64 * 1024];
    let mut json = None;
    let mut line_start = 0usize;
    let mut reader = (&mut file).take(MAX_FILE + 1);
    loop {
        let n = match reader.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(io(e)),
        };
        let from = bytes.len();
        bytes.extend_from_slice(&chunk[..n]);
        if bytes.len() as u64 > MAX_FILE {
            return Err((Position::File, TranscriptError::TooLarge { size: bytes.len() as u64, limit: MAX_FILE }));
        }
        let is_json = *json.get_or_insert_with(|| {
            bytes.iter().find(|b| !b.is_ascii_whitespace() && **b != 0xef && **b != 0xbb && **b != 0xbf) == Some(&b'{')
        });
        if !is_json {
            for (i, &b) in bytes[from..].iter().enumerate() {
                if b == b'\n' || b == b'\r' {
                    line_start = from + i + 1;
                }
            }
            if bytes.len() - line_start > MAX_LINE {
                let line = bytes[..line_start].iter().filter(|&&b| b == b'\n').count() + 1;
                return Err((Position::Line(line), TranscriptError::LineTooLong { limit: MAX_LINE }));
            }
        }
    }
    Ok(bytes)
}

/// The text of `bytes`: UTF-8, or Windows-1252 when asked. `text_format` checks line lengths
/// too (for bytes that did not come through [`read_bounded`]).
pub(super) fn decode(bytes: &[u8], encoding: Encoding, text_format: bool) -> Result<Cow<'_, str>, Failure> {
    if text_format && let Some(at) = long_line(bytes) {
        let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        return Err((Position::Line(line), TranscriptError::LineTooLong { limit: MAX_LINE }));
    }
    match encoding {
        Encoding::Utf8 => match std::str::from_utf8(bytes) {
            Ok(s) => Ok(Cow::Borrowed(s)),
            Err(e) => {
                let offset = e.valid_up_to();
                let line = line_of(&String::from_utf8_lossy(&bytes[..offset]), offset);
                Err((Position::Line(line), TranscriptError::NotUtf8 { offset }))
            }
        },
        Encoding::Windows1252 => Ok(encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0),
    }
}

/// Where the first line longer than [`MAX_LINE`] starts.
fn long_line(bytes: &[u8]) -> Option<usize> {
    let mut start = 0;
    for line in bytes.split(|&b| b == b'\n' || b == b'\r') {
        if line.len() > MAX_LINE {
            return Some(start);
        }
        start += line.len() + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A line of `MAX_LINE` bytes passes, one byte more is found at its start, whatever the line
    /// ends before it.
    #[test]
    fn a_long_line_is_found_where_it_starts() {
        let line = |n: usize| "a".repeat(n);
        for end in ["\n", "\r\n", "\r"] {
            let fits = format!("x{end}{}{end}y", line(MAX_LINE));
            assert_eq!(long_line(fits.as_bytes()), None, "{end:?}");
            let long = format!("x{end}{}{end}y", line(MAX_LINE + 1));
            assert_eq!(long_line(long.as_bytes()), Some(1 + end.len()), "{end:?}");
        }
        assert_eq!(long_line(line(MAX_LINE + 1).as_bytes()), Some(0));
    }
}
