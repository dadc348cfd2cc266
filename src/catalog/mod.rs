//! The content model: every source read, checked and cross-referenced once.
//!
//! [`Catalog::load`] returns either a consistent catalog or every problem found, each with its
//! file and line. Renderers (feed, site) are functions of the catalog and never read sources.

mod channel;
mod chapters;
mod cover;
mod error;
pub mod ledger;
mod load;
mod schema;
pub mod slug;
mod source;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use channel::{APPLE_CATEGORIES, podcast_guid_for};
pub(crate) use channel::{
    Directory, Funding, License, Location, Medium, Owner, RemoteItem, ShowType, Txt, UPLOAD_LIMIT_MB, UpdateFrequency,
    is_site_root,
};
pub(crate) use chapters::Chapter;
pub(crate) use cover::Cover;
pub use error::{
    ChapterFault, Expected, ImageFault, ImageUse, LightFault, MediaChange, PathFault, RefKind, SourceError,
};
pub(crate) use load::{AUDIO_EXTENSIONS, LoadOptions, MAX_TITLE, episode_speakers};
pub use schema::TerritoryKind;
pub(crate) use schema::{EpisodeType, Person, TerritoryToml};
pub(crate) use source::split as split_front_matter;

use crate::media::AudioFacts;
use crate::problem::{Position, Problem, Problems};
use crate::transcript::Transcript;

/// Everything a build renders from.
#[derive(Debug, Clone)]
pub(crate) struct Catalog {
    pub root: PathBuf,
    pub channel: Channel,
    pub episodes: Vec<Episode>,
    pub methods: BTreeMap<String, Method>,
    pub partners: BTreeMap<String, Partner>,
    pub territories: BTreeMap<String, Territory>,
    /// `feed/archive.toml`: what was published.
    pub ledger: ledger::Ledger,
    /// Templates of `site/templates/` that replace the embedded theme's, by file name.
    pub theme: BTreeMap<String, String>,
    /// Files of `site/static/`, copied as they are: (path under www, file).
    pub static_files: Vec<(String, PathBuf)>,
    /// Problems that do not stop a build.
    pub warnings: Problems,
    /// Episodes whose audio was probed anew (not found in the cache).
    pub reprobed: Vec<String>,
}

/// The show.
#[derive(Debug, Clone)]
pub(crate) struct Channel {
    /// `[loudness]`: what each episode's audio is compared with.
    pub loudness: crate::media::LoudnessTargets,
    pub title: String,
    pub description: String,
    pub language: String,
    /// Without a trailing slash.
    pub base_url: String,
    /// Without a trailing slash; `base_url` unless set.
    pub media_base_url: String,
    pub author: String,
    pub owner: Owner,
    pub category: String,
    pub subcategory: Option<String>,
    pub explicit: bool,
    pub show_type: ShowType,
    pub copyright: String,
    pub license: License,
    pub funding: Vec<Funding>,
    pub podcast_guid: String,
    pub locked: bool,
    pub locked_owner: String,
    pub medium: Medium,
    pub hosts: Vec<Person>,
    pub location: Option<Location>,
    pub update_frequency: Option<UpdateFrequency>,
    pub podroll: Vec<RemoteItem>,
    pub txt: Vec<Txt>,
    pub directories: Vec<Directory>,
    /// Episodes per page of `/archives/`.
    pub archive_page_size: usize,
    /// Items per page of the main feed; `None`: one complete feed.
    pub feed_page_size: Option<usize>,
    /// `itunes:new-feed-url`: where the show moved.
    pub new_feed_url: Option<String>,
    /// The cover file in `feed/` and its facts.
    pub cover_path: PathBuf,
    pub cover: Cover,
    /// Changes whenever channel.toml or the cover does.
    pub digest: String,
}

/// One episode, probed and cross-checked.
#[derive(Debug, Clone)]
pub(crate) struct Episode {
    pub slug: String,
    /// The Markdown file, relative to the root.
    pub source: PathBuf,
    pub title: String,
    pub guid: String,
    pub date: jiff::Timestamp,
    /// The offset the date was written with, to show it as the author meant it.
    pub offset: jiff::tz::Offset,
    pub summary: Option<String>,
    pub season: Option<u32>,
    pub number: Option<u32>,
    pub episode_type: EpisodeType,
    pub explicit: Option<bool>,
    /// The audio file (absolute).
    pub audio_path: PathBuf,
    pub audio: AudioFacts,
    pub image: Option<(PathBuf, Cover)>,
    pub partners: Vec<String>,
    pub methods: Vec<String>,
    pub territories: Vec<String>,
    pub persons: Vec<Person>,
    pub speakers: BTreeMap<String, String>,
    pub soundbites: Vec<Soundbite>,
    pub chapters: Vec<Chapter>,
    /// The show notes, Markdown.
    pub notes: String,
    pub transcript: Option<EpisodeTranscript>,
    /// SHA-256 of the audio source file.
    pub audio_sha256: String,
    /// The light version (`episodes/<slug>.light.mp3`), if it has one.
    pub light: Option<Light>,
    /// The recording the audio was mastered from (`mastered_from.file`, absolute), whether or
    /// not it is still there.
    pub recording: Option<PathBuf>,
    /// What the ledger says of it; `None` for a draft.
    pub published: Option<Published>,
    /// Changes whenever a source of the episode does (text, audio, transcript, image).
    pub digest: String,
    /// The notes as sanitized HTML, made once for the feed and the page.
    pub rendered_notes: std::sync::OnceLock<crate::markdown::Notes>,
}

/// An episode's light version: a low-bit-rate MP3 of the same audio, offered beside it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Light {
    /// The file (absolute).
    pub path: PathBuf,
    pub audio: AudioFacts,
    pub sha256: String,
}

/// The file name of the light version of the episode `slug`, next to its audio in episodes/.
pub(crate) fn light_name(slug: &str) -> String {
    format!("{slug}.light.mp3")
}

/// A published episode's ledger facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Published {
    /// The first publication date: the feed's `pubDate`, never changed by later versions.
    pub pub_date: jiff::Timestamp,
    /// The current version's entry.
    pub current: ledger::Entry,
    /// Slugs it had before (their pages redirect to the current one).
    pub old_slugs: Vec<String>,
    pub retracted: bool,
}

impl Published {
    /// What the ledger says of an episode (by its GUID).
    pub(crate) fn of(ledger: &ledger::Ledger, ep: &Episode) -> Option<Published> {
        let record = ledger.record(&ep.guid)?;
        Some(Published {
            pub_date: record.pub_date,
            current: record.current.clone(),
            old_slugs: record.slugs.iter().filter(|s| **s != ep.slug).cloned().collect(),
            retracted: record.retracted,
        })
    }
}

/// Where an episode is in its lifecycle at a given time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    /// In episodes/ but not in the ledger: only `serve --drafts` shows it.
    Draft,
    /// Published with a `pub_date` still to come: in no output yet.
    Scheduled,
    Published,
    Retracted,
}

impl Episode {
    pub(crate) fn status(&self, now: jiff::Timestamp) -> Status {
        match &self.published {
            None => Status::Draft,
            Some(p) if p.retracted => Status::Retracted,
            Some(p) if p.pub_date > now => Status::Scheduled,
            Some(_) => Status::Published,
        }
    }

    /// The date podcast apps and the site show: the first publication's, else the front matter's.
    pub(crate) fn pub_date(&self) -> jiff::Timestamp {
        self.published.as_ref().map_or(self.date, |p| p.pub_date)
    }

    /// The show notes as the outputs need them (made once).
    pub(crate) fn rendered_notes(&self) -> &crate::markdown::Notes {
        self.rendered_notes.get_or_init(|| crate::markdown::Notes::new(&self.notes))
    }

    /// The show notes as sanitized HTML, one string per top-level block.
    pub(crate) fn notes_blocks(&self) -> &[String] {
        &self.rendered_notes().page
    }

    /// The show notes as sanitized HTML.
    pub(crate) fn notes_html(&self) -> String {
        self.notes_blocks().concat()
    }

    /// The name a transcript speaker label maps to.
    pub(crate) fn speaker_name<'a>(&'a self, label: &'a str) -> &'a str {
        crate::transcript::speaker_name(&self.speakers, label)
    }

    /// The transcript's cues, once [`read_transcripts`] has read them.
    pub(crate) fn cues(&self) -> Option<&Transcript> {
        let file = self.transcript.as_ref()?;
        let cues = file.parsed.get();
        debug_assert!(cues.is_some(), "{}: rendered before read_transcripts", file.path.display());
        cues
    }
}

/// An episode's transcript file. Its cues are parsed only for the outputs that show them
/// ([`read_transcripts`]): `check`, `feed` and an unchanged build never parse a transcript.
#[derive(Debug, Clone)]
pub(crate) struct EpisodeTranscript {
    /// The file (absolute).
    pub path: PathBuf,
    /// BLAKE3 of its bytes when the catalog was loaded.
    pub digest: String,
    parsed: std::sync::OnceLock<Transcript>,
}

impl EpisodeTranscript {
    /// A transcript whose cues are read later, or `parsed` now.
    pub(crate) fn new(path: PathBuf, digest: String, parsed: Option<Transcript>) -> Self {
        let cell = std::sync::OnceLock::new();
        if let Some(t) = parsed {
            let _ = cell.set(t);
        }
        EpisodeTranscript { path, digest, parsed: cell }
    }
}

/// Parses, on every core, the transcripts of `episodes` that the load did not parse. Returns
/// the path of a file whose bytes are no longer those the catalog was loaded with: it changed
/// during the build.
pub(crate) fn read_transcripts<'a>(episodes: impl IntoIterator<Item = &'a Episode>) -> Result<(), PathBuf> {
    let todo: Vec<&EpisodeTranscript> =
        episodes.into_iter().filter_map(|e| e.transcript.as_ref()).filter(|t| t.parsed.get().is_none()).collect();
    let read = crate::util::par::map_io(&todo, |t| {
        let loaded = crate::transcript::load(&t.path, &crate::transcript::ReadOptions::default())
            .ok()
            .filter(|l| l.digest == t.digest)
            .ok_or_else(|| t.path.clone())?;
        let _ = t.parsed.set(loaded.parsed.transcript);
        Ok(())
    });
    read.into_iter().collect()
}

/// A Podcasting 2.0 soundbite.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Soundbite {
    pub start_ms: u64,
    pub duration_ms: u64,
    pub title: Option<String>,
}

/// A method page.
#[derive(Debug, Clone)]
pub(crate) struct Method {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub synonyms: Vec<String>,
    /// The `podcast:guid` of its own feed.
    pub feed_guid: String,
    pub partners: Vec<String>,
    /// The facts of its sheet, when its file gives them.
    pub facts: MethodFacts,
    pub body: String,
    pub digest: String,
}

/// What a facilitator looks for first on a method's sheet (all optional).
#[derive(Debug, Clone, Default)]
pub(crate) struct MethodFacts {
    pub goal: Option<String>,
    pub duration: Option<String>,
    pub participants: Option<schema::Participants>,
    pub materials: Vec<String>,
    pub steps: Vec<String>,
}

/// A partner association's page.
#[derive(Debug, Clone)]
pub(crate) struct Partner {
    pub slug: String,
    pub name: String,
    pub website: Option<String>,
    pub territories: Vec<String>,
    /// The `podcast:guid` of its own feed.
    pub feed_guid: String,
    pub body: String,
    pub digest: String,
}

/// A territory page.
#[derive(Debug, Clone)]
pub(crate) struct Territory {
    pub slug: String,
    pub facts: TerritoryToml,
    pub body: String,
    pub digest: String,
}

/// The drafts of a show (their slugs): episodes in episodes/ that were never published. A
/// report says so, with the command that publishes them (a show of drafts has an empty feed).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Drafts(pub Vec<String>);

impl std::fmt::Display for Drafts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0.as_slice() {
            [] => Ok(()),
            [one] => write!(f, "1 draft is not published: `veillee publish {one}` publishes it"),
            many => write!(
                f,
                "{} drafts are not published ({}): `veillee publish SLUG` publishes one",
                many.len(),
                many.join(", ")
            ),
        }
    }
}

impl Catalog {
    /// The drafts, by slug.
    pub(crate) fn drafts(&self) -> Drafts {
        let mut slugs: Vec<String> =
            self.episodes.iter().filter(|e| e.published.is_none()).map(|e| e.slug.clone()).collect();
        slugs.sort();
        Drafts(slugs)
    }

    pub(crate) fn episode(&self, slug: &str) -> Option<&Episode> {
        self.episodes.iter().find(|e| e.slug == slug)
    }

    /// A published episode's media must be the bytes the ledger recorded: a change is recorded
    /// on purpose (`publish --new-version`), never slipped in by a build.
    pub(crate) fn check_published_media(&self) -> Result<(), Problems> {
        let mut problems = Problems::default();
        for ep in &self.episodes {
            let Some(p) = ep.published.as_ref().filter(|p| !p.retracted) else { continue };
            let recorded_light = p.current.rendition(ledger::LIGHT).map(|r| r.sha256.as_str());
            let changes = [
                (Some((&ep.audio_path, ep.audio_sha256.as_str())), Some(p.current.media_sha256.as_str())),
                (ep.light.as_ref().map(|l| (&l.path, l.sha256.as_str())), recorded_light),
            ];
            for (now, published) in changes {
                if now.map(|(_, sha)| sha) == published {
                    continue;
                }
                let light = self.root.join("episodes").join(light_name(&ep.slug));
                let (path, sha256) = now.unwrap_or((&light, "none"));
                let audio = path.strip_prefix(&self.root).unwrap_or(path);
                let published = published.unwrap_or("none");
                let changed = SourceError::PublishedMediaChanged(Box::new(MediaChange {
                    slug: ep.slug.clone(),
                    audio: audio.display().to_string(),
                    sha256: sha256[..sha256.len().min(12)].to_owned(),
                    published_on: p.current.recorded_at.strftime("%Y-%m-%d").to_string(),
                    published_sha256: published[..published.len().min(12)].to_owned(),
                }));
                problems.push(Problem::error(&ep.source, Position::File, changed));
            }
        }
        if problems.has_errors() { Err(problems) } else { Ok(()) }
    }

    /// Replaces the ledger (after entries were added) and the episodes' facts derived from it.
    pub(crate) fn set_ledger(&mut self, ledger: ledger::Ledger) {
        for ep in &mut self.episodes {
            ep.published = Published::of(&ledger, ep);
        }
        self.ledger = ledger;
        self.episodes.sort_by(|a, b| b.pub_date().cmp(&a.pub_date()).then_with(|| a.slug.cmp(&b.slug)));
    }
}

/// A Markdown source's `+++` front matter and body (the admin's corrections edit the first and
/// keep its layout).
pub(crate) fn split_source<'a>(path: &Path, text: &'a str) -> Result<(&'a str, &'a str), Problem> {
    let fm = source::split(path, text)?;
    Ok((fm.toml, fm.body))
}
