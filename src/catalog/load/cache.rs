//! What the load keeps between runs of a transcript that parsed cleanly: its digest and the
//! facts checked against its episode, by file identity (`.veillee/cache/transcripts.json`).
//! A file with the same identity is not read at all; one whose identity changed, or that was
//! modified within a clock tick of being read, is read and hashed again, and parsed only if
//! its bytes changed. The file is versioned, and deleting or damaging it costs one parse of
//! every transcript, nothing else.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::transcript::Facts;
use crate::util::fs::FileIdentity;

/// Bumped whenever [`Facts`] or the parsing behind them changes.
const VERSION: u32 = 1;

#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub(super) struct TranscriptCache {
    version: u32,
    /// By path relative to the root.
    entries: BTreeMap<PathBuf, Entry>,
    #[serde(skip)]
    changed: bool,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(super) struct Entry {
    identity: FileIdentity,
    /// When the file was read (before the read), for [`FileIdentity::racy`].
    read_at_ns: i128,
    pub(super) digest: String,
    pub(super) facts: Facts,
}

/// What the cache knows of one file now.
pub(super) enum Lookup {
    /// The same file as when it was read: nothing to read.
    Same(Entry),
    /// The file may differ: read it, and reuse the facts if its digest is still this entry's.
    Maybe(Option<Entry>),
}

impl TranscriptCache {
    /// The cache in `file`, or an empty one when it is missing, damaged or of another version.
    pub(super) fn open(file: Option<&Path>) -> Self {
        file.and_then(|f| std::fs::read(f).ok())
            .and_then(|bytes| serde_json::from_slice::<TranscriptCache>(&bytes).ok())
            .filter(|c| c.version == VERSION)
            .unwrap_or_default()
    }

    pub(super) fn lookup(&self, rel: &Path, identity: Option<FileIdentity>) -> Lookup {
        let entry = self.entries.get(rel);
        match (entry, identity) {
            (Some(e), Some(id)) if e.identity == id && !id.racy(e.read_at_ns) => Lookup::Same(e.clone()),
            _ => Lookup::Maybe(entry.cloned()),
        }
    }

    /// Records what was read of `rel` (identity taken, and the clock read, before reading it).
    pub(super) fn record(
        &mut self,
        rel: PathBuf,
        identity: FileIdentity,
        read_at_ns: i128,
        digest: String,
        facts: Facts,
    ) {
        let entry = Entry { identity, read_at_ns, digest, facts };
        self.entries.insert(rel, entry);
        self.changed = true;
    }

    /// Keeps only the files of `present` (the transcripts that exist and parsed cleanly).
    pub(super) fn retain(&mut self, present: &std::collections::HashSet<PathBuf>) {
        let before = self.entries.len();
        self.entries.retain(|path, _| present.contains(path));
        self.changed |= self.entries.len() != before;
    }

    /// Writes the cache if it changed (a failure to write costs the next run its parse only).
    pub(super) fn save(mut self, file: Option<&Path>) {
        if let Some(file) = file.filter(|_| self.changed) {
            self.version = VERSION;
            if let Ok(bytes) = serde_json::to_vec(&self) {
                let _ = crate::util::fs::write_cache(file, &bytes);
            }
        }
    }
}
