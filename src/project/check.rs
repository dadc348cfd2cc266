//! `check`: every source read and cross-checked, every problem at once.

use std::fmt;

use super::Project;
use crate::catalog::Drafts;
use crate::problem::{Position, Problem, Problems};

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
    /// Passages of the current build's index that name a method in episodes not linked to it
    /// (method slug, passage): suggestions for staff, not problems.
    pub suggestions: Vec<(String, crate::search::Mention)>,
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
        for (method, x) in &self.suggestions {
            write!(
                f,
                "\nsuggestion: {}: add `{method}` to its `methods`, or `[{method}]` to a chapter",
                x.unlinked(method, " (the current build)")
            )?;
        }
        Ok(())
    }
}

impl Project {
    /// Checks every source, the links of notes and pages to the site itself, the published
    /// episodes' audio against the ledger, and every
    /// episode's audio against the show's loudness targets (measures kept by content).
    pub fn check(&self) -> Result<CheckReport, Problems> {
        let catalog = self.load()?;
        catalog.check_published_media()?;
        let broken = crate::site::broken_links(&catalog);
        if broken.errors() > 0 {
            return Err(broken);
        }
        let mut warnings = catalog.warnings.clone();
        self.audio_quality(&catalog, &mut warnings);
        warnings.sort();
        let report = CheckReport {
            episodes: catalog.episodes.len(),
            methods: catalog.methods.len(),
            partners: catalog.partners.len(),
            territories: catalog.territories.len(),
            warnings,
            drafts: catalog.drafts(),
            suggestions: self.open_current().map(|g| g.method_mentions(&catalog)).unwrap_or_default(),
        };
        self.release(catalog);
        Ok(report)
    }
}

impl Project {
    /// The quality warnings of every episode's audio, each distinct file measured once.
    fn audio_quality(&self, catalog: &crate::catalog::Catalog, warnings: &mut Problems) {
        let cache = self.root().join(super::probe::LOUDNESS_CACHE);
        let targets = &catalog.channel.loudness;
        let mut measured: std::collections::HashMap<&str, Result<crate::media::Loudness, ()>> =
            std::collections::HashMap::new();
        let _step = crate::util::progress::step("loudness");
        crate::util::progress::add(catalog.episodes.len());
        for ep in &catalog.episodes {
            crate::util::progress::advance(1);
            let loudness = measured.entry(&ep.audio.blake3).or_insert_with(|| {
                // The probe of the load read this file: a failure here is reported there.
                crate::media::loudness_cached(&ep.audio_path, &ep.audio.blake3, Some(&cache)).map_err(drop)
            });
            let Ok(loudness) = loudness else { continue };
            let rel = ep.audio_path.strip_prefix(self.root()).unwrap_or(&ep.audio_path);
            for w in loudness.warnings(targets, &rel.display().to_string()) {
                warnings.push(Problem::warning(rel, Position::File, w));
            }
        }
    }
}
