//! Orchestration: load the catalog, render every output, and write them as a new build
//! generation (ARCHITECTURE.md, points 4 and 5).
//!
//! A build takes `build/.lock`, writes `build/gen-tmp-<pid>/www/`, renames it `build/gen-N/`
//! when complete, then swaps the `build/current` symlink atomically. Outputs identical to the
//! previous generation's are hard links to them (same inode, mtime and ETag); new content is
//! always a new file. A build that changes nothing makes no generation. A failed or killed build
//! leaves `build/current` as it was; its leftover `gen-tmp-*` is removed by the next build.

mod generation;
mod plan;

use std::fmt;
use std::path::{Path, PathBuf};

use crate::catalog::{Catalog, Episode, LoadOptions, SourceError, Status};
use crate::feed;
use crate::problem::{Position, Problem, Problems};
use crate::site::TemplateError;
use crate::transcript::{self, OutFormat};
use crate::urls::Urls;

pub use generation::{BuildLock, Generation, Manifest, current_generation, previous_manifest};
pub use plan::{Output, Rendered, feed_only, render};

/// How to build.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// Overrides channel.toml's `base_url` in the feed and pages (never in bytes the ledger hashes).
    pub base_url: Option<String>,
    /// The time the build happens at: decides which episodes are out.
    pub now: jiff::Timestamp,
    /// Include drafts and scheduled episodes (the preview of `serve --drafts`).
    pub drafts: bool,
}

/// Why a build failed.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Problems(#[from] Problems),
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("template {0}")]
    Template(#[from] TemplateError),
    #[error("invalid --base-url `{0}`: give an http:// or https:// address")]
    BaseUrl(String),
}

impl BuildError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        BuildError::Io { path: path.display().to_string(), source }
    }
}

/// One output file, in memory or copied from a source file.
#[derive(Debug, Clone)]
pub enum Content {
    Bytes(Vec<u8>),
    /// A source file copied as it is, with its known BLAKE3 (hex) if there is one.
    File {
        path: PathBuf,
        blake3: Option<String>,
    },
    /// Kept from the previous generation if it is there, else left out: the media of earlier
    /// versions, whose bytes no source holds any more, stay for clients mid-download.
    Inherited,
    /// Made from the same inputs as the previous generation's file: not rendered again.
    Unchanged,
}

/// What a build did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
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
    pub episodes: usize,
    pub warnings: Vec<String>,
    /// When the next scheduled episode comes out (a build is needed then).
    pub next_scheduled: Option<jiff::Timestamp>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for w in &self.warnings {
            writeln!(f, "{w}")?;
        }
        match &self.generation {
            Some(generation) => writeln!(
                f,
                "built build/{generation}: {} episodes; {} re-probed, {} re-indexed, {} re-rendered, {} re-written, {} unchanged, {} removed",
                self.episodes,
                self.reprobed.len(),
                self.reindexed.len(),
                self.rendered.len(),
                self.written.len(),
                self.unchanged,
                self.removed.len()
            )?,
            None => {
                writeln!(f, "nothing changed: build/current is still {} ({} episodes)", self.current, self.episodes)?
            }
        }
        for slug in &self.reprobed {
            writeln!(f, "  re-probed    {slug}")?;
        }
        // Only a generation's lists are news: with no generation nothing was written.
        if self.generation.is_some() {
            for slug in &self.reindexed {
                writeln!(f, "  re-indexed   {slug}")?;
            }
            for path in &self.rendered {
                writeln!(f, "  re-rendered  {path}")?;
            }
            for path in &self.written {
                writeln!(f, "  re-written   {path}")?;
            }
            for path in &self.removed {
                writeln!(f, "  removed      {path}")?;
            }
        }
        Ok(())
    }
}

/// Loads, renders and writes a new generation.
pub fn build(root: &Path, options: &BuildOptions) -> Result<Report, BuildError> {
    let _lock = BuildLock::acquire(root)?;
    build_locked(root, options)
}

/// [`build`] for a process that ends right after it (the `build` command): the catalog is not
/// freed piece by piece, which costs a tenth of an unchanged build of 10,000 episodes.
pub fn build_and_exit(root: &Path, options: &BuildOptions) -> Result<Report, BuildError> {
    let _lock = BuildLock::acquire(root)?;
    let catalog = Catalog::load(root, &LoadOptions::for_root(root))?;
    let report = build_catalog(root, &catalog, options);
    std::mem::forget(catalog);
    report
}

/// [`build`] for a caller that already holds the build lock.
pub fn build_locked(root: &Path, options: &BuildOptions) -> Result<Report, BuildError> {
    let catalog = Catalog::load(root, &LoadOptions::for_root(root))?;
    build_catalog(root, &catalog, options)
}

fn build_catalog(root: &Path, catalog: &Catalog, options: &BuildOptions) -> Result<Report, BuildError> {
    let previous = previous_manifest(root);
    let rendered = render(catalog, options, previous.as_ref())?;
    let episodes = catalog.visible(options.now).count();
    let mut report = write_generation(root, rendered)?;
    report.reprobed = catalog.reprobed.clone();
    report.episodes = episodes;
    report.next_scheduled =
        catalog.episodes.iter().filter(|e| e.status(options.now) == Status::Scheduled).map(Episode::pub_date).min();
    report.warnings = catalog.warnings.0.iter().map(ToString::to_string).collect();
    Ok(report)
}

/// Writes rendered outputs as a new generation (the caller holds the build lock).
pub fn write_generation(root: &Path, rendered: Rendered) -> Result<Report, BuildError> {
    let mut report = generation::write(root, rendered.outputs, rendered.index)?;
    report.rendered = rendered.rendered;
    Ok(report)
}

/// `<slug>.<hash8>.<ext>`: the name an episode's media gets when it is published (content
/// addressed, so a URL never changes meaning).
pub fn media_name(ep: &Episode) -> String {
    format!("{}.{}.{}", ep.slug, &ep.audio.blake3[..8], ep.audio.extension)
}

/// The published WebVTT: written anew rather than copied, speaker labels become names, text is
/// escaped.
pub fn transcript_bytes(ep: &Episode) -> Option<Vec<u8>> {
    let t = ep.transcript.as_ref()?;
    Some(crate::transcript::write_vtt(t, &ep.speakers).into_bytes())
}

/// A published transcript in one format; speaker labels become names.
pub fn transcript_output(catalog: &Catalog, ep: &Episode, urls: &Urls, format: OutFormat) -> Option<Vec<u8>> {
    let t = ep.transcript.as_ref()?;
    let name = &ep.speakers;
    Some(
        match format {
            OutFormat::Vtt => transcript::write_vtt(t, name),
            OutFormat::Srt => transcript::write_srt(t, name),
            OutFormat::Json => transcript::write_json(t, name),
            OutFormat::Html => {
                let page = urls.episode(&ep.slug);
                let context =
                    transcript::HtmlContext { title: &ep.title, page: &page, language: &catalog.channel.language };
                transcript::write_html(t, &context, name)
            }
        }
        .into_bytes(),
    )
}

/// The JSON chapters, with channel.toml's address: the ledger records these bytes.
pub fn chapters_bytes(catalog: &Catalog, ep: &Episode) -> Option<Vec<u8>> {
    if ep.chapters.is_empty() {
        return None;
    }
    let canonical = Urls::new(&catalog.channel.base_url, &catalog.channel.media_base_url);
    let mut json = serde_json::to_vec_pretty(&feed::chapters_json(catalog, ep, &canonical)).ok()?;
    json.push(b'\n');
    Some(json)
}

/// A published episode's media must be the bytes the ledger recorded: a change is recorded on
/// purpose (`publish --new-version`), never slipped in by a build.
pub fn check_published_media(catalog: &Catalog) -> Result<(), BuildError> {
    let mut problems = Problems::default();
    for ep in &catalog.episodes {
        let Some(p) = ep.published.as_ref().filter(|p| !p.retracted) else { continue };
        if ep.audio_sha256 != p.current.media_sha256 {
            let audio = ep.audio_path.strip_prefix(&catalog.root).unwrap_or(&ep.audio_path);
            let what = format!(
                "its audio {} has SHA-256 {}…, the version published on {} has {}…",
                audio.display(),
                &ep.audio_sha256[..12],
                p.current.recorded_at.strftime("%Y-%m-%d"),
                &p.current.media_sha256[..p.current.media_sha256.len().min(12)]
            );
            problems.push(Problem::error(
                &ep.source,
                Position::File,
                SourceError::PublishedMediaChanged { slug: ep.slug.clone(), what },
            ));
        }
    }
    if problems.has_errors() { Err(BuildError::Problems(problems)) } else { Ok(()) }
}

/// Builds every episode, drafts and scheduled ones included, into `build/preview/www` (never a
/// generation: nothing there can be deployed by mistake). Returns that directory.
pub fn preview(root: &Path, options: &BuildOptions) -> Result<PathBuf, BuildError> {
    let _lock = BuildLock::acquire(root)?;
    let catalog = Catalog::load(root, &LoadOptions::for_root(root))?;
    let rendered = render(&catalog, &BuildOptions { drafts: true, ..options.clone() }, None)?;
    generation::write_preview(root, rendered.outputs, rendered.index)
}
