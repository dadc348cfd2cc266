//! The build stage: render every output of a catalog and write them as a new build generation
//! (docs/ARCHITECTURE.md, points 4 and 5).
//!
//! A build (the caller holds `build/.lock`) writes `build/gen-tmp-<pid>/www/` (the generation
//! before the current one, taken over and updated, or a new tree), renames it `build/gen-N/` when
//! complete, then swaps the `build/current` symlink atomically. Outputs identical to the previous
//! generation's are hard links to them (same inode, mtime and ETag); new content is always a new
//! file. A build that changes nothing makes no generation. A failed
//! or killed build leaves `build/current` as it was; its leftover `gen-tmp-*` is removed by the
//! next build. A preview is written whole, from scratch, into `build/preview-N/` behind the
//! `build/preview` link: never `current`, never the ledger.

mod feed_items;
mod generation;
mod plan;

use std::fmt;
use std::path::{Path, PathBuf};

use crate::catalog::{Catalog, Drafts, Episode, Status};
use crate::feed;
use crate::problem::Problems;
use crate::search::IndexError;
use crate::site::TemplateError;
use crate::transcript::{self, OutFormat};
use crate::util::IoError;
use crate::util::urls::Urls;

pub(crate) use generation::{
    BuildLock, Generation, Slot, Staged, current_generation, preview_generation, previous_manifest, purge, stage_name,
    unlink_preview,
};

pub(crate) use plan::{feed_only, render};

/// How to build.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    /// Overrides channel.toml's `base_url` in the feed and pages (never in bytes the ledger hashes).
    pub base_url: Option<String>,
    /// The time the build happens at: decides which episodes are out.
    pub now: jiff::Timestamp,
    /// Include drafts and scheduled episodes (a preview's choice).
    pub drafts: bool,
    /// A preview: the media are served where the pages are, whatever `media_base_url` says.
    pub preview: bool,
    /// Where the feed's items are kept between runs (`None`: every item rendered).
    pub feed_cache: Option<PathBuf>,
    /// `.veillee/cache`: where the cover made for MP3 tags (`tag-cover/`) and the SRI hashes of
    /// tagged light versions (`sri/`) are kept (`None`: made at every build).
    pub cache: Option<PathBuf>,
    /// Where tagged M4A copies are made while planning (`build/stage-<pid>`), removed after.
    pub stage_dir: Option<PathBuf>,
}

/// Why a build failed.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    /// The sources have errors: nothing was written.
    #[error(transparent)]
    Problems(#[from] Problems),
    #[error(transparent)]
    Io(#[from] IoError),
    #[error("template {0}")]
    Template(#[from] TemplateError),
    #[error("{}: cannot tag the published copy: {reason}", .path.display())]
    Tag { path: PathBuf, reason: String },
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error("invalid --base-url `{0}`: give the http:// or https:// address of a host's root (no path)")]
    BaseUrl(String),
    #[error("{}: the file changed during the build; build again", .0.display())]
    SourceChanged(PathBuf),
    /// A state the build never makes (a bug, or a generation edited by hand).
    #[error("the previous generation is inconsistent: {0} — delete build/ and build again")]
    Invariant(String),
}

/// One output file: to render, copied from a source file, or kept from the previous generation.
#[derive(Debug, Clone)]
pub(crate) enum Content {
    /// Rendered when it is written: the number [`plan::Renderer::job`] takes.
    Pending(usize),
    /// A published MP3 with our tag, written when its turn comes: the number
    /// [`plan::Renderer::tagged`] takes.
    Tagged(usize),
    /// A source file copied as it is, with its known BLAKE3 (hex) if there is one.
    File { path: PathBuf, blake3: Option<String> },
    /// A tagged copy made while planning, linked into the generation.
    Staged(plan::StagedFile),
    /// Kept from the previous generation if it is there, else left out: the media of earlier
    /// versions, whose bytes no source holds any more, stay for clients mid-download.
    Inherited,
    /// Made from the same inputs as the previous generation's file: not rendered again.
    Unchanged,
}

/// What a build did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    /// `gen-N`, or `None` when nothing changed and no generation was made.
    pub generation: Option<String>,
    /// The generation that is current after the build.
    pub current: String,
    /// Episodes whose audio was probed anew.
    pub reprobed: Vec<String>,
    /// Episodes indexed anew (by slug).
    pub reindexed: Vec<String>,
    /// Outputs rendered anew because an input changed (paths under www).
    pub rendered: Vec<String>,
    /// Outputs written anew because their bytes changed (paths under www).
    pub written: Vec<String>,
    /// Outputs that did not change (hard links to the previous generation).
    pub unchanged: usize,
    /// Outputs of the previous generation that are gone.
    pub removed: Vec<String>,
    /// The first generation: everything is new, so the report lists nothing by name.
    pub first: bool,
    /// Episodes in the outputs.
    pub episodes: usize,
    /// Problems of the sources that did not stop the build.
    pub warnings: Problems,
    /// When the next scheduled episode comes out (a build is needed then).
    pub next_scheduled: Option<jiff::Timestamp>,
    /// A preview (`build/preview-N/`), not a generation of `build/current`.
    pub preview: bool,
    /// Episodes left out because they were never published (not in a preview with drafts).
    pub drafts: Drafts,
    /// How long each step took (load, render, write, index, sync), in order.
    pub steps: Vec<(&'static str, std::time::Duration)>,
    /// Passages that name a method in episodes not linked to it (method slug, passage), found
    /// when the method pages were rendered: suggestions for staff.
    pub suggestions: Vec<(String, crate::search::Mention)>,
}

/// A build shorter than this does not say which steps were slowest.
const TIMED: std::time::Duration = std::time::Duration::from_secs(1);

impl Report {
    /// What the catalog adds to a report: probes, warnings, the next scheduled date.
    fn describe(&mut self, catalog: &Catalog, options: &Options) {
        let now = options.now;
        if !options.drafts {
            self.drafts = catalog.drafts();
        }
        self.reprobed.clone_from(&catalog.reprobed);
        self.next_scheduled =
            catalog.episodes.iter().filter(|e| e.status(now) == Status::Scheduled).map(Episode::pub_date).min();
        self.warnings = catalog.warnings.clone();
    }
}

impl Report {
    /// `  slowest steps: render 2.1 s, index 1.3 s, load 0.4 s`, for a build of a second or more.
    fn slowest(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let total: std::time::Duration = self.steps.iter().map(|(_, d)| *d).sum();
        if total < TIMED || hide_timings() {
            return Ok(());
        }
        let mut steps = self.steps.clone();
        steps.sort_by_key(|s| std::cmp::Reverse(s.1));
        let list: Vec<String> =
            steps.iter().take(3).map(|(name, d)| format!("{name} {:.1} s", d.as_secs_f64())).collect();
        writeln!(f, "  slowest steps: {}", list.join(", "))
    }
}

/// Test hook: `VEILLEE_TEST_NO_TIMINGS` keeps durations out of reports that tests compare.
fn hide_timings() -> bool {
    std::env::var_os("VEILLEE_TEST_NO_TIMINGS").is_some()
}

/// The names a report lists of each kind by default; `--verbose` lists them all.
const LISTED: usize = 10;

impl Report {
    /// The report with every name it has (`build --verbose`), not the first few of each kind.
    pub fn verbose(&self) -> impl fmt::Display + '_ {
        Listing { report: self, limit: usize::MAX }
    }

    /// Its first lines only: what a server starting prints before its address.
    pub fn summary(&self) -> impl fmt::Display + '_ {
        Listing { report: self, limit: 0 }
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Listing { report: self, limit: LISTED }.fmt(f)
    }
}

/// A report listing at most `limit` names of each kind.
struct Listing<'a> {
    report: &'a Report,
    limit: usize,
}

impl fmt::Display for Listing<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = self.report;
        for w in &r.warnings.0 {
            writeln!(f, "{w}")?;
        }
        let drafts = |f: &mut fmt::Formatter<'_>| {
            if r.drafts.0.is_empty() { Ok(()) } else { writeln!(f, "{}", r.drafts) }
        };
        if r.preview {
            writeln!(f, "built the preview build/{}: {} episodes", r.current, r.episodes)?;
            return drafts(f);
        }
        match &r.generation {
            Some(generation) => writeln!(
                f,
                "built build/{generation}: {} episodes; {} re-probed, {} re-indexed, {} re-rendered, {} re-written, {} unchanged, {} removed",
                r.episodes,
                r.reprobed.len(),
                r.reindexed.len(),
                r.rendered.len(),
                r.written.len(),
                r.unchanged,
                r.removed.len()
            )?,
            None => {
                writeln!(f, "nothing changed: build/current is still {} ({} episodes)", r.current, r.episodes)?;
            }
        }
        drafts(f)?;
        r.suggested(f, self.limit)?;
        // The lists are news only for a build that changed a generation: the first one would
        // name every output, burying what follows (a server's address).
        if r.first {
            return r.slowest(f);
        }
        let mut hidden = 0;
        let mut list = |f: &mut fmt::Formatter<'_>, what: &str, names: &[String]| -> fmt::Result {
            for name in names.iter().take(self.limit) {
                writeln!(f, "  {what:<12} {name}")?;
            }
            hidden += names.len().saturating_sub(self.limit);
            Ok(())
        };
        list(f, "re-probed", &r.reprobed)?;
        // With no new generation nothing was written.
        if r.generation.is_some() {
            list(f, "re-indexed", &r.reindexed)?;
            list(f, "re-rendered", &r.rendered)?;
            list(f, "re-written", &r.written)?;
            list(f, "removed", &r.removed)?;
        }
        if hidden > 0 && self.limit > 0 {
            writeln!(f, "  … and {hidden} more (`veillee build --verbose` lists them all)")?;
        }
        r.slowest(f)
    }
}

impl Report {
    /// The passages that name a method in episodes not linked to it, at most `limit` (none in
    /// a summary).
    fn suggested(&self, f: &mut fmt::Formatter<'_>, limit: usize) -> fmt::Result {
        let shown = limit.min(self.suggestions.len());
        for (method, x) in self.suggestions.iter().take(shown) {
            writeln!(f, "  suggestion   {}", x.unlinked(method, ""))?;
        }
        if self.suggestions.len() > shown && limit > 0 {
            writeln!(
                f,
                "  … and {} more suggestions (`veillee build --verbose` lists them all)",
                self.suggestions.len() - shown
            )?;
        }
        Ok(())
    }
}

/// Renders `catalog` and writes a new generation if an output changed (the caller holds the
/// build lock).
pub(crate) fn build(root: &Path, catalog: &Catalog, options: &Options) -> Result<Report, GenerateError> {
    let mut report = stage(root, catalog, options)?.install()?;
    report.describe(catalog, options);
    Ok(report)
}

/// Renders `catalog` and writes the generation that [`Staged::install`] makes current, if an
/// output changed (the caller holds the build lock).
pub(crate) fn stage(root: &Path, catalog: &Catalog, options: &Options) -> Result<Staged, GenerateError> {
    let previous = generation::previous_manifest(root);
    let step = crate::util::progress::step("render");
    render(catalog, options, previous.as_ref(), |rendered, renderer| generation::stage(root, rendered, renderer, step))
}

/// Writes the pages of `catalog` alone into `out` (see `Project::bench_pages`).
#[cfg(feature = "bench")]
pub(crate) fn pages_only(out: &Path, catalog: &Catalog, options: &Options) -> Result<usize, GenerateError> {
    render(catalog, options, None, |rendered, renderer| generation::write_pages(out, &rendered, renderer))
}

/// Renders everything `options` shows into a new `build/preview-N/` from scratch (never a
/// generation of `current`: nothing there can be deployed by mistake; the caller holds the build
/// lock).
pub(crate) fn preview(root: &Path, catalog: &Catalog, options: &Options) -> Result<Report, GenerateError> {
    let (name, episodes) = render(catalog, options, None, |rendered, renderer| {
        let episodes = rendered.episodes;
        Ok((generation::write_preview(root, rendered, renderer)?, episodes))
    })?;
    let mut report =
        Report { episodes, preview: true, generation: Some(name.clone()), current: name, ..Report::default() };
    report.describe(catalog, options);
    Ok(report)
}

/// `<slug>.<hash8>.<ext>`: the name an episode's media gets when it is published (content
/// addressed, so a URL never changes meaning).
pub(crate) fn media_name(ep: &Episode) -> String {
    format!("{}.{}.{}", ep.slug, &ep.audio.blake3[..8], ep.audio.extension)
}

/// The name under /media/ of the light version `light` of `ep`, as [`media_name`].
pub(crate) fn light_media_name(ep: &Episode, light: &crate::catalog::Light) -> String {
    format!("{}.{}.light.mp3", ep.slug, &light.audio.blake3[..8])
}

/// The published WebVTT: written anew rather than copied, speaker labels become names, text is
/// escaped.
pub(crate) fn transcript_bytes(ep: &Episode) -> Option<Vec<u8>> {
    let t = ep.cues()?;
    Some(crate::transcript::write_vtt(t, &ep.speakers).into_bytes())
}

/// A published transcript in a text format (the HTML one is a page of the site); speaker labels
/// become names.
pub(crate) fn transcript_output(ep: &Episode, format: OutFormat) -> Option<Vec<u8>> {
    let t = ep.cues()?;
    let name = &ep.speakers;
    let text = match format {
        OutFormat::Vtt => transcript::write_vtt(t, name),
        OutFormat::Srt => transcript::write_srt(t, name),
        OutFormat::Json => transcript::write_json(t, name),
        OutFormat::Html => return None,
    };
    Some(text.into_bytes())
}

/// The JSON chapters, with channel.toml's address: the ledger records these bytes.
pub(crate) fn chapters_bytes(catalog: &Catalog, ep: &Episode) -> Option<Vec<u8>> {
    if ep.chapters.is_empty() {
        return None;
    }
    let canonical = Urls::new(&catalog.channel.base_url, &catalog.channel.media_base_url);
    let mut json = serde_json::to_vec_pretty(&feed::chapters_json(catalog, ep, &canonical)).ok()?;
    json.push(b'\n');
    Some(json)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::Report;

    #[test]
    fn a_build_of_a_second_or_more_names_its_slowest_steps() {
        let ms = Duration::from_millis;
        let mut report = Report {
            generation: Some("gen-2".into()),
            current: "gen-2".into(),
            episodes: 3,
            steps: vec![("load", ms(420)), ("render", ms(2140)), ("write", ms(160)), ("index", ms(1290))],
            ..Report::default()
        };
        let text = report.to_string();
        assert!(text.ends_with("\n  slowest steps: render 2.1 s, index 1.3 s, load 0.4 s\n"), "{text}");
        report.steps = vec![("load", ms(300)), ("render", ms(500))];
        assert!(!report.to_string().contains("slowest"), "under a second");
    }
}
