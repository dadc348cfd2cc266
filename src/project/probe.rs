//! `probe`: the exact facts of audio files, in or out of a show, and with `--loudness` their
//! loudness and quality against the show's targets.

use std::path::{Path, PathBuf};

use super::Project;
use crate::media::{AudioFacts, DurationSource, Loudness, LoudnessTargets, probe_file};
use crate::problem::{Lang, Position, Problem, Problems};

/// The facts of the files that could be probed, and the problems of the others.
#[derive(Debug, Clone, Default)]
pub struct Probed {
    pub files: Vec<(PathBuf, AudioFacts)>,
    pub problems: Problems,
}

/// One file in `probe --json`.
#[derive(Debug, serde::Serialize)]
pub struct ProbeReport {
    pub file: String,
    pub container: String,
    pub codec: String,
    pub sample_rate: u32,
    pub channels: u32,
    pub bitrate: u64,
    pub length: u64,
    pub mime: String,
    pub blake3: String,
    pub samples: u64,
    /// Seconds, exact to the sample.
    pub duration: f64,
    pub duration_source: DurationSource,
}

impl ProbeReport {
    pub fn new(file: &Path, f: &AudioFacts) -> Self {
        ProbeReport {
            file: file.display().to_string(),
            container: f.container.clone(),
            codec: f.codec.clone(),
            sample_rate: f.sample_rate,
            channels: f.channels,
            bitrate: f.bitrate,
            length: f.length,
            mime: f.mime.clone(),
            blake3: f.blake3.clone(),
            samples: f.samples,
            duration: f.duration_seconds(),
            duration_source: f.duration_source,
        }
    }
}

impl Project {
    /// Probes audio files anywhere (no show needed): each file's facts, or its problem with the
    /// byte offset where there is one.
    pub fn probe(files: &[PathBuf]) -> Probed {
        let mut out = Probed::default();
        let _step = crate::util::progress::step("probe");
        // Files on every core, for a long list of long recordings.
        crate::util::progress::add(files.len());
        let probed = crate::util::par::map_long(files, crate::util::progress::each(|f: &PathBuf| probe_file(f)));
        for (file, probed) in files.iter().zip(probed) {
            match probed {
                Ok(facts) => out.files.push((file.clone(), facts)),
                Err((offset, e)) => {
                    let position = offset.map_or(Position::File, Position::Offset);
                    out.problems.push(Problem::error(file, position, e));
                }
            }
        }
        out
    }
}

/// What `probe --loudness` found: each measured file, its facts and measure, against `targets`;
/// the files that could not be measured and every warning as problems.
#[derive(Debug, Clone, Default)]
pub struct LoudnessProbed {
    pub targets: LoudnessTargets,
    pub files: Vec<(PathBuf, AudioFacts, Loudness)>,
    pub problems: Problems,
}

/// One file in `probe --loudness --json`: the measure next to the targets, and the warnings
/// with their advice (in French: what the associations' staff read).
#[derive(Debug, serde::Serialize)]
pub struct LoudnessReport {
    pub file: String,
    pub integrated_lufs: Option<f64>,
    pub loudness_range_lu: f64,
    pub true_peak_dbtp: Option<f64>,
    pub sample_peak_dbfs: Option<f64>,
    pub target_integrated_lufs: f64,
    pub target_tolerance_lu: f64,
    pub target_true_peak_dbtp: f64,
    /// Seconds.
    pub head_silence: f64,
    pub tail_silence: f64,
    pub clipped: u64,
    pub sample_rate: u32,
    pub channels: u32,
    pub bitrate: u64,
    /// Seconds, exact to the sample.
    pub duration: f64,
    /// The second pass of ffmpeg's `loudnorm` that brings the file to the targets.
    pub loudnorm: String,
    pub warnings: serde_json::Value,
}

impl LoudnessProbed {
    /// The JSON report of each measured file.
    pub fn reports(&self) -> Vec<LoudnessReport> {
        self.files
            .iter()
            .map(|(file, facts, l)| {
                let mine = Problems(self.problems.0.iter().filter(|p| p.path == *file).cloned().collect());
                LoudnessReport {
                    file: file.display().to_string(),
                    integrated_lufs: l.integrated_lufs.map(round2),
                    loudness_range_lu: round2(l.loudness_range_lu),
                    true_peak_dbtp: l.true_peak_dbtp.map(round2),
                    sample_peak_dbfs: l.sample_peak_dbfs.map(round2),
                    target_integrated_lufs: self.targets.integrated_lufs,
                    target_tolerance_lu: self.targets.tolerance_lu,
                    target_true_peak_dbtp: self.targets.true_peak_dbtp,
                    head_silence: l.head_silence_ms as f64 / 1000.0,
                    tail_silence: l.tail_silence_ms as f64 / 1000.0,
                    clipped: l.clipped,
                    sample_rate: l.sample_rate,
                    channels: l.channels,
                    bitrate: facts.bitrate,
                    duration: facts.duration_seconds(),
                    loudnorm: l.loudnorm_command(&self.targets, &file.display().to_string()),
                    warnings: mine.to_json(Lang::Fr),
                }
            })
            .collect()
    }
}

/// Two decimals: what the measure means (ffmpeg prints one).
fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Measures `files` one after the other (each on both cores), with the show's caches if there is
/// one: `caches` is (probes, measures).
fn probe_loudness(files: &[PathBuf], targets: LoudnessTargets, caches: Option<(&Path, &Path)>) -> LoudnessProbed {
    let mut out = LoudnessProbed { targets, ..LoudnessProbed::default() };
    let _step = crate::util::progress::step("loudness");
    crate::util::progress::add(files.len());
    for file in files {
        // Known by its identity, a file is neither read nor hashed before its measure is found.
        let probed = match caches {
            Some((probes, _)) => crate::media::probe_cached(file, Some(probes)).map(|(facts, _, _)| facts),
            None => probe_file(file),
        };
        let measured = probed.and_then(|facts| {
            let l = crate::media::loudness_cached(file, &facts.blake3, caches.map(|(_, m)| m))?;
            Ok((facts, l))
        });
        crate::util::progress::advance(1);
        match measured {
            Ok((facts, l)) => {
                for w in l.warnings(&targets, &file.display().to_string()) {
                    out.problems.push(Problem::warning(file, Position::File, w));
                }
                out.files.push((file.clone(), facts, l));
            }
            Err((offset, e)) => {
                out.problems.push(Problem::error(file, offset.map_or(Position::File, Position::Offset), e));
            }
        }
    }
    out
}

impl Project {
    /// `probe --loudness` in a show: against its `[loudness]` targets, its measures kept in
    /// `.veillee/cache/loudness/` by content.
    pub fn probe_loudness(&self, files: &[PathBuf]) -> LoudnessProbed {
        let probes = crate::catalog::LoadOptions::for_root(self.root()).probe_cache;
        let measures = self.root().join(LOUDNESS_CACHE);
        probe_loudness(files, self.loudness_targets(), probes.as_deref().map(|p| (p, measures.as_path())))
    }

    /// `probe --loudness` outside any show: Apple's targets, nothing kept.
    pub fn probe_loudness_anywhere(files: &[PathBuf]) -> LoudnessProbed {
        probe_loudness(files, LoudnessTargets::default(), None)
    }

    /// channel.toml's `[loudness]`, read alone (a show with other problems can still measure its
    /// audio; `check` reports those); the defaults when it has none or cannot be read.
    pub(crate) fn loudness_targets(&self) -> LoudnessTargets {
        #[derive(serde::Deserialize)]
        struct Part {
            loudness: Option<LoudnessTargets>,
        }
        std::fs::read_to_string(self.root().join("feed/channel.toml"))
            .ok()
            .and_then(|text| toml::from_str::<Part>(&text).ok())
            .and_then(|p| p.loudness)
            .unwrap_or_default()
    }
}

/// Where measures are kept, by the BLAKE3 of the audio.
pub(crate) const LOUDNESS_CACHE: &str = ".veillee/cache/loudness";
