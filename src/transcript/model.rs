//! The cue model: a transcript is timed cues in time order, each with its text and maybe a
//! speaker label; passages are a speaker's turn cut into windows.

use super::labels;
use super::{Failure, TranscriptError, vtt_timestamp};
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
pub(crate) type Speakers = std::collections::BTreeMap<String, String>;

/// The name `label` maps to, or the label itself.
pub(crate) fn speaker_name<'a>(speakers: &'a Speakers, label: &'a str) -> &'a str {
    speakers.get(label).map_or(label, String::as_str)
}

/// What the catalog checks of a transcript against its episode, kept between runs so that an
/// unchanged transcript is not parsed again: its last end, and the machine-made speaker labels
/// with the cue each first appears at.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Facts {
    pub(crate) last_end_ms: u64,
    pub(crate) machine_labels: Vec<(Position, String)>,
}

/// How far past the audio's end a cue may end (rounding).
const SLACK_MS: u64 = 500;

impl Facts {
    /// Whether some cue ends after audio of `duration_ms` (then [`Transcript::past_end`] says which).
    pub(crate) fn past_end(&self, duration_ms: u64) -> bool {
        self.last_end_ms > duration_ms + SLACK_MS
    }

    /// Speaker labels that look machine-made (`SPEAKER_00`, `Speaker1`) and that `map` does not
    /// name: they would be published as they are.
    pub(crate) fn unmapped_labels(&self, map: &std::collections::BTreeMap<String, String>) -> Vec<Failure> {
        self.machine_labels
            .iter()
            .filter(|(_, label)| !map.contains_key(label))
            .map(|(at, label)| (*at, TranscriptError::UnmappedSpeaker { label: label.clone() }))
            .collect()
    }
}

impl Transcript {
    /// The cues that end after the audio does (a little slack for rounding), as one error at
    /// the first of them.
    pub(crate) fn past_end(&self, duration_ms: u64) -> Option<Failure> {
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

    pub(crate) fn facts(&self) -> Facts {
        let mut seen = std::collections::BTreeSet::new();
        let mut machine_labels = Vec::new();
        for cue in &self.cues {
            if let Some(label) = &cue.voice
                && labels::is_machine_label(label)
                && seen.insert(label.as_str())
            {
                machine_labels.push((cue.at, label.clone()));
            }
        }
        Facts { last_end_ms: self.cues.iter().map(|c| c.end_ms).max().unwrap_or(0), machine_labels }
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

#[cfg(test)]
mod tests {
    use super::*;

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
