//! The archive: writing the ledger (the entries of a publication, of deliberate new versions
//! and of retractions, appended to `feed/archive.toml`) and checking what it guards
//! ([`verify`]), and bags for deposit and migration ([`bag`]). Import comes with the rest of the
//! archive issue.

pub mod bag;
pub mod import;
pub mod verify;

use std::path::Path;

use crate::catalog::ledger::{Action, Entry, LEDGER_HEADER, LEDGER_PATH, LIGHT, Ledger, Rendition};
use crate::catalog::{Catalog, Episode, Status};
use crate::generate;
use crate::util::hash::sha256_hex;
use crate::util::{IoContext, IoError};

/// What to publish.
#[derive(Debug, Default, Clone)]
pub struct PublishOptions {
    /// One episode by slug, or `None` for all: every draft, or with `new_version` every
    /// published episode that changed.
    pub slug: Option<String>,
    /// Record a new version of an already published episode.
    pub new_version: bool,
    /// Why (required for a new version).
    pub reason: Option<String>,
    /// A first publication takes its front matter's date even when it is past (a back
    /// catalog), instead of now; the entry says so.
    pub keep_dates: bool,
    /// With no slug: only these drafts (an import's), not every draft.
    pub only: Vec<String>,
    /// The feed these drafts were imported from: their entries are `import`s, dated from their
    /// front matter, with the feed in their reason.
    pub imported_from: Option<String>,
}

/// Why publishing was refused.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// The sources have errors, or the build failed: nothing was recorded.
    #[error(transparent)]
    Generate(#[from] generate::GenerateError),
    #[error("no episode `{slug}` in episodes/{}", suggestion.as_ref().map(|s| format!(" — did you mean `{s}`?")).unwrap_or_default())]
    UnknownEpisode { slug: String, suggestion: Option<String> },
    #[error(
        "`{slug}` was already published on {date} — to record a change, run `veillee publish {slug} --new-version --reason \"…\"`"
    )]
    AlreadyPublished { slug: String, date: String },
    #[error("`{slug}` is not published yet — run `veillee publish {slug}` first")]
    NotPublished { slug: String },
    #[error(
        "`{slug}` was retracted: it stays out of every output, and its GUID and slug are never used again (its history: `veillee archive log {slug}`)"
    )]
    Retracted { slug: String },
    #[error("a new version needs a reason: add --reason \"what changed and why\"")]
    NoReason,
    #[error("a retraction needs a reason, kept in the ledger: add --reason \"why it is withdrawn\"")]
    RetractNoReason,
    #[error("nothing changed in `{slug}` since its last version")]
    Unchanged { slug: String },
    #[error(
        "nothing to publish: no draft in episodes/ (to record the changed published episodes: --all --new-version --reason \"…\")"
    )]
    NothingToPublish,
    /// An episode could not be mastered before its publication.
    #[error("{0}")]
    Master(String),
    #[error(transparent)]
    Io(#[from] IoError),
}

impl From<crate::problem::Problems> for PublishError {
    fn from(problems: crate::problem::Problems) -> Self {
        PublishError::Generate(problems.into())
    }
}

/// The entries that record what `options` asks at `now` (nothing is written).
pub(crate) fn entries(
    catalog: &Catalog,
    options: &PublishOptions,
    now: jiff::Timestamp,
) -> Result<Vec<Entry>, PublishError> {
    let reason = options.reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
    let mut entries = Vec::new();
    match &options.slug {
        Some(slug) => {
            let ep = episode(catalog, slug)?;
            read_transcripts([ep])?;
            entries.push(entry_for(catalog, ep, options.new_version, options.keep_dates, reason, now)?);
        }
        // A new version of every published episode that changed; drafts stay drafts.
        None if options.new_version => {
            let published = || catalog.episodes.iter().filter(|e| e.published.as_ref().is_some_and(|p| !p.retracted));
            read_transcripts(published())?;
            for ep in published() {
                match entry_for(catalog, ep, true, false, reason, now) {
                    Ok(e) => entries.push(e),
                    Err(PublishError::Unchanged { .. }) => {}
                    Err(e) => return Err(e),
                }
            }
        }
        // Every draft, oldest first: a back catalog enters the ledger in its order.
        None => {
            let chosen = |e: &&Episode| options.only.is_empty() || options.only.contains(&e.slug);
            let mut drafts: Vec<&Episode> =
                catalog.episodes.iter().filter(|e| e.published.is_none()).filter(chosen).collect();
            if drafts.is_empty() {
                return Err(PublishError::NothingToPublish);
            }
            drafts.sort_by(|a, b| a.date.cmp(&b.date).then_with(|| a.slug.cmp(&b.slug)));
            read_transcripts(drafts.iter().copied())?;
            let keep_dates = options.keep_dates || options.imported_from.is_some();
            for ep in drafts {
                let mut entry = entry_for(catalog, ep, false, keep_dates, None, now)?;
                if let Some(feed) = &options.imported_from {
                    entry.action = Action::Import;
                    entry.reason = format!("imported from {feed}");
                }
                entries.push(entry);
            }
        }
    }
    Ok(entries)
}

/// The entry that retracts `slug` at `now`: the last version's hashes and media name, its
/// first publication date, the title (its sources may go with it), and why.
pub(crate) fn retract_entry(
    catalog: &Catalog,
    slug: &str,
    reason: &str,
    now: jiff::Timestamp,
) -> Result<Entry, PublishError> {
    let ep = episode(catalog, slug)?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(PublishError::RetractNoReason);
    }
    let published = match (&ep.published, ep.status(now)) {
        (_, Status::Retracted) => return Err(PublishError::Retracted { slug: slug.to_owned() }),
        (None, _) => return Err(PublishError::NotPublished { slug: slug.to_owned() }),
        (Some(p), _) => p,
    };
    Ok(Entry {
        line: 0,
        action: Action::Retract,
        slug: slug.to_owned(),
        recorded_at: now,
        pub_date: published.pub_date,
        reason: reason.to_owned(),
        title: ep.title.clone(),
        ..published.current.clone()
    })
}

/// The episode `slug` names, or why there is none.
fn episode<'a>(catalog: &'a Catalog, slug: &str) -> Result<&'a Episode, PublishError> {
    if let Some(ep) = catalog.episode(slug) {
        return Ok(ep);
    }
    // A retracted episode whose sources went with it.
    let retracted = catalog
        .ledger
        .entries
        .iter()
        .any(|e| e.slug == slug && catalog.ledger.record(&e.guid).is_some_and(|r| r.retracted));
    Err(if retracted {
        PublishError::Retracted { slug: slug.to_owned() }
    } else {
        PublishError::UnknownEpisode {
            slug: slug.to_owned(),
            suggestion: crate::util::text::closest(slug, catalog.episodes.iter().map(|e| e.slug.as_str())),
        }
    })
}

/// The transcripts of `episodes`, for the hash of their published form.
fn read_transcripts<'a>(episodes: impl IntoIterator<Item = &'a Episode>) -> Result<(), PublishError> {
    crate::catalog::read_transcripts(episodes).map_err(|path| generate::GenerateError::SourceChanged(path).into())
}

/// The ledger entry that records `ep` now.
fn entry_for(
    catalog: &Catalog,
    ep: &Episode,
    new_version: bool,
    keep_dates: bool,
    reason: Option<&str>,
    now: jiff::Timestamp,
) -> Result<Entry, PublishError> {
    // A date to come schedules the episode; a past date means "now" (a podcast app would
    // otherwise file a new episode deep in its history), unless a back catalog keeps its dates.
    let kept = keep_dates && ep.date <= now;
    let slug = ep.slug.clone();
    let source = std::fs::read(catalog.root.join(&ep.source)).at(&ep.source)?;
    let hash = |b: Option<Vec<u8>>| b.map(|b| sha256_hex(&b)).unwrap_or_default();
    let mut entry = Entry {
        line: 0,
        action: Action::Publish,
        guid: ep.guid.clone(),
        slug: slug.clone(),
        recorded_at: now,
        pub_date: if ep.date > now || kept { ep.date } else { now },
        reason: match (reason, kept) {
            (Some(r), _) => r.to_owned(),
            (None, true) => "first publication, dated from its front matter (back catalog)".to_owned(),
            (None, false) => "first publication".to_owned(),
        },
        source_sha256: sha256_hex(&source),
        media_name: generate::media_name(ep),
        media_length: ep.audio.length,
        media_sha256: ep.audio_sha256.clone(),
        transcript_sha256: hash(generate::transcript_bytes(ep)),
        chapters_sha256: hash(generate::chapters_bytes(catalog, ep)),
        title: String::new(),
        renditions: ep
            .light
            .iter()
            .map(|l| Rendition {
                kind: LIGHT.to_owned(),
                name: generate::light_media_name(ep, l),
                length: l.audio.length,
                sha256: l.sha256.clone(),
            })
            .collect(),
    };
    match (ep.status(now), &ep.published, new_version) {
        (Status::Retracted, _, _) => Err(PublishError::Retracted { slug }),
        (Status::Draft, _, true) => Err(PublishError::NotPublished { slug }),
        (Status::Draft, _, false) => Ok(entry),
        (_, Some(p), false) => {
            Err(PublishError::AlreadyPublished { slug, date: p.pub_date.strftime("%Y-%m-%d").to_string() })
        }
        (_, Some(p), true) => {
            let reason = reason.ok_or(PublishError::NoReason)?;
            let c = &p.current;
            let same = c.slug == entry.slug
                && c.source_sha256 == entry.source_sha256
                && c.media_sha256 == entry.media_sha256
                && c.transcript_sha256 == entry.transcript_sha256
                && c.chapters_sha256 == entry.chapters_sha256
                && c.renditions
                    .iter()
                    .map(|r| (&r.kind, &r.sha256))
                    .eq(entry.renditions.iter().map(|r| (&r.kind, &r.sha256)));
            if same {
                return Err(PublishError::Unchanged { slug });
            }
            entry.action = Action::NewVersion;
            entry.pub_date = p.pub_date;
            entry.reason = reason.to_owned();
            // The media keeps its name while its bytes are the same (a rename keeps its URL).
            if c.media_sha256 == entry.media_sha256 {
                entry.media_name = c.media_name.clone();
            }
            for r in &mut entry.renditions {
                if let Some(old) = c.rendition(&r.kind).filter(|old| old.sha256 == r.sha256) {
                    r.name = old.name.clone();
                }
            }
            Ok(entry)
        }
        (_, None, _) => unreachable!("a non-draft episode has ledger facts"),
    }
}

/// Appends entries to the ledger: the old bytes unchanged, then the new entries, written to a
/// new file renamed over the old one.
pub(crate) fn append(root: &Path, entries: &[Entry]) -> Result<(), IoError> {
    let path = root.join(LEDGER_PATH);
    let rel = Path::new(LEDGER_PATH);
    let mut text = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => LEDGER_HEADER.as_bytes().to_vec(),
        Err(e) => return Err(IoError::new(rel, e)),
    };
    for e in entries {
        text.extend_from_slice(Ledger::entry_text(e).as_bytes());
    }
    crate::util::fs::write_atomic(&path, &text).at(rel)
}
