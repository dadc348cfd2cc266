//! What the load keeps between runs of each source that loaded cleanly, by file identity: its
//! digest and its parsed form (`.veillee/cache/episodes.json`: the episodes' text and front
//! matter; `.veillee/cache/transcripts.json`: the facts of each transcript that are checked
//! against its episode). A file with the same identity is not read at all; one whose identity
//! changed, or that was modified within a clock tick of being read, is read and hashed again,
//! and parsed only if its bytes changed. Each file is versioned and checksummed, and deleting
//! or damaging it costs one parse of every source of its kind, nothing else.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::util::fs::FileIdentity;

#[derive(Debug, serde::Serialize, serde::Deserialize)]
#[serde(bound(serialize = "T: Serialize", deserialize = "T: DeserializeOwned"))]
pub(super) struct SourceCache<T> {
    version: u32,
    /// By path relative to the root.
    entries: BTreeMap<PathBuf, Entry<T>>,
    /// Entries recorded or removed since it was read.
    #[serde(skip)]
    changed: usize,
}

/// A cache is written again once this share (1 in N) of its entries changed, or [`FEW`] of them:
/// rewriting 40 MB of episodes to record one edit costs more than reading that one file again
/// at the next loads (a changed file misses, is read and hashed, and parsed if its bytes changed).
const SHARE: usize = 64;
const FEW: usize = 32;

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(super) struct Entry<T> {
    identity: FileIdentity,
    /// When the file was read (before the read), for [`FileIdentity::racy`].
    read_at_ns: i128,
    pub(super) digest: String,
    pub(super) value: T,
}

/// What the cache knows of one file now.
pub(super) enum Lookup<T> {
    /// The same file as when it was read: nothing to read.
    Same(Entry<T>),
    /// The file may differ: read it, and reuse the value if its digest is still this entry's.
    Maybe(Option<Entry<T>>),
}

impl<T: Clone + Serialize + DeserializeOwned> SourceCache<T> {
    /// The cache in `file` at `version` (bumped whenever `T` or the parsing behind it changes),
    /// or an empty one when it is missing, damaged or of another version.
    pub(super) fn open(file: Option<&Path>, version: u32) -> Self {
        let empty = || SourceCache { version, entries: BTreeMap::new(), changed: 0 };
        let Some(bytes) = file.and_then(|f| std::fs::read(f).ok()) else { return empty() };
        checked(&bytes)
            .and_then(|json| serde_json::from_slice::<SourceCache<T>>(json).ok())
            .filter(|c| c.version == version)
            .unwrap_or_else(empty)
    }

    pub(super) fn lookup(&self, rel: &Path, identity: Option<FileIdentity>) -> Lookup<T> {
        let entry = self.entries.get(rel);
        match (entry, identity) {
            (Some(e), Some(id)) if e.identity == id && !id.racy(e.read_at_ns) => Lookup::Same(e.clone()),
            _ => Lookup::Maybe(entry.cloned()),
        }
    }

    /// Records what was read of `rel` (identity taken, and the clock read, before reading it).
    pub(super) fn record(&mut self, rel: PathBuf, identity: FileIdentity, read_at_ns: i128, digest: String, value: T) {
        self.entries.insert(rel, Entry { identity, read_at_ns, digest, value });
        self.changed += 1;
    }

    /// Keeps only the files of `present` (those that exist and loaded cleanly).
    pub(super) fn retain(&mut self, present: &std::collections::HashSet<PathBuf>) {
        let before = self.entries.len();
        self.entries.retain(|path, _| present.contains(path));
        self.changed += before - self.entries.len();
    }

    /// Writes the cache if enough of it changed (see [`SHARE`]; a failure to write costs the
    /// next run its parses only).
    pub(super) fn save(self, file: Option<&Path>) {
        let enough = self.changed > 0 && (self.changed >= FEW || self.changed * SHARE >= self.entries.len());
        if let Some(file) = file.filter(|_| enough)
            && let Ok(mut bytes) = serde_json::to_vec(&self)
        {
            let sum = blake3::hash(&bytes).to_hex();
            bytes.push(b'\n');
            bytes.extend_from_slice(sum.as_bytes());
            bytes.push(b'\n');
            let _ = crate::util::fs::write_cache(file, &bytes);
        }
    }
}

/// The JSON of a cache file whose checksum (a line with the BLAKE3 of the JSON, after it)
/// holds: a changed byte of a text must not reach a build.
fn checked(bytes: &[u8]) -> Option<&[u8]> {
    let (json, sum) = bytes.split_at_checked(bytes.len().checked_sub(66)?)?;
    (sum[0] == b'\n' && sum[65] == b'\n' && blake3::hash(json).to_hex().as_bytes() == &sum[1..65]).then_some(json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_saved_reads_back_and_any_damage_reads_as_empty() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.json");
        let id = FileIdentity::of(&std::fs::metadata(dir.path()).unwrap());
        let mut cache = SourceCache::<String>::open(Some(&file), 3);
        cache.record("a.md".into(), id, i128::MAX, "d1".into(), "texte".into());
        cache.save(Some(&file));
        let back = SourceCache::<String>::open(Some(&file), 3);
        assert!(matches!(back.lookup(Path::new("a.md"), Some(id)), Lookup::Same(e) if e.value == "texte"));
        assert!(SourceCache::<String>::open(Some(&file), 4).entries.is_empty(), "another version");
        let bytes = std::fs::read(&file).unwrap();
        for at in 0..bytes.len() {
            let mut changed = bytes.clone();
            changed[at] ^= 0x01;
            std::fs::write(&file, &changed).unwrap();
            assert!(SourceCache::<String>::open(Some(&file), 3).entries.is_empty(), "byte {at} changed");
            std::fs::write(&file, &bytes[..at]).unwrap();
            assert!(SourceCache::<String>::open(Some(&file), 3).entries.is_empty(), "cut at {at}");
        }
    }
}
