//! `probe`: the exact facts of audio files, in or out of a show.

use std::path::{Path, PathBuf};

use super::Project;
use crate::media::{AudioFacts, DurationSource, probe_file};
use crate::problem::{Position, Problem, Problems};

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
