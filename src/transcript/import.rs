//! Importing a transcript: any supported format in, the normalized WebVTT of
//! `transcripts/<slug>.vtt` out (speakers named, text re-escaped).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{Format, ReadOptions, Speakers, load, write_vtt};
use crate::problem::{Problem, Problems};

/// What an import did.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    /// transcripts/<slug>.vtt, relative to the project root.
    pub path: PathBuf,
    pub format: Format,
    pub cues: usize,
    pub end_ms: u64,
    /// Each speaker's name (mapped through the episode's `speakers`) and its number of cues.
    pub speakers: Vec<(String, usize)>,
    /// Whether a transcript was there before.
    pub replaced: bool,
    /// Problems the transcript was imported with.
    pub warnings: Problems,
}

/// Reads `file` in any supported format, names its speakers through `speakers` and writes it
/// as the normalized WebVTT of an episode. Returns that text and what it holds; the caller
/// writes it and fills in [`Imported::path`] and [`Imported::replaced`].
pub(crate) fn convert(file: &Path, options: &ReadOptions, speakers: &Speakers) -> Result<(String, Imported), Problems> {
    let loaded = load(file, options).map_err(|(at, e)| Problems(vec![Problem::error(file, at, e)]))?;
    let mut parsed = loaded.parsed;
    parsed.transcript.merge_words();
    let transcript = parsed.transcript;
    let mut warnings = Problems(parsed.warnings.into_iter().map(|(at, e)| Problem::warning(file, at, e)).collect());
    for (at, e) in transcript.facts().unmapped_labels(speakers) {
        warnings.push(Problem::warning(file, at, e));
    }
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for cue in &transcript.cues {
        if let Some(v) = &cue.voice {
            *counts.entry(super::speaker_name(speakers, v).to_owned()).or_default() += 1;
        }
    }
    let mut named: Vec<(String, usize)> = counts.into_iter().collect();
    named.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let imported = Imported {
        path: PathBuf::new(),
        format: parsed.format,
        cues: transcript.cues.len(),
        end_ms: transcript.cues.iter().map(|c| c.end_ms).max().unwrap_or(0),
        speakers: named,
        replaced: false,
        warnings,
    };
    Ok((write_vtt(&transcript, speakers), imported))
}

impl std::fmt::Display for Imported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for w in &self.warnings.0 {
            writeln!(f, "{w}")?;
        }
        writeln!(
            f,
            "{} {} from {}: {}, up to {}",
            if self.replaced { "replaced" } else { "wrote" },
            self.path.display(),
            self.format.name(),
            cues(self.cues),
            super::vtt_timestamp(self.end_ms)
        )?;
        if self.speakers.is_empty() {
            writeln!(f, "  no speaker labels")?;
        }
        for (name, count) in &self.speakers {
            writeln!(f, "  speaker {name}: {}", cues(*count))?;
        }
        writeln!(f, "next: `veillee check`, then `veillee publish` or `veillee build`")
    }
}

fn cues(n: usize) -> String {
    if n == 1 { "1 cue".into() } else { format!("{n} cues") }
}
