//! What can be wrong in the sources themselves (as opposed to audio or transcripts): one variant
//! per problem, with a stable code and typed arguments, rendered in English and in French.

use serde::Serialize;

use crate::problem::{Diagnostic, Lang};

/// A problem in a source file.
#[derive(Debug, Clone, PartialEq, Serialize, thiserror::Error)]
#[serde(untagged)]
pub enum SourceError {
    #[error("cannot read the file: {reason}")]
    Io { reason: String },
    #[error("the file is not valid UTF-8 (invalid byte at offset {offset})")]
    NotUtf8 { offset: usize },
    #[error("the file is empty")]
    Empty,
    #[error("the front matter is missing: the file must start with a line `+++`")]
    NoFrontMatter,
    #[error("the front matter is not closed: no second `+++` line")]
    UnclosedFrontMatter,
    /// The TOML parser's own message (in English: it comes from the `toml` crate).
    #[error("{message}")]
    Toml { message: String },
    #[error("unknown field `{field}`{}", .expected.as_ref().map(|e| format!(", {e}")).unwrap_or_default())]
    UnknownField { field: String, suggestion: Option<String>, expected: Option<String> },
    #[error("missing field `{field}`")]
    MissingField { field: String },
    #[error("unknown {kind} `{slug}`")]
    UnknownRef { kind: RefKind, slug: String, suggestion: Option<String> },
    #[error("GUID `{guid}` is also used by {other}")]
    DuplicateGuid { guid: String, other: String },
    #[error("the GUID is empty")]
    EmptyGuid,
    #[error("invalid {field} `{value}`: {expected}")]
    InvalidValue { field: &'static str, value: String, expected: Expected },
    #[error("`{value}` is not a date with a time and an offset")]
    BadDate { value: String },
    #[error("the audio file `{file}` does not exist")]
    MissingAudio { file: String },
    #[error("no audio file for this episode (looked for {tried})")]
    NoAudio { tried: String },
    #[error("several audio files match this episode: {found}")]
    AmbiguousAudio { found: String },
    #[error("refused path `{value}`: {why}")]
    UnsafePath { value: String, why: PathFault },
    #[error("`.{ext}` audio cannot be published")]
    UnpublishableAudio { ext: String },
    #[error("the light version `{file}` {why}")]
    LightVersion { file: String, why: LightFault },
    #[error("invalid file name: `{name}` is not a slug")]
    BadSlug { name: String, suggestion: String },
    #[error("invalid chapter line `{text}`: {why}")]
    BadChapter { text: String, why: ChapterFault },
    #[error("invalid time code `{value}`")]
    BadTimecode { value: String },
    #[error("the {what} image `{file}` {why}")]
    BadImage { what: ImageUse, file: String, why: ImageFault },
    #[error("the published episode `{slug}` (GUID `{guid}`) has no source in episodes/")]
    PublishedWithoutSource { guid: String, slug: String },
    #[error(
        "the published media of `{}` would change: its audio {} has SHA-256 {}…, the version published on {} has {}…",
        .0.slug, .0.audio, .0.sha256, .0.published_on, .0.published_sha256
    )]
    PublishedMediaChanged(Box<MediaChange>),
    #[error("a transcript without an episode")]
    OrphanTranscript,
    #[error("a control character {code_point}{}", more(*others))]
    ControlCharacter { code_point: String, meant: Option<String>, others: usize },
    #[error("the title has {length} characters: podcast apps show at most {limit}")]
    LongTitle { length: usize, limit: usize },
    #[error("the link `{link}` leads to no page or file of the site")]
    BrokenLink { link: String, suggestion: Option<String> },
    #[error("the chapters must be in ascending time order (`{title}` starts before the one above)")]
    ChaptersOutOfOrder { title: String },
    #[error("the first chapter must start at 00:00")]
    ChaptersDoNotStartAtZero,
    #[error("the chapter `{title}` starts at {start} s, after the end of the audio ({duration} s)")]
    ChapterAfterEnd { title: String, start: String, duration: String },
    #[error("the soundbite at {start} s ends after the end of the audio ({duration} s)")]
    SoundbiteAfterEnd { start: String, duration: String },
}

fn more(others: usize) -> String {
    match others {
        0 => String::new(),
        1 => " (and 1 more)".into(),
        n => format!(" (and {n} more)"),
    }
}

fn more_fr(others: usize) -> String {
    match others {
        0 => String::new(),
        1 => " (et 1 autre)".into(),
        n => format!(" (et {n} autres)"),
    }
}

/// A published episode's audio that is not the one the ledger recorded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MediaChange {
    pub slug: String,
    /// The audio file, relative to the root.
    pub audio: String,
    /// The first 12 hex digits of its SHA-256.
    pub sha256: String,
    /// The day the current version was recorded.
    pub published_on: String,
    /// The first 12 hex digits of the recorded SHA-256.
    pub published_sha256: String,
}

/// The kinds of things a slug can refer to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RefKind {
    Episode,
    Method,
    Partner,
    Territory,
    PersonRole,
}

impl std::fmt::Display for RefKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            RefKind::Episode => "episode",
            RefKind::Method => "method",
            RefKind::Partner => "partner",
            RefKind::Territory => "territory",
            RefKind::PersonRole => "person role",
        })
    }
}

impl RefKind {
    /// Where pages of this kind live.
    pub fn dir(self) -> &'static str {
        match self {
            RefKind::Episode => "episodes",
            RefKind::Method => "site/methods",
            RefKind::Partner => "site/partners",
            RefKind::Territory => "site/territories",
            RefKind::PersonRole => "the Podcasting 2.0 taxonomy",
        }
    }

    /// "méthode inconnue", "partenaire inconnu": the noun and its agreeing adjective.
    fn unknown_fr(self) -> &'static str {
        match self {
            RefKind::Episode => "épisode inconnu",
            RefKind::Method => "méthode inconnue",
            RefKind::Partner => "partenaire inconnu",
            RefKind::Territory => "territoire inconnu",
            RefKind::PersonRole => "rôle inconnu",
        }
    }
}

/// What a value should have been.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Expected {
    /// The show's `base_url`.
    HttpsSite,
    HttpsAddress,
    LanguageCode,
    AppleCategory {
        suggestion: Option<String>,
    },
    /// One of `allowed`, the subcategories of `category` (none at all when empty).
    Subcategory {
        category: String,
        allowed: Vec<String>,
    },
    Uuid,
    NumberFrom1,
    PositiveSeconds,
    /// A number from `min` to `max`, in `unit`.
    Between {
        min: f64,
        max: f64,
        unit: &'static str,
    },
    /// One line of text, not empty, of at most `max` characters.
    ShortText {
        max: usize,
    },
    /// A method's `participants`: from 1, the most not below the least.
    Participants,
    /// One of these values, listed.
    OneOf {
        allowed: &'static str,
    },
}

impl std::fmt::Display for Expected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Expected::HttpsSite => {
                f.write_str("an https:// address of the show's website, the root of its host (no path: the pages link each other from the root)")
            }
            Expected::HttpsAddress => f.write_str("an https:// address"),
            Expected::LanguageCode => f.write_str("an ISO 639 code such as `fr` or `fr-fr`"),
            Expected::AppleCategory { suggestion: None } => f.write_str("one of Apple's categories"),
            Expected::AppleCategory { suggestion: Some(s) } => {
                write!(f, "one of Apple's categories (did you mean `{s}`?)")
            }
            Expected::Subcategory { category, allowed } if allowed.is_empty() => {
                write!(f, "`{category}` has no subcategories")
            }
            Expected::Subcategory { allowed, .. } => write!(f, "one of {}", allowed.join(", ")),
            Expected::Uuid => f.write_str("a UUID (`veillee init` computes it)"),
            Expected::NumberFrom1 => f.write_str("a number from 1"),
            Expected::PositiveSeconds => f.write_str("a positive number of seconds"),
            Expected::Between { min, max, unit } => write!(f, "a number from {min} to {max}{}", unit_suffix(unit)),
            Expected::ShortText { max } => write!(f, "one line of text, not empty, of at most {max} characters"),
            Expected::Participants => {
                f.write_str("`{ min = 6, max = 30 }`: at least 1, and `max` (optional) not below `min`")
            }
            Expected::OneOf { allowed } => write!(f, "one of {allowed}"),
        }
    }
}

impl Expected {
    fn fr(&self) -> String {
        match self {
            Expected::HttpsSite => {
                "une adresse https:// du site de l'émission, à la racine de son hôte (sans chemin : les pages se lient depuis la racine)".into()
            }
            Expected::HttpsAddress => "une adresse https://".into(),
            Expected::LanguageCode => "un code ISO 639 comme `fr` ou `fr-fr`".into(),
            Expected::AppleCategory { suggestion: None } => "une des catégories d'Apple".into(),
            Expected::AppleCategory { suggestion: Some(s) } => {
                format!("une des catégories d'Apple (vouliez-vous dire `{s}` ?)")
            }
            Expected::Subcategory { category, allowed } if allowed.is_empty() => {
                format!("`{category}` n'a pas de sous-catégorie")
            }
            Expected::Subcategory { allowed, .. } => format!("une de celles-ci : {}", allowed.join(", ")),
            Expected::Uuid => "un UUID (`veillee init` le calcule)".into(),
            Expected::NumberFrom1 => "un nombre à partir de 1".into(),
            Expected::PositiveSeconds => "un nombre de secondes positif".into(),
            Expected::Between { min, max, unit } => {
                let n = |x: &f64| x.to_string().replace('.', ",").replace('-', "\u{2212}");
                format!("un nombre de {} à {}{}", n(min), n(max), unit_suffix(unit))
            }
            Expected::ShortText { max } => format!("une ligne de texte, non vide, d'au plus {max} caractères"),
            Expected::Participants => {
                "`{ min = 6, max = 30 }` : au moins 1, et `max` (facultatif) pas en dessous de `min`".into()
            }
            Expected::OneOf { allowed } => format!("une de ces valeurs : {allowed}"),
        }
    }
}

/// Why a path in a source was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PathFault {
    Empty,
    Absolute,
    Dots,
    LinksOut,
}

impl std::fmt::Display for PathFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PathFault::Empty => "it is empty",
            PathFault::Absolute => "absolute paths are not allowed",
            PathFault::Dots => "`..` and `.` are not allowed",
            PathFault::LinksOut => "it links outside the project",
        })
    }
}

impl PathFault {
    fn fr(self) -> &'static str {
        match self {
            PathFault::Empty => "il est vide",
            PathFault::Absolute => "les chemins absolus sont refusés",
            PathFault::Dots => "`..` et `.` sont refusés",
            PathFault::LinksOut => "il mène hors du projet par un lien",
        }
    }
}

/// What is wrong with an episode's light version (`<slug>.light.mp3`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LightFault {
    NotMp3,
    /// Its duration and the audio's, in seconds, differ by more than a second.
    OtherLength {
        light: String,
        audio: String,
    },
}

impl std::fmt::Display for LightFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LightFault::NotMp3 => f.write_str("is not an MP3"),
            LightFault::OtherLength { light, audio } => {
                write!(f, "lasts {light}, the audio {audio}: it is not the same recording's")
            }
        }
    }
}

impl LightFault {
    fn fr(&self) -> String {
        match self {
            LightFault::NotMp3 => "n'est pas un MP3".into(),
            LightFault::OtherLength { light, audio } => {
                format!("dure {light}, l'audio {audio} : ce n'est pas le même enregistrement")
            }
        }
    }
}

/// What is wrong with a line of the chapters block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChapterFault {
    NoTitle,
    BadTimecode,
    BadMethod,
    EmptyTitle,
}

impl std::fmt::Display for ChapterFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ChapterFault::NoTitle => "no title after the time code",
            ChapterFault::BadTimecode => "the time code must be MM:SS or H:MM:SS",
            ChapterFault::BadMethod => "the method in brackets must be a slug like [cartographie-sensible]",
            ChapterFault::EmptyTitle => "the title is empty",
        })
    }
}

impl ChapterFault {
    fn fr(self) -> &'static str {
        match self {
            ChapterFault::NoTitle => "pas de titre après le code temporel",
            ChapterFault::BadTimecode => "le code temporel doit être MM:SS ou H:MM:SS",
            ChapterFault::BadMethod => "la méthode entre crochets doit être un slug comme [cartographie-sensible]",
            ChapterFault::EmptyTitle => "le titre est vide",
        }
    }
}

/// Which image of the show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ImageUse {
    Cover,
    Episode,
}

impl std::fmt::Display for ImageUse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ImageUse::Cover => "cover",
            ImageUse::Episode => "episode",
        })
    }
}

/// What is wrong with an image, against Apple's rules (JPEG or PNG, RGB, square, 1400–3000 px).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ImageFault {
    Unreadable {
        reason: String,
    },
    OtherFormat {
        format: String,
    },
    NotAnImage,
    /// A `format` file named with another extension.
    WrongExtension {
        format: String,
        ext: String,
    },
    Damaged {
        reason: String,
    },
    Grayscale,
    NotRgb {
        color: String,
    },
    NotSquare {
        width: u32,
        height: u32,
    },
    OutOfRange {
        width: u32,
        height: u32,
    },
}

impl std::fmt::Display for ImageFault {
    /// A phrase that follows "the cover image `file` …".
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImageFault::Unreadable { reason } => write!(f, "cannot be read: {reason}"),
            ImageFault::OtherFormat { format } => write!(f, "is {format}, not JPEG or PNG"),
            ImageFault::NotAnImage => f.write_str("is not a JPEG or PNG image"),
            ImageFault::WrongExtension { format, ext } => write!(f, "is a {format} file with a `.{ext}` name"),
            ImageFault::Damaged { reason } => write!(f, "is damaged: {reason}"),
            ImageFault::Grayscale => f.write_str("is in grayscale, not RGB"),
            ImageFault::NotRgb { color } => write!(f, "is not RGB ({color})"),
            ImageFault::NotSquare { width, height } => write!(f, "is {width}×{height} pixels, not square"),
            ImageFault::OutOfRange { width, height } => write!(f, "is {width}×{height} pixels, outside 1400 to 3000"),
        }
    }
}

impl ImageFault {
    fn fr(&self) -> String {
        match self {
            ImageFault::Unreadable { reason } => format!("ne peut pas être lue : {reason}"),
            ImageFault::OtherFormat { format } => format!("est au format {format}, pas JPEG ni PNG"),
            ImageFault::NotAnImage => "n'est pas une image JPEG ou PNG".into(),
            ImageFault::WrongExtension { format, ext } => format!("est un fichier {format} nommé `.{ext}`"),
            ImageFault::Damaged { reason } => format!("est abîmée : {reason}"),
            ImageFault::Grayscale => "est en niveaux de gris, pas en RVB".into(),
            ImageFault::NotRgb { color } => format!("n'est pas en RVB ({color})"),
            ImageFault::NotSquare { width, height } => format!("fait {width}×{height} pixels : elle n'est pas carrée"),
            ImageFault::OutOfRange { width, height } => {
                format!("fait {width}×{height} pixels, hors de 1400 à 3000")
            }
        }
    }
}

impl Diagnostic for SourceError {
    fn code(&self) -> &'static str {
        match self {
            SourceError::Io { .. } => "source.io",
            SourceError::NotUtf8 { .. } => "source.not-utf8",
            SourceError::Empty => "source.empty",
            SourceError::NoFrontMatter => "source.no-front-matter",
            SourceError::UnclosedFrontMatter => "source.unclosed-front-matter",
            SourceError::Toml { .. } => "source.toml",
            SourceError::UnknownField { .. } => "source.unknown-field",
            SourceError::MissingField { .. } => "source.missing-field",
            SourceError::UnknownRef { .. } => "source.unknown-ref",
            SourceError::DuplicateGuid { .. } => "source.duplicate-guid",
            SourceError::EmptyGuid => "source.empty-guid",
            SourceError::InvalidValue { .. } => "source.invalid-value",
            SourceError::BadDate { .. } => "source.bad-date",
            SourceError::MissingAudio { .. } => "source.missing-audio",
            SourceError::NoAudio { .. } => "source.no-audio",
            SourceError::AmbiguousAudio { .. } => "source.ambiguous-audio",
            SourceError::UnsafePath { .. } => "source.unsafe-path",
            SourceError::UnpublishableAudio { .. } => "source.unpublishable-audio",
            SourceError::LightVersion { .. } => "source.light-version",
            SourceError::BadSlug { .. } => "source.bad-slug",
            SourceError::BadChapter { .. } => "source.bad-chapter",
            SourceError::BadTimecode { .. } => "source.bad-timecode",
            SourceError::BadImage { .. } => "source.bad-image",
            SourceError::OrphanTranscript => "source.orphan-transcript",
            SourceError::ControlCharacter { .. } => "source.control-character",
            SourceError::LongTitle { .. } => "source.long-title",
            SourceError::BrokenLink { .. } => "source.broken-link",
            SourceError::PublishedWithoutSource { .. } => "source.published-without-source",
            SourceError::PublishedMediaChanged(_) => "source.published-media-changed",
            SourceError::ChaptersOutOfOrder { .. } => "source.chapters-out-of-order",
            SourceError::ChaptersDoNotStartAtZero => "source.chapters-not-at-zero",
            SourceError::ChapterAfterEnd { .. } => "source.chapter-after-end",
            SourceError::SoundbiteAfterEnd { .. } => "source.soundbite-after-end",
        }
    }

    fn message(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            SourceError::Io { reason } => format!("impossible de lire le fichier : {reason}"),
            SourceError::NotUtf8 { offset } => {
                format!("le fichier n'est pas en UTF-8 valide (octet invalide à la position {offset})")
            }
            SourceError::Empty => "le fichier est vide".into(),
            SourceError::NoFrontMatter => "l'en-tête manque : le fichier doit commencer par une ligne `+++`".into(),
            SourceError::UnclosedFrontMatter => "l'en-tête n'est pas fermé : il manque la seconde ligne `+++`".into(),
            SourceError::Toml { message } => format!("en-tête TOML invalide ({message})"),
            SourceError::UnknownField { field, .. } => format!("champ inconnu `{field}`"),
            SourceError::MissingField { field } => format!("champ manquant `{field}`"),
            SourceError::UnknownRef { kind, slug, .. } => format!("{} `{slug}`", kind.unknown_fr()),
            SourceError::DuplicateGuid { guid, other } => format!("le GUID `{guid}` est aussi celui de {other}"),
            SourceError::EmptyGuid => "le GUID est vide".into(),
            SourceError::InvalidValue { field, value, expected } => {
                format!("valeur invalide de {field} : `{value}` ; attendu : {}", expected.fr())
            }
            SourceError::BadDate { value } => {
                format!("`{value}` n'est pas une date avec une heure et un décalage horaire")
            }
            SourceError::MissingAudio { file } => format!("le fichier audio `{file}` n'existe pas"),
            SourceError::NoAudio { tried } => format!("aucun fichier audio pour cet épisode (cherché : {tried})"),
            SourceError::AmbiguousAudio { found } => {
                format!("plusieurs fichiers audio correspondent à cet épisode : {found}")
            }
            SourceError::UnsafePath { value, why } => format!("chemin refusé `{value}` : {}", why.fr()),
            SourceError::UnpublishableAudio { ext } => format!("un audio `.{ext}` ne peut pas être publié"),
            SourceError::LightVersion { file, why } => format!("la version légère `{file}` {}", why.fr()),
            SourceError::BadSlug { name, .. } => format!("nom de fichier invalide : `{name}` n'est pas un slug"),
            SourceError::BadChapter { text, why } => format!("ligne de chapitre invalide `{text}` : {}", why.fr()),
            SourceError::BadTimecode { value } => format!("code temporel invalide `{value}`"),
            SourceError::BadImage { what, file, why } => {
                let what = match what {
                    ImageUse::Cover => "de couverture",
                    ImageUse::Episode => "de l'épisode",
                };
                format!("l'image {what} `{file}` {}", why.fr())
            }
            SourceError::PublishedWithoutSource { guid, slug } => {
                format!("l'épisode publié `{slug}` (GUID `{guid}`) n'a pas de source dans episodes/")
            }
            SourceError::PublishedMediaChanged(c) => format!(
                "l'audio publié de `{}` changerait : son fichier {} a le SHA-256 {}…, la version publiée le {} a {}…",
                c.slug, c.audio, c.sha256, c.published_on, c.published_sha256
            ),
            SourceError::OrphanTranscript => "une transcription sans épisode".into(),
            SourceError::ControlCharacter { code_point, others, .. } => {
                format!("un caractère de contrôle {code_point}{}", more_fr(*others))
            }
            SourceError::LongTitle { length, limit } => {
                format!("le titre a {length} caractères : les applications de podcast en montrent au plus {limit}")
            }
            SourceError::BrokenLink { link, .. } => {
                format!("le lien `{link}` ne mène à aucune page ni à aucun fichier du site")
            }
            SourceError::ChaptersOutOfOrder { title } => {
                format!("les chapitres doivent suivre l'ordre du temps (`{title}` commence avant celui du dessus)")
            }
            SourceError::ChaptersDoNotStartAtZero => "le premier chapitre doit commencer à 00:00".into(),
            SourceError::ChapterAfterEnd { title, start, duration } => {
                format!("le chapitre `{title}` commence à {start} s, après la fin de l'audio ({duration} s)")
            }
            SourceError::SoundbiteAfterEnd { start, duration } => {
                format!("l'extrait qui commence à {start} s finit après la fin de l'audio ({duration} s)")
            }
        }
    }

    fn hint(&self, lang: Lang) -> Option<String> {
        match lang {
            Lang::En => self.hint_en(),
            Lang::Fr => self.hint_fr(),
        }
    }

    fn args(&self) -> serde_json::Value {
        crate::problem::args_of(self)
    }
}

impl SourceError {
    fn hint_en(&self) -> Option<String> {
        Some(match self {
            SourceError::Io { .. } => return None,
            SourceError::NotUtf8 { .. } => "save the file as UTF-8".into(),
            SourceError::Empty | SourceError::NoFrontMatter => {
                "start the file with `+++`, the TOML fields, then `+++` (see `veillee new`)".into()
            }
            SourceError::UnclosedFrontMatter => "add a line `+++` after the last field".into(),
            SourceError::UnknownField { suggestion: Some(s), .. } => format!("did you mean `{s}`?"),
            SourceError::UnknownField { .. } => return None,
            SourceError::Toml { message } if message.contains("TOML datetime") => {
                "write a date without quotes, like 2024-06-12T09:00:00+02:00".into()
            }
            SourceError::MissingField { field } if field == "guid" => {
                "every episode keeps the GUID it was published with (see feed/archive.toml); a new episode gets one from `veillee new episode`".into()
            }
            SourceError::MissingField { .. } => "add it (see `veillee new` for the fields of each kind of page)".into(),
            SourceError::Toml { .. } => return None,
            SourceError::UnknownRef { suggestion: Some(s), .. } => format!("did you mean `{s}`?"),
            SourceError::UnknownRef { kind: RefKind::PersonRole, .. } => {
                "use a role of the Podcasting 2.0 taxonomy, such as host or guest".into()
            }
            SourceError::UnknownRef { kind, .. } => {
                format!("create it with `veillee new {kind} \"…\"` or fix the slug (see {})", kind.dir())
            }
            SourceError::DuplicateGuid { .. } => {
                "every episode needs its own GUID: `veillee new episode` mints one".into()
            }
            SourceError::EmptyGuid => "`veillee new episode` mints one".into(),
            SourceError::InvalidValue { .. } => return None,
            SourceError::BadDate { .. } => "write it like 2024-06-12T09:00:00+02:00".into(),
            SourceError::MissingAudio { .. } => "put the file in episodes/ or fix the `audio` field".into(),
            SourceError::NoAudio { .. } => {
                "put the audio next to the episode with the same name, or set `audio`".into()
            }
            SourceError::AmbiguousAudio { .. } => "say which one with the `audio` field".into(),
            SourceError::UnsafePath { .. } => "name a file inside episodes/".into(),
            SourceError::UnpublishableAudio { .. } => {
                "podcast apps take MP3 or M4A: `veillee master SLUG --from FILE` makes the episode's MP3 from it".into()
            }
            SourceError::LightVersion { .. } => {
                "master the episode again (`veillee master SLUG --from RECORDING`), or delete the light version".into()
            }
            SourceError::BadSlug { suggestion, .. } => format!("rename it `{suggestion}`"),
            SourceError::BadChapter { .. } => {
                "write one chapter a line: `MM:SS Title` or `H:MM:SS Title [method-slug]`".into()
            }
            SourceError::BadTimecode { .. } => "write MM:SS, H:MM:SS or a number of seconds".into(),
            SourceError::BadImage { .. } => "use a square RGB JPEG or PNG of 1400 to 3000 pixels a side".into(),
            SourceError::OrphanTranscript => "name it after an episode file (same slug) or delete it".into(),
            SourceError::ControlCharacter { meant: Some(m), .. } => format!(
                "it is invisible: the text was probably written in Windows-1252 and read as Latin-1, where it was `{m}`; retype it (it is left out of every output)"
            ),
            SourceError::ControlCharacter { meant: None, .. } => {
                "it is invisible and no feed or page may hold it: remove it (it is left out of every output)".into()
            }
            SourceError::LongTitle { limit, .. } => format!(
                "shorten it: the feed cuts it at a word before {limit} characters, the website shows it whole"
            ),
            SourceError::BrokenLink { suggestion: Some(s), .. } => format!("did you mean `{s}`?"),
            SourceError::BrokenLink { suggestion: None, .. } => {
                "write the page's address from the site's root, as `/methodes/<slug>/` or `/episodes/<slug>/#t=90`".into()
            }
            SourceError::PublishedWithoutSource { .. } => {
                "restore its file (with the same `guid`) from git: a published episode stays unless it is retracted".into()
            }
            SourceError::PublishedMediaChanged(c) => format!(
                "if the change is deliberate, record it with `veillee publish {} --new-version --reason \"…\"`; otherwise restore the audio from git",
                c.slug
            ),
            SourceError::ChaptersOutOfOrder { .. } => "sort the chapter lines by time".into(),
            SourceError::ChaptersDoNotStartAtZero => "add a first line `00:00 …`".into(),
            SourceError::ChapterAfterEnd { .. } | SourceError::SoundbiteAfterEnd { .. } => {
                "check the time code against the audio".into()
            }
        })
    }

    fn hint_fr(&self) -> Option<String> {
        Some(match self {
            SourceError::Io { .. } | SourceError::InvalidValue { .. } => return None,
            SourceError::NotUtf8 { .. } => "enregistrez le fichier en UTF-8".into(),
            SourceError::Empty | SourceError::NoFrontMatter => {
                "commencez le fichier par `+++`, les champs TOML, puis `+++` (voir `veillee new`)".into()
            }
            SourceError::UnclosedFrontMatter => "ajoutez une ligne `+++` après le dernier champ".into(),
            SourceError::UnknownField { suggestion: Some(s), .. } | SourceError::UnknownRef { suggestion: Some(s), .. } => {
                format!("vouliez-vous dire `{s}` ?")
            }
            SourceError::UnknownField { .. } => {
                "retirez-le, ou voyez `veillee new` pour les champs de chaque sorte de page".into()
            }
            SourceError::Toml { message } if message.contains("TOML datetime") => {
                "écrivez la date sans guillemets, comme 2024-06-12T09:00:00+02:00".into()
            }
            SourceError::MissingField { field } if field == "guid" => {
                "un épisode garde le GUID avec lequel il a été publié (voir feed/archive.toml) ; un nouvel épisode en reçoit un avec `veillee new episode`".into()
            }
            SourceError::MissingField { .. } => {
                "ajoutez-le (voir `veillee new` pour les champs de chaque sorte de page)".into()
            }
            SourceError::Toml { .. } => return None,
            SourceError::UnknownRef { kind: RefKind::PersonRole, .. } => {
                "prenez un rôle de la taxonomie Podcasting 2.0, comme host ou guest".into()
            }
            SourceError::UnknownRef { kind, .. } => {
                format!("créez la page avec `veillee new {kind} \"…\"` ou corrigez le slug (voir {})", kind.dir())
            }
            SourceError::DuplicateGuid { .. } => {
                "chaque épisode a son propre GUID : `veillee new episode` en crée un".into()
            }
            SourceError::EmptyGuid => "`veillee new episode` en crée un".into(),
            SourceError::BadDate { .. } => "écrivez-la comme 2024-06-12T09:00:00+02:00".into(),
            SourceError::MissingAudio { .. } => "mettez le fichier dans episodes/ ou corrigez le champ `audio`".into(),
            SourceError::NoAudio { .. } => {
                "mettez l'audio à côté de l'épisode, sous le même nom, ou indiquez-le avec `audio`".into()
            }
            SourceError::AmbiguousAudio { .. } => "indiquez lequel avec le champ `audio`".into(),
            SourceError::UnsafePath { .. } => "nommez un fichier qui est dans episodes/".into(),
            SourceError::UnpublishableAudio { .. } => {
                "les applications de podcast lisent le MP3 ou le M4A : `veillee master SLUG --from FICHIER` en fait le MP3 de l'épisode".into()
            }
            SourceError::LightVersion { .. } => {
                "refaites le mastering de l'épisode (`veillee master SLUG --from ENREGISTREMENT`), ou supprimez la version légère".into()
            }
            SourceError::BadSlug { suggestion, .. } => format!("renommez-le `{suggestion}`"),
            SourceError::BadChapter { .. } => {
                "un chapitre par ligne : `MM:SS Titre` ou `H:MM:SS Titre [slug-de-la-methode]`".into()
            }
            SourceError::BadTimecode { .. } => "écrivez MM:SS, H:MM:SS ou un nombre de secondes".into(),
            SourceError::BadImage { .. } => {
                "prenez une image JPEG ou PNG carrée, en RVB, de 1400 à 3000 pixels de côté".into()
            }
            SourceError::OrphanTranscript => {
                "donnez-lui le nom d'un fichier d'épisode (le même slug) ou supprimez-la".into()
            }
            SourceError::ControlCharacter { meant: Some(m), .. } => format!(
                "il est invisible : le texte a sans doute été écrit en Windows-1252 et lu en Latin-1, où c'était `{m}` ; retapez-le (il est laissé hors de toutes les sorties)"
            ),
            SourceError::ControlCharacter { meant: None, .. } => {
                "il est invisible et aucun flux ni aucune page ne peut le contenir : supprimez-le (il est laissé hors de toutes les sorties)".into()
            }
            SourceError::LongTitle { limit, .. } => format!(
                "raccourcissez-le : le flux le coupe à un mot avant {limit} caractères, le site le montre en entier"
            ),
            SourceError::BrokenLink { suggestion: Some(s), .. } => format!("vouliez-vous dire `{s}` ?"),
            SourceError::BrokenLink { suggestion: None, .. } => {
                "écrivez l'adresse de la page depuis la racine du site, comme `/methodes/<slug>/` ou `/episodes/<slug>/#t=90`".into()
            }
            SourceError::PublishedWithoutSource { .. } => {
                "restaurez son fichier (avec le même `guid`) depuis git : un épisode publié reste tant qu'il n'est pas retiré".into()
            }
            SourceError::PublishedMediaChanged(c) => format!(
                "si le changement est voulu, enregistrez-le avec `veillee publish {} --new-version --reason \"…\"` ; sinon, restaurez l'audio depuis git",
                c.slug
            ),
            SourceError::ChaptersOutOfOrder { .. } => "triez les lignes de chapitres par temps".into(),
            SourceError::ChaptersDoNotStartAtZero => "ajoutez une première ligne `00:00 …`".into(),
            SourceError::ChapterAfterEnd { .. } | SourceError::SoundbiteAfterEnd { .. } => {
                "vérifiez le code temporel en écoutant l'audio".into()
            }
        })
    }
}

/// ` LUFS` after a number, nothing when it has no unit.
fn unit_suffix(unit: &str) -> String {
    if unit.is_empty() { String::new() } else { format!(" {unit}") }
}
