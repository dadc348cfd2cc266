//! Transcripts: one cue model, read from WebVTT, SRT, whisper / whisperX / whisper.cpp JSON and
//! Podcast Index JSON (the format found from the content), written as WebVTT, SRT, Podcast
//! Index JSON and HTML.
//!
//! Reading is bounded: a file over [`MAX_FILE`] is refused before it is read, and a text format
//! stops at the first line over [`MAX_LINE`] (a binary or runaway file fails in microseconds,
//! not after filling memory). Each tool's quirks are in the readers' comments.

mod clean;
mod error;
mod import;
mod input;
mod json;
mod labels;
mod model;
mod srt;
mod vtt;

use std::path::Path;

use clean::{MAX_MS, cue, within_limit};
pub use error::Failure;
pub use error::TranscriptError;
pub use import::Imported;
pub(crate) use import::convert;
pub use input::Encoding;
pub(crate) use input::MAX_FILE;
pub(crate) use json::write_json;
pub use model::Transcript;
pub use model::{Cue, Passage};
pub(crate) use model::{Facts, Speakers, speaker_name};
pub(crate) use srt::write_srt;
pub use vtt::write_vtt;
pub(crate) use vtt::{decode_entities, vtt_timestamp};

use crate::problem::Position;

/// The formats a transcript is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    Vtt,
    Srt,
    /// openai/whisper and whisperX (`segments` with `start`, `end`, `text`, `speaker`).
    Whisper,
    /// whisper.cpp `-oj` (`transcription` with millisecond `offsets`).
    WhisperCpp,
    /// Podcast Index JSON transcripts (`segments` with `startTime`, `endTime`, `body`).
    PodcastIndex,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Vtt => "WebVTT",
            Format::Srt => "SRT",
            Format::Whisper => "whisper JSON",
            Format::WhisperCpp => "whisper.cpp JSON",
            Format::PodcastIndex => "Podcast Index JSON",
        }
    }
}

/// The four published forms of a transcript (ARCHITECTURE.md, URLs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OutFormat {
    Vtt,
    Srt,
    Json,
    Html,
}

impl OutFormat {
    pub(crate) const ALL: [OutFormat; 4] = [OutFormat::Vtt, OutFormat::Srt, OutFormat::Json, OutFormat::Html];

    pub(crate) fn extension(self) -> &'static str {
        match self {
            OutFormat::Vtt => "vtt",
            OutFormat::Srt => "srt",
            OutFormat::Json => "json",
            OutFormat::Html => "html",
        }
    }

    /// The type the feed declares and the server sends.
    pub(crate) fn mime(self) -> &'static str {
        crate::util::mime::of_extension(self.extension()).expect("the media types know every transcript format")
    }

    /// Timed formats are captions (`rel="captions"` in the feed).
    pub(crate) fn timed(self) -> bool {
        matches!(self, OutFormat::Vtt | OutFormat::Srt)
    }
}

/// How to read a transcript.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadOptions {
    pub encoding: Encoding,
    /// Read as this format instead of the one the content shows.
    pub format: Option<Format>,
}

/// A transcript read from a file.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub transcript: Transcript,
    pub format: Format,
    /// Problems the transcript can be published with (empty, overlapping or unordered cues).
    pub warnings: Vec<Failure>,
}

/// A transcript file read and parsed, with the BLAKE3 of its bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    pub parsed: Parsed,
    pub digest: String,
}

/// Reads and parses a transcript file (see the module documentation for the bounds).
pub fn load(path: &Path, options: &ReadOptions) -> Result<Loaded, Failure> {
    let bytes = read(path)?;
    let digest = crate::util::hash::blake3_hex(&bytes);
    let parsed = parse(&bytes, options, path.extension().and_then(|e| e.to_str()))?;
    Ok(Loaded { parsed, digest })
}

/// Reads a transcript file's bytes, refusing one too large to be a transcript.
pub(crate) fn read(path: &Path) -> Result<Vec<u8>, Failure> {
    input::read_bounded(path)
}

/// Parses transcript bytes; `extension` only breaks a tie the content leaves open (a `.vtt`
/// file with no header is WebVTT missing its header, not headerless SRT).
pub fn parse(bytes: &[u8], options: &ReadOptions, extension: Option<&str>) -> Result<Parsed, Failure> {
    if bytes.len() > MAX_FILE as usize {
        return Err((Position::File, TranscriptError::TooLarge { size: bytes.len() as u64, limit: MAX_FILE }));
    }
    if bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes).iter().all(u8::is_ascii_whitespace) {
        return Err((Position::Line(1), TranscriptError::Empty));
    }
    let format = match options.format {
        Some(f) => f,
        None => detect(bytes, extension).ok_or((Position::Line(1), TranscriptError::UnknownFormat))?,
    };
    let text = input::decode(bytes, options.encoding, matches!(format, Format::Vtt | Format::Srt))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    if text.trim().is_empty() {
        return Err((Position::Line(1), TranscriptError::Empty));
    }
    // The readers leave control characters out of the cues; the author hears of them.
    let mut warnings = Vec::new();
    if let Some(found) = crate::util::text::controls(text, 0) {
        let code_point = format!("U+{:04X}", found.first as u32);
        let meant = crate::util::text::windows_1252(found.first);
        let kind = TranscriptError::ControlCharacter { code_point, meant, others: found.count - 1 };
        warnings.push((Position::Line(found.line), kind));
    }
    let mut cues = match format {
        Format::Vtt => vtt::parse(text)?,
        Format::Srt => srt::parse(text)?,
        Format::Whisper => json::parse_whisper(text)?,
        Format::WhisperCpp => json::parse_whisper_cpp(text)?,
        Format::PodcastIndex => json::parse_podcast_index(text)?,
    };
    let empty: Vec<Position> = cues.iter().filter(|c| c.text.is_empty()).map(|c| c.at).collect();
    if let Some(&first) = empty.first() {
        warnings.push((first, TranscriptError::EmptyCue { others: empty.len() - 1 }));
        cues.retain(|c| !c.text.is_empty());
    }
    if cues.is_empty() {
        return Err((Position::File, TranscriptError::NoCue));
    }
    // Word-level JSON gives zero-length words; WebVTT wants an end after the start.
    for cue in cues.iter_mut().filter(|c| c.end_ms == c.start_ms) {
        cue.end_ms += 1;
    }
    warnings.extend(order_warnings(&cues));
    // Players and the index want time order; the warning tells the author. Speakers carry
    // forward in that order, the order every output is written in.
    cues.sort_by_key(|c| c.start_ms);
    labels::carry_forward(&mut cues);
    Ok(Parsed { transcript: Transcript { cues }, format, warnings })
}

/// The format the content shows, or `None`.
pub(crate) fn detect(bytes: &[u8], extension: Option<&str>) -> Option<Format> {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace())?;
    let bytes = &bytes[start..];
    if bytes.starts_with(b"WEBVTT") {
        return Some(Format::Vtt);
    }
    if bytes[0] == b'{' {
        return json::detect(bytes);
    }
    // The first two lines: SRT starts with an index then a time line.
    let head = &bytes[..bytes.len().min(512)];
    let mut lines = head.split(|&b| b == b'\n').map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let first = lines.next()?;
    let second = lines.next().unwrap_or_default();
    let arrow = |l: &[u8]| l.windows(3).any(|w| w == b"-->");
    if !first.is_empty() && first.iter().all(u8::is_ascii_digit) && arrow(second) {
        return Some(Format::Srt);
    }
    if arrow(first) {
        return Some(if extension.is_some_and(|e| e.eq_ignore_ascii_case("vtt")) { Format::Vtt } else { Format::Srt });
    }
    if extension.is_some_and(|e| e.eq_ignore_ascii_case("vtt")) { Some(Format::Vtt) } else { None }
}

/// One warning per kind, at its first cue, with the count of the others.
fn order_warnings(cues: &[Cue]) -> Vec<Failure> {
    let (mut unordered, mut overlaps) = (Vec::new(), Vec::new());
    for pair in cues.windows(2) {
        if pair[1].start_ms < pair[0].start_ms {
            unordered.push(pair[1].at);
        } else if pair[1].start_ms < pair[0].end_ms {
            overlaps.push(pair[1].at);
        }
    }
    let mut out = Vec::new();
    if let Some(&first) = unordered.first() {
        out.push((first, TranscriptError::OutOfOrder { others: unordered.len() - 1 }));
    }
    if let Some(&first) = overlaps.first() {
        out.push((first, TranscriptError::Overlap { others: overlaps.len() - 1 }));
    }
    out
}

/// Writes `transcript` as WebVTT, SRT and Podcast Index JSON and reads each back: the times,
/// speakers and words must come back the same, and writing again must give the same bytes.
/// The fuzz targets and the tests hold every reader to this.
pub fn check_round_trip(transcript: &Transcript) -> Result<(), String> {
    let none = Speakers::new();
    type Writer = fn(&Transcript, &Speakers) -> String;
    let writers: [(Format, Writer); 3] =
        [(Format::Vtt, write_vtt), (Format::Srt, write_srt), (Format::PodcastIndex, write_json)];
    for (format, write) in writers {
        let written = write(transcript, &none);
        let options = ReadOptions { format: Some(format), ..ReadOptions::default() };
        let again = parse(written.as_bytes(), &options, None)
            .map_err(|e| format!("{format:?}: our own output does not read back: {e:?}\n{written}"))?
            .transcript;
        if again.cues.len() != transcript.cues.len() {
            return Err(format!("{format:?}: {} cues, then {}", transcript.cues.len(), again.cues.len()));
        }
        for (a, b) in transcript.cues.iter().zip(&again.cues) {
            let words = |t: &str| t.split_whitespace().map(str::to_owned).collect::<Vec<_>>();
            if (a.start_ms, a.end_ms, &a.voice, words(&a.text)) != (b.start_ms, b.end_ms, &b.voice, words(&b.text)) {
                return Err(format!("{format:?}: {a:?} came back as {b:?}"));
            }
        }
        if write(&again, &none) != written {
            return Err(format!("{format:?}: writing what was read back gives other bytes"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detection() {
        assert_eq!(detect(b"\xef\xbb\xbfWEBVTT\n", None), Some(Format::Vtt));
        assert_eq!(detect(b"1\r\n00:00:01,000 --> 00:00:02,000\r\nx", None), Some(Format::Srt));
        assert_eq!(detect(b"00:01.000 --> 00:02.000\nx", Some("vtt")), Some(Format::Vtt));
        assert_eq!(detect(b"00:01.000 --> 00:02.000\nx", Some("txt")), Some(Format::Srt));
        assert_eq!(detect(b" {\"segments\": [{\"start\": 0.0", None), Some(Format::Whisper));
        assert_eq!(detect(b"{\"version\":\"1.0.0\",\"segments\":[]}", None), Some(Format::PodcastIndex));
        assert_eq!(detect(b"{\"systeminfo\":\"\",\"transcription\":[]}", None), Some(Format::WhisperCpp));
        assert_eq!(detect(b"bonjour", None), None);
    }
}
