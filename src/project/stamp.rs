//! Nothing changed since the last build, known without reading a source: every file of the
//! source directories (`feed/`, `episodes/`, `transcripts/`, `site/`: all that a load reads) with
//! the identity it had when that build read it (`.veillee/cache/stamp.json`, as git's index
//! knows a clean work tree). When every file is there with the same identity, none other is,
//! the generation it made is still `current`, and no scheduled episode has come out since, `build`
//! answers "nothing changed" and `feed` prints the current feed without loading anything.
//!
//! A stamp is written only after a build for channel.toml's address that warned of nothing, and
//! only when no source was modified within a clock tick of being listed (git's racy rule); any
//! difference, a damaged or missing stamp, sends the operation the whole way.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::catalog::Drafts;
use crate::generate::{Report, current_generation};
use crate::util::fs::{FileIdentity, now_ns};

/// Bumped when what a stamp holds, or what it stands for, changes.
const VERSION: &str = concat!("2 ", env!("CARGO_PKG_VERSION"));

/// The directories a load reads (audio and images must lie inside `episodes/`).
const SOURCES: [&str; 4] = ["feed", "episodes", "transcripts", "site"];

/// Every file of the source directories and its identity, listed at one time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Sources {
    files: Vec<(String, FileIdentity)>,
    /// When the listing began (for the racy rule).
    listed_at_ns: i128,
}

impl Sources {
    /// The same files with the same identities (the time of the listing aside).
    pub(super) fn same_files(&self, other: &Sources) -> bool {
        self.files == other.files
    }

    /// Lists the sources of `root`; `None` if a directory cannot be read.
    pub(super) fn list(root: &Path) -> Option<Sources> {
        fn walk(dir: &Path, rel: &str, out: &mut Vec<(String, FileIdentity)>) -> std::io::Result<()> {
            for entry in std::fs::read_dir(dir)? {
                let entry = entry?;
                let name = format!("{rel}/{}", entry.file_name().to_string_lossy());
                // A link is known by what it points to, as a load reads it; a link to a directory
                // (a tree elsewhere, maybe a loop) leaves the show without a stamp.
                let meta = std::fs::metadata(entry.path())?;
                if meta.is_dir() && entry.file_type()?.is_symlink() {
                    return Err(std::io::Error::other("a link to a directory"));
                } else if meta.is_dir() {
                    walk(&entry.path(), &name, out)?;
                } else {
                    out.push((name, FileIdentity::of(&meta)));
                }
            }
            Ok(())
        }
        let listed_at_ns = now_ns();
        let mut files = Vec::new();
        for dir in SOURCES {
            // A directory the show does not have is listed as no files; anything unreadable
            // below one (a dangling link too) leaves the show without a stamp.
            let path = root.join(dir);
            if std::fs::symlink_metadata(&path).is_ok() {
                walk(&path, dir, &mut files).ok()?;
            }
        }
        files.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        Some(Sources { files, listed_at_ns })
    }

    /// Whether a file may have changed in the tick it was listed in. The file system's clock is
    /// coarser than ours and may lag it: a second's margin, as git's index has.
    fn racy(&self) -> bool {
        self.files.iter().any(|(_, id)| id.racy(self.listed_at_ns - 1_000_000_000))
    }
}

/// What a build that changed nothing would report, and what it stands on.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Stamp {
    version: String,
    sources: Vec<(String, FileIdentity)>,
    /// The generation the build left current, and its manifest's identity.
    current: String,
    manifest: FileIdentity,
    episodes: usize,
    unchanged: usize,
    drafts: Vec<String>,
    next_scheduled: Option<jiff::Timestamp>,
}

impl Stamp {
    /// The stamp of a build of `sources` (listed before its load) that reported `report`, if it
    /// can stand for it.
    pub(super) fn of(root: &Path, sources: Sources, report: &Report) -> Option<Stamp> {
        if !report.warnings.0.is_empty() || report.preview || sources.racy() {
            return None;
        }
        let generation = current_generation(root).filter(|g| g.name == report.current)?;
        let manifest = FileIdentity::of(&std::fs::metadata(generation.dir.join("manifest.json")).ok()?);
        Some(Stamp {
            version: VERSION.to_owned(),
            sources: sources.files,
            current: report.current.clone(),
            manifest,
            episodes: report.episodes,
            // Every output, whether this build linked or wrote it.
            unchanged: report.unchanged + if report.generation.is_some() { report.written.len() } else { 0 },
            drafts: report.drafts.0.clone(),
            next_scheduled: report.next_scheduled,
        })
    }

    pub(super) fn save(&self, file: &Path) {
        if let Ok(json) = serde_json::to_vec(self) {
            // Only time is lost if it cannot be written.
            let _ = crate::util::fs::write_cache(file, &json);
        }
    }

    /// The stamp in `file` if it still holds for `sources` at `now`: the same files with the same
    /// identities, the same current generation, no scheduled episode out.
    pub(super) fn holding(file: &Path, root: &Path, sources: &Sources, now: jiff::Timestamp) -> Option<Stamp> {
        let stamp: Stamp = serde_json::from_slice(&std::fs::read(file).ok()?).ok()?;
        let generation = current_generation(root)?;
        let manifest = FileIdentity::of(&std::fs::metadata(generation.dir.join("manifest.json")).ok()?);
        let holds = stamp.version == VERSION
            && stamp.sources == sources.files
            && stamp.current == generation.name
            && stamp.manifest == manifest
            && stamp.next_scheduled.is_none_or(|t| now < t);
        holds.then_some(stamp)
    }

    /// The report of a build that changes nothing.
    pub(super) fn report(&self) -> Report {
        Report {
            generation: None,
            current: self.current.clone(),
            unchanged: self.unchanged,
            episodes: self.episodes,
            drafts: Drafts(self.drafts.clone()),
            next_scheduled: self.next_scheduled,
            ..Report::default()
        }
    }

    /// The feed of the generation the stamped build left current (read from its own directory,
    /// not through the `current` link, which a build may move meanwhile).
    pub(super) fn feed(&self, root: &Path) -> Option<std::fs::File> {
        std::fs::File::open(root.join("build").join(&self.current).join("www/feed.xml")).ok()
    }
}
