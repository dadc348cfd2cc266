//! Transcripts: one cue model, read from WebVTT (the transcripts issue adds SRT and JSON readers
//! and the writers).

mod vtt;

pub use vtt::parse_vtt;

/// A timed piece of speech.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Cue {
    pub start_ms: u64,
    pub end_ms: u64,
    /// The speaker label as written (`<v Camille>`), before mapping through `speakers`.
    pub voice: Option<String>,
    /// Plain text: tags removed, entities decoded, lines joined with `\n`.
    pub text: String,
    /// The line of the source file where the cue's time line is.
    #[serde(skip)]
    pub line: usize,
}

/// A whole transcript.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct Transcript {
    pub cues: Vec<Cue>,
}

/// What can be wrong in a transcript file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TranscriptError {
    #[error("the first line must be `WEBVTT`")]
    MissingHeader,
    #[error("invalid timestamp `{value}`")]
    BadTimestamp { value: String },
    #[error("a cue without a time line `00:00:01.000 --> 00:00:04.000`")]
    MissingTiming,
    #[error("the cue ends ({end}) before it starts ({start})")]
    EndBeforeStart { start: String, end: String },
    #[error("the cue is empty")]
    EmptyCue,
    #[error("the file is empty")]
    Empty,
}

impl TranscriptError {
    pub fn code(&self) -> &'static str {
        match self {
            TranscriptError::MissingHeader => "transcript.missing-header",
            TranscriptError::BadTimestamp { .. } => "transcript.bad-timestamp",
            TranscriptError::MissingTiming => "transcript.missing-timing",
            TranscriptError::EndBeforeStart { .. } => "transcript.end-before-start",
            TranscriptError::EmptyCue => "transcript.empty-cue",
            TranscriptError::Empty => "transcript.empty",
        }
    }

    pub fn hint(&self) -> Option<String> {
        Some(match self {
            TranscriptError::MissingHeader | TranscriptError::Empty => {
                "a WebVTT file starts with the line `WEBVTT` and a blank line".into()
            }
            TranscriptError::BadTimestamp { .. } | TranscriptError::MissingTiming => {
                "write times as HH:MM:SS.mmm or MM:SS.mmm, with a dot before the milliseconds".into()
            }
            TranscriptError::EndBeforeStart { .. } => "swap or fix the two times".into(),
            TranscriptError::EmptyCue => "remove the cue or give it text".into(),
        })
    }
}

/// Writes WebVTT: a voice span on every cue (labels mapped through `speaker`), text escaped as
/// the spec requires (`&`, `<`, `>`), cue text that could end the cue (`-->`) defused.
pub fn write_vtt<'a>(transcript: &'a Transcript, speaker: impl Fn(&'a str) -> &'a str) -> String {
    let mut out = String::from("WEBVTT\n");
    for cue in &transcript.cues {
        out.push('\n');
        out.push_str(&format!("{} --> {}\n", vtt_timestamp(cue.start_ms), vtt_timestamp(cue.end_ms)));
        let text = escape_vtt(&cue.text);
        match &cue.voice {
            Some(v) => out.push_str(&format!("<v {}>{text}\n", escape_vtt(speaker(v)))),
            None => out.push_str(&format!("{text}\n")),
        }
    }
    out
}

/// `HH:MM:SS.mmm`.
pub fn vtt_timestamp(ms: u64) -> String {
    format!("{:02}:{:02}:{:02}.{:03}", ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000)
}

fn escape_vtt(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}
