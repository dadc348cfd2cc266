//! Staff work on episodes, for `/admin/` and `POST /api/episodes` (the command line's
//! equivalents are `new`, `transcript import` and `publish`): a draft from a form and its
//! uploads, the episodes by state, an episode's preview report, corrections, new audio, and the
//! review of an author's draft by an editor.
//!
//! Every change to the sources is made so that a crash leaves them whole: files are written
//! under temporary names and renamed; a new draft's `.md` is renamed last (until it exists, the
//! draft does not); what an operation is about to change is recorded first in its staging
//! directory, and undone at the next start if it was cut short ([`super::staging`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::history::{History, Identity};
use super::probe::{LoudnessReport, ProbeReport};
use super::staging::{Intent, Staging};
use super::{Project, PublishError, PublishOptions, Role, StaffMember};
use crate::catalog::{Status, slug};
use crate::media::encode::EncodeError;
use crate::problem::{Lang, Problems};
use crate::util::{IoContext, IoError};

/// The show's clock for dates typed in a form.
const SHOW_TIME_ZONE: &str = "Europe/Paris";

/// An episode as staff fill it in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EpisodeText {
    pub title: String,
    /// `YYYY-MM-DDTHH:MM` in the show's time (Europe/Paris), or RFC 3339 with an offset; empty:
    /// now.
    pub date: String,
    pub summary: String,
    /// Markdown.
    pub notes: String,
    pub partners: Vec<String>,
    pub methods: Vec<String>,
    pub territories: Vec<String>,
    /// `MM:SS Title [method-slug]`, one per line.
    pub chapters: String,
    /// One guest per line: `Name`, or `Name | https://their-page`.
    pub guests: String,
}

/// An uploaded file in a staging directory, and the name it had on the client (for messages
/// only: it never becomes a path).
#[derive(Debug, Clone, Copy)]
pub struct Upload<'a> {
    pub file: &'a Path,
    pub name: &'a str,
}

/// Why a piece of staff work was refused; nothing was changed.
#[derive(Debug, thiserror::Error)]
pub enum WorkError {
    #[error("invalid {field}: {why}")]
    Invalid { field: &'static str, why: String },
    #[error("the slug `{slug}` was published before: choose another title")]
    SlugUsed { slug: String },
    #[error("an episode `{slug}` exists already: choose another title, or edit that one")]
    Exists { slug: String },
    #[error("no episode `{slug}`")]
    NoEpisode { slug: String },
    #[error("`{name}` is not audio that can be published: {why}")]
    NotAudio { name: String, why: String },
    /// A recording that cannot be mastered (`name`: as staff called it).
    #[error("{}", master_error(.name, .error))]
    Master { name: String, error: EncodeError },
    #[error("only editors publish, retract or replace the audio of an episode")]
    Forbidden,
    #[error("{0}")]
    Problems(Problems),
    /// The show has errors elsewhere: the episode cannot be shown until they are fixed.
    #[error("the show has errors:\n{0}")]
    Show(Problems),
    #[error(transparent)]
    Publish(#[from] PublishError),
    #[error(transparent)]
    Io(#[from] IoError),
}

impl From<Problems> for WorkError {
    fn from(p: Problems) -> Self {
        WorkError::Problems(p)
    }
}

impl WorkError {
    /// A stable code for the JSON API.
    pub fn code(&self) -> &'static str {
        match self {
            WorkError::Invalid { .. } => "episode.invalid",
            WorkError::SlugUsed { .. } => "episode.slug-used",
            WorkError::Exists { .. } => "episode.exists",
            WorkError::NoEpisode { .. } | WorkError::Publish(PublishError::UnknownEpisode { .. }) => "episode.unknown",
            WorkError::NotAudio { .. } | WorkError::Master { error: EncodeError::Audio(_), .. } => "upload.not-audio",
            WorkError::Master { .. } => "episode.master",
            WorkError::Forbidden => "staff.forbidden",
            WorkError::Problems(_) => "episode.problems",
            WorkError::Show(_) => "build.problems",
            WorkError::Publish(PublishError::Generate(crate::generate::GenerateError::Problems(_))) => {
                "episode.problems"
            }
            WorkError::Publish(PublishError::Unchanged { .. }) => "episode.unchanged",
            WorkError::Publish(PublishError::Retracted { .. }) => "episode.retracted",
            WorkError::Publish(_) => "episode.not-published",
            WorkError::Io(_) => "internal",
        }
    }

    /// What staff are told, in French (an internal error says no more than that).
    pub fn french(&self) -> String {
        match self {
            WorkError::Invalid { field, why } => format!("Le champ « {} » ne va pas : {why}.", field_fr(field)),
            WorkError::SlugUsed { slug } => format!(
                "Un épisode publié a déjà eu l'adresse « {slug} » : choisissez un autre titre, pour que les anciens liens ne mènent jamais à celui-ci."
            ),
            WorkError::Exists { slug } => {
                format!("Un épisode « {slug} » existe déjà : choisissez un autre titre, ou modifiez celui-là.")
            }
            WorkError::NoEpisode { slug } | WorkError::Publish(PublishError::UnknownEpisode { slug, .. }) => {
                format!("Il n'y a pas d'épisode « {slug} ».")
            }
            WorkError::NotAudio { name, why } => {
                format!("« {name} » n'est pas un fichier audio publiable ({why}). Envoyez un MP3, M4A, Ogg, Opus ou FLAC.")
            }
            WorkError::Master { name, error: EncodeError::Audio(e) } => format!(
                "« {name} » ne se lit pas jusqu'au bout ({}) : rien n'a été enregistré.",
                crate::problem::Diagnostic::message(e, Lang::Fr)
            ),
            WorkError::Master { name, error: EncodeError::Silence } => {
                format!("« {name} » ne contient que du silence : il n'y a rien à masteriser.")
            }
            WorkError::Master { name, error } => {
                format!("« {name} » n'a pas pu être masterisé ({error}) : rien n'a été enregistré.")
            }
            WorkError::Forbidden => {
                "Seuls les éditeurs et éditrices publient, retirent ou remplacent l'audio d'un épisode : demandez-leur de relire le brouillon.".into()
            }
            WorkError::Problems(p) => format!(
                "Les fichiers de l'épisode ont des problèmes ({}) : rien n'a été enregistré.",
                crate::problem::count_fr(p.errors(), p.warnings())
            ),
            WorkError::Show(p) => format!(
                "Les fichiers du podcast ont des problèmes ({}) : corrigez-les pour revoir cet épisode ici.",
                crate::problem::count_fr(p.errors(), p.warnings())
            ),
            WorkError::Publish(PublishError::Generate(crate::generate::GenerateError::Problems(p))) => format!(
                "L'épisode n'a pas pu être publié ({}) : rien n'a changé.",
                crate::problem::count_fr(p.errors(), p.warnings())
            ),
            WorkError::Publish(PublishError::Unchanged { .. }) => {
                "Ce fichier audio est celui de la version publiée : rien n'a changé.".into()
            }
            WorkError::Publish(PublishError::AlreadyPublished { .. }) => "Cet épisode est déjà publié.".into(),
            WorkError::Publish(PublishError::Retracted { .. }) => {
                "Cet épisode a été retiré : il reste hors du site et du flux, et son adresse ne servira plus.".into()
            }
            WorkError::Publish(PublishError::NotPublished { .. }) => {
                "Cet épisode n'est pas publié : un brouillon n'est sur aucune page ni dans le flux.".into()
            }
            WorkError::Publish(PublishError::NoReason) => {
                "Une nouvelle version demande une raison : dites ce qui a changé et pourquoi.".into()
            }
            _ if self.disk_full() => {
                "Le disque du serveur est plein : rien n'a été enregistré ni publié. Prévenez la personne qui s'occupe du serveur.".into()
            }
            WorkError::Publish(_) | WorkError::Io(_) => {
                "Une erreur interne a empêché l'opération ; rien n'a été perdu. Elle a été notée ; réessayez plus tard.".into()
            }
        }
    }

    /// Whether it comes from a full disk (or a file size limit, which fails the same way).
    pub fn disk_full(&self) -> bool {
        let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(self);
        while let Some(e) = cause {
            if let Some(io) = e.downcast_ref::<std::io::Error>() {
                use std::io::ErrorKind::{FileTooLarge, QuotaExceeded, StorageFull};
                return matches!(io.kind(), StorageFull | FileTooLarge | QuotaExceeded);
            }
            cause = e.source();
        }
        false
    }

    /// Whether it is the server's fault rather than the request's.
    pub fn internal(&self) -> bool {
        matches!(
            self,
            WorkError::Io(_)
                | WorkError::Publish(
                    PublishError::Io(_) | PublishError::Generate(crate::generate::GenerateError::Io(_))
                )
        )
    }

    /// The problems behind it, if any (shown one by one).
    pub fn problems(&self) -> Option<&Problems> {
        match self {
            WorkError::Problems(p)
            | WorkError::Show(p)
            | WorkError::Publish(PublishError::Generate(crate::generate::GenerateError::Problems(p))) => Some(p),
            _ => None,
        }
    }
}

fn master_error(name: &str, error: &EncodeError) -> String {
    match error {
        EncodeError::Audio(e) => format!("`{name}` is not audio that can be published: {e}"),
        other => format!("invalid recording: `{name}` cannot be mastered: {other}"),
    }
}

fn field_fr(field: &str) -> &str {
    match field {
        "title" => "titre",
        "date" => "date",
        "guests" => "invités",
        "reason" => "raison",
        "comment" => "commentaire",
        other => other,
    }
}

/// Where an episode is, for the admin's lists.
#[derive(Debug, Clone, Serialize)]
pub struct EpisodeRow {
    pub slug: String,
    pub title: String,
    /// `draft`, `scheduled`, `published` or `retracted`.
    pub status: &'static str,
    /// The publication date (or the front matter's, for a draft), RFC 3339.
    pub date: String,
    pub duration: f64,
    /// The author of a draft made in `/admin/`, and where its review is.
    pub review: Option<Review>,
}

/// An author's draft waiting for an editor, or sent back with a comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Review {
    pub author: String,
    pub author_email: String,
    /// `submitted` or `sent-back`.
    pub state: String,
    #[serde(default)]
    pub comment: String,
    /// Who sent it back.
    #[serde(default)]
    pub by: String,
    pub at: String,
}

/// `.veillee/reviews.toml`: where each author's draft is in its review. Not a cache (a comment
/// is somebody's work), not in git (drafts are not published yet).
const REVIEWS_FILE: &str = ".veillee/reviews.toml";

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Reviews {
    #[serde(default)]
    review: BTreeMap<String, Review>,
}

/// An episode as the preview page shows it: its facts, its quality, its problems.
#[derive(Debug, Serialize)]
pub struct EpisodeDetails {
    pub row: EpisodeRow,
    /// What the form shows to correct it.
    pub text: EpisodeText,
    pub audio: ProbeReport,
    pub loudness: Option<LoudnessReport>,
    /// The recording the audio was mastered from, relative to the show when it is inside, and
    /// its loudness if it is still there (the quality report before mastering).
    pub recording: Option<String>,
    pub recording_loudness: Option<LoudnessReport>,
    /// The light version.
    pub light: Option<ProbeReport>,
    /// The mastering an upload gets (for the new-audio form).
    pub mastering: Mastering,
    /// Cues, the last cue's end (seconds), the file.
    pub transcript: Option<TranscriptFacts>,
    /// The warnings of the episode's files, in French.
    pub warnings: Vec<String>,
    /// The page's path once published.
    pub page: String,
}

#[derive(Debug, Serialize)]
pub struct TranscriptFacts {
    pub file: String,
    pub cues: usize,
    pub words: usize,
    pub last_end: f64,
}

/// What a change did: the files it wrote, the build after it (for a published episode) and the
/// commit.
#[derive(Debug)]
pub struct Changed {
    pub slug: String,
    pub files: Vec<PathBuf>,
    pub history: History,
    pub build: Option<crate::generate::Report>,
    /// Why the build after a kept change failed (the change stays; the next build retries).
    pub build_failed: Option<WorkError>,
}

/// What the server reads of channel.toml before any build.
#[derive(Debug, Default, Deserialize)]
struct ChannelPart {
    title: Option<String>,
    upload_limit_mb: Option<u32>,
}

/// What the form offers to pick: (slug, name) of each partner, method and territory.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Choices {
    pub partners: Vec<(String, String)>,
    pub methods: Vec<(String, String)>,
    pub territories: Vec<(String, String)>,
    pub mastering: Mastering,
}

/// The mastering an upload gets.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Mastering {
    /// Whether the show masters every upload (channel.toml's `[mastering]`); else the
    /// "Masteriser" box is for staff to tick.
    pub by_show: bool,
    /// The settings (the defaults when staff tick the box).
    pub settings: crate::media::encode::Settings,
}

impl Project {
    /// The partners, methods and territories an episode may name, by name, and the mastering
    /// an upload gets.
    pub fn choices(&self) -> Result<Choices, Problems> {
        let catalog = self.load()?;
        // By slug: the names' order without their accents.
        Ok(Choices {
            partners: catalog.partners.iter().map(|(s, p)| (s.clone(), p.name.clone())).collect(),
            methods: catalog.methods.iter().map(|(s, m)| (s.clone(), m.title.clone())).collect(),
            territories: catalog.territories.iter().map(|(s, t)| (s.clone(), t.facts.name.clone())).collect(),
            mastering: self.mastering(),
        })
    }

    /// The mastering an upload gets (the defaults if channel.toml's `[mastering]` cannot be
    /// read: `check` names its error).
    fn mastering(&self) -> Mastering {
        let show = self.mastering_settings().ok().flatten();
        Mastering { by_show: show.is_some(), settings: show.unwrap_or_default() }
    }

    /// The most an audio upload may weigh, in bytes: channel.toml's `upload_limit_mb` (read
    /// alone: a show with other problems still says it), 500 MB by default.
    pub fn upload_limit(&self) -> u64 {
        self.channel_part().upload_limit_mb.map_or(crate::catalog::UPLOAD_LIMIT_MB, u64::from) * 1_000_000
    }

    /// The show's title, for the admin's pages.
    pub fn show_title(&self) -> String {
        self.channel_part().title.unwrap_or_else(|| "Veillée".to_owned())
    }

    fn channel_part(&self) -> ChannelPart {
        std::fs::read_to_string(self.root().join("feed/channel.toml"))
            .ok()
            .and_then(|text| toml::from_str(&text).ok())
            .unwrap_or_default()
    }

    /// Whether the ledger has ever published `slug`.
    pub fn has_published(&self, slug: &str) -> bool {
        crate::catalog::ledger::Ledger::load(self.root()).is_ok_and(|l| l.has_used_slug(slug))
    }

    /// Every episode with its state, newest first.
    pub fn episodes(&self) -> Result<Vec<EpisodeRow>, Problems> {
        let catalog = self.load()?;
        let reviews = read_reviews(self.root())?;
        let now = self.now();
        let mut rows: Vec<EpisodeRow> =
            catalog.episodes.iter().map(|ep| row(ep, now, reviews.review.get(&ep.slug).cloned())).collect();
        rows.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.slug.cmp(&b.slug)));
        Ok(rows)
    }

    /// One episode's preview: probe, loudness against the show's targets, transcript, warnings.
    pub fn episode_details(&self, slug: &str) -> Result<EpisodeDetails, WorkError> {
        let catalog = self.load().map_err(WorkError::Show)?;
        let ep = catalog.episode(slug).ok_or_else(|| WorkError::NoEpisode { slug: slug.to_owned() })?;
        let reviews = read_reviews(self.root())?;
        let loudness = self.probe_loudness(std::slice::from_ref(&ep.audio_path));
        let mut warnings: Vec<String> = Vec::new();
        let files = episode_files(self.root(), ep);
        for p in catalog.warnings.0.iter().chain(loudness.problems.0.iter()) {
            let path = self.relative(&p.path);
            if files.iter().any(|f| f == path) {
                // Paths as staff see them in the show, not where the server keeps it.
                let root = format!("{}/", self.root().display());
                warnings.push(p.render(Lang::Fr).trim_end().replace(&root, ""));
            }
        }
        let transcript = match &ep.transcript {
            Some(t) => {
                crate::catalog::read_transcripts([ep])
                    .map_err(|p| IoError::new(&p, std::io::Error::other("the file changed while it was read")))?;
                ep.cues().map(|cues| TranscriptFacts {
                    file: self.relative(&t.path).display().to_string(),
                    cues: cues.cues.len(),
                    words: cues.cues.iter().map(|c| c.text.split_whitespace().count()).sum(),
                    last_end: cues.cues.iter().map(|c| c.end_ms).max().unwrap_or(0) as f64 / 1000.0,
                })
            }
            None => None,
        };
        let relative = |mut l: LoudnessReport| {
            l.file = self.relative(Path::new(&l.file)).display().to_string();
            l
        };
        let recording_loudness = ep
            .recording
            .as_ref()
            .filter(|r| r.is_file())
            .and_then(|r| self.probe_loudness(std::slice::from_ref(r)).reports().into_iter().next())
            .map(relative);
        Ok(EpisodeDetails {
            row: row(ep, self.now(), reviews.review.get(slug).cloned()),
            text: read_text(&self.root().join(&ep.source))?,
            audio: ProbeReport::new(self.relative(&ep.audio_path), &ep.audio),
            loudness: loudness.reports().into_iter().next().map(relative),
            recording: ep.recording.as_ref().map(|r| self.relative(r).display().to_string()),
            recording_loudness,
            light: ep.light.as_ref().map(|l| ProbeReport::new(self.relative(&l.path), &l.audio)),
            mastering: self.mastering(),
            transcript,
            warnings,
            page: format!("/episodes/{slug}/"),
        })
    }

    /// A new draft from a form and its uploads: `episodes/<slug>.md` (a new GUID), the audio as
    /// `episodes/<slug>.<ext>` (the extension of its content, whatever its name), the transcript
    /// (any supported format) as `transcripts/<slug>.vtt`. Checked with the whole show before it
    /// counts: a draft with errors is taken back whole.
    ///
    /// With `master` (or when the show asks for mastering), the upload is the recording, kept
    /// as `episodes/<slug>.recording.<ext>` (out of git), and the audio is its mastering.
    pub fn save_draft(
        &self,
        text: &EpisodeText,
        audio: Upload<'_>,
        transcript: Option<Upload<'_>>,
        master: bool,
        staging: &Staging,
        by: Option<&StaffMember>,
    ) -> Result<Changed, WorkError> {
        let title = one_line("title", &text.title, crate::catalog::MAX_TITLE * 4)?;
        let slug = slug::slugify(title);
        if slug.is_empty() {
            return Err(WorkError::Invalid { field: "title", why: "il faut au moins une lettre ou un chiffre".into() });
        }
        let facts = audio_facts(audio)?;
        let settings = self.mastering_for(master, audio, &facts)?;
        let vtt = transcript.map(|t| convert_transcript(t, &BTreeMap::new())).transpose()?;
        let audio_rel = match settings {
            Some(_) => super::master::recording_path(&slug, &facts.extension),
            None => PathBuf::from("episodes").join(format!("{slug}.{}", facts.extension)),
        };
        // Mastered before the lock (a long recording takes a while): builds go on meanwhile.
        let mastered = match &settings {
            Some(settings) => {
                Some(super::master::mastered(audio.file, audio.name, &audio_rel.display().to_string(), settings)?)
            }
            None => None,
        };
        let date = self.date_of(&text.date)?;
        let from = mastered.as_ref().map(|(_, from)| from.clone());
        let front = front_matter(text, title, &uuid::Uuid::new_v4().to_string(), &date, from)?;
        let _lock = crate::generate::BuildLock::acquire(self.root()).map_err(publish_error)?;
        let ledger = crate::catalog::ledger::Ledger::load(self.root())?;
        if ledger.has_used_slug(&slug) {
            return Err(WorkError::SlugUsed { slug });
        }
        let md = PathBuf::from("episodes").join(format!("{slug}.md"));
        let vtt_rel = PathBuf::from("transcripts").join(format!("{slug}.vtt"));
        let mut created = vec![audio_rel.clone()];
        if mastered.is_some() {
            let (mp3, light) = super::master::mastered_paths(&slug);
            created.extend([mp3, light]);
        }
        if vtt.is_some() {
            created.push(vtt_rel.clone());
        }
        if std::iter::once(&md).chain(&created).any(|f| self.root().join(f).exists()) {
            return Err(WorkError::Exists { slug });
        }
        // Until the check below passes and the intent is removed, a restart takes it all back.
        let mut undo_all = created.clone();
        undo_all.push(md.clone());
        let intent = Intent { created: undo_all, ..Intent::default() };
        staging.intend(&intent)?;
        crate::util::crash_point("draft:intent");
        let written = (|| -> Result<(), WorkError> {
            let to = self.root().join(&audio_rel);
            std::fs::rename(audio.file, &to).at(&to)?;
            crate::util::crash_point("draft:audio");
            if let Some((mastered, _)) = &mastered {
                self.write_mastered(&slug, mastered)?;
            }
            if let Some(vtt) = &vtt {
                crate::util::fs::write_atomic(&self.root().join(&vtt_rel), vtt.as_bytes()).at(&vtt_rel)?;
                crate::util::crash_point("draft:transcript");
            }
            // The .md last: until it exists, no build sees the draft.
            let md_path = self.root().join(&md);
            let md_text = format!("+++\n{front}+++\n{}", body_text(&text.notes));
            crate::util::fs::write_atomic(&md_path, md_text.as_bytes()).at(&md)?;
            crate::util::crash_point("draft:md");
            Ok(crate::util::fs::sync_dir(&md_path.with_file_name("")).at(&md)?)
        })();
        if let Err(e) = written.and_then(|()| self.keep_if_sound(&intent.created)) {
            self.undo(&intent)?;
            staging.done();
            return Err(e);
        }
        crate::util::crash_point("draft:checked");
        // The commit point: the intent removed, the draft is kept.
        staging.done();
        if let Some(by) = by.filter(|m| m.role == Role::Author) {
            self.set_review(&slug, Some(review_of(by, "submitted", "", "", self.now())))?;
        }
        created.push(md);
        created.retain(|f| self.root().join(f).exists());
        Ok(Changed { slug, files: created, history: History::NotARepository, build: None, build_failed: None })
    }

    /// Corrections of an episode's text (title, date of a draft, notes, chapters, guests,
    /// places…) and, optionally, a new transcript: no new version. The front matter keeps its
    /// comments and the fields the form does not show. A published episode (editors only) is
    /// built again and the change committed.
    pub fn edit_episode(
        &self,
        slug: &str,
        text: &EpisodeText,
        transcript: Option<Upload<'_>>,
        staging: &Staging,
        by: &StaffMember,
    ) -> Result<Changed, WorkError> {
        let title = one_line("title", &text.title, crate::catalog::MAX_TITLE * 4)?;
        let md = PathBuf::from("episodes").join(format!("{slug}.md"));
        let md_path = self.root().join(&md);
        if !slug::is_slug(slug) || !md_path.is_file() {
            return Err(WorkError::NoEpisode { slug: slug.to_owned() });
        }
        let speakers =
            crate::catalog::episode_speakers(&md_path).map_err(|p| Problems(vec![p.relative_to(self.root())]))?;
        let vtt = transcript.map(|t| convert_transcript(t, &speakers)).transpose()?;
        let lock = crate::generate::BuildLock::acquire(self.root()).map_err(publish_error)?;
        let old = std::fs::read_to_string(&md_path).at(&md)?;
        let (toml, _) = crate::catalog::split_source(&md, &old).map_err(|p| Problems(vec![p]))?;
        let mut doc: toml_edit::DocumentMut = toml.parse().map_err(|e: toml_edit::TomlError| WorkError::Invalid {
            field: "front matter",
            why: e.message().to_owned(),
        })?;
        let published = crate::catalog::ledger::Ledger::load(self.root())?.has_used_slug(slug);
        if published && by.role != Role::Editor {
            return Err(WorkError::Forbidden);
        }
        apply_text(&mut doc, text, title, (!published).then(|| self.date_of(&text.date)).transpose()?.as_deref())?;
        let new_md = format!("+++\n{doc}+++\n{}", body_text(&text.notes));
        let vtt_rel = PathBuf::from("transcripts").join(format!("{slug}.vtt"));
        let mut intent = Intent::default();
        let keep = |rel: &Path, name: &str| -> Result<(PathBuf, PathBuf), IoError> {
            let copy = staging.file(name);
            std::fs::hard_link(self.root().join(rel), &copy).at(rel)?;
            Ok((rel.to_path_buf(), copy))
        };
        intent.replaced.push(keep(&md, "old.md")?);
        if vtt.is_some() {
            if self.root().join(&vtt_rel).exists() {
                intent.replaced.push(keep(&vtt_rel, "old.vtt")?);
            } else {
                intent.created.push(vtt_rel.clone());
            }
        }
        staging.intend(&intent)?;
        let written = (|| -> Result<(), IoError> {
            if let Some(vtt) = &vtt {
                crate::util::fs::write_atomic(&self.root().join(&vtt_rel), vtt.as_bytes()).at(&vtt_rel)?;
            }
            crate::util::fs::write_atomic(&md_path, new_md.as_bytes()).at(&md)?;
            crate::util::crash_point("edit:md");
            Ok(())
        })();
        let mine = [md.clone(), vtt_rel.clone()];
        if let Err(e) = written.map_err(WorkError::from).and_then(|()| self.keep_if_sound(&mine)) {
            self.undo(&intent)?;
            staging.done();
            return Err(e);
        }
        staging.done();
        drop(lock);
        // A draft sent back and corrected goes back to the editors.
        let reviews = read_reviews(self.root())?;
        if let Some(review) = reviews.review.get(slug).filter(|r| r.state == "sent-back") {
            self.set_review(
                slug,
                Some(Review { state: "submitted".into(), at: self.now().to_string(), ..review.clone() }),
            )?;
        }
        let mut files = vec![md];
        if vtt.is_some() {
            files.push(vtt_rel);
        }
        // The correction is kept from here on: a build that fails (another file of the show has
        // an error) is said, not taken for a refusal.
        let (build, build_failed) = if published {
            match self.build(&super::BuildOptions::default()) {
                Ok(report) => (Some(report), None),
                Err(e) => (None, Some(publish_error(e))),
            }
        } else {
            (None, None)
        };
        let history = if published {
            self.commit(&files, &format!("Correct {slug}"), Some(&identity(by)))
        } else {
            History::NotARepository
        };
        Ok(Changed { slug: slug.to_owned(), files, history, build, build_failed })
    }

    /// Publishes a draft as a staff member: editors only; the draft's review is over.
    pub fn publish_as(&self, slug: &str, by: &StaffMember) -> Result<super::Published, WorkError> {
        if by.role != Role::Editor {
            return Err(WorkError::Forbidden);
        }
        let options = PublishOptions { slug: Some(slug.to_owned()), ..PublishOptions::default() };
        let published = self.publish_by(&options, Some(&identity(by)))?;
        // A review left behind is harmless (a published episode's is never shown): the publish
        // stands whatever becomes of it.
        let _ = self.set_review(slug, None);
        Ok(published)
    }

    /// Retracts a published or scheduled episode with its reason (editors only); its sources
    /// are deleted unless `keep_sources`.
    pub fn retract_as(
        &self,
        slug: &str,
        reason: &str,
        keep_sources: bool,
        by: &StaffMember,
    ) -> Result<super::Retracted, WorkError> {
        if by.role != Role::Editor {
            return Err(WorkError::Forbidden);
        }
        let reason = one_line("reason", reason, 1000)?;
        let retracted = self.retract(slug, reason, keep_sources, Some(&identity(by)))?;
        // As for a publish: the retraction stands whatever becomes of a review left behind.
        let _ = self.set_review(slug, None);
        Ok(retracted)
    }

    /// Replaces a published episode's audio: a new version with its reason (editors only). The
    /// old files are kept aside until the new version is recorded, and put back if it is not.
    /// With `master` (or when the show asks for mastering), the upload is a recording, kept and
    /// mastered as a new draft's; without, an earlier mastering's record and light version go.
    pub fn replace_audio(
        &self,
        slug: &str,
        audio: Upload<'_>,
        reason: &str,
        master: bool,
        staging: &Staging,
        by: &StaffMember,
    ) -> Result<super::Published, WorkError> {
        if by.role != Role::Editor {
            return Err(WorkError::Forbidden);
        }
        let reason = one_line("reason", reason, 1000)?;
        let facts = audio_facts(audio)?;
        let settings = self.mastering_for(master, audio, &facts)?;
        let recording = settings.as_ref().map(|_| super::master::recording_path(slug, &facts.extension));
        // Mastered before the lock (a long recording takes a while): builds go on meanwhile.
        let mastered = match (&settings, &recording) {
            (Some(settings), Some(rec)) => {
                Some(super::master::mastered(audio.file, audio.name, &rec.display().to_string(), settings)?)
            }
            _ => None,
        };
        let sha = match &mastered {
            Some((m, _)) => crate::util::hash::sha256_hex(&m.main.mp3),
            None => crate::util::hash::sha256_file(audio.file).at(audio.file)?,
        };
        // One lock from the reading of the show to the end: another replacement, a build or a
        // publish never sees the files half swapped, nor acts on what this one read.
        let lock = crate::generate::BuildLock::acquire(self.root()).map_err(publish_error)?;
        let catalog = self.load()?;
        let ep = catalog.episode(slug).ok_or_else(|| WorkError::NoEpisode { slug: slug.to_owned() })?;
        if ep.published.is_none() {
            return Err(PublishError::NotPublished { slug: slug.to_owned() }.into());
        }
        let old = self.relative(&ep.audio_path).to_path_buf();
        let (mp3, light) = super::master::mastered_paths(slug);
        let new = match mastered {
            Some(_) => mp3,
            None => PathBuf::from("episodes").join(format!("{slug}.{}", facts.extension)),
        };
        let md = PathBuf::from("episodes").join(format!("{slug}.md"));
        let guid = ep.guid.clone();
        // The .md names its audio when it is not `<slug>.<ext>`, and its recording when it was
        // or is mastered: then it is edited.
        let names_audio = ep.audio_path.file_name() != new.file_name();
        let edits_md = names_audio || mastered.is_some() || ep.recording.is_some();
        drop(catalog);
        if new != old && self.root().join(&new).exists() {
            return Err(WorkError::Invalid {
                field: "audio",
                why: format!("{} existe déjà à côté de l'audio publié : retirez-le d'abord", new.display()),
            });
        }
        let mut intent = Intent { commit_version: Some((guid.clone(), sha.clone())), ..Intent::default() };
        // Every file this changes: kept aside if it is there, removed on undo if it was not.
        let mut touched = vec![old.clone(), new.clone(), light.clone()];
        touched.extend(recording.clone());
        if edits_md {
            touched.push(md.clone());
        }
        touched.sort();
        touched.dedup();
        for (i, file) in touched.iter().enumerate() {
            let path = self.root().join(file);
            if path.exists() {
                let copy = staging.file(&format!("old-{i}"));
                std::fs::hard_link(&path, &copy).at(file)?;
                intent.replaced.push((file.clone(), copy));
            } else {
                intent.created.push(file.clone());
            }
        }
        staging.intend(&intent)?;
        let written = (|| -> Result<(), WorkError> {
            let to = self.root().join(recording.as_ref().unwrap_or(&new));
            std::fs::rename(audio.file, &to).at(&to)?;
            crate::util::crash_point("audio:renamed");
            if new != old {
                let from = self.root().join(&old);
                std::fs::remove_file(&from).at(&from)?;
            }
            match &mastered {
                Some((mastered, _)) => {
                    self.write_mastered(slug, mastered)?;
                }
                // The light version was the old audio's.
                None => super::master::remove_if_there(&self.root().join(&light))?,
            }
            if edits_md {
                let from = mastered.as_ref().map(|(_, from)| from.clone());
                self.edit_front(&md, |doc| {
                    if names_audio {
                        let name = new.file_name().and_then(|n| n.to_str()).unwrap_or_default();
                        doc["audio"] = toml_edit::value(name);
                    }
                    match from {
                        Some(from) => doc["mastered_from"] = toml_edit::value(from),
                        None => drop(doc.remove("mastered_from")),
                    }
                })?;
            }
            crate::util::fs::sync_dir(&self.root().join("episodes")).at("episodes")?;
            Ok(())
        })();
        let options = PublishOptions {
            slug: Some(slug.to_owned()),
            new_version: true,
            reason: Some(reason.to_owned()),
            ..PublishOptions::default()
        };
        // What git records: the recording stays out of it.
        let more: Vec<PathBuf> = touched.into_iter().filter(|f| Some(f) != recording.as_ref()).collect();
        let published = written.and_then(|()| Ok(self.publish_locked(&options, Some(&identity(by)), &lock, &more)?));
        // A publish that fails after the ledger was written (installing the generation) has
        // recorded the new audio: it stays, and the next build catches the site up.
        let recorded = || {
            crate::catalog::ledger::Ledger::load(self.root())
                .is_ok_and(|l| l.record(&guid).is_some_and(|r| r.current.media_sha256 == sha))
        };
        if published.is_err() && !recorded() {
            self.undo(&intent)?;
        }
        staging.done();
        published
    }

    /// Sends an author's draft back with a comment (editors only).
    pub fn send_back(&self, slug: &str, comment: &str, by: &StaffMember) -> Result<(), WorkError> {
        if by.role != Role::Editor {
            return Err(WorkError::Forbidden);
        }
        if !slug::is_slug(slug) || !self.root().join("episodes").join(format!("{slug}.md")).is_file() {
            return Err(WorkError::NoEpisode { slug: slug.to_owned() });
        }
        if self.has_published(slug) {
            return Err(WorkError::Publish(PublishError::AlreadyPublished {
                slug: slug.to_owned(),
                date: String::new(),
            }));
        }
        let comment = comment.trim();
        if comment.is_empty() || comment.chars().count() > 4000 {
            return Err(WorkError::Invalid {
                field: "comment",
                why: "dites en quelques lignes ce qui est à revoir".into(),
            });
        }
        let reviews = read_reviews(self.root())?;
        let current = reviews.review.get(slug).cloned();
        let (author, email) = current.map_or_else(|| (String::new(), String::new()), |r| (r.author, r.author_email));
        let review = Review {
            author,
            author_email: email,
            state: "sent-back".into(),
            comment: comment.to_owned(),
            by: by.name.clone(),
            at: self.now().to_string(),
        };
        self.set_review(slug, Some(review))
    }

    /// The settings to master an upload at: the show's when it asks for mastering, the
    /// defaults when staff ask; `None` when neither does (then the upload must be publishable
    /// as it is).
    fn mastering_for(
        &self,
        asked: bool,
        audio: Upload<'_>,
        facts: &crate::media::AudioFacts,
    ) -> Result<Option<crate::media::encode::Settings>, WorkError> {
        let show = self.mastering_settings()?;
        if show.is_none() && !asked && !crate::catalog::AUDIO_EXTENSIONS.contains(&facts.extension.as_str()) {
            return Err(WorkError::Invalid {
                field: "audio",
                why: format!(
                    "« {} » est un {} : les applications de podcast ne le lisent pas tel quel ; cochez « Masteriser » pour en faire un MP3",
                    audio.name,
                    facts.extension.to_uppercase()
                ),
            });
        }
        Ok(show.or_else(|| asked.then(crate::media::encode::Settings::default)))
    }

    /// Keeps a change if the show still loads without an error in the episode's files; else
    /// the problems, and the caller undoes it.
    fn keep_if_sound(&self, files: &[PathBuf]) -> Result<(), WorkError> {
        let Err(problems) = self.load() else { return Ok(()) };
        // Its own errors only: a warning does not refuse a change, nor another file's error.
        let mine: Vec<_> = problems
            .0
            .into_iter()
            .filter(|p| {
                p.severity == crate::problem::Severity::Error && files.iter().any(|f| f == self.relative(&p.path))
            })
            .collect();
        if mine.is_empty() { Ok(()) } else { Err(WorkError::Problems(Problems(mine))) }
    }

    /// `date` as the front matter writes it: RFC 3339 with the offset of the show's time zone.
    fn date_of(&self, date: &str) -> Result<String, WorkError> {
        let tz = jiff::tz::TimeZone::get(SHOW_TIME_ZONE).unwrap_or(jiff::tz::TimeZone::UTC);
        let date = date.trim();
        let zoned = if date.is_empty() {
            self.now().to_zoned_datetime(tz)
        } else if let Ok(t) = date.parse::<jiff::Timestamp>() {
            t.to_zoned_datetime(tz)
        } else {
            let civil: jiff::civil::DateTime = date.parse().map_err(|_| WorkError::Invalid {
                field: "date",
                why: format!("« {date} » n'est pas une date comme 2026-12-06T18:30"),
            })?;
            civil.to_zoned_datetime(tz).map_err(|e| WorkError::Invalid { field: "date", why: e.to_string() })?
        };
        Ok(zoned.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string())
    }

    fn set_review(&self, slug: &str, review: Option<Review>) -> Result<(), WorkError> {
        let path = self.root().join(REVIEWS_FILE);
        // Read, changed and written under a lock of its own: two editors' comments at once are
        // both kept.
        let lock_path = self.root().join(".veillee/reviews.lock");
        let lock = std::fs::File::options().create(true).truncate(false).write(true).open(&lock_path).at(&lock_path)?;
        lock.lock().at(&lock_path)?;
        let mut reviews = read_reviews(self.root())?;
        match review {
            Some(r) => reviews.review.insert(slug.to_owned(), r),
            None => reviews.review.remove(slug),
        };
        let text = toml::to_string(&reviews).map_err(|e| IoError::new(&path, std::io::Error::other(e.to_string())))?;
        crate::util::fs::write_private(&path, text.as_bytes()).at(&path)?;
        Ok(())
    }

    /// Changes the front matter of `md` with `edit`, keeping its comments and its body.
    pub(crate) fn edit_front(
        &self,
        md: &Path,
        edit: impl FnOnce(&mut toml_edit::DocumentMut),
    ) -> Result<(), WorkError> {
        let path = self.root().join(md);
        let old = std::fs::read_to_string(&path).at(md)?;
        let (toml, body) = crate::catalog::split_source(md, &old).map_err(|p| Problems(vec![p]))?;
        let mut doc: toml_edit::DocumentMut = toml.parse().map_err(|e: toml_edit::TomlError| WorkError::Invalid {
            field: "front matter",
            why: e.message().to_owned(),
        })?;
        edit(&mut doc);
        let text = format!("+++\n{doc}+++\n{body}");
        crate::util::fs::write_atomic(&path, text.as_bytes()).at(md)?;
        Ok(())
    }
}

fn identity(m: &StaffMember) -> Identity {
    Identity { name: m.name.clone(), email: m.email.clone() }
}

fn review_of(m: &StaffMember, state: &str, comment: &str, by: &str, now: jiff::Timestamp) -> Review {
    Review {
        author: m.name.clone(),
        author_email: m.email.clone(),
        state: state.to_owned(),
        comment: comment.to_owned(),
        by: by.to_owned(),
        at: now.to_string(),
    }
}

fn publish_error(e: crate::generate::GenerateError) -> WorkError {
    WorkError::Publish(PublishError::Generate(e))
}

fn row(ep: &crate::catalog::Episode, now: jiff::Timestamp, review: Option<Review>) -> EpisodeRow {
    EpisodeRow {
        slug: ep.slug.clone(),
        title: ep.title.clone(),
        status: match ep.status(now) {
            Status::Draft => "draft",
            Status::Scheduled => "scheduled",
            Status::Published => "published",
            Status::Retracted => "retracted",
        },
        date: ep.pub_date().to_string(),
        duration: ep.audio.duration_seconds(),
        review: review.filter(|_| ep.published.is_none()),
    }
}

/// The files of an episode, relative to the root.
fn episode_files(root: &Path, ep: &crate::catalog::Episode) -> Vec<PathBuf> {
    let rel = |p: &Path| p.strip_prefix(root).unwrap_or(p).to_path_buf();
    let mut files = vec![ep.source.clone(), rel(&ep.audio_path)];
    files.extend(ep.transcript.as_ref().map(|t| rel(&t.path)));
    files
}

fn read_reviews(root: &Path) -> Result<Reviews, Problems> {
    let path = root.join(REVIEWS_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => toml::from_str(&text).map_err(|e| {
            Problems(vec![crate::problem::Problem::error(
                REVIEWS_FILE,
                crate::problem::Position::File,
                crate::catalog::SourceError::Toml { message: e.message().to_owned() },
            )])
        }),
        Err(_) => Ok(Reviews::default()),
    }
}

/// The facts of an uploaded audio file, found from its content (its name says nothing).
fn audio_facts(audio: Upload<'_>) -> Result<crate::media::AudioFacts, WorkError> {
    crate::media::probe_file(audio.file).map_err(|(_, e)| WorkError::NotAudio {
        name: audio.name.to_owned(),
        why: crate::problem::Diagnostic::message(&e, Lang::Fr),
    })
}

/// An uploaded transcript in any supported format, as WebVTT; its problems name the upload.
fn convert_transcript(t: Upload<'_>, speakers: &BTreeMap<String, String>) -> Result<String, WorkError> {
    let options = crate::transcript::ReadOptions::default();
    match crate::transcript::convert(t.file, &options, speakers) {
        Ok((vtt, _)) => Ok(vtt),
        Err(problems) => Err(WorkError::Problems(Problems(
            problems
                .0
                .into_iter()
                .map(|mut p| {
                    p.path = PathBuf::from(t.name);
                    p
                })
                .collect(),
        ))),
    }
}

fn one_line<'a>(field: &'static str, value: &'a str, max: usize) -> Result<&'a str, WorkError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(WorkError::Invalid { field, why: "il est vide".into() });
    }
    if value.chars().any(char::is_control) {
        return Err(WorkError::Invalid { field, why: "il tient sur une ligne".into() });
    }
    if value.chars().count() > max {
        return Err(WorkError::Invalid { field, why: format!("il dépasse {max} caractères") });
    }
    Ok(value)
}

/// Notes as the body of the .md: Windows line ends made Unix, one final newline.
fn body_text(notes: &str) -> String {
    let notes = notes.replace("\r\n", "\n");
    let notes = notes.trim_end();
    if notes.is_empty() { String::new() } else { format!("{notes}\n") }
}

/// A new draft's front matter, with a fresh GUID.
fn front_matter(
    text: &EpisodeText,
    title: &str,
    guid: &str,
    date: &str,
    mastered_from: Option<toml_edit::InlineTable>,
) -> Result<String, WorkError> {
    let mut doc = toml_edit::DocumentMut::new();
    doc["title"] = toml_edit::value(title);
    doc["guid"] = toml_edit::value(guid);
    apply_text(&mut doc, text, title, Some(date))?;
    if let Some(from) = mastered_from {
        doc["mastered_from"] = toml_edit::value(from);
    }
    if let Some(mut key) = doc.key_mut("guid") {
        key.leaf_decor_mut().set_prefix("# Minted once: never change it.\n");
    }
    Ok(doc.to_string())
}

/// Sets the form's fields in a front matter, leaving the others as they are. `date` is `None`
/// for a published episode (its date is the ledger's).
fn apply_text(
    doc: &mut toml_edit::DocumentMut,
    text: &EpisodeText,
    title: &str,
    date: Option<&str>,
) -> Result<(), WorkError> {
    doc["title"] = toml_edit::value(title);
    if let Some(date) = date {
        let dt: toml_edit::Datetime =
            date.parse().map_err(|_| WorkError::Invalid { field: "date", why: format!("« {date} »") })?;
        doc["date"] = toml_edit::value(dt);
    }
    let summary = text.summary.trim();
    if summary.is_empty() {
        doc.remove("summary");
    } else {
        doc["summary"] = toml_edit::value(summary);
    }
    for (key, list) in [("partners", &text.partners), ("methods", &text.methods), ("territories", &text.territories)] {
        let array: toml_edit::Array = list.iter().map(|s| s.trim()).filter(|s| !s.is_empty()).collect();
        doc[key] = toml_edit::value(array);
    }
    let mut persons = toml_edit::Array::new();
    // Guests are the form's people; hosts and others written by hand stay.
    for p in persons_of(doc) {
        if p.get("role").and_then(|r| r.as_str()) != Some("guest") {
            persons.push(p);
        }
    }
    for line in text.guests.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (name, href) = match line.split_once('|') {
            Some((n, h)) => (n.trim(), Some(h.trim()).filter(|h| !h.is_empty())),
            None => (line, None),
        };
        if name.is_empty() || name.chars().count() > 128 {
            return Err(WorkError::Invalid {
                field: "guests",
                why: format!("« {line} » : un nom par ligne, puis | et son adresse"),
            });
        }
        if href.is_some_and(|h| !h.starts_with("https://") && !h.starts_with("http://")) {
            return Err(WorkError::Invalid {
                field: "guests",
                why: format!("« {line} » : l'adresse commence par https://"),
            });
        }
        let mut t = toml_edit::InlineTable::new();
        t.insert("name", name.into());
        t.insert("role", "guest".into());
        if let Some(h) = href {
            t.insert("href", h.into());
        }
        persons.push(t);
    }
    doc["persons"] = toml_edit::value(persons);
    let chapters = text.chapters.replace("\r\n", "\n");
    let chapters = chapters.trim();
    if chapters.is_empty() {
        doc.remove("chapters");
    } else {
        doc["chapters"] = toml_edit::value(format!("{chapters}\n"));
    }
    Ok(())
}

/// The front matter's persons, whether written inline or as `[[persons]]` tables (kept, inline,
/// when the form writes them back).
fn persons_of(doc: &toml_edit::DocumentMut) -> Vec<toml_edit::InlineTable> {
    match doc.get("persons") {
        Some(toml_edit::Item::Value(toml_edit::Value::Array(a))) => {
            a.iter().filter_map(|p| p.as_inline_table().cloned()).collect()
        }
        Some(toml_edit::Item::ArrayOfTables(t)) => t.iter().map(|t| t.clone().into_inline_table()).collect(),
        _ => Vec::new(),
    }
}

/// What the form shows of an episode's source.
fn read_text(path: &Path) -> Result<EpisodeText, WorkError> {
    let text = std::fs::read_to_string(path).at(path)?;
    let (toml, body) = crate::catalog::split_source(path, &text).map_err(|p| Problems(vec![p]))?;
    let doc: toml_edit::DocumentMut = toml
        .parse()
        .map_err(|e: toml_edit::TomlError| WorkError::Invalid { field: "front matter", why: e.message().to_owned() })?;
    let s = |k: &str| doc.get(k).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
    let list = |k: &str| -> Vec<String> {
        doc.get(k)
            .and_then(|v| v.as_array())
            .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    };
    let guests = persons_of(&doc)
        .iter()
        .filter(|t| t.get("role").and_then(|r| r.as_str()) == Some("guest"))
        .map(|t| {
            let name = t.get("name").and_then(|v| v.as_str()).unwrap_or_default();
            match t.get("href").and_then(|v| v.as_str()) {
                Some(h) => format!("{name} | {h}"),
                None => name.to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let date = doc
        .get("date")
        .and_then(|d| d.as_datetime())
        .and_then(|d| d.to_string().parse::<jiff::Timestamp>().ok())
        .map(|t| {
            let tz = jiff::tz::TimeZone::get(SHOW_TIME_ZONE).unwrap_or(jiff::tz::TimeZone::UTC);
            t.to_zoned_datetime(tz).strftime("%Y-%m-%dT%H:%M").to_string()
        })
        .unwrap_or_default();
    Ok(EpisodeText {
        title: s("title"),
        date,
        summary: s("summary"),
        notes: body.trim_start_matches('\n').to_owned(),
        partners: list("partners"),
        methods: list("methods"),
        territories: list("territories"),
        chapters: s("chapters").trim().to_owned(),
        guests,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_front_matter_from_a_form() {
        let text = EpisodeText {
            title: "ignored".into(),
            summary: "Un résumé".into(),
            partners: vec!["solucracy".into()],
            methods: vec!["enquete-de-besoins".into(), " ".into()],
            chapters: "00:00 Ouverture\r\n01:10 L'enquête [enquete-de-besoins]\r\n".into(),
            guests: "Camille\nDominique | https://example.org/d".into(),
            ..EpisodeText::default()
        };
        let fm = front_matter(&text, "Frapper aux portes", "0b7c", "2026-12-06T18:30:00+01:00", None).unwrap();
        insta::assert_snapshot!(fm);
    }
}
