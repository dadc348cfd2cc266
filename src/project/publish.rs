//! `publish`: check, build, and record in the ledger.
//!
//! Order of operations, so that a crash at any point leaves sources, ledger and outputs
//! consistent: check and render everything with the new entries in memory, and write the
//! generation in a temporary directory (a failure touches nothing); append the entries to
//! `feed/archive.toml` by writing a new file and renaming it; then install the generation. A
//! crash after the ledger rename leaves outputs one build behind the ledger, which the next
//! build catches up: the ledger is the truth, outputs derive.

use super::Project;
pub use crate::archive::{PublishError, PublishOptions};
use crate::catalog::ledger::{Entry, Ledger};
use crate::generate::{self, BuildLock, Report};

/// What `publish` recorded, and the build that followed.
#[derive(Debug)]
pub struct Published {
    /// The episodes mastered first, as channel.toml's `[mastering]` asks.
    pub mastered: Vec<super::MasterReport>,
    pub entries: Vec<Entry>,
    pub build: Report,
    /// The commit of the ledger and the published episodes' sources, when the show is in git.
    pub history: super::History,
}

impl Project {
    /// Checks, builds and records one publication, or new versions; commits them (git's
    /// configured identity).
    pub fn publish(&self, options: &PublishOptions) -> Result<Published, PublishError> {
        self.publish_by(options, None)
    }

    /// [`Project::publish`], committed as `by`.
    pub(crate) fn publish_by(
        &self,
        options: &PublishOptions,
        by: Option<&super::Identity>,
    ) -> Result<Published, PublishError> {
        let lock = BuildLock::acquire(self.root()).map_err(PublishError::Generate)?;
        self.publish_locked(options, by, &lock, &[])
    }

    /// [`Project::publish_by`] under a build lock the caller holds (an operation that changes
    /// sources and publishes them in one piece); `more` are files it changed that the commit
    /// must hold too (an audio file it replaced under another name).
    pub(crate) fn publish_locked(
        &self,
        options: &PublishOptions,
        by: Option<&super::Identity>,
        _lock: &BuildLock,
        more: &[std::path::PathBuf],
    ) -> Result<Published, PublishError> {
        if options.new_version && options.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
            return Err(PublishError::NoReason);
        }
        let mastered = self.master_for_publish(options).map_err(|e| match e {
            super::WorkError::Io(e) => PublishError::Io(e),
            super::WorkError::Problems(p) => p.into(),
            other => PublishError::Master(other.to_string()),
        })?;
        let mut catalog = self.load()?;
        let now = self.now();
        let entries = crate::archive::entries(&catalog, options, now)?;
        let mut all = catalog.ledger.entries.clone();
        all.extend(entries.iter().cloned());
        catalog.set_ledger(Ledger::from_entries(all));
        let build_options = generate::Options { now, ..self.generate_options(&super::BuildOptions::default(), false) };
        let staged = generate::stage(self.root(), &catalog, &build_options)?;
        crate::util::crash_point("publish:staged");
        if !entries.is_empty() {
            crate::archive::append(self.root(), &entries)?;
        }
        crate::util::crash_point("publish:ledger");
        let build = staged.install()?;
        crate::util::crash_point("publish:installed");
        // The publication's files: the ledger, and each episode's sources as the ledger hashed
        // them.
        let mut files = vec![std::path::PathBuf::from(crate::catalog::ledger::LEDGER_PATH)];
        files.extend(more.iter().cloned());
        for entry in &entries {
            if let Some(ep) = catalog.episode(&entry.slug) {
                files.push(ep.source.clone());
                files.push(self.relative(&ep.audio_path).to_path_buf());
                files.extend(ep.light.iter().map(|l| self.relative(&l.path).to_path_buf()));
                files.extend(ep.transcript.as_ref().map(|t| self.relative(&t.path).to_path_buf()));
            }
        }
        self.release(catalog);
        let history = if entries.is_empty() {
            super::History::NothingToCommit
        } else {
            use crate::catalog::ledger::Action;
            let versions: Vec<&Entry> = entries.iter().filter(|e| e.action == Action::NewVersion).collect();
            let firsts = entries.len() - versions.len();
            let imports = entries.iter().filter(|e| e.action == Action::Import).count();
            let what = match (entries.as_slice(), firsts, versions.first()) {
                _ if imports > 0 => format!("Import {imports} episodes: {}", entries[0].reason),
                ([one], 1, _) => format!("Publish {}", one.slug),
                ([one], _, _) => format!("New version of {}: {}", one.slug, one.reason),
                (_, n, None) => format!("Publish {n} episodes"),
                (_, 0, Some(v)) => format!("New versions of {} episodes: {}", versions.len(), v.reason),
                (_, n, Some(v)) => format!("Publish {n} episodes; new versions of {}: {}", versions.len(), v.reason),
            };
            self.commit(&files, &what, by)
        };
        Ok(Published { mastered, entries, build, history })
    }
}
