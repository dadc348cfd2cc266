//! `build`, `feed` and the preview: render the catalog into a generation.

use super::Project;
use super::stamp::{Sources, Stamp};
use crate::generate::{self, BuildLock, GenerateError, Report};

/// A feed as [`Project::feed`] gives it: rendered now, or the current generation's own file
/// (its sources unchanged since it was built), which is copied without being read into memory.
#[derive(Debug)]
pub enum Feed {
    Rendered(Vec<u8>),
    Built(std::fs::File),
}

impl Feed {
    /// Writes the feed to `out` (a file to a file or a pipe is copied by the kernel).
    pub fn write_to(self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        match self {
            Feed::Rendered(bytes) => out.write_all(&bytes),
            Feed::Built(mut file) => std::io::copy(&mut file, out).map(drop),
        }
    }
}

/// How to build.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Another public address than channel.toml's `base_url` for the feed and pages (a staging
    /// host, or the address of a local preview). Never in bytes the ledger records.
    pub base_url: Option<String>,
    /// Show drafts and scheduled episodes too (previews only).
    pub drafts: bool,
}

impl Project {
    /// Builds `build/current`: a new generation if any output changed.
    pub fn build(&self, options: &BuildOptions) -> Result<Report, GenerateError> {
        let _lock = BuildLock::acquire(self.root())?;
        // For channel.toml's address only: a build for another has its own outputs.
        let stamp = self.load.stamp.as_deref().filter(|_| options.base_url.is_none());
        let sources = stamp.and_then(|_| Sources::list(self.root()));
        if let (Some(file), Some(sources)) = (stamp, &sources)
            && let Some(unchanged) = Stamp::holding(file, self.root(), sources, self.now())
        {
            return Ok(unchanged.report());
        }
        let step = crate::util::progress::step("load");
        let catalog = self.load()?;
        let loaded_in = step.end();
        let report = generate::build(self.root(), &catalog, &self.generate_options(options, false));
        self.release(catalog);
        let report = report.map(|mut r| {
            r.steps.insert(0, loaded_in);
            r
        })?;
        if let (Some(file), Some(sources)) = (stamp, sources)
            && let Some(new) = Stamp::of(self.root(), sources, &report)
        {
            new.save(file);
        }
        Ok(report)
    }

    /// Builds a preview into `build/preview` (never `build/current`, never the ledger): for a
    /// local address, with drafts if asked. A preview that fails leaves none.
    pub fn preview(&self, options: &BuildOptions) -> Result<Report, GenerateError> {
        let _lock = BuildLock::acquire(self.root())?;
        let built = self.load().map_err(GenerateError::from).and_then(|catalog| {
            let mut generate_options = self.generate_options(options, options.drafts);
            generate_options.preview = true;
            let report = generate::preview(self.root(), &catalog, &generate_options);
            self.release(catalog);
            report
        });
        built.inspect_err(|_| generate::unlink_preview(self.root()))
    }

    /// The feed alone, as `build` would write it.
    pub fn feed(&self, options: &BuildOptions) -> Result<Feed, GenerateError> {
        // The sources the current generation was built from: its feed is this one.
        if let Some(file) = self.load.stamp.as_deref().filter(|_| options.base_url.is_none())
            && let Some(sources) = Sources::list(self.root())
            && let Some(feed) =
                Stamp::holding(file, self.root(), &sources, self.now()).and_then(|s| s.feed(self.root()))
        {
            return Ok(Feed::Built(feed));
        }
        let catalog = self.load()?;
        let previous = generate::previous_manifest(self.root());
        let feed = generate::feed_only(&catalog, &self.generate_options(options, false), previous.as_ref());
        self.release(catalog);
        feed.map(Feed::Rendered)
    }

    pub(super) fn generate_options(&self, options: &BuildOptions, drafts: bool) -> generate::Options {
        // A preview renders for another address: its items would only push out the feed's.
        let feed_cache = (!drafts && options.base_url.is_none()).then(|| self.root().join(".veillee/cache/feed-items"));
        let cache = Some(self.root().join(".veillee/cache"));
        let stage_dir = Some(self.root().join("build").join(generate::stage_name()));
        generate::Options {
            base_url: options.base_url.clone(),
            now: self.now(),
            drafts,
            preview: false,
            feed_cache,
            cache,
            stage_dir,
        }
    }
}

#[cfg(feature = "bench")]
impl Project {
    /// For `veillee-bench pages` only: loads the sources and writes the pages alone (no transcript
    /// file, index or media) into `out`, a directory that must not exist, through the build's own
    /// streaming writer: what a static site generator's build compares with. Returns how many files.
    pub fn bench_pages(&self, out: &std::path::Path) -> Result<usize, GenerateError> {
        let catalog = self.load()?;
        let written = generate::pages_only(out, &catalog, &self.generate_options(&BuildOptions::default(), false));
        self.release(catalog);
        written
    }
}
