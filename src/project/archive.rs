//! The archive's operations. `retract`: an episode taken out of every output (feed, pages, transcripts, index, media) for
//! good, its sources deleted unless kept, the ledger keeping its record (GUID, slug, title,
//! dates, hashes, reason); `archive log`, an episode's history as the ledger tells it; and
//! `archive verify`, the ledger checked against the sources, www and git's history of it.
//!
//! The order is `publish`'s: the generation without the episode is staged first, then the entry
//! appended, then the generation installed, the episode's files purged from older generations and
//! previews, then the sources deleted. A crash before the ledger leaves everything as it was;
//! after, the next build catches the outputs up (and the two after it have deleted the older
//! generations), and sources left behind are those of a retracted episode (as with
//! `--keep-sources`), which every output leaves out.

use std::path::{Path, PathBuf};

use crate::archive::bag::BagError;

use super::{History, Identity, Project, PublishError};
use crate::catalog::ledger::{Action, Entry, Ledger};
use crate::catalog::{AUDIO_EXTENSIONS, Catalog, Episode};
use crate::generate::{self, BuildLock, Report};
use crate::util::IoContext;
use crate::util::hash::sha256_file;

/// What `retract` did.
#[derive(Debug)]
pub struct Retracted {
    /// The retraction's entry (an earlier one when `recorded` is false).
    pub entry: Entry,
    /// Whether the entry was appended now; false when the episode was retracted before and
    /// only its sources were deleted now.
    pub recorded: bool,
    pub build: Report,
    /// The sources deleted (relative to the root); empty with `keep_sources`.
    pub deleted: Vec<PathBuf>,
    pub history: History,
}

impl Project {
    /// Retracts a published (or scheduled) episode with its reason. Run again on an episode
    /// retracted with its sources kept (or killed while it deleted them), it deletes them.
    pub fn retract(
        &self,
        slug: &str,
        reason: &str,
        keep_sources: bool,
        by: Option<&Identity>,
    ) -> Result<Retracted, PublishError> {
        let _lock = BuildLock::acquire(self.root()).map_err(PublishError::Generate)?;
        let mut catalog = self.load()?;
        let now = self.now();
        let (entry, recorded) = match crate::archive::retract_entry(&catalog, slug, reason, now) {
            Ok(entry) => (entry, true),
            Err(PublishError::Retracted { .. }) if !keep_sources => {
                let last = catalog.ledger.entries.iter().rev().find(|e| e.slug == slug && e.action == Action::Retract);
                (last.cloned().ok_or(PublishError::Retracted { slug: slug.to_owned() })?, false)
            }
            Err(e) => return Err(e),
        };
        let sources = self.sources_of(&catalog, &entry)?;
        if !recorded && sources.is_empty() {
            return Err(PublishError::Retracted { slug: slug.to_owned() });
        }
        if recorded {
            let mut all = catalog.ledger.entries.clone();
            all.push(entry.clone());
            catalog.set_ledger(Ledger::from_entries(all));
        }
        let options = generate::Options { now, ..self.generate_options(&super::BuildOptions::default(), false) };
        let staged = generate::stage(self.root(), &catalog, &options)?;
        crate::util::crash_point("retract:staged");
        if recorded {
            crate::archive::append(self.root(), std::slice::from_ref(&entry))?;
        }
        crate::util::crash_point("retract:ledger");
        let build = staged.install()?;
        // The generation before (kept for a server that has not switched yet) and the previews
        // still hold the episode's files: nothing of it stays under build/.
        generate::purge(self.root(), &build.removed)?;
        self.release(catalog);
        let mut deleted = Vec::new();
        if !keep_sources {
            for file in sources {
                let path = self.root().join(&file);
                match std::fs::remove_file(&path) {
                    Ok(()) => deleted.push(file),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(crate::util::IoError::new(&path, e).into()),
                }
                crate::util::crash_point("retract:deleting");
            }
        }
        let mut files = if recorded { vec![PathBuf::from(crate::catalog::ledger::LEDGER_PATH)] } else { Vec::new() };
        files.extend(deleted.iter().cloned());
        let what = if recorded { "Retract" } else { "Delete the sources of retracted" };
        let history = self.commit(&files, &format!("{what} {slug}: {}", entry.reason), by);
        Ok(Retracted { entry, recorded, build, deleted, history })
    }

    /// The sources of the episode `entry` retracts, relative to the root, its .md before its
    /// audio: killed after the one and before the other, a retraction run again finds the audio
    /// left by its SHA-256 (which the ledger has) among the audio files no episode names. Files
    /// another episode uses too (a shared cover) are not its own.
    fn sources_of(&self, catalog: &Catalog, entry: &Entry) -> Result<Vec<PathBuf>, PublishError> {
        let mut sources = Vec::new();
        let (mine, others): (Vec<&Episode>, Vec<&Episode>) =
            catalog.episodes.iter().partition(|e| e.guid == entry.guid);
        let used = |path: &PathBuf| {
            others.iter().any(|e| {
                e.audio_path == *path
                    || e.image.as_ref().is_some_and(|(i, _)| i == path)
                    || e.transcript.as_ref().is_some_and(|t| t.path == *path)
            })
        };
        if let Some(ep) = mine.first() {
            sources.extend(ep.transcript.iter().map(|t| t.path.clone()));
            sources.extend(ep.image.iter().map(|(image, _)| image.clone()));
            // The recording holds the same voices; one outside the show is not the show's to
            // delete. Before the .md, which alone names it.
            sources.extend(ep.recording.iter().filter(|r| r.starts_with(self.root()) && r.is_file()).cloned());
            sources.push(self.root().join(&ep.source));
            sources.push(ep.audio_path.clone());
            sources.extend(ep.light.iter().map(|l| l.path.clone()));
        } else {
            let episodes = self.root().join("episodes");
            let listed = std::fs::read_dir(&episodes).at(&episodes)?;
            for file in listed.filter_map(Result::ok).map(|e| e.path()) {
                let audio =
                    file.extension().is_some_and(|x| AUDIO_EXTENSIONS.iter().any(|a| x.eq_ignore_ascii_case(a)));
                if !audio || used(&file) {
                    continue;
                }
                let sha256 = sha256_file(&file).at(&file)?;
                if sha256 == entry.media_sha256 || entry.renditions.iter().any(|r| r.sha256 == sha256) {
                    sources.push(file);
                }
            }
        }
        Ok(sources.into_iter().filter(|s| !used(s)).map(|s| self.relative(&s).to_path_buf()).collect())
    }

    /// Checks what the ledger guards against the sources, `build/current/www` and, in a git
    /// repository, the ledger's own history ([`crate::archive::verify`]).
    pub fn archive_verify(&self) -> Result<crate::archive::verify::Report, crate::problem::Problems> {
        let ledger = Ledger::load(self.root())?;
        let mut report = crate::archive::verify::verify(self.root(), &ledger, self.now());
        let by_line = |line: usize| ledger.entries.iter().rev().find(|e| e.line <= line);
        for rewrite in self.ledger_rewrites() {
            let slug = by_line(rewrite.line).map(|e| e.slug.clone()).unwrap_or_default();
            report.findings.insert(
                0,
                crate::archive::verify::Finding {
                    path: crate::catalog::ledger::LEDGER_PATH.into(),
                    slug,
                    line: rewrite.line,
                    what: crate::archive::verify::Found::LedgerRewritten { commit: rewrite.commit, old: rewrite.old },
                },
            );
        }
        Ok(report)
    }

    /// Builds, then writes the show's archive bag (BagIt 1.0) to `out`, a new directory
    /// ([`crate::archive::bag`]).
    pub fn archive_export(&self, out: &Path) -> Result<crate::archive::bag::Exported, BagError> {
        self.build(&super::BuildOptions::default())?;
        // Held while the files are copied: no build replaces the generation meanwhile.
        let _lock = BuildLock::acquire(self.root())?;
        let catalog = self.load().map_err(generate::GenerateError::from)?;
        let current =
            generate::current_generation(self.root()).ok_or_else(|| BagError::NoBuild(self.root().join("build")))?;
        let exported = crate::archive::bag::export(self.root(), &catalog, &current.www(), out, self.now());
        self.release(catalog);
        exported
    }

    /// Checks the bag at `bag` whole, then makes `dir` (a new directory) a working project of its
    /// sources; `veillee build` there makes the bag's feed and media again, byte for byte.
    pub fn archive_restore(bag: &Path, dir: &Path) -> Result<crate::archive::bag::Restored, BagError> {
        crate::archive::bag::restore(bag, dir)
    }

    /// The ledger's entries, oldest first: every one, or those of the episode that has (or had)
    /// `slug`, under all its slugs.
    pub fn archive_log(&self, slug: Option<&str>) -> Result<Vec<Entry>, crate::problem::Problems> {
        let ledger = Ledger::load(self.root())?;
        let Some(slug) = slug else { return Ok(ledger.entries) };
        let guids: Vec<&str> = ledger.entries.iter().filter(|e| e.slug == slug).map(|e| e.guid.as_str()).collect();
        Ok(ledger.entries.iter().filter(|e| guids.contains(&e.guid.as_str())).cloned().collect())
    }
}

/// One line of `archive log`.
pub fn log_line(e: &Entry) -> String {
    let mut line =
        format!("{}  {:<11} {}  {}", e.recorded_at.strftime("%Y-%m-%d %H:%M UTC"), e.action.as_str(), e.slug, e.guid);
    if !e.title.is_empty() {
        line.push_str(&format!("  « {} »", e.title));
    }
    if !e.media_name.is_empty() {
        line.push_str(&format!("\n    media {} ({} bytes, sha256 {})", e.media_name, e.media_length, e.media_sha256));
    }
    line.push_str(&format!("\n    reason: {}", e.reason));
    line
}
