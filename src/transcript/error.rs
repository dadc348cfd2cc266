//! What can be wrong in a transcript file, in English and in French.

use serde::Serialize;

use crate::problem::{Diagnostic, Lang, Position};

/// What can be wrong in a transcript file.
#[derive(Debug, Clone, PartialEq, Serialize, thiserror::Error)]
#[serde(untagged)]
pub enum TranscriptError {
    #[error("{reason}")]
    Io { reason: String },
    #[error("the file is {size} bytes, more than the {limit} a transcript may have")]
    TooLarge { size: u64, limit: u64 },
    #[error("a line longer than {limit} bytes: this is not a text transcript")]
    LineTooLong { limit: usize },
    #[error("not UTF-8 at byte {offset}")]
    NotUtf8 { offset: usize },
    #[error("the file is empty")]
    Empty,
    #[error("the format is not recognized (expected WebVTT, SRT, whisper JSON or Podcast Index JSON)")]
    UnknownFormat,
    #[error("this is {found}, not WebVTT")]
    WrongFormat { found: &'static str },
    #[error("the first line must be `WEBVTT`")]
    MissingHeader,
    #[error("invalid timestamp `{value}`")]
    BadTimestamp { value: String },
    #[error("a cue without a time line `00:00:01.000 --> 00:00:04.000`")]
    MissingTiming,
    #[error("the cue must end after it starts (it starts at {start}, ends at {end})")]
    EndBeforeStart { start: String, end: String },
    #[error("invalid JSON: {message}")]
    Json { message: String },
    #[error("invalid time {value} (seconds must be a number from 0 to 100 hours)")]
    BadSeconds { value: String },
    #[error("the transcript has no cue")]
    NoCue,
    #[error("empty cue{}", more(*others))]
    EmptyCue { others: usize },
    #[error("the cue starts before the previous one{}", more(*others))]
    OutOfOrder { others: usize },
    #[error("the cue overlaps the previous one{}", more(*others))]
    Overlap { others: usize },
    #[error("the cue ends at {end}, after the end of the audio ({duration}){}", more(*others))]
    PastAudioEnd { end: String, duration: String, others: usize },
    #[error("only WebVTT transcripts (.vtt) are read in transcripts/: this file is left out")]
    NotImported { slug: String },
    #[error("the speaker label `{label}` has no name in the episode's `speakers`")]
    UnmappedSpeaker { label: String },
    #[error("a control character {code_point}{}", more(*others))]
    ControlCharacter { code_point: String, meant: Option<String>, others: usize },
}

fn more(others: usize) -> String {
    match others {
        0 => String::new(),
        1 => " (and 1 more cue)".into(),
        n => format!(" (and {n} more cues)"),
    }
}

fn more_fr(others: usize) -> String {
    match others {
        0 => String::new(),
        1 => " (et 1 autre réplique)".into(),
        n => format!(" (et {n} autres répliques)"),
    }
}

impl Diagnostic for TranscriptError {
    fn code(&self) -> &'static str {
        match self {
            TranscriptError::Io { .. } => "transcript.io",
            TranscriptError::TooLarge { .. } => "transcript.too-large",
            TranscriptError::LineTooLong { .. } => "transcript.line-too-long",
            TranscriptError::NotUtf8 { .. } => "transcript.not-utf8",
            TranscriptError::Empty => "transcript.empty",
            TranscriptError::UnknownFormat => "transcript.unknown-format",
            TranscriptError::WrongFormat { .. } => "transcript.wrong-format",
            TranscriptError::MissingHeader => "transcript.missing-header",
            TranscriptError::BadTimestamp { .. } => "transcript.bad-timestamp",
            TranscriptError::MissingTiming => "transcript.missing-timing",
            TranscriptError::EndBeforeStart { .. } => "transcript.end-before-start",
            TranscriptError::Json { .. } => "transcript.json",
            TranscriptError::BadSeconds { .. } => "transcript.bad-seconds",
            TranscriptError::NoCue => "transcript.no-cue",
            TranscriptError::EmptyCue { .. } => "transcript.empty-cue",
            TranscriptError::OutOfOrder { .. } => "transcript.out-of-order",
            TranscriptError::Overlap { .. } => "transcript.overlap",
            TranscriptError::PastAudioEnd { .. } => "transcript.past-audio-end",
            TranscriptError::UnmappedSpeaker { .. } => "transcript.unmapped-speaker",
            TranscriptError::NotImported { .. } => "transcript.not-imported",
            TranscriptError::ControlCharacter { .. } => "transcript.control-character",
        }
    }

    fn message(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            TranscriptError::Io { reason } => format!("lecture impossible : {reason}"),
            TranscriptError::TooLarge { size, limit } => {
                format!("le fichier fait {size} octets, plus que les {limit} permis pour une transcription")
            }
            TranscriptError::LineTooLong { limit } => {
                format!("une ligne de plus de {limit} octets : ce n'est pas une transcription en texte")
            }
            TranscriptError::NotUtf8 { offset } => format!("pas en UTF-8 à l'octet {offset}"),
            TranscriptError::Empty => "le fichier est vide".into(),
            TranscriptError::UnknownFormat => {
                "format non reconnu (WebVTT, SRT, JSON whisper ou JSON Podcast Index attendu)".into()
            }
            TranscriptError::WrongFormat { found } => format!("c'est du {found}, pas du WebVTT"),
            TranscriptError::MissingHeader => "la première ligne doit être `WEBVTT`".into(),
            TranscriptError::BadTimestamp { value } => format!("horodatage invalide `{value}`"),
            TranscriptError::MissingTiming => "une réplique sans ligne de temps `00:00:01.000 --> 00:00:04.000`".into(),
            TranscriptError::EndBeforeStart { start, end } => {
                format!("la réplique doit finir après son début (elle commence à {start}, finit à {end})")
            }
            TranscriptError::Json { message } => format!("JSON invalide : {message}"),
            TranscriptError::BadSeconds { value } => {
                format!("temps invalide {value} (les secondes doivent être un nombre de 0 à 100 heures)")
            }
            TranscriptError::NoCue => "la transcription n'a aucune réplique".into(),
            TranscriptError::EmptyCue { others } => format!("réplique vide{}", more_fr(*others)),
            TranscriptError::OutOfOrder { others } => {
                format!("la réplique commence avant la précédente{}", more_fr(*others))
            }
            TranscriptError::Overlap { others } => format!("la réplique chevauche la précédente{}", more_fr(*others)),
            TranscriptError::PastAudioEnd { end, duration, others } => {
                format!("la réplique finit à {end}, après la fin de l'audio ({duration}){}", more_fr(*others))
            }
            TranscriptError::NotImported { .. } => {
                "seules les transcriptions WebVTT (.vtt) sont lues dans transcripts/ : ce fichier est laissé de côté"
                    .into()
            }
            TranscriptError::UnmappedSpeaker { label } => {
                format!("l'étiquette de voix `{label}` n'a pas de nom dans les `speakers` de l'épisode")
            }
            TranscriptError::ControlCharacter { code_point, others, .. } => {
                format!("un caractère de contrôle {code_point}{}", more_fr(*others))
            }
        }
    }

    fn hint(&self, lang: Lang) -> Option<String> {
        let fr = lang == Lang::Fr;
        let pick = |en: &str, french: &str| Some(if fr { french } else { en }.to_owned());
        match self {
            TranscriptError::Io { .. } | TranscriptError::Json { .. } => None,
            TranscriptError::TooLarge { .. } | TranscriptError::LineTooLong { .. } => {
                pick("give a WebVTT, SRT or JSON transcript", "donnez une transcription WebVTT, SRT ou JSON")
            }
            TranscriptError::NotUtf8 { .. } => pick(
                "save the file as UTF-8 (a Windows-1252 file can be imported with `--encoding windows-1252`)",
                "enregistrez le fichier en UTF-8 (un fichier Windows-1252 s'importe avec `--encoding windows-1252`)",
            ),
            TranscriptError::UnknownFormat => pick(
                "a WebVTT file starts with `WEBVTT`, an SRT file with `1` and a time line",
                "un fichier WebVTT commence par `WEBVTT`, un fichier SRT par `1` puis une ligne de temps",
            ),
            TranscriptError::WrongFormat { .. } => pick(
                "convert it with `veillee transcript import SLUG FILE`, which writes transcripts/SLUG.vtt",
                "convertissez-le avec `veillee transcript import SLUG FICHIER`, qui écrit transcripts/SLUG.vtt",
            ),
            TranscriptError::MissingHeader | TranscriptError::Empty => pick(
                "a WebVTT file starts with the line `WEBVTT` and a blank line",
                "un fichier WebVTT commence par la ligne `WEBVTT` puis une ligne vide",
            ),
            TranscriptError::BadTimestamp { .. } | TranscriptError::MissingTiming => pick(
                "write times as HH:MM:SS.mmm or MM:SS.mmm, with a dot before the milliseconds (a comma in SRT)",
                "écrivez les temps HH:MM:SS.mmm ou MM:SS.mmm, avec un point avant les millisecondes (une virgule en SRT)",
            ),
            TranscriptError::EndBeforeStart { .. } => {
                pick("swap or fix the two times", "échangez ou corrigez les deux temps")
            }
            TranscriptError::BadSeconds { .. } => {
                pick("fix the time of this segment", "corrigez le temps de ce segment")
            }
            TranscriptError::NoCue => {
                pick("add cues, or remove the file", "ajoutez des répliques, ou supprimez le fichier")
            }
            TranscriptError::EmptyCue { .. } => pick(
                "remove the cue or give it text (it is left out)",
                "supprimez la réplique ou donnez-lui un texte (elle est laissée de côté)",
            ),
            TranscriptError::OutOfOrder { .. } => pick(
                "put the cues in time order (they are sorted when published)",
                "remettez les répliques dans l'ordre du temps (elles sont triées à la publication)",
            ),
            TranscriptError::Overlap { .. } => pick(
                "end each cue before the next one starts",
                "finissez chaque réplique avant le début de la suivante",
            ),
            TranscriptError::PastAudioEnd { .. } => pick(
                "is this the transcript of another episode, or of an earlier cut of the audio?",
                "est-ce la transcription d'un autre épisode, ou d'un montage plus ancien de l'audio ?",
            ),
            TranscriptError::NotImported { slug } => Some(if fr {
                format!("importez-le avec `veillee transcript import {slug} FICHIER`, puis supprimez-le")
            } else {
                format!("import it with `veillee transcript import {slug} FILE`, then delete it")
            }),
            TranscriptError::ControlCharacter { meant: Some(m), .. } => Some(if fr {
                format!(
                    "le texte a sans doute été écrit en Windows-1252 et lu en Latin-1, où c'était `{m}` : importez le fichier avec `--encoding windows-1252` (le caractère est laissé de côté)"
                )
            } else {
                format!(
                    "the text was probably written in Windows-1252 and read as Latin-1, where it was `{m}`: import the file with `--encoding windows-1252` (the character is left out)"
                )
            }),
            TranscriptError::ControlCharacter { meant: None, .. } => pick(
                "it is invisible: remove it (it is left out of every output)",
                "il est invisible : supprimez-le (il est laissé hors de toutes les sorties)",
            ),
            TranscriptError::UnmappedSpeaker { label } => Some(if fr {
                format!("ajoutez `speakers = {{ {label} = \"Nom\" }}` à l'en-tête de l'épisode")
            } else {
                format!("add `speakers = {{ {label} = \"Name\" }}` to the episode's front matter")
            }),
        }
    }

    fn args(&self) -> serde_json::Value {
        crate::problem::args_of(self)
    }
}

/// A fatal problem and where it is.
pub type Failure = (Position, TranscriptError);
