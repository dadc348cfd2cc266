//! JSON transcripts: openai/whisper and whisperX, whisper.cpp, and Podcast Index JSON 1.0.0
//! (read and written). Unknown fields are ignored: these are other tools' formats.

use serde::{Deserialize, Serialize};

use super::{Cue, Failure, Format, Speakers, Transcript, TranscriptError, cue, speaker_name};
use crate::problem::Position;

/// Which JSON format the first bytes show (the keys that only one of them has).
pub(super) fn detect(bytes: &[u8]) -> Option<Format> {
    let head = &bytes[..bytes.len().min(64 * 1024)];
    let has = |key: &[u8]| head.windows(key.len()).any(|w| w == key);
    if has(b"\"transcription\"") {
        Some(Format::WhisperCpp)
    } else if has(b"\"startTime\"") || has(b"\"version\"") {
        Some(Format::PodcastIndex)
    } else if has(b"\"segments\"") {
        Some(Format::Whisper)
    } else {
        None
    }
}

fn syntax(e: &serde_json::Error) -> Failure {
    let at = if e.line() > 0 { Position::Line(e.line()) } else { Position::File };
    (at, TranscriptError::Json { message: e.to_string() })
}

/// Seconds as milliseconds; refuses what no audio has.
fn millis(seconds: f64, segment: usize) -> Result<u64, Failure> {
    let ms = (seconds * 1000.0).round();
    if seconds.is_finite() && (0.0..=super::MAX_MS as f64).contains(&ms) {
        Ok(ms as u64)
    } else {
        Err((Position::Segment(segment), TranscriptError::BadSeconds { value: seconds.to_string() }))
    }
}

fn timed(start_ms: u64, end_ms: u64, segment: usize) -> Result<(u64, u64), Failure> {
    if end_ms.max(start_ms) > super::MAX_MS {
        let value = format!("{} s", end_ms.max(start_ms) as f64 / 1000.0);
        return Err((Position::Segment(segment), TranscriptError::BadSeconds { value }));
    }
    // Word-level files give zero-length words; only a reversed range is wrong.
    if end_ms < start_ms {
        return Err((
            Position::Segment(segment),
            TranscriptError::EndBeforeStart {
                start: super::vtt_timestamp(start_ms),
                end: super::vtt_timestamp(end_ms),
            },
        ));
    }
    Ok((start_ms, end_ms))
}

#[derive(Deserialize)]
struct Whisper {
    segments: Vec<WhisperSegment>,
}

#[derive(Deserialize)]
struct WhisperSegment {
    start: f64,
    end: f64,
    text: String,
    #[serde(default)]
    speaker: Option<String>,
}

pub(super) fn parse_whisper(text: &str) -> Result<Vec<Cue>, Failure> {
    let doc: Whisper = serde_json::from_str(text).map_err(|e| syntax(&e))?;
    let mut cues = Vec::with_capacity(doc.segments.len());
    for (i, s) in doc.segments.into_iter().enumerate() {
        let (start, end) = timed(millis(s.start, i + 1)?, millis(s.end, i + 1)?, i + 1)?;
        cues.push(cue(start, end, s.speaker.as_deref(), &s.text, Position::Segment(i + 1)));
    }
    Ok(cues)
}

#[derive(Deserialize)]
struct WhisperCpp {
    transcription: Vec<CppSegment>,
}

#[derive(Deserialize)]
struct CppSegment {
    offsets: CppOffsets,
    text: String,
}

#[derive(Deserialize)]
struct CppOffsets {
    from: u64,
    to: u64,
}

pub(super) fn parse_whisper_cpp(text: &str) -> Result<Vec<Cue>, Failure> {
    let doc: WhisperCpp = serde_json::from_str(text).map_err(|e| syntax(&e))?;
    let mut cues = Vec::with_capacity(doc.transcription.len());
    for (i, s) in doc.transcription.into_iter().enumerate() {
        let (start, end) = timed(s.offsets.from, s.offsets.to, i + 1)?;
        // tinydiarize marks turns in the text; the turn itself carries no name.
        let text = s.text.replace("[SPEAKER_TURN]", "");
        cues.push(cue(start, end, None, &text, Position::Segment(i + 1)));
    }
    Ok(cues)
}

/// Podcast Index JSON transcripts, version 1.0.0.
#[derive(Serialize, Deserialize)]
struct PodcastIndex<'a> {
    version: std::borrow::Cow<'a, str>,
    segments: Vec<PiSegment<'a>>,
}

#[derive(Serialize, Deserialize)]
struct PiSegment<'a> {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    speaker: Option<std::borrow::Cow<'a, str>>,
    #[serde(rename = "startTime")]
    start_time: f64,
    #[serde(rename = "endTime")]
    end_time: f64,
    body: std::borrow::Cow<'a, str>,
}

pub(super) fn parse_podcast_index(text: &str) -> Result<Vec<Cue>, Failure> {
    let doc: PodcastIndex<'_> = serde_json::from_str(text).map_err(|e| syntax(&e))?;
    let mut cues = Vec::with_capacity(doc.segments.len());
    for (i, s) in doc.segments.into_iter().enumerate() {
        let (start, end) = timed(millis(s.start_time, i + 1)?, millis(s.end_time, i + 1)?, i + 1)?;
        let speaker = s.speaker.map(|v| v.trim().to_owned());
        cues.push(cue(start, end, speaker.as_deref(), &s.body, Position::Segment(i + 1)));
    }
    Ok(cues)
}

/// Writes Podcast Index JSON 1.0.0: one segment per cue, times in seconds, speakers named
/// through `speaker`.
pub(crate) fn write_json(transcript: &Transcript, speakers: &Speakers) -> String {
    let doc = PodcastIndex {
        version: "1.0.0".into(),
        segments: transcript
            .cues
            .iter()
            .map(|c| PiSegment {
                speaker: c.voice.as_deref().map(|v| speaker_name(speakers, v).into()),
                start_time: c.start_ms as f64 / 1000.0,
                end_time: c.end_ms as f64 / 1000.0,
                body: c.text.as_str().into(),
            })
            .collect(),
    };
    let mut out = serde_json::to_string_pretty(&doc).expect("plain data serializes");
    out.push('\n');
    out
}
