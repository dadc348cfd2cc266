//! Audio: exact facts (`probe`). Loudness, tags and encoding come with the audio issues.

pub mod mpeg;
mod probe;

use std::path::Path;

use crate::problem::{Diagnostic, Lang};

pub use probe::AudioFacts;
pub use probe::{DurationSource, probe_file};
pub(crate) use probe::{PROBE_VERSION, probe_hashed};

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

/// Probes a file, reusing earlier probes kept in `cache_dir`: by file identity (path, size,
/// modification time, inode: no read at all), then by content hash (a copied or renamed file is
/// hashed but not demuxed again). Returns the facts and whether the file was probed anew.
pub(crate) fn probe_cached(
    path: &Path,
    cache_dir: Option<&Path>,
) -> Result<(AudioFacts, bool), (Option<u64>, ProbeError)> {
    let Some(dir) = cache_dir else { return probe_file(path).map(|f| (f, true)) };
    let stat_key = stat_key(path);
    let by_stat = stat_key.as_ref().map(|k| dir.join("stat").join(format!("{k}-v{PROBE_VERSION}.json")));
    if let Some(facts) = by_stat.as_deref().and_then(read_facts) {
        return Ok((facts, false));
    }
    let io = |e: std::io::Error| (None, ProbeError::Io { reason: e.to_string() });
    let bytes = std::fs::read(path).map_err(io)?;
    let hash = crate::util::hash::blake3_hex(&bytes);
    let by_content = dir.join("content").join(format!("{hash}-v{PROBE_VERSION}.json"));
    let (facts, fresh) = match read_facts(&by_content) {
        Some(facts) => (facts, false),
        None => {
            let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
            (probe_hashed(&bytes, ext.as_deref(), hash.clone())?, true)
        }
    };
    // The cache only saves time: failing to write it is not an error.
    if let Ok(json) = serde_json::to_vec(&facts) {
        let _ = crate::util::fs::write_atomic(&by_content, &json);
        if let Some(p) = by_stat {
            let _ = crate::util::fs::write_atomic(&p, &json);
        }
    }
    Ok((facts, fresh))
}

/// SHA-256 of a file, cached by file identity (the ledger records SHA-256; reading every audio
/// file at every build would cost more than the build).
pub(crate) fn sha256_cached(path: &Path, cache_dir: Option<&Path>) -> std::io::Result<String> {
    let cached = cache_dir.zip(stat_key(path)).map(|(dir, key)| dir.join("sha256").join(key));
    if let Some(hash) = cached.as_deref().and_then(|p| std::fs::read_to_string(p).ok()).filter(|h| h.len() == 64) {
        return Ok(hash);
    }
    let hash = crate::util::hash::sha256_hex(&std::fs::read(path)?);
    if let Some(p) = cached {
        let _ = crate::util::fs::write_atomic(&p, hash.as_bytes());
    }
    Ok(hash)
}

fn read_facts(path: &Path) -> Option<AudioFacts> {
    serde_json::from_slice(&std::fs::read(path).ok()?).ok()
}

/// What identifies a file's current content without reading it.
fn stat_key(path: &Path) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(path).ok()?;
    let id =
        format!("{}\0{}\0{}\0{}\0{}\0{}", path.display(), m.len(), m.mtime(), m.mtime_nsec(), m.ino(), m.ctime_nsec());
    Some(blake3::hash(id.as_bytes()).to_hex()[..32].to_owned())
}
