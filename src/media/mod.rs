//! Audio: exact facts (`probe`), loudness and quality (`loudness`). Tags and encoding come with
//! the audio issues.

pub mod encode;
pub mod loudness;
pub mod mpeg;
pub mod payload;
mod probe;
pub mod tag;

use std::path::Path;

use crate::problem::{Diagnostic, Lang};
use crate::util::fs::FileIdentity;

pub use loudness::{Loudness, LoudnessTargets, QualityWarning};
pub use probe::AudioFacts;
pub(crate) use probe::PROBE_VERSION;
pub use probe::{DurationSource, probe_file};

/// What can be wrong with an audio file.
#[derive(Debug, Clone, PartialEq, serde::Serialize, thiserror::Error)]
#[serde(untagged)]
pub enum ProbeError {
    #[error("cannot read the audio: {reason}")]
    Io { reason: String },
    #[error("the audio file is empty")]
    Empty,
    #[error("{}", if *text { "this is a text file, not audio" } else { "this is not an audio format Veillée reads" })]
    NotAudio { text: bool },
    #[error("the ID3 tag claims {claimed} bytes but only {available} follow its header")]
    Id3TooLarge { claimed: u64, available: u64 },
    #[error("no audio frames: the file holds tags only")]
    NoAudioFrames,
    #[error("no audio track")]
    NoAudioTrack,
    #[error("unsupported {what}")]
    Unsupported { what: String },
    #[error("the file is truncated: its header announces {announced_ms} ms of audio, it holds {found_ms} ms")]
    Truncated { announced_ms: u64, found_ms: u64 },
    #[error("the file is truncated: it ends with {bytes} bytes of an incomplete MPEG frame")]
    PartialFrame { bytes: u64 },
    #[error("the audio is damaged: {reason}")]
    Damaged { reason: String },
    #[error("Veillée reads {codec} files but cannot decode their audio to measure it")]
    NoDecoder { codec: String },
}

impl Diagnostic for ProbeError {
    fn code(&self) -> &'static str {
        match self {
            ProbeError::Io { .. } => "probe.io",
            ProbeError::Empty => "probe.empty",
            ProbeError::NotAudio { .. } => "probe.not-audio",
            ProbeError::Id3TooLarge { .. } => "probe.id3-too-large",
            ProbeError::NoAudioFrames => "probe.no-audio-frames",
            ProbeError::NoAudioTrack => "probe.no-audio-track",
            ProbeError::Unsupported { .. } => "probe.unsupported",
            ProbeError::Truncated { .. } => "probe.truncated",
            ProbeError::PartialFrame { .. } => "probe.partial-frame",
            ProbeError::Damaged { .. } => "probe.damaged",
            ProbeError::NoDecoder { .. } => "probe.no-decoder",
        }
    }

    fn message(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            ProbeError::Io { reason } => format!("impossible de lire l'audio : {reason}"),
            ProbeError::Empty => "le fichier audio est vide".into(),
            ProbeError::NotAudio { text: true } => "c'est un fichier texte, pas de l'audio".into(),
            ProbeError::NotAudio { text: false } => "ce n'est pas un format audio que Veillée lit".into(),
            ProbeError::Id3TooLarge { claimed, available } => {
                format!("l'étiquette ID3 annonce {claimed} octets mais seuls {available} suivent son en-tête")
            }
            ProbeError::NoAudioFrames => "aucune trame audio : le fichier ne contient que des étiquettes".into(),
            ProbeError::NoAudioTrack => "aucune piste audio".into(),
            ProbeError::Unsupported { what } => format!("format non pris en charge ({what})"),
            ProbeError::Truncated { announced_ms, found_ms } => format!(
                "le fichier est tronqué : son en-tête annonce {announced_ms} ms d'audio, il en contient {found_ms} ms"
            ),
            ProbeError::PartialFrame { bytes } => {
                format!("le fichier est tronqué : il finit par {bytes} octets d'une trame MPEG incomplète")
            }
            ProbeError::Damaged { reason } => format!("l'audio est abîmé : {reason}"),
            ProbeError::NoDecoder { codec } => {
                format!("Veillée lit les fichiers {codec} mais ne sait pas en décoder le son pour le mesurer")
            }
        }
    }

    fn hint(&self, lang: Lang) -> Option<String> {
        let (en, fr) = match self {
            ProbeError::Io { .. } => return None,
            ProbeError::Empty | ProbeError::NoAudioFrames => (
                "export the episode again from your editor",
                "exportez à nouveau l'épisode depuis votre logiciel de montage",
            ),
            ProbeError::NotAudio { .. } | ProbeError::Unsupported { .. } => (
                "use MP3 or M4A (AAC); Veillée also reads FLAC, Ogg Vorbis, Opus and WAV",
                "prenez du MP3 ou du M4A (AAC) ; Veillée lit aussi le FLAC, l'Ogg Vorbis, l'Opus et le WAV",
            ),
            ProbeError::Id3TooLarge { .. } | ProbeError::Damaged { .. } | ProbeError::NoAudioTrack => {
                ("the file is damaged: export it again", "le fichier est abîmé : exportez-le à nouveau")
            }
            ProbeError::NoDecoder { .. } => (
                "measure the WAV, FLAC or MP3 the file was made from",
                "mesurez le WAV, le FLAC ou le MP3 dont le fichier a été tiré",
            ),
            ProbeError::Truncated { .. } | ProbeError::PartialFrame { .. } => (
                "the copy or upload was interrupted: copy the file again",
                "la copie ou l'envoi a été interrompu : copiez à nouveau le fichier",
            ),
        };
        Some(
            match lang {
                Lang::En => en,
                Lang::Fr => fr,
            }
            .to_owned(),
        )
    }

    fn args(&self) -> serde_json::Value {
        crate::problem::args_of(self)
    }
}

/// What the probe cache keeps of an audio file.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct Known {
    facts: AudioFacts,
    /// SHA-256 of the file (the ledger records it).
    sha256: String,
    /// When the file was read, for [`FileIdentity::racy`] (entries by identity only).
    #[serde(default)]
    read_at_ns: i128,
}

/// What [`probe_cached`] gives: the facts, the SHA-256 and whether the file was probed anew, or
/// the problem and its byte offset.
pub(crate) type Probed = Result<(AudioFacts, String, bool), (Option<u64>, ProbeError)>;

/// An audio file's facts and SHA-256, reusing what `cache_dir` keeps: by file identity (device,
/// inode, size, modification and change times: a hard link or a renamed file hits and nothing
/// is read), then by content (a copy is read and hashed, not demuxed). On a miss the file is
/// mapped once, and demuxing, BLAKE3 and SHA-256 read the same pages side by side. Returns
/// the facts, the SHA-256 and whether the file was probed anew.
pub(crate) fn probe_cached(path: &Path, cache_dir: Option<&Path>) -> Probed {
    let io = |e: std::io::Error| (None, ProbeError::Io { reason: e.to_string() });
    let identity = std::fs::metadata(path).map(|m| FileIdentity::of(&m)).map_err(io)?;
    let by_identity = cache_dir.map(|dir| dir.join("id").join(format!("{}-v{PROBE_VERSION}.json", identity.key())));
    if let Some(known) = by_identity.as_deref().and_then(read_known).filter(|k| !identity.racy(k.read_at_ns)) {
        return Ok((known.facts, known.sha256, false));
    }
    let read_at_ns = crate::util::fs::now_ns();
    let file = std::fs::File::open(path).map_err(io)?;
    if file.metadata().map_err(io)?.len() == 0 {
        return Err((None, ProbeError::Empty));
    }
    // SAFETY: as in `probe_file`: a read-only map, dropped before returning.
    let map = unsafe { memmap2::Mmap::map(&file) }.map_err(io)?;
    // The whole file is read front to back by three threads: ask the kernel for all of it now
    // (page faults alone read ahead little; a cold hour of audio then waits on the disk).
    let _ = map.advise(memmap2::Advice::WillNeed);
    let bytes: &[u8] = &map;
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    let (blake3, sha256, probed) = std::thread::scope(|scope| {
        let blake3 = scope.spawn(|| crate::util::hash::blake3_hex(bytes));
        let sha256 = scope.spawn(|| crate::util::hash::sha256_hex(bytes));
        // Demuxed while hashing, even when the content is known: a copy costs a few frames'
        // walk, a new file no second pass.
        let probed = probe::probe_hashed(bytes, ext.as_deref(), String::new());
        let join =
            |h: std::thread::ScopedJoinHandle<'_, String>| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
        (join(blake3), join(sha256), probed)
    });
    let by_content = cache_dir.map(|dir| dir.join("content").join(format!("{blake3}-v{PROBE_VERSION}.json")));
    let (facts, fresh) = match by_content.as_deref().and_then(read_known) {
        Some(known) => (known.facts, false),
        None => (AudioFacts { blake3, ..probed? }, true),
    };
    // The cache only saves time: failing to write it is not an error.
    let known = Known { facts: facts.clone(), sha256: sha256.clone(), read_at_ns };
    if let Ok(json) = serde_json::to_vec(&known) {
        for p in by_content.iter().chain(&by_identity) {
            let _ = crate::util::fs::write_cache(p, &json);
        }
    }
    Ok((facts, sha256, fresh))
}

/// The identity of `path` if the probe cache in `cache_dir` knows it, read before any change that
/// its timestamps could miss, as a file of BLAKE3 `blake3`: its bytes are then those, without
/// reading them.
pub(crate) fn probed_as(path: &Path, cache_dir: &Path, blake3: &str) -> Option<FileIdentity> {
    let identity = FileIdentity::of(&std::fs::metadata(path).ok()?);
    let known = read_known(&cache_dir.join("id").join(format!("{}-v{PROBE_VERSION}.json", identity.key())))?;
    (known.facts.blake3 == blake3 && !identity.racy(known.read_at_ns)).then_some(identity)
}

fn read_known(path: &Path) -> Option<Known> {
    serde_json::from_slice(&std::fs::read(path).ok()?).ok()
}

/// The loudness of the audio file `path` whose BLAKE3 is `blake3` (from its probe), from the
/// cache in `cache_dir` (by content: a copy or a renamed file hits) or measured.
pub(crate) fn loudness_cached(
    path: &Path,
    blake3: &str,
    cache_dir: Option<&Path>,
) -> Result<Loudness, (Option<u64>, ProbeError)> {
    let cached = cache_dir.map(|d| d.join(format!("{blake3}-v{}.json", loudness::LOUDNESS_VERSION)));
    if let Some(known) = cached.as_deref().and_then(|p| serde_json::from_slice(&std::fs::read(p).ok()?).ok()) {
        return Ok(known);
    }
    let io = |e: std::io::Error| (None, ProbeError::Io { reason: e.to_string() });
    let file = std::fs::File::open(path).map_err(io)?;
    // SAFETY: as in `probe_file`: a read-only map, dropped before returning.
    let map = unsafe { memmap2::Mmap::map(&file) }.map_err(io)?;
    let _ = map.advise(memmap2::Advice::Sequential);
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    let measured = loudness::measure(&map, ext.as_deref())?;
    if let (Some(p), Ok(json)) = (&cached, serde_json::to_vec(&measured)) {
        // The cache only saves time: failing to write it is not an error.
        let _ = crate::util::fs::write_cache(p, &json);
    }
    Ok(measured)
}
