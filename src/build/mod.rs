//! Orchestration: load the catalog, render every output, and write them as a new build
//! generation (ARCHITECTURE.md, points 4 and 5).
//!
//! A build takes `build/.lock`, writes `build/gen-tmp-<pid>/www/`, renames it `build/gen-N/`
//! when complete, then swaps the `build/current` symlink atomically. Outputs identical to the
//! previous generation's are hard links to them (same inode, mtime and ETag); new content is
//! always a new file. A build that changes nothing makes no generation. A failed or killed build
//! leaves `build/current` as it was; its leftover `gen-tmp-*` is removed by the next build.

mod generation;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::catalog::{Catalog, Episode, LoadOptions, SourceError, Status};
use crate::feed::{self, FeedInput, Item};
use crate::problem::{Position, Problem, Problems};
use crate::site::{self, SiteInput, TemplateError};
use crate::urls::Urls;

pub use generation::{BuildLock, Generation, current_generation};

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
}

/// What a build did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// `gen-N`, or `None` when nothing changed and no generation was made.
    pub generation: Option<String>,
    /// The generation that is current after the build.
    pub current: String,
    /// Outputs written anew (paths under www).
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
                "built build/{generation}: {} episodes, {} files written, {} unchanged, {} removed",
                self.episodes,
                self.written.len(),
                self.unchanged,
                self.removed.len()
            )?,
            None => {
                writeln!(f, "nothing changed: build/current is still {} ({} episodes)", self.current, self.episodes)?
            }
        }
        for path in &self.written {
            writeln!(f, "  written  {path}")?;
        }
        for path in &self.removed {
            writeln!(f, "  removed  {path}")?;
        }
        Ok(())
    }
}

/// Loads, renders and writes a new generation.
pub fn build(root: &Path, options: &BuildOptions) -> Result<Report, BuildError> {
    let _lock = BuildLock::acquire(root)?;
    build_locked(root, options)
}

/// [`build`] for a caller that already holds the build lock.
pub fn build_locked(root: &Path, options: &BuildOptions) -> Result<Report, BuildError> {
    let catalog = Catalog::load(root, &LoadOptions::for_root(root))?;
    let outputs = render(&catalog, options)?;
    let episodes = catalog.visible(options.now).count();
    let mut report = generation::write(root, outputs)?;
    report.episodes = episodes;
    report.next_scheduled =
        catalog.episodes.iter().filter(|e| e.status(options.now) == Status::Scheduled).map(Episode::pub_date).min();
    report.warnings = catalog.warnings.0.iter().map(ToString::to_string).collect();
    Ok(report)
}

/// Writes rendered outputs as a new generation (the caller holds the build lock).
pub fn write_generation(root: &Path, outputs: BTreeMap<String, Content>) -> Result<Report, BuildError> {
    generation::write(root, outputs)
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
    Some(crate::transcript::write_vtt(t, |label| ep.speaker_name(label)).into_bytes())
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

/// Old page path → current page path, for every renamed published episode.
fn redirects(items: &[Item<'_>]) -> BTreeMap<String, String> {
    let current: Vec<&str> = items.iter().map(|i| i.episode.slug.as_str()).collect();
    let mut map = BTreeMap::new();
    for item in items {
        for old in item.episode.published.iter().flat_map(|p| &p.old_slugs) {
            if !current.contains(&old.as_str()) {
                map.insert(crate::urls::episode_path(old), crate::urls::episode_path(&item.episode.slug));
            }
        }
    }
    map
}

/// Builds every episode, drafts and scheduled ones included, into `build/preview/www` (never a
/// generation: nothing there can be deployed by mistake). Returns that directory.
pub fn preview(root: &Path, options: &BuildOptions) -> Result<PathBuf, BuildError> {
    let _lock = BuildLock::acquire(root)?;
    let catalog = Catalog::load(root, &LoadOptions::for_root(root))?;
    let outputs = render(&catalog, &BuildOptions { drafts: true, ..options.clone() })?;
    generation::write_preview(root, outputs)
}

/// Every output of a build, by path under www.
pub fn render(catalog: &Catalog, options: &BuildOptions) -> Result<BTreeMap<String, Content>, BuildError> {
    let ch = &catalog.channel;
    let urls = match &options.base_url {
        Some(base) => {
            let base = base.trim_end_matches('/');
            if !(base.starts_with("https://") || base.starts_with("http://"))
                || crate::catalog::url_host(base).is_none()
            {
                return Err(BuildError::BaseUrl(base.to_owned()));
            }
            // A media CDN stays; media served by the site itself follow the site.
            let media = if ch.media_base_url == ch.base_url { base } else { ch.media_base_url.as_str() };
            Urls::new(base, media)
        }
        None => Urls::new(&ch.base_url, &ch.media_base_url),
    };
    let mut out = BTreeMap::new();
    let cover_name = format!("cover.{}.{}", ch.cover.hash8, ch.cover.format.extension());
    out.insert(format!("images/{cover_name}"), Content::File { path: ch.cover_path.clone(), blake3: None });

    check_published_media(catalog)?;
    let mut items = Vec::new();
    let shown = catalog.episodes.iter().filter(|e| match e.status(options.now) {
        Status::Published => true,
        Status::Draft | Status::Scheduled => options.drafts,
        Status::Retracted => false,
    });
    for ep in shown {
        for old in catalog.ledger.entries.iter().filter(|e| e.guid == ep.guid && !e.media_name.is_empty()) {
            out.entry(format!("media/{}", old.media_name)).or_insert(Content::Inherited);
        }
        // A published episode keeps the media name of its ledger entry, even after a rename.
        let media_name = match &ep.published {
            Some(p) => p.current.media_name.clone(),
            None => media_name(ep),
        };
        out.insert(
            format!("media/{media_name}"),
            Content::File { path: ep.audio_path.clone(), blake3: Some(ep.audio.blake3.clone()) },
        );
        let image_name = ep.image.as_ref().map(|(path, cover)| {
            let name = format!("{}.{}.{}", ep.slug, cover.hash8, cover.format.extension());
            out.insert(format!("images/{name}"), Content::File { path: path.clone(), blake3: None });
            name
        });
        let has_transcript = ep.transcript.is_some();
        if let Some(vtt) = transcript_bytes(ep) {
            out.insert(format!("transcripts/{}.vtt", ep.slug), Content::Bytes(vtt));
        }
        let has_chapters = !ep.chapters.is_empty();
        if let Some(json) = chapters_bytes(catalog, ep) {
            out.insert(format!("chapters/{}.chapters.json", ep.slug), Content::Bytes(json));
        }
        items.push(Item {
            episode: ep,
            media_name,
            media_length: ep.audio.length,
            has_transcript,
            has_chapters,
            image_name,
        });
    }
    let redirects = redirects(&items);
    for (from, to) in &redirects {
        out.insert(format!("{}index.html", &from[1..]), Content::Bytes(site::redirect_page(&urls, to).into_bytes()));
    }
    let json =
        serde_json::to_vec_pretty(&redirects).map_err(|e| BuildError::io(Path::new("_redirects.json"), e.into()))?;
    out.insert("_redirects.json".to_owned(), Content::Bytes(json));
    let feed = feed::render_feed(&FeedInput { catalog, urls: &urls, items: &items, cover_name: &cover_name })
        .map_err(|e| BuildError::io(Path::new("feed.xml"), e))?;
    out.insert("feed.xml".to_owned(), Content::Bytes(feed));
    let pages = site::render_site(&SiteInput {
        catalog,
        urls: &urls,
        items: &items,
        cover_name: &cover_name,
        overrides: &catalog.theme,
    })?;
    for (path, bytes) in pages {
        out.insert(path, Content::Bytes(bytes));
    }
    // Static files may replace the theme's stylesheet, never a generated page or feed.
    for (path, file) in &catalog.static_files {
        if path == "style.css" || !out.contains_key(path) {
            out.insert(path.clone(), Content::File { path: file.clone(), blake3: None });
        }
    }
    Ok(out)
}
