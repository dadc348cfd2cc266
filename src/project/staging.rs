//! Uploads on their way into the sources. Each upload is streamed into a directory of its own,
//! `.veillee/uploads/<random>/` (on the show's file system, so that moving a file into
//! `episodes/` is a rename, never a copy), checked there, and renamed into place. What an
//! operation is about to change is written first as `intent.json` in that directory; an
//! operation cut short (a crash, SIGKILL, a full disk) is undone from it at the next start.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::Project;
use crate::util::{IoContext, IoError};

/// Where uploads wait, from the root.
pub const UPLOADS_DIR: &str = ".veillee/uploads";

/// A directory for one operation's uploads; deleted with what is left in it when dropped.
#[derive(Debug)]
pub struct Staging {
    dir: PathBuf,
    /// Held while the operation lives: another server starting on the show leaves it alone.
    _live: std::fs::File,
}

impl Staging {
    /// A path for a file of this operation (the name is ours, never the client's).
    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Writes what the operation is about to do (flushed: it must survive a power cut).
    pub(crate) fn intend(&self, intent: &Intent) -> Result<(), IoError> {
        let path = self.dir.join(INTENT);
        let json = serde_json::to_vec(intent).unwrap_or_default();
        crate::util::fs::write_atomic(&path, &json).at(&path)
    }

    /// The operation reached its commit point: nothing is to be undone any more.
    pub(crate) fn done(&self) {
        let _ = std::fs::remove_file(self.dir.join(INTENT));
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        // An intent left behind means the operation failed without undoing itself (which it
        // always tries): the next start undoes it, so the directory stays for it.
        if !self.dir.join(INTENT).exists() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

const INTENT: &str = "intent.json";
/// Locked by the operation that owns the directory, for as long as it runs.
const LIVE: &str = "live.lock";

/// What an operation changes in the sources, to undo it if it is cut short before its commit
/// point.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct Intent {
    /// The commit point of a new version: once the ledger's current entry for this GUID has
    /// this audio SHA-256, the new version is recorded.
    pub commit_version: Option<(String, String)>,
    /// Files the operation creates (relative to the root): deleted when undone.
    pub created: Vec<PathBuf>,
    /// (file, its copy in the staging directory): put back when undone.
    pub replaced: Vec<(PathBuf, PathBuf)>,
}

impl Project {
    /// A new staging directory for an operation's uploads.
    pub fn staging(&self) -> Result<Staging, IoError> {
        let mut random = [0u8; 12];
        getrandom::fill(&mut random).map_err(|e| IoError::new(UPLOADS_DIR, std::io::Error::other(e.to_string())))?;
        let dir = self.root().join(UPLOADS_DIR).join(hex::encode(random));
        std::fs::create_dir_all(&dir).at(&dir)?;
        let live_path = dir.join(LIVE);
        let live = std::fs::File::create(&live_path).at(&live_path)?;
        live.lock().at(&live_path)?;
        Ok(Staging { dir, _live: live })
    }

    /// Undoes the operations that a crash cut short and removes their uploads; returns the files
    /// put back or deleted. Run by `serve` at its start, under the build lock.
    pub fn clean_interrupted(&self) -> Result<Vec<PathBuf>, IoError> {
        let uploads = self.root().join(UPLOADS_DIR);
        let entries = match std::fs::read_dir(&uploads) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(IoError::new(&uploads, e)),
        };
        let ledger = crate::catalog::ledger::Ledger::load(self.root()).ok();
        let mut undone = Vec::new();
        for entry in entries.flatten() {
            let dir = entry.path();
            // An operation under way in another process (a second server on the show).
            let live = std::fs::File::open(dir.join(LIVE)).ok();
            if live.as_ref().is_some_and(|f| f.try_lock().is_err()) {
                continue;
            }
            let intent = std::fs::read(dir.join(INTENT)).ok().and_then(|b| serde_json::from_slice::<Intent>(&b).ok());
            if let Some(intent) = intent {
                // Without a commit point of its own, an operation that left its intent was not
                // done.
                let committed = match (&intent.commit_version, &ledger) {
                    (Some((guid, sha)), Some(l)) => l.record(guid).is_some_and(|r| r.current.media_sha256 == *sha),
                    // A ledger that cannot be read cannot say: nothing is undone, the directory
                    // stays for a start that can.
                    (Some(_), None) => continue,
                    (None, _) => false,
                };
                if !committed {
                    undone.extend(self.undo(&intent)?);
                }
            }
            std::fs::remove_dir_all(&dir).at(&dir)?;
        }
        Ok(undone)
    }

    /// Puts the sources back as they were before `intent`.
    pub(crate) fn undo(&self, intent: &Intent) -> Result<Vec<PathBuf>, IoError> {
        let mut touched = Vec::new();
        for file in &intent.created {
            let path = self.root().join(file);
            match std::fs::remove_file(&path) {
                Ok(()) => touched.push(file.clone()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(IoError::new(&path, e)),
            }
        }
        for (file, copy) in &intent.replaced {
            if copy.exists() {
                let path = self.root().join(file);
                std::fs::rename(copy, &path).at(&path)?;
                touched.push(file.clone());
            }
        }
        Ok(touched)
    }
}
