//! The bundled sample show (`episodes/`, `transcripts/`, made by `tests/sample/synthesize.sh`):
//! every WebVTT cue starts within 100 ms of its speech, in the recordings and in the MP3s and
//! light versions mastered from them.
//!
//! Hermetic: the audio is decoded with symphonia (the crate's own decoder), the silences are found
//! in the decoded samples, and the cue times come from the transcripts. No external tool is run.

use std::fs::File;
use std::path::{Path, PathBuf};

use symphonia::core::codecs::audio::AudioDecoderOptions;
use symphonia::core::codecs::audio::well_known::CODEC_ID_AAC;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, TrackType};
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;

/// A cue must start this close to a speech onset.
const TOLERANCE: f64 = 0.100;
/// Level of a 10 ms window under which it counts as silence.
const SILENCE_DBFS: f64 = -45.0;
/// A silence must last this long to end with a speech onset. Pauses inside an utterance are at most
/// 0.20 s and pauses between utterances at least 0.45 s (`tests/sample/README.md`).
const MIN_SILENCE: f64 = 0.25;
/// The priming of ffmpeg's AAC encoder: one frame of 1024 samples (46 ms at 22.05 kHz) at the
/// start of the stream, which the MP4 edit list hides. symphonia's isomp4 reader does not apply
/// edit lists, so it is dropped here: with it, the M4A episode's first speech (0.600 s after the
/// start in every episode) is found 40 ms later than in the MP3 ones.
const AAC_PRIMING: usize = 1024;
const AUDIO_EXTENSIONS: &[&str] = &["mp3", "m4a", "mp4", "aac", "ogg", "opus", "oga", "flac", "wav"];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The audio files of the sample show (recordings, episodes' MP3s, light versions), sorted.
fn episodes() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("episodes"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().and_then(|e| e.to_str()).is_some_and(|e| AUDIO_EXTENSIONS.contains(&e)))
        .collect();
    files.sort();
    files
}

fn slug(audio: &Path) -> &str {
    let stem = audio.file_stem().unwrap().to_str().unwrap();
    stem.strip_suffix(".recording").or_else(|| stem.strip_suffix(".light")).unwrap_or(stem)
}

fn is_recording(audio: &Path) -> bool {
    audio.file_stem().unwrap().to_str().unwrap().ends_with(".recording")
}

/// Decoded audio, mixed down to mono.
struct Pcm {
    rate: u32,
    samples: Vec<f32>,
}

impl Pcm {
    fn seconds(&self) -> f64 {
        self.samples.len() as f64 / f64::from(self.rate)
    }
}

/// Decodes a whole file to mono f32 samples, without encoder delay and padding: an MP3 packet's
/// `trim_start`/`trim_end` (the LAME delay and padding) are cut from its decoded frames, and the
/// AAC priming of an MP4 file is dropped.
fn decode(path: &Path) -> Pcm {
    let name = path.display();
    let mss = MediaSourceStream::new(Box::new(File::open(path).unwrap()), Default::default());
    let mut hint = Hint::new();
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or_default();
    hint.with_extension(extension);
    let mut format = symphonia::default::get_probe()
        .probe(&hint, mss, FormatOptions::default(), MetadataOptions::default())
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let track = format.default_track(TrackType::Audio).unwrap_or_else(|| panic!("{name}: no audio track"));
    let track_id = track.id;
    let params = track.codec_params.as_ref().and_then(|p| p.audio()).unwrap_or_else(|| panic!("{name}: not audio"));
    let codec = params.codec;
    // The trims are applied below, the same way for every codec: a gapless decoder would already
    // apply the MP3 ones and they would be cut twice.
    let options = AudioDecoderOptions::default().gapless(false);
    let mut decoder =
        symphonia::default::get_codecs().make_audio_decoder(params, &options).unwrap_or_else(|e| panic!("{name}: {e}"));

    let mut rate = 0;
    let mut samples = Vec::new();
    let mut interleaved: Vec<f32> = Vec::new();
    while let Some(packet) = format.next_packet().unwrap_or_else(|e| panic!("{name}: {e}")) {
        if packet.track_id != track_id {
            continue;
        }
        let buf = decoder.decode(&packet).unwrap_or_else(|e| panic!("{name}: packet at {:?}: {e}", packet.pts));
        rate = buf.spec().rate();
        let channels = buf.spec().channels().count().max(1);
        let frames = buf.frames();
        buf.copy_to_vec_interleaved(&mut interleaved);
        let start = (packet.trim_start.get() as usize).min(frames);
        let end = frames.saturating_sub(packet.trim_end.get() as usize).max(start);
        if channels == 1 {
            samples.extend_from_slice(&interleaved[start..end]);
        } else {
            let mixed = interleaved[start * channels..end * channels].chunks_exact(channels);
            samples.extend(mixed.map(|frame| frame.iter().sum::<f32>() / channels as f32));
        }
    }
    assert!(rate > 0, "{name}: no audio decoded");
    if codec == CODEC_ID_AAC {
        samples.drain(..AAC_PRIMING.min(samples.len()));
    }
    Pcm { rate, samples }
}

/// Speech onsets, in seconds: the start of the first loud 10 ms window after at least
/// `MIN_SILENCE` of quiet windows (the audio's start counts as quiet).
fn onsets(pcm: &Pcm) -> Vec<f64> {
    let window = (pcm.rate / 100) as usize;
    let threshold = 10f64.powf(SILENCE_DBFS / 20.0);
    let min_quiet = (MIN_SILENCE * f64::from(pcm.rate)).ceil() as usize;
    let mut found = Vec::new();
    let mut quiet = min_quiet; // samples of quiet before the current window
    for (k, chunk) in pcm.samples.chunks_exact(window).enumerate() {
        let rms = (chunk.iter().map(|&x| f64::from(x) * f64::from(x)).sum::<f64>() / window as f64).sqrt();
        if rms < threshold {
            quiet += window;
        } else {
            if quiet >= min_quiet {
                found.push((k * window) as f64 / f64::from(pcm.rate));
            }
            quiet = 0;
        }
    }
    found
}

/// The start of every cue of a WebVTT file, in seconds (lines `HH:MM:SS.mmm --> …`).
fn cue_starts(vtt: &str) -> Vec<f64> {
    vtt.lines()
        .filter_map(|line| line.split_once(" --> "))
        .map(|(start, _)| {
            let parse = |s: &str| s.parse::<u32>().unwrap_or_else(|_| panic!("bad cue time {start:?}"));
            let (hms, ms) = start.trim().split_once('.').unwrap_or_else(|| panic!("bad cue time {start:?}"));
            let parts: Vec<u32> = hms.split(':').map(parse).collect();
            assert!(ms.len() == 3 && (2..=3).contains(&parts.len()), "bad cue time {start:?}");
            let seconds = parts.iter().fold(0, |acc, &p| acc * 60 + p);
            f64::from(seconds) + f64::from(parse(ms)) / 1000.0
        })
        .collect()
}

/// Checks that every cue starts within `TOLERANCE` of a speech onset and that there are as many
/// onsets as cues (exactly one pause before each utterance). Returns the worst offset (onset minus
/// cue start, in seconds, signed), or what is wrong.
fn check_cues(cues: &[f64], onsets: &[f64]) -> Result<f64, String> {
    let mut worst = 0f64;
    let mut errors = Vec::new();
    for (i, &cue) in cues.iter().enumerate() {
        let Some(offset) = onsets.iter().map(|&onset| onset - cue).min_by(|a, b| a.abs().total_cmp(&b.abs())) else {
            errors.push(format!("cue {} at {cue:.3} s: no speech onset at all", i + 1));
            continue;
        };
        if offset.abs() > worst.abs() {
            worst = offset;
        }
        if offset.abs() > TOLERANCE {
            errors.push(format!(
                "cue {} at {cue:.3} s: the nearest speech onset is {:+.0} ms away",
                i + 1,
                offset * 1e3
            ));
        }
    }
    if onsets.len() != cues.len() {
        errors.push(format!("{} speech onsets after a pause for {} cues", onsets.len(), cues.len()));
    }
    if errors.is_empty() {
        Ok(worst)
    } else {
        Err(format!("{} (worst offset {:+.0} ms)", errors.join("; "), worst * 1e3))
    }
}

fn transcript(audio: &Path) -> String {
    let path = root().join("transcripts").join(format!("{}.vtt", slug(audio)));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_cue_starts_with_its_speech() {
    let files = episodes();
    let recordings: Vec<&PathBuf> = files.iter().filter(|f| is_recording(f)).collect();
    assert_eq!(recordings.len(), 10, "the sample show has ten episodes: {files:?}");
    assert_eq!(files.len(), 30, "each with its recording, its MP3 and its light version: {files:?}");
    let total: u64 = recordings.iter().map(|f| f.metadata().unwrap().len()).sum();
    assert!(total < 3_000_000, "the sample show's recordings must stay under 3 MB: {total} bytes");

    let mut report = Vec::new();
    let mut failures = Vec::new();
    for file in &files {
        let slug = file.file_name().unwrap().to_str().unwrap();
        let pcm = decode(file);
        let seconds = pcm.seconds();
        assert!((30.0..=90.0).contains(&seconds), "{slug}: lasts {seconds:.3} s, not 30 to 90 s");
        let cues = cue_starts(&transcript(file));
        assert!(!cues.is_empty(), "{slug}: no cues");
        let found = onsets(&pcm);
        match check_cues(&cues, &found) {
            Ok(worst) => report.push(format!("{slug}: {} cues, worst {:+.0} ms", cues.len(), worst * 1e3)),
            Err(e) => failures.push(format!("{slug}: {e}")),
        }
    }
    let report = report.join("\n");
    eprintln!("{report}");
    assert!(failures.is_empty(), "cues away from their speech:\n{}\nthe others:\n{report}", failures.join("\n"));
}

/// The check does fail: one cue moved by 150 ms (or a cue too many) is reported.
#[test]
fn a_shifted_cue_is_reported() {
    let file = root().join("episodes/frapper-aux-portes-a-leaz.mp3");
    let found = onsets(&decode(&file));
    let cues = cue_starts(&transcript(&file));
    assert!(check_cues(&cues, &found).is_ok());

    let mut shifted = cues.clone();
    shifted[3] += 0.150;
    let error = check_cues(&shifted, &found).unwrap_err();
    assert!(error.contains("cue 4 at ") && error.contains("ms away"), "{error}");
    assert!(!error.contains("cue 3 ") && !error.contains("cue 5 "), "{error}");

    let mut extra = cues.clone();
    extra.push(cues.last().unwrap() + 2.0);
    let error = check_cues(&extra, &found).unwrap_err();
    assert!(
        error.contains(&format!("{} speech onsets after a pause for {} cues", found.len(), extra.len())),
        "{error}"
    );
}

/// The sample show checks, builds, and its feed is pinned by a snapshot.
#[test]
fn the_sample_show_builds_and_its_feed_is_stable() {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["feed", "episodes", "transcripts", "site"] {
        crate::util::copy_dir(&root().join(sub), &dir.path().join(sub));
    }
    let p = crate::util::Project { dir };
    assert_eq!(p.ok(&["check"]), "ok: 10 episodes, 10 methods, 5 partners, 10 territories\n");
    // The last sample episode came out in June 2026: build as of 2026-11-25.
    let out = p.command().arg("build").env("SOURCE_DATE_EPOCH", "1795564800").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let feed = p.read("build/current/www/feed.xml");
    assert_eq!(feed.matches("<item>").count(), 10);
    insta::assert_snapshot!(feed);
    // The key pages, as a listener and a facilitator first meet them.
    for (name, page) in [
        ("home", "index.html"),
        ("episode", "episodes/dessiner-le-territoire-vecu/index.html"),
        ("method_sheet", "methodes/cartographie-sensible/index.html"),
        ("archives", "archives/index.html"),
        ("methods", "methodes/index.html"),
        ("territories", "territoires/index.html"),
        ("not_found", "404.html"),
    ] {
        insta::assert_snapshot!(name, p.read(&format!("build/current/www/{page}")));
    }
}
