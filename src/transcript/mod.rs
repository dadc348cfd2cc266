//! Transcripts: one cue model, read from WebVTT, SRT, whisper / whisperX / whisper.cpp JSON and
//! Podcast Index JSON (the format found from the content), written as WebVTT, SRT, Podcast
//! Index JSON and HTML.
//!
//! Reading is bounded: a file over [`MAX_FILE`] is refused before it is read, and a text format
//! stops at the first line over [`MAX_LINE`] (a binary or runaway file fails in microseconds,
//! not after filling memory). Each tool's quirks: reference/podcast-standards.md §4.

mod html;
mod import;
mod input;
mod json;
mod labels;
mod srt;
mod vtt;

use std::path::Path;

pub use html::{HtmlContext, write_html};
pub use import::{ImportError, Imported, import};
pub use input::{Encoding, MAX_FILE, MAX_LINE};
pub use json::write_json;
pub use srt::write_srt;
pub use vtt::{decode_entities, vtt_timestamp, write_vtt};

use crate::problem::Position;

/// A timed piece of speech.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Cue {
    pub start_ms: u64,
    pub end_ms: u64,
    /// The speaker label as written (`<v Camille>`, `[SPEAKER_00]:`, `Camille:`), before mapping
    /// through the episode's `speakers`.
    pub voice: Option<String>,
    /// Plain text: tags removed, entities decoded, one line per source line, no blank line.
    pub text: String,
    /// Where the cue is in its file: the line of its time line, or its segment number in JSON.
    #[serde(skip)]
    pub at: Position,
}

/// A whole transcript, its cues in time order.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct Transcript {
    pub cues: Vec<Cue>,
}

/// Speaker labels → names (an episode's `speakers`).
pub type Speakers = std::collections::BTreeMap<String, String>;

/// The name `label` maps to, or the label itself.
pub fn speaker_name<'a>(speakers: &'a Speakers, label: &'a str) -> &'a str {
    speakers.get(label).map_or(label, String::as_str)
}

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
pub enum OutFormat {
    Vtt,
    Srt,
    Json,
    Html,
}

impl OutFormat {
    pub const ALL: [OutFormat; 4] = [OutFormat::Vtt, OutFormat::Srt, OutFormat::Json, OutFormat::Html];

    pub fn extension(self) -> &'static str {
        match self {
            OutFormat::Vtt => "vtt",
            OutFormat::Srt => "srt",
            OutFormat::Json => "json",
            OutFormat::Html => "html",
        }
    }

    /// The type the feed declares and the server sends.
    pub fn mime(self) -> &'static str {
        match self {
            OutFormat::Vtt => "text/vtt",
            OutFormat::Srt => "application/x-subrip",
            OutFormat::Json => "application/json",
            OutFormat::Html => "text/html",
        }
    }

    /// Timed formats are captions (`rel="captions"` in the feed).
    pub fn timed(self) -> bool {
        matches!(self, OutFormat::Vtt | OutFormat::Srt)
    }
}

/// What can be wrong in a transcript file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TranscriptError {
    #[error("{reason}")]
    Io { reason: String },
    #[error("the file is {size} bytes, more than the {limit} a transcript may have")]
    TooLarge { size: u64, limit: u64 },
    #[error("a line longer than {limit} bytes: this is not a text transcript")]
    LineTooLong { limit: usize },
    #[error("not UTF-8 at byte {offset}")]
    NotUtf8 { offset: usize },
    #[error("the file is empty")]
    Empty,
    #[error("the format is not recognized (expected WebVTT, SRT, whisper JSON or Podcast Index JSON)")]
    UnknownFormat,
    #[error("this is {found}, not WebVTT")]
    WrongFormat { found: &'static str },
    #[error("the first line must be `WEBVTT`")]
    MissingHeader,
    #[error("invalid timestamp `{value}`")]
    BadTimestamp { value: String },
    #[error("a cue without a time line `00:00:01.000 --> 00:00:04.000`")]
    MissingTiming,
    #[error("the cue must end after it starts (it starts at {start}, ends at {end})")]
    EndBeforeStart { start: String, end: String },
    #[error("invalid JSON: {message}")]
    Json { message: String },
    #[error("invalid time {value} (seconds must be a number from 0 to 100 hours)")]
    BadSeconds { value: String },
    #[error("the transcript has no cue")]
    NoCue,
    #[error("empty cue{}", more(*others))]
    EmptyCue { others: usize },
    #[error("the cue starts before the previous one{}", more(*others))]
    OutOfOrder { others: usize },
    #[error("the cue overlaps the previous one{}", more(*others))]
    Overlap { others: usize },
    #[error("the cue ends at {end}, after the end of the audio ({duration}){}", more(*others))]
    PastAudioEnd { end: String, duration: String, others: usize },
    #[error("only WebVTT transcripts (.vtt) are read in transcripts/: this file is left out")]
    NotImported { slug: String },
    #[error("the speaker label `{label}` has no name in the episode's `speakers`")]
    UnmappedSpeaker { label: String },
}

fn more(others: usize) -> String {
    match others {
        0 => String::new(),
        1 => " (and 1 more cue)".into(),
        n => format!(" (and {n} more cues)"),
    }
}

impl TranscriptError {
    pub fn code(&self) -> &'static str {
        match self {
            TranscriptError::Io { .. } => "transcript.io",
            TranscriptError::TooLarge { .. } => "transcript.too-large",
            TranscriptError::LineTooLong { .. } => "transcript.line-too-long",
            TranscriptError::NotUtf8 { .. } => "transcript.not-utf8",
            TranscriptError::Empty => "transcript.empty",
            TranscriptError::UnknownFormat => "transcript.unknown-format",
            TranscriptError::WrongFormat { .. } => "transcript.wrong-format",
            TranscriptError::MissingHeader => "transcript.missing-header",
            TranscriptError::BadTimestamp { .. } => "transcript.bad-timestamp",
            TranscriptError::MissingTiming => "transcript.missing-timing",
            TranscriptError::EndBeforeStart { .. } => "transcript.end-before-start",
            TranscriptError::Json { .. } => "transcript.json",
            TranscriptError::BadSeconds { .. } => "transcript.bad-seconds",
            TranscriptError::NoCue => "transcript.no-cue",
            TranscriptError::EmptyCue { .. } => "transcript.empty-cue",
            TranscriptError::OutOfOrder { .. } => "transcript.out-of-order",
            TranscriptError::Overlap { .. } => "transcript.overlap",
            TranscriptError::PastAudioEnd { .. } => "transcript.past-audio-end",
            TranscriptError::UnmappedSpeaker { .. } => "transcript.unmapped-speaker",
            TranscriptError::NotImported { .. } => "transcript.not-imported",
        }
    }

    pub fn hint(&self) -> Option<String> {
        Some(match self {
            TranscriptError::Io { .. } | TranscriptError::Json { .. } => return None,
            TranscriptError::TooLarge { .. } | TranscriptError::LineTooLong { .. } => {
                "give a WebVTT, SRT or JSON transcript".into()
            }
            TranscriptError::NotUtf8 { .. } => {
                "save the file as UTF-8 (a Windows-1252 file can be imported with `--encoding windows-1252`)".into()
            }
            TranscriptError::UnknownFormat => {
                "a WebVTT file starts with `WEBVTT`, an SRT file with `1` and a time line".into()
            }
            TranscriptError::WrongFormat { .. } => {
                "convert it with `veillee transcript import SLUG FILE`, which writes transcripts/SLUG.vtt".into()
            }
            TranscriptError::MissingHeader | TranscriptError::Empty => {
                "a WebVTT file starts with the line `WEBVTT` and a blank line".into()
            }
            TranscriptError::BadTimestamp { .. } | TranscriptError::MissingTiming => {
                "write times as HH:MM:SS.mmm or MM:SS.mmm, with a dot before the milliseconds (a comma in SRT)".into()
            }
            TranscriptError::EndBeforeStart { .. } => "swap or fix the two times".into(),
            TranscriptError::BadSeconds { .. } => "fix the time of this segment".into(),
            TranscriptError::NoCue => "add cues, or remove the file".into(),
            TranscriptError::EmptyCue { .. } => "remove the cue or give it text (it is left out)".into(),
            TranscriptError::OutOfOrder { .. } => "put the cues in time order (they are sorted when published)".into(),
            TranscriptError::Overlap { .. } => "end each cue before the next one starts".into(),
            TranscriptError::PastAudioEnd { .. } => {
                "is this the transcript of another episode, or of an earlier cut of the audio?".into()
            }
            TranscriptError::NotImported { slug } => {
                format!("import it with `veillee transcript import {slug} FILE`, then delete it")
            }
            TranscriptError::UnmappedSpeaker { label } => {
                format!("add `speakers = {{ {label} = \"Name\" }}` to the episode's front matter")
            }
        })
    }

    /// Problems a transcript can still be published with.
    pub fn is_warning(&self) -> bool {
        matches!(
            self,
            TranscriptError::EmptyCue { .. }
                | TranscriptError::OutOfOrder { .. }
                | TranscriptError::Overlap { .. }
                | TranscriptError::UnmappedSpeaker { .. }
                | TranscriptError::NotImported { .. }
        )
    }
}

/// A fatal problem and where it is.
pub type Failure = (Position, TranscriptError);

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
    let bytes = input::read_bounded(path)?;
    let digest = blake3::hash(&bytes).to_hex().to_string();
    let parsed = parse(&bytes, options, path.extension().and_then(|e| e.to_str()))?;
    Ok(Loaded { parsed, digest })
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
    let mut cues = match format {
        Format::Vtt => vtt::parse(text)?,
        Format::Srt => srt::parse(text)?,
        Format::Whisper => json::parse_whisper(text)?,
        Format::WhisperCpp => json::parse_whisper_cpp(text)?,
        Format::PodcastIndex => json::parse_podcast_index(text)?,
    };
    let mut warnings = Vec::new();
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
pub fn detect(bytes: &[u8], extension: Option<&str>) -> Option<Format> {
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

impl Transcript {
    /// The cues that end after the audio does (a little slack for rounding), as one error at
    /// the first of them.
    pub fn past_end(&self, duration_ms: u64) -> Option<Failure> {
        const SLACK_MS: u64 = 500;
        let late: Vec<&Cue> = self.cues.iter().filter(|c| c.end_ms > duration_ms + SLACK_MS).collect();
        let first = late.first()?;
        Some((
            first.at,
            TranscriptError::PastAudioEnd {
                end: vtt_timestamp(first.end_ms),
                duration: vtt_timestamp(duration_ms),
                others: late.len() - 1,
            },
        ))
    }

    /// Speaker labels that look machine-made (`SPEAKER_00`, `Speaker1`) and that `map` does not
    /// name: they would be published as they are.
    pub fn unmapped_labels(&self, map: &std::collections::BTreeMap<String, String>) -> Vec<Failure> {
        let mut seen = std::collections::BTreeSet::new();
        let mut out = Vec::new();
        for cue in &self.cues {
            if let Some(label) = &cue.voice
                && labels::is_machine_label(label)
                && !map.contains_key(label)
                && seen.insert(label.clone())
            {
                out.push((cue.at, TranscriptError::UnmappedSpeaker { label: label.clone() }));
            }
        }
        out
    }

    /// Speaker turns cut into windows of at most `max_ms` (a cue longer than that stands alone):
    /// the passages the search index and the HTML transcript are made of.
    pub fn passages(&self, max_ms: u64) -> Vec<Passage<'_>> {
        let mut out: Vec<Passage<'_>> = Vec::new();
        for cue in &self.cues {
            match out.last_mut() {
                Some(p) if p.voice == cue.voice.as_deref() && cue.end_ms.saturating_sub(p.start_ms) <= max_ms => {
                    p.end_ms = p.end_ms.max(cue.end_ms);
                    p.cues.push(cue);
                }
                _ => out.push(Passage {
                    start_ms: cue.start_ms,
                    end_ms: cue.end_ms,
                    voice: cue.voice.as_deref(),
                    cues: vec![cue],
                }),
            }
        }
        out
    }

    /// Merges word-level cues (Podcast Index JSON and whisper word lists give one word per
    /// segment) into readable cues of one speaker, at most about 6 s and 84 characters.
    pub fn merge_words(&mut self) {
        let words = self.cues.iter().filter(|c| c.text.split_whitespace().count() <= 2).count();
        if self.cues.len() < 4 || words * 2 < self.cues.len() {
            return;
        }
        let mut out: Vec<Cue> = Vec::new();
        for cue in std::mem::take(&mut self.cues) {
            if let Some(last) = out.last_mut()
                && last.voice == cue.voice
                && cue.end_ms.saturating_sub(last.start_ms) <= 6_000
                && cue.start_ms.saturating_sub(last.end_ms) <= 1_000
                && last.text.len() + cue.text.len() < 84
            {
                last.end_ms = last.end_ms.max(cue.end_ms);
                last.text.push(' ');
                last.text.push_str(&cue.text);
                continue;
            }
            out.push(cue);
        }
        self.cues = out;
    }
}

/// Consecutive cues of one speaker.
#[derive(Debug, Clone, PartialEq)]
pub struct Passage<'a> {
    pub start_ms: u64,
    pub end_ms: u64,
    pub voice: Option<&'a str>,
    pub cues: Vec<&'a Cue>,
}

impl Passage<'_> {
    /// The text of the passage on one line.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for word in self.cues.iter().flat_map(|c| c.text.split_whitespace()) {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(word);
        }
        out
    }
}

/// Text lines trimmed with one space between words, blank ones dropped, control characters,
/// formatting tags and SSA codes removed,
/// `-->` made `->` (in WebVTT and SRT that arrow starts a cue: no format could carry it as text).
fn clean_text(text: &str) -> String {
    if is_clean(text) {
        return text.to_owned();
    }
    let mut text: String = text.chars().filter(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r')).collect();
    // Until nothing changes: removing one kind can make another (`{<i>\an8}`, `-<b>->`), and
    // cleaning clean text must change nothing.
    loop {
        let mut next = vtt::strip_cue_tags(&strip_ass_tags(&text));
        while next.contains("-->") {
            next = next.replace("-->", "->");
        }
        if next == text {
            break;
        }
        text = next;
    }
    let mut out = String::with_capacity(text.len());
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        if !out.is_empty() {
            out.push('\n');
        }
        // One space between words: writers re-wrap lines, and a label must not change length.
        for (i, word) in line.split_whitespace().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(word);
        }
    }
    out
}

/// Whether [`clean_text`] would leave `text` as it is (most cue text): it is then not rebuilt.
fn is_clean(text: &str) -> bool {
    !text.is_empty()
        && !text.contains("-->")
        && !text.bytes().any(|b| matches!(b, b'<' | b'{' | b'\t' | b'\r'))
        && !text.chars().any(|c| c.is_control() && c != '\n')
        && text.split('\n').all(|line| {
            !line.is_empty()
                && !line.starts_with(char::is_whitespace)
                && !line.ends_with(char::is_whitespace)
                && !line.contains("  ")
                && !line.chars().any(|c| c.is_whitespace() && c != ' ')
        })
}

/// `{\an8}` and other SSA override codes some editors leave in SRT.
pub(super) fn strip_ass_tags(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find("{\\") {
        out.push_str(&rest[..open]);
        match rest[open..].find('}') {
            Some(close) => rest = &rest[open + close + 1..],
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The longest time a transcript may hold: 100 hours (what no episode reaches; the JSON
/// readers' bound too, so that every format can carry every time).
const MAX_MS: u64 = 100 * 3_600_000;

/// A time from its parts, if it is within [`MAX_MS`].
fn within_limit(hours: u64, minutes: u64, seconds: u64, millis: u64) -> Option<u64> {
    let ms = hours.checked_mul(3_600_000)?.checked_add(minutes * 60_000 + seconds * 1000 + millis)?;
    (ms <= MAX_MS).then_some(ms)
}

/// A cue from its parts: the label split off the text, the text cleaned.
fn cue(start_ms: u64, end_ms: u64, voice: Option<String>, text: &str, at: Position) -> Cue {
    // Cleaned first: a label hidden behind a control character or a blank line is still found.
    let text = clean_text(text);
    // A voice that cleans to nothing (`<v ->`) is no voice: the text may still name one.
    let (voice, text) = match voice.as_deref().and_then(labels::clean_label) {
        Some(v) => (Some(v), text),
        None => {
            let (label, rest) = labels::split_label(&text);
            (label.as_deref().and_then(labels::clean_label), rest.to_owned())
        }
    };
    Cue { start_ms, end_ms, voice, text, at }
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

    /// The fast path agrees with the slow one, and cleaning clean text changes nothing.
    #[test]
    fn cleaning_is_a_fixed_point() {
        for text in [
            "Bonjour à tous",
            "deux\nlignes",
            " espace",
            "a  b",
            "a\u{a0}b",
            "a\tb",
            "<i>x</i>",
            "{<i>\\an8}x",
            "a --> b",
            "a\n\nb",
            "a\r\nb",
            "x\u{1}y",
        ] {
            let once = clean_text(text);
            assert_eq!(clean_text(&once), once, "{text:?}");
            assert!(!is_clean(text) || once == text, "{text:?}");
        }
    }

    #[test]
    fn passages_follow_turns_and_windows() {
        let c = |s: u64, e: u64, v: &str| Cue {
            start_ms: s,
            end_ms: e,
            voice: Some(v.into()),
            text: format!("t{s}"),
            at: Position::File,
        };
        let t = Transcript {
            cues: vec![c(0, 10_000, "A"), c(10_000, 25_000, "A"), c(25_000, 40_000, "A"), c(40_000, 45_000, "B")],
        };
        let p = t.passages(30_000);
        assert_eq!(
            p.iter().map(|p| (p.start_ms, p.end_ms)).collect::<Vec<_>>(),
            [(0, 25_000), (25_000, 40_000), (40_000, 45_000)]
        );
        assert_eq!(p[0].text(), "t0 t10000");
    }
}
