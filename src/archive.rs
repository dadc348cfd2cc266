//! Writing the ledger: `publish` (first publication and deliberate new versions). Retraction,
//! verification, export and import come with the archive issue.
//!
//! Order of operations, so that a crash at any point leaves sources, ledger and outputs
//! consistent: check and render everything with the new entries in memory (a failure touches
//! nothing); append the entries to `feed/archive.toml` by writing a new file and renaming it;
//! then write the build generation. A crash after the ledger rename leaves outputs one build
//! behind the ledger, which the next build catches up: the ledger is the truth, outputs derive.

use std::path::Path;

use crate::build::{self, BuildError, BuildLock, BuildOptions, Report};
use crate::catalog::ledger::{Action, Entry, LEDGER_HEADER, LEDGER_PATH, Ledger, sha256_hex};
use crate::catalog::{Catalog, Episode, LoadOptions, Status};

/// What to publish.
#[derive(Debug, Clone)]
pub struct PublishOptions {
    /// One episode by slug, or `None` for every published episode (with `new_version`).
    pub slug: Option<String>,
    /// Record a new version of an already published episode.
    pub new_version: bool,
    /// Why (required for a new version).
    pub reason: Option<String>,
    pub now: jiff::Timestamp,
}

/// Why publishing was refused.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error(transparent)]
    Build(#[from] BuildError),
    #[error("no episode `{slug}` in episodes/{}", suggestion.as_ref().map(|s| format!(" — did you mean `{s}`?")).unwrap_or_default())]
    UnknownEpisode { slug: String, suggestion: Option<String> },
    #[error(
        "`{slug}` was already published on {date} — to record a change, run `veillee publish {slug} --new-version --reason \"…\"`"
    )]
    AlreadyPublished { slug: String, date: String },
    #[error("`{slug}` is not published yet — run `veillee publish {slug}` first")]
    NotPublished { slug: String },
    #[error("`{slug}` was retracted; it cannot be published again under the same GUID")]
    Retracted { slug: String },
    #[error("a new version needs a reason: add --reason \"what changed and why\"")]
    NoReason,
    #[error("nothing changed in `{slug}` since its last version")]
    Unchanged { slug: String },
    #[error("--all needs --new-version (first publications are one episode at a time)")]
    AllNeedsNewVersion,
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
}

/// What `publish` recorded.
#[derive(Debug)]
pub struct Published {
    pub entries: Vec<Entry>,
    pub build: Report,
}

/// Checks, builds and records one publication or new versions.
pub fn publish(root: &Path, options: &PublishOptions) -> Result<Published, PublishError> {
    let _lock = BuildLock::acquire(root)?;
    let mut catalog = Catalog::load(root, &LoadOptions::for_root(root)).map_err(BuildError::from)?;
    let now = jiff::Timestamp::from_second(options.now.as_second()).unwrap_or(options.now);
    let reason = options.reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
    let mut entries = Vec::new();
    match &options.slug {
        Some(slug) => {
            let ep = catalog.episode(slug).ok_or_else(|| PublishError::UnknownEpisode {
                slug: slug.clone(),
                suggestion: crate::catalog::closest_slug(slug, catalog.episodes.iter().map(|e| e.slug.as_str())),
            })?;
            entries.push(entry_for(&catalog, ep, options.new_version, reason, now)?);
        }
        None => {
            if !options.new_version {
                return Err(PublishError::AllNeedsNewVersion);
            }
            for ep in catalog.episodes.iter().filter(|e| e.published.as_ref().is_some_and(|p| !p.retracted)) {
                match entry_for(&catalog, ep, true, reason, now) {
                    Ok(e) => entries.push(e),
                    Err(PublishError::Unchanged { .. }) => {}
                    Err(e) => return Err(e),
                }
            }
        }
    }
    let mut all = catalog.ledger.entries.clone();
    all.extend(entries.iter().cloned());
    catalog.set_ledger(Ledger::from_entries(all));
    let build_options = BuildOptions { base_url: None, now, drafts: false };
    let previous = build::previous_manifest(root);
    let rendered = build::render(&catalog, &build_options, previous.as_ref())?;
    if !entries.is_empty() {
        append(root, &entries)?;
    }
    let mut report = build::write_generation(root, rendered)?;
    report.episodes = catalog.visible(now).count();
    Ok(Published { entries, build: report })
}

/// The ledger entry that records `ep` now.
fn entry_for(
    catalog: &Catalog,
    ep: &Episode,
    new_version: bool,
    reason: Option<&str>,
    now: jiff::Timestamp,
) -> Result<Entry, PublishError> {
    let slug = ep.slug.clone();
    let source = std::fs::read(catalog.root.join(&ep.source))
        .map_err(|e| PublishError::Io { path: ep.source.display().to_string(), source: e })?;
    let hash = |b: Option<Vec<u8>>| b.map(|b| sha256_hex(&b)).unwrap_or_default();
    let mut entry = Entry {
        line: 0,
        action: Action::Publish,
        guid: ep.guid.clone(),
        slug: slug.clone(),
        recorded_at: now,
        // A date to come schedules the episode; a past date means "now": a podcast app would
        // otherwise file a new episode deep in its history.
        pub_date: if ep.date > now { ep.date } else { now },
        reason: reason.unwrap_or("first publication").to_owned(),
        source_sha256: sha256_hex(&source),
        media_name: build::media_name(ep),
        media_length: ep.audio.length,
        media_sha256: ep.audio_sha256.clone(),
        transcript_sha256: hash(build::transcript_bytes(ep)),
        chapters_sha256: hash(build::chapters_bytes(catalog, ep)),
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
                && c.chapters_sha256 == entry.chapters_sha256;
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
            Ok(entry)
        }
        (_, None, _) => unreachable!("a non-draft episode has ledger facts"),
    }
}

/// Appends entries to the ledger: the old bytes unchanged, then the new entries, written to a
/// new file renamed over the old one.
fn append(root: &Path, entries: &[Entry]) -> Result<(), PublishError> {
    let path = root.join(LEDGER_PATH);
    let mut text = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => LEDGER_HEADER.as_bytes().to_vec(),
        Err(e) => return Err(PublishError::Io { path: LEDGER_PATH.into(), source: e }),
    };
    for e in entries {
        text.extend_from_slice(Ledger::entry_text(e).as_bytes());
    }
    crate::fsutil::write_atomic(&path, &text).map_err(|e| PublishError::Io { path: LEDGER_PATH.into(), source: e })
}
