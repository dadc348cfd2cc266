//! What can be wrong in the sources themselves (as opposed to audio or transcripts).

/// A problem in a source file, with a stable code and typed arguments.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
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
    #[error("{message}")]
    Toml { message: String, suggestion: Option<String> },
    #[error("unknown {kind} `{slug}`")]
    UnknownRef { kind: RefKind, slug: String, suggestion: Option<String> },
    #[error("GUID `{guid}` is also used by {other}")]
    DuplicateGuid { guid: String, other: String },
    #[error("the GUID is empty")]
    EmptyGuid,
    #[error("invalid {field} `{value}`: {expected}")]
    InvalidValue { field: &'static str, value: String, expected: String },
    #[error("`{value}` is not a date with a time and an offset")]
    BadDate { value: String },
    #[error("the audio file `{file}` does not exist")]
    MissingAudio { file: String },
    #[error("no audio file for this episode (looked for {tried})")]
    NoAudio { tried: String },
    #[error("several audio files match this episode: {found}")]
    AmbiguousAudio { found: String },
    #[error("refused path `{value}`: {why}")]
    UnsafePath { value: String, why: &'static str },
    #[error("`.{ext}` audio cannot be published")]
    UnpublishableAudio { ext: String },
    #[error("invalid file name: `{name}` is not a slug")]
    BadSlug { name: String, suggestion: String },
    #[error("invalid chapter line `{text}`: {why}")]
    BadChapter { text: String, why: &'static str },
    #[error("invalid time code `{value}`")]
    BadTimecode { value: String },
    #[error("the {what} image `{file}` {why}")]
    BadImage { what: &'static str, file: String, why: String },
    #[error("the published episode `{slug}` (GUID `{guid}`) has no source in episodes/")]
    PublishedWithoutSource { guid: String, slug: String },
    #[error("the published media of `{slug}` would change: {what}")]
    PublishedMediaChanged { slug: String, what: String },
    #[error("a transcript without an episode")]
    OrphanTranscript,
    #[error("the chapters must be in ascending time order (`{title}` starts before the one above)")]
    ChaptersOutOfOrder { title: String },
    #[error("the first chapter must start at 00:00")]
    ChaptersDoNotStartAtZero,
    #[error("the chapter `{title}` starts at {start} s, after the end of the audio ({duration} s)")]
    ChapterAfterEnd { title: String, start: String, duration: String },
    #[error("the soundbite at {start} s ends after the end of the audio ({duration} s)")]
    SoundbiteAfterEnd { start: String, duration: String },
}

/// The kinds of things a slug can refer to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
}

impl SourceError {
    pub fn code(&self) -> &'static str {
        match self {
            SourceError::Io { .. } => "source.io",
            SourceError::NotUtf8 { .. } => "source.not-utf8",
            SourceError::Empty => "source.empty",
            SourceError::NoFrontMatter => "source.no-front-matter",
            SourceError::UnclosedFrontMatter => "source.unclosed-front-matter",
            SourceError::Toml { .. } => "source.toml",
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
            SourceError::BadSlug { .. } => "source.bad-slug",
            SourceError::BadChapter { .. } => "source.bad-chapter",
            SourceError::BadTimecode { .. } => "source.bad-timecode",
            SourceError::BadImage { .. } => "source.bad-image",
            SourceError::OrphanTranscript => "source.orphan-transcript",
            SourceError::PublishedWithoutSource { .. } => "source.published-without-source",
            SourceError::PublishedMediaChanged { .. } => "source.published-media-changed",
            SourceError::ChaptersOutOfOrder { .. } => "source.chapters-out-of-order",
            SourceError::ChaptersDoNotStartAtZero => "source.chapters-not-at-zero",
            SourceError::ChapterAfterEnd { .. } => "source.chapter-after-end",
            SourceError::SoundbiteAfterEnd { .. } => "source.soundbite-after-end",
        }
    }

    pub fn hint(&self) -> Option<String> {
        Some(match self {
            SourceError::Io { .. } => return None,
            SourceError::NotUtf8 { .. } => "save the file as UTF-8".into(),
            SourceError::Empty | SourceError::NoFrontMatter => {
                "start the file with `+++`, the TOML fields, then `+++` (see `veillee new`)".into()
            }
            SourceError::UnclosedFrontMatter => "add a line `+++` after the last field".into(),
            SourceError::Toml { suggestion: Some(s), .. } => format!("did you mean `{s}`?"),
            SourceError::Toml { message, .. } if message.contains("TOML datetime") => {
                "write a date without quotes, like 2024-06-12T09:00:00+02:00".into()
            }
            SourceError::Toml { message, .. } if message.contains("missing field `guid`") => {
                "every episode keeps the GUID it was published with (see feed/archive.toml); a new episode gets one from `veillee new episode`".into()
            }
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
                "podcast apps take MP3 or M4A: convert it (e.g. `ffmpeg -i in.wav -b:a 128k out.mp3`)".into()
            }
            SourceError::BadSlug { suggestion, .. } => format!("rename it `{suggestion}`"),
            SourceError::BadChapter { .. } => {
                "write one chapter a line: `MM:SS Title` or `H:MM:SS Title [method-slug]`".into()
            }
            SourceError::BadTimecode { .. } => "write MM:SS, H:MM:SS or a number of seconds".into(),
            SourceError::BadImage { .. } => "use a square RGB JPEG or PNG of 1400 to 3000 pixels a side".into(),
            SourceError::OrphanTranscript => "name it after an episode file (same slug) or delete it".into(),
            SourceError::PublishedWithoutSource { .. } => {
                "restore its file (with the same `guid`) from git: a published episode stays unless it is retracted".into()
            }
            SourceError::PublishedMediaChanged { slug, .. } => format!(
                "if the change is deliberate, record it with `veillee publish {slug} --new-version --reason \"…\"`; otherwise restore the audio from git"
            ),
            SourceError::ChaptersOutOfOrder { .. } => "sort the chapter lines by time".into(),
            SourceError::ChaptersDoNotStartAtZero => "add a first line `00:00 …`".into(),
            SourceError::ChapterAfterEnd { .. } | SourceError::SoundbiteAfterEnd { .. } => {
                "check the time code against the audio".into()
            }
        })
    }
}
