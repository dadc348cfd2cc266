//! `check`: every source read and cross-checked, every problem at once.

use std::fmt;

use super::Project;
use crate::catalog::Drafts;
use crate::problem::Problems;

/// What `check` found in a show whose sources have no error.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckReport {
    pub episodes: usize,
    pub methods: usize,
    pub partners: usize,
    pub territories: usize,
    /// Problems that do not stop a build.
    pub warnings: Problems,
    pub drafts: Drafts,
}

impl fmt::Display for CheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ok: {} episodes, {} methods, {} partners, {} territories",
            self.episodes, self.methods, self.partners, self.territories
        )?;
        if !self.drafts.0.is_empty() {
            write!(f, "\n{}", self.drafts)?;
        }
        Ok(())
    }
}

impl Project {
    /// Checks every source, and the published episodes' audio against the ledger.
    pub fn check(&self) -> Result<CheckReport, Problems> {
        let catalog = self.load()?;
        catalog.check_published_media()?;
        let report = CheckReport {
            episodes: catalog.episodes.len(),
            methods: catalog.methods.len(),
            partners: catalog.partners.len(),
            territories: catalog.territories.len(),
            warnings: catalog.warnings.clone(),
            drafts: catalog.drafts(),
        };
        self.release(catalog);
        Ok(report)
    }
}
