//! Loading every source and cross-checking them, gathering every problem on the way.

mod cache;
mod episode;
pub(crate) use episode::{AUDIO_EXTENSIONS, MAX_TITLE, episode_speakers};

use std::collections::{BTreeMap, HashMap};
use std::path::{Component, Path, PathBuf};

use toml::Spanned;

use super::Expected;
use super::channel::{self, CHANNEL_FIELDS, ChannelToml};
use super::schema::Participants;

/// The longest goal, material or step of a method's sheet, in characters: a sentence or two.
const MAX_FACT: usize = 400;
/// The longest `duration`: a few words.
const MAX_DURATION: usize = 60;
use super::ledger::{LEDGER_PATH, Ledger, Record};
use super::schema::{
    METHOD_FIELDS, MethodToml, PARTNER_FIELDS, PERSON_ROLES, PartnerToml, Person, TERRITORY_FIELDS, TerritoryToml,
};
use super::source::{FrontMatter, Syntax, read_text, split};
use super::{
    Catalog, Channel, Episode, ImageUse, Method, Partner, PathFault, Published, RefKind, SourceError, Territory, cover,
    slug,
};
use crate::media;
use crate::problem::{Position, Problem, Problems};
use crate::transcript::{self, Format, ReadOptions, Transcript, TranscriptError};
use crate::util::text::closest;

/// Options of [`Catalog::load`].
#[derive(Debug, Clone, Default)]
pub(crate) struct LoadOptions {
    /// Where probes are cached (`.veillee/cache/probe` by default); `None` disables the cache.
    pub probe_cache: Option<PathBuf>,
    /// Where what the load learnt of each transcript is kept (`.veillee/cache/transcripts.json`
    /// by default); `None` parses every transcript.
    pub transcript_cache: Option<PathBuf>,
    /// Where each episode's text and parsed front matter are kept (`.veillee/cache/episodes.json`
    /// by default); `None` reads and parses every episode.
    pub episode_cache: Option<PathBuf>,
    /// Where a build records the sources it read (`.veillee/cache/stamp.json`), so that the
    /// next one knows without a load that nothing changed; `None` always loads.
    pub stamp: Option<PathBuf>,
}

impl LoadOptions {
    /// The default options for a project: probes cached under `.veillee/`.
    pub(crate) fn for_root(root: &Path) -> Self {
        LoadOptions {
            probe_cache: Some(root.join(".veillee/cache/probe")),
            transcript_cache: Some(root.join(".veillee/cache/transcripts.json")),
            episode_cache: Some(root.join(".veillee/cache/episodes.json")),
            stamp: Some(root.join(".veillee/cache/stamp.json")),
        }
    }
}

impl Catalog {
    /// Reads and checks every source under `root`.
    pub(crate) fn load(root: &Path, options: &LoadOptions) -> Result<Catalog, Problems> {
        // The ledger is a file of its own: it is parsed while the rest loads.
        std::thread::scope(|scope| {
            let ledger = scope.spawn(|| Ledger::load(root));
            Self::load_with(root, options, || ledger.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
        })
    }

    fn load_with(
        root: &Path,
        options: &LoadOptions,
        ledger: impl FnOnce() -> Result<Ledger, Problems>,
    ) -> Result<Catalog, Problems> {
        let mut loader = Loader {
            root,
            problems: Problems::default(),
            guids: HashMap::new(),
            audio: HashMap::new(),
            probed_ahead: HashMap::new(),
            reprobed: Vec::new(),
        };
        let channel = loader.channel();
        let methods = loader.pages(RefKind::Method, |fm, path, l| {
            let m: MethodToml = fm.parse(path, METHOD_FIELDS).map_err(|p| l.problems.push(p)).ok()?;
            l.guid(path, fm, &m.feed_guid);
            l.method_facts(path, fm, &m);
            let refs = lines(fm, &m.partners);
            Some((m, fm.body.to_owned(), refs))
        });
        let partners = loader.pages(RefKind::Partner, |fm, path, l| {
            let p: PartnerToml = fm.parse(path, PARTNER_FIELDS).map_err(|p| l.problems.push(p)).ok()?;
            l.guid(path, fm, &p.feed_guid);
            let refs = lines(fm, &p.territories);
            Some((p, fm.body.to_owned(), refs))
        });
        let territories = loader.pages(RefKind::Territory, |fm, path, l| {
            let t: TerritoryToml = fm.parse(path, TERRITORY_FIELDS).map_err(|p| l.problems.push(p)).ok()?;
            Some((t, fm.body.to_owned()))
        });
        // Slugs come from the file names: a page that failed to load still exists, and references
        // to it are not reported a second time.
        let known = Known {
            methods: loader.slugs(RefKind::Method),
            partners: loader.slugs(RefKind::Partner),
            territories: loader.slugs(RefKind::Territory),
        };
        let methods = methods
            .into_iter()
            .map(|(slug, (path, digest, (m, body, refs)))| {
                let partners = loader.refs(&path, &refs, RefKind::Partner, &known.partners);
                let method = Method {
                    slug: slug.clone(),
                    title: m.title,
                    summary: m.summary,
                    synonyms: m.synonyms,
                    feed_guid: m.feed_guid.into_inner(),
                    partners,
                    facts: super::MethodFacts {
                        goal: m.goal.map(Spanned::into_inner),
                        duration: m.duration.map(Spanned::into_inner),
                        participants: m.participants.map(Spanned::into_inner),
                        materials: m.materials.into_iter().map(Spanned::into_inner).collect(),
                        steps: m.steps.into_iter().map(Spanned::into_inner).collect(),
                    },
                    body,
                    digest,
                };
                (slug, method)
            })
            .collect();
        let partners = partners
            .into_iter()
            .map(|(slug, (path, digest, (p, body, refs)))| {
                let territories = loader.refs(&path, &refs, RefKind::Territory, &known.territories);
                let partner = Partner {
                    slug: slug.clone(),
                    name: p.name,
                    website: p.website,
                    territories,
                    feed_guid: p.feed_guid.into_inner(),
                    body,
                    digest,
                };
                (slug, partner)
            })
            .collect();
        let territories = territories
            .into_iter()
            .map(|(slug, (_, digest, (facts, body)))| (slug.clone(), Territory { slug, facts, body, digest }))
            .collect();
        let theme = loader.theme();
        let static_files = loader.static_files();
        let transcripts = loader.transcripts(options.transcript_cache.as_deref());
        let mut episodes = loader.episodes(options, &known, transcripts);
        let ledger = match ledger() {
            Ok(ledger) => ledger,
            Err(problems) => {
                problems.0.into_iter().for_each(|p| loader.problems.push(p));
                Ledger::default()
            }
        };
        loader.attach_ledger(&ledger, &mut episodes);
        episodes.sort_by(|a, b| b.pub_date().cmp(&a.pub_date()).then_with(|| a.slug.cmp(&b.slug)));
        let reprobed = loader.reprobed;
        let mut problems = loader.problems;
        problems.sort();
        match channel {
            Some(channel) if !problems.has_errors() => Ok(Catalog {
                root: root.to_path_buf(),
                channel,
                episodes,
                methods,
                partners,
                territories,
                ledger,
                reprobed,
                theme,
                static_files,
                warnings: problems,
            }),
            _ => Err(problems),
        }
    }
}

/// Each transcript file by slug: its path, and what the load knows of it when it loaded.
type Transcripts = BTreeMap<String, (PathBuf, Option<LoadedTranscript>)>;

/// Slugs that exist, for cross-references.
struct Known {
    methods: Vec<String>,
    partners: Vec<String>,
    territories: Vec<String>,
}

/// A page's path and what was parsed.
type Page<T> = (PathBuf, String, T);

/// Slug references with the lines they are on.
fn lines(fm: &FrontMatter<'_>, refs: &[Spanned<String>]) -> Vec<(String, usize)> {
    refs.iter().map(|r| (r.get_ref().clone(), fm.line_of(r))).collect()
}

struct Loader<'a> {
    root: &'a Path,
    problems: Problems,
    /// Every GUID seen, with the file that holds it.
    guids: HashMap<String, PathBuf>,
    /// Audio facts and SHA-256 by file: episodes may share a file.
    audio: HashMap<PathBuf, (media::AudioFacts, String)>,
    /// Audio probed before the episodes are read one by one (see `Loader::probe_ahead`).
    probed_ahead: HashMap<PathBuf, media::Probed>,
    /// Episodes whose audio was probed anew.
    reprobed: Vec<String>,
}

impl Loader<'_> {
    fn rel(&self, path: &Path) -> PathBuf {
        path.strip_prefix(self.root).unwrap_or(path).to_path_buf()
    }

    fn error(&mut self, path: &Path, position: Position, kind: SourceError) {
        let path = self.rel(path);
        self.problems.push(Problem::error(path, position, kind));
    }

    /// The facts of a method's sheet: short lines of text, a sensible count of participants.
    fn method_facts(&mut self, path: &Path, fm: &FrontMatter<'_>, m: &MethodToml) {
        let lines = [("goal", &m.goal, MAX_FACT), ("duration", &m.duration, MAX_DURATION)]
            .into_iter()
            .filter_map(|(field, value, max)| value.as_ref().map(|v| (field, v, max)))
            .chain(m.materials.iter().map(|v| ("materials", v, MAX_FACT)))
            .chain(m.steps.iter().map(|v| ("steps", v, MAX_FACT)));
        let mut bad = Vec::new();
        for (field, value, max) in lines {
            let text = value.get_ref();
            if text.trim().is_empty() || text.contains('\n') || text.chars().count() > max {
                let expected = Expected::ShortText { max };
                bad.push((fm.line_of(value), field, text.clone(), expected));
            }
        }
        if let Some(p) = &m.participants {
            let Participants { min, max } = *p.get_ref();
            if min == 0 || max.is_some_and(|max| max < min) {
                let value = max.map_or_else(|| format!("min = {min}"), |max| format!("min = {min}, max = {max}"));
                bad.push((fm.line_of(p), "participants", value, Expected::Participants));
            }
        }
        for (line, field, value, expected) in bad {
            self.error(path, Position::Line(line), SourceError::InvalidValue { field, value, expected });
        }
    }

    fn push(&mut self, problem: Problem) {
        let problem = problem.relative_to(self.root);
        self.problems.push(problem);
    }

    fn channel(&mut self) -> Option<Channel> {
        let path = self.root.join("feed/channel.toml");
        let mut source = read_text(&path, Syntax::Toml).map_err(|p| self.push(p)).ok()?;
        source.warning.take().into_iter().for_each(|w| self.push(w));
        let text = source.text;
        let fm = FrontMatter::new(&text, 1, "");
        let ch: ChannelToml = fm.parse(&path, CHANNEL_FIELDS).map_err(|p| self.push(p)).ok()?;
        let mut problems = Problems::default();
        channel::validate(&self.rel(&path), &fm, &ch, &mut problems);
        problems.0.into_iter().for_each(|p| self.problems.push(p));
        self.guid(&path, &fm, &ch.podcast_guid);
        for host in &ch.hosts {
            self.role(&path, fm.line_of(host), host.get_ref());
        }
        let image_line = fm.line_of(&ch.image);
        let cover_path = self.safe_path(&path, image_line, &self.root.join("feed"), ch.image.get_ref())?;
        let cover = match cover::check(&cover_path) {
            Ok(cover) => cover,
            Err(why) => {
                let file = ch.image.get_ref().clone();
                self.error(
                    &path,
                    Position::Line(image_line),
                    SourceError::BadImage { what: ImageUse::Cover, file, why },
                );
                return None;
            }
        };
        let trim = |s: &str| s.trim_end_matches('/').to_owned();
        let base_url = trim(ch.base_url.get_ref());
        Some(Channel {
            media_base_url: ch.media_base_url.as_ref().map_or_else(|| base_url.clone(), |m| trim(m.get_ref())),
            base_url,
            title: ch.title,
            description: ch.description,
            language: ch.language.into_inner().to_ascii_lowercase(),
            author: ch.author,
            locked_owner: ch.locked_owner.unwrap_or_else(|| ch.owner.email.clone()),
            owner: ch.owner,
            category: ch.category.into_inner(),
            subcategory: ch.subcategory.map(Spanned::into_inner),
            explicit: ch.explicit,
            show_type: ch.show_type,
            copyright: ch.copyright,
            license: ch.license,
            funding: ch.funding,
            podcast_guid: ch.podcast_guid.into_inner(),
            locked: ch.locked,
            medium: ch.medium,
            hosts: ch.hosts.into_iter().map(Spanned::into_inner).collect(),
            location: ch.location,
            update_frequency: ch.update_frequency,
            podroll: ch.podroll,
            txt: ch.txt,
            directories: ch.directories,
            archive_page_size: ch.archive_page_size.map_or(channel::ARCHIVE_PAGE_SIZE, Spanned::into_inner) as usize,
            feed_page_size: ch.feed_page_size.map(|s| s.into_inner() as usize),
            new_feed_url: ch.new_feed_url.map(Spanned::into_inner),
            loudness: ch.loudness.map(Spanned::into_inner).unwrap_or_default(),
            digest: crate::util::hash::blake3_hex(format!("{}\0{}", source.digest, cover.hash8).as_bytes()),
            cover_path,
            cover,
        })
    }

    /// The Markdown files of a directory, sorted, with a checked slug each.
    fn markdown_files(&mut self, dir: &str) -> Vec<(String, PathBuf)> {
        self.files(dir, &["md"])
    }

    /// The files of `dir` with one of the extensions `exts`, by slug, sorted by path.
    fn files(&mut self, dir: &str, exts: &[&str]) -> Vec<(String, PathBuf)> {
        let dir = self.root.join(dir);
        let Ok(entries) = std::fs::read_dir(&dir) else { return Vec::new() };
        // The directory entry's own type saves a stat per file; a link is followed to see.
        let mut files: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file() || (t.is_symlink() && e.path().is_file())))
            .map(|e| e.path())
            .filter(|p| p.extension().and_then(|e| e.to_str()).is_some_and(|e| exts.contains(&e)))
            .collect();
        files.sort();
        let mut out = Vec::with_capacity(files.len());
        for path in files {
            let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            if !slug::is_slug(&stem) {
                let ext = path.extension().map(|e| e.to_string_lossy().into_owned()).unwrap_or_default();
                let suggestion = format!("{}.{ext}", slug::slugify(&stem));
                self.error(&path, Position::File, SourceError::BadSlug { name: stem, suggestion });
                continue;
            }
            out.push((stem, path));
        }
        out
    }

    /// The slugs of the files of one kind, valid or not.
    fn slugs(&self, kind: RefKind) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.root.join(kind.dir())) else { return Vec::new() };
        let mut slugs: Vec<String> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "md"))
            .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
            .filter(|s| slug::is_slug(s))
            .collect();
        slugs.sort();
        slugs
    }

    /// Loads the pages of one kind with `parse`.
    fn pages<T>(
        &mut self,
        kind: RefKind,
        mut parse: impl FnMut(&FrontMatter<'_>, &Path, &mut Self) -> Option<T>,
    ) -> BTreeMap<String, Page<T>> {
        let mut pages = BTreeMap::new();
        for (slug, path) in self.markdown_files(kind.dir()) {
            let Some(mut text) = read_text(&path, Syntax::FrontMatter).map_err(|p| self.push(p)).ok() else { continue };
            text.warning.take().into_iter().for_each(|w| self.push(w));
            let fm = match split(&path, &text.text) {
                Ok(fm) => fm,
                Err(p) => {
                    self.push(p);
                    continue;
                }
            };
            let rel = self.rel(&path);
            if let Some(value) = parse(&fm, &rel, self) {
                pages.insert(slug, (rel, text.digest.clone(), value));
            }
        }
        pages
    }

    /// Records a GUID, reporting an empty or already used one.
    fn guid(&mut self, path: &Path, fm: &FrontMatter<'_>, guid: &Spanned<String>) {
        let position = Position::Line(fm.line_of(guid));
        let value = guid.get_ref().trim();
        if value.is_empty() {
            self.error(path, position, SourceError::EmptyGuid);
            return;
        }
        let rel = self.rel(path);
        if let Some(other) = self.guids.get(value) {
            let other = other.to_string_lossy().into_owned();
            self.error(path, position, SourceError::DuplicateGuid { guid: value.to_owned(), other });
        } else {
            self.guids.insert(value.to_owned(), rel);
        }
    }

    /// Resolves slugs of one kind, reporting unknown ones with the closest known slug.
    fn refs(&mut self, path: &Path, refs: &[(String, usize)], kind: RefKind, known: &[String]) -> Vec<String> {
        refs.iter()
            .filter(|(slug, line)| self.check_ref(path, *line, kind, slug, known))
            .map(|(slug, _)| slug.clone())
            .collect()
    }

    /// Checks one slug reference at a known line.
    fn check_ref(&mut self, path: &Path, line: usize, kind: RefKind, slug: &str, known: &[String]) -> bool {
        if known.iter().any(|k| k == slug) {
            return true;
        }
        let suggestion = closest(slug, known.iter().map(String::as_str));
        self.error(path, Position::Line(line), SourceError::UnknownRef { kind, slug: slug.to_owned(), suggestion });
        false
    }

    fn role(&mut self, path: &Path, line: usize, person: &Person) {
        let role = person.role.to_ascii_lowercase();
        if !PERSON_ROLES.contains(&role.as_str()) {
            let suggestion = closest(&role, PERSON_ROLES.iter().copied());
            self.error(
                path,
                Position::Line(line),
                SourceError::UnknownRef { kind: RefKind::PersonRole, slug: person.role.clone(), suggestion },
            );
        }
    }

    /// A relative path inside `base`: no absolute path, no `..`, and no link out of it.
    fn safe_path(&mut self, path: &Path, line: usize, base: &Path, value: &str) -> Option<PathBuf> {
        let candidate = Path::new(value);
        let why = if value.is_empty() {
            Some(PathFault::Empty)
        } else if candidate.is_absolute() || value.starts_with('/') || value.starts_with('\\') {
            Some(PathFault::Absolute)
        } else if candidate.components().any(|c| !matches!(c, Component::Normal(_))) {
            Some(PathFault::Dots)
        } else {
            None
        };
        if let Some(why) = why {
            self.error(path, Position::Line(line), SourceError::UnsafePath { value: value.to_owned(), why });
            return None;
        }
        let full = base.join(candidate);
        // Only a symbolic link on the way can lead out of `base`: resolve the path when there is
        // one (an lstat per component is much cheaper than resolving every path).
        let mut prefix = base.to_path_buf();
        let linked = candidate.components().any(|c| {
            prefix.push(c);
            std::fs::symlink_metadata(&prefix).is_ok_and(|m| m.file_type().is_symlink())
        });
        if linked
            && let (Ok(real), Ok(real_base)) = (full.canonicalize(), base.canonicalize())
            && !real.starts_with(&real_base)
        {
            self.error(
                path,
                Position::Line(line),
                SourceError::UnsafePath { value: value.to_owned(), why: PathFault::LinksOut },
            );
            return None;
        }
        Some(full)
    }

    /// Gives each episode its ledger facts, and reports published GUIDs whose source is gone.
    fn attach_ledger(&mut self, ledger: &Ledger, episodes: &mut [Episode]) {
        for ep in episodes.iter_mut() {
            ep.published = Published::of(ledger, ep);
        }
        let loaded: std::collections::HashSet<&str> = episodes.iter().map(|e| e.guid.as_str()).collect();
        let missing: Vec<&Record> =
            ledger.records.values().filter(|r| !r.retracted && !loaded.contains(r.guid.as_str())).collect();
        if missing.is_empty() {
            return;
        }
        // An episode file that failed to load still exists (under a slug the ledger knows, or
        // holding the GUID): it has its own error, its GUID is not reported missing.
        let files: Vec<(String, String)> = std::fs::read_dir(self.root.join("episodes"))
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "md"))
            .map(|p| {
                let stem = p.file_stem().unwrap_or_default().to_string_lossy().into_owned();
                (stem, String::from_utf8_lossy(&std::fs::read(&p).unwrap_or_default()).into_owned())
            })
            .collect();
        for record in missing {
            let has_source =
                files.iter().any(|(stem, text)| record.slugs.contains(stem) || text.contains(&record.guid));
            if !has_source {
                self.problems.push(Problem::error(
                    LEDGER_PATH,
                    Position::Line(record.current.line),
                    SourceError::PublishedWithoutSource {
                        guid: record.guid.clone(),
                        slug: record.current.slug.clone(),
                    },
                ));
            }
        }
    }

    /// Templates that replace the theme's.
    fn theme(&mut self) -> BTreeMap<String, String> {
        let dir = self.root.join("site/templates");
        let Ok(entries) = std::fs::read_dir(&dir) else { return BTreeMap::new() };
        let mut theme = BTreeMap::new();
        for path in entries.filter_map(Result::ok).map(|e| e.path()) {
            if path.is_file()
                && path.extension().is_some_and(|e| e == "html")
                && let Ok(mut text) = read_text(&path, Syntax::Plain).map_err(|p| self.push(p))
            {
                text.warning.take().into_iter().for_each(|w| self.push(w));
                let name = path.file_name().unwrap_or_default().to_string_lossy().into_owned();
                theme.insert(name, text.text);
            }
        }
        theme
    }

    /// Every regular file under `site/static/` (links are not followed: nothing outside the
    /// project is published by accident).
    fn static_files(&mut self) -> Vec<(String, PathBuf)> {
        fn walk(dir: &Path, prefix: &str, out: &mut Vec<(String, PathBuf)>) {
            let Ok(entries) = std::fs::read_dir(dir) else { return };
            for entry in entries.filter_map(Result::ok) {
                let name = entry.file_name().to_string_lossy().into_owned();
                let Ok(kind) = entry.file_type() else { continue };
                let rel = format!("{prefix}{name}");
                if kind.is_dir() {
                    walk(&entry.path(), &format!("{rel}/"), out);
                } else if kind.is_file() && !name.starts_with('.') {
                    out.push((rel, entry.path()));
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.root.join("site/static"), "", &mut out);
        out.sort();
        out
    }

    /// Loads every transcript, parsing only those not known unchanged since an earlier load
    /// (`cache`); a transcript with no episode is reported later.
    fn transcripts(&mut self, cache_file: Option<&Path>) -> Transcripts {
        // Another tool's file dropped here is not published: say so instead of ignoring it.
        let (files, others): (Vec<_>, Vec<_>) = self
            .files("transcripts", &["vtt", "srt", "json", "txt", "sbv", "ass"])
            .into_iter()
            .partition(|(_, path)| path.extension().is_some_and(|e| e == "vtt"));
        for (slug, path) in others {
            self.push(Problem::warning(&path, Position::File, TranscriptError::NotImported { slug }));
        }
        let mut cache = cache::SourceCache::open(cache_file, TRANSCRIPTS_VERSION);
        let files: Vec<(String, PathBuf, PathBuf)> =
            files.into_iter().map(|(slug, path)| (slug, self.rel(&path), path)).collect();
        crate::util::progress::add(files.len());
        let loaded = crate::util::par::map_io(
            &files,
            crate::util::progress::each(|(_, rel, path): &(String, PathBuf, PathBuf)| {
                load_transcript(&cache, rel, path)
            }),
        );
        let mut out = BTreeMap::new();
        let mut kept = std::collections::HashSet::new();
        for ((slug, rel, path), loaded) in files.into_iter().zip(loaded) {
            let transcript = match loaded {
                Ok((t, warnings, record)) => {
                    if let Some((identity, read_at)) = record {
                        cache.record(rel.clone(), identity, read_at, t.digest.clone(), t.facts.clone());
                    }
                    if warnings.is_empty() {
                        kept.insert(rel);
                    }
                    warnings.into_iter().for_each(|p| self.push(p));
                    Some(t)
                }
                Err(problems) => {
                    problems.into_iter().for_each(|p| self.push(p));
                    None
                }
            };
            out.insert(slug, (path, transcript));
        }
        cache.retain(&kept);
        cache.save(cache_file);
        out
    }
}

/// The version of the transcripts' cache: bumped whenever [`transcript::Facts`] or the parsing
/// behind them changes.
const TRANSCRIPTS_VERSION: u32 = 2;

/// A transcript as the load knows it.
struct LoadedTranscript {
    digest: String,
    facts: transcript::Facts,
    /// The cues, when this load parsed the file.
    parsed: Option<Transcript>,
}

/// One transcript: from the cache when its file is the same, else read (and parsed if its bytes
/// changed). Also returns its warnings, and the identity to record when it parsed cleanly.
#[allow(clippy::type_complexity)]
fn load_transcript(
    cache: &cache::SourceCache<transcript::Facts>,
    rel: &Path,
    path: &Path,
) -> Result<(LoadedTranscript, Vec<Problem>, Option<(crate::util::fs::FileIdentity, i128)>), Vec<Problem>> {
    let identity = std::fs::metadata(path).ok().map(|m| crate::util::fs::FileIdentity::of(&m));
    let entry = match cache.lookup(rel, identity) {
        cache::Lookup::Same(e) => {
            return Ok((LoadedTranscript { digest: e.digest, facts: e.value, parsed: None }, Vec::new(), None));
        }
        cache::Lookup::Maybe(entry) => entry,
    };
    let read_at = crate::util::fs::now_ns();
    let error = |(at, e): transcript::Failure| vec![Problem::error(path, at, e)];
    let bytes = transcript::read(path).map_err(error)?;
    let digest = crate::util::hash::blake3_hex(&bytes);
    // Touched, or copied back as it was: the same bytes need no parse.
    if let Some(e) = entry.filter(|e| e.digest == digest) {
        let record = identity.map(|id| (id, read_at));
        return Ok((LoadedTranscript { digest, facts: e.value, parsed: None }, Vec::new(), record));
    }
    let parsed =
        transcript::parse(&bytes, &ReadOptions::default(), path.extension().and_then(|e| e.to_str())).map_err(error)?;
    if parsed.format != Format::Vtt {
        let found = parsed.format.name();
        return Err(vec![Problem::error(path, Position::File, TranscriptError::WrongFormat { found })]);
    }
    let warnings: Vec<Problem> = parsed.warnings.into_iter().map(|(at, e)| Problem::warning(path, at, e)).collect();
    // Only a clean file is remembered: warnings are said again at every load.
    let record = identity.filter(|_| warnings.is_empty()).map(|id| (id, read_at));
    let facts = parsed.transcript.facts();
    Ok((LoadedTranscript { digest, facts, parsed: Some(parsed.transcript) }, warnings, record))
}
