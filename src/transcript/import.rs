//! `veillee transcript import SLUG FILE`: any supported transcript in, the normalized
//! transcripts/<slug>.vtt out (speakers named, text re-escaped), written to a temporary file
//! and renamed, so a failed import leaves the old transcript as it was.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{Format, ReadOptions, load, write_vtt};
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

/// Why an import failed.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("no episode `{slug}` (episodes/{slug}.md){}", .suggestion.as_ref().map(|s| format!("; did you mean `{s}`?")).unwrap_or_default())]
    NoEpisode { slug: String, suggestion: Option<String> },
    #[error(transparent)]
    Problems(#[from] Problems),
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
}

/// Imports `file` as the transcript of episode `slug`.
pub fn import(root: &Path, slug: &str, file: &Path, options: &ReadOptions) -> Result<Imported, ImportError> {
    let source = root.join("episodes").join(format!("{slug}.md"));
    if !crate::catalog::slug::is_slug(slug) || !source.is_file() {
        let known: Vec<String> = std::fs::read_dir(root.join("episodes"))
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .filter_map(|e| e.file_name().to_str()?.strip_suffix(".md").map(str::to_owned))
            .collect();
        let suggestion = crate::catalog::closest_slug(slug, known.iter().map(String::as_str));
        return Err(ImportError::NoEpisode { slug: slug.to_owned(), suggestion });
    }
    let speakers: BTreeMap<String, String> =
        crate::catalog::episode_speakers(&source).map_err(|p| Problems(vec![p.relative_to(root)]))?;
    let loaded = load(file, options).map_err(|(at, e)| Problems(vec![Problem::error(file, at, e)]))?;
    let mut parsed = loaded.parsed;
    parsed.transcript.merge_words();
    let transcript = parsed.transcript;
    let mut warnings = Problems(parsed.warnings.into_iter().map(|(at, e)| Problem::warning(file, at, e)).collect());
    for (at, e) in transcript.unmapped_labels(&speakers) {
        warnings.push(Problem::warning(file, at, e));
    }
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for cue in &transcript.cues {
        if let Some(v) = &cue.voice {
            *counts.entry(super::speaker_name(&speakers, v).to_owned()).or_default() += 1;
        }
    }
    let vtt = write_vtt(&transcript, &speakers);
    let rel = PathBuf::from("transcripts").join(format!("{slug}.vtt"));
    let dest = root.join(&rel);
    let replaced = dest.exists();
    crate::fsutil::write_atomic(&dest, vtt.as_bytes())
        .map_err(|source| ImportError::Io { path: rel.display().to_string(), source })?;
    let mut speakers: Vec<(String, usize)> = counts.into_iter().collect();
    speakers.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(Imported {
        path: rel,
        format: parsed.format,
        cues: transcript.cues.len(),
        end_ms: transcript.cues.iter().map(|c| c.end_ms).max().unwrap_or(0),
        speakers,
        replaced,
        warnings,
    })
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
