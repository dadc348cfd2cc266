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
    pub entries: Vec<Entry>,
    pub build: Report,
}

impl Project {
    /// Checks, builds and records one publication, or new versions.
    pub fn publish(&self, options: &PublishOptions) -> Result<Published, PublishError> {
        let _lock = BuildLock::acquire(self.root()).map_err(PublishError::Generate)?;
        let mut catalog = self.load()?;
        let now = self.now();
        let entries = crate::archive::entries(&catalog, options, now)?;
        let mut all = catalog.ledger.entries.clone();
        all.extend(entries.iter().cloned());
        catalog.set_ledger(Ledger::from_entries(all));
        let build_options = generate::Options { now, ..self.generate_options(&super::BuildOptions::default(), false) };
        let staged = generate::stage(self.root(), &catalog, &build_options)?;
        if !entries.is_empty() {
            crate::archive::append(self.root(), &entries)?;
        }
        let build = staged.install()?;
        self.release(catalog);
        Ok(Published { entries, build })
    }
}
