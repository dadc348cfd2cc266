//! Loading every source and cross-checking them, gathering every problem on the way.

use std::collections::{BTreeMap, HashMap};
use std::path::{Component, Path, PathBuf};

use toml::Spanned;

use super::channel::{self, CHANNEL_FIELDS, ChannelToml};
use super::chapters::{parse_chapters, parse_timecode};
use super::ledger::{LEDGER_PATH, Ledger, Record};
use super::schema::{
    EPISODE_FIELDS, EpisodeToml, METHOD_FIELDS, MethodToml, PARTNER_FIELDS, PERSON_ROLES, PartnerToml, Person,
    TERRITORY_FIELDS, TerritoryToml, TimeValue,
};
use super::source::{FrontMatter, SourceText, closest, read_text, split};
use super::{
    Catalog, Channel, Episode, Method, Partner, Published, RefKind, Soundbite, SourceError, Territory, cover, slug,
};
use crate::media;
use crate::problem::{Position, Problem, Problems};
use crate::transcript::{Transcript, parse_vtt};

/// Audio extensions an episode may have, in the order they are looked for.
const AUDIO_EXTENSIONS: &[&str] = &["mp3", "m4a", "ogg", "opus", "flac"];

/// Options of [`Catalog::load`].
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Where probes are cached (`.veillee/cache/probe` by default); `None` disables the cache.
    pub probe_cache: Option<PathBuf>,
}

impl LoadOptions {
    /// The default options for a project: probes cached under `.veillee/`.
    pub fn for_root(root: &Path) -> Self {
        LoadOptions { probe_cache: Some(root.join(".veillee/cache/probe")) }
    }
}

impl Catalog {
    /// Reads and checks every source under `root`.
    pub fn load(root: &Path, options: &LoadOptions) -> Result<Catalog, Problems> {
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
            reprobed: Vec::new(),
        };
        let channel = loader.channel();
        let methods = loader.pages(RefKind::Method, |fm, path, l| {
            let m: MethodToml = fm.parse(path, METHOD_FIELDS).map_err(|p| l.problems.push(p)).ok()?;
            l.guid(path, fm, &m.feed_guid);
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
                    feed_guid: m.feed_guid.into_inner(),
                    slug: slug.clone(),
                    title: m.title,
                    summary: m.summary,
                    synonyms: m.synonyms,
                    partners,
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
                    feed_guid: p.feed_guid.into_inner(),
                    slug: slug.clone(),
                    name: p.name,
                    website: p.website,
                    territories,
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
        let transcripts = loader.transcripts();
        let mut episodes = loader.episodes(options, &known, &transcripts);
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

/// Reads an episode file and parses its front matter (no access to the rest of the catalog, so
/// that files can be parsed in parallel).
fn parse_episode(path: &Path) -> Result<(SourceText, EpisodeToml), Problem> {
    let source = read_text(path)?;
    let fm = split(path, &source.text)?;
    let toml = fm.parse(path, EPISODE_FIELDS)?;
    Ok((source, toml))
}

/// Each transcript file by slug: its path, and the parsed transcript with its digest when it
/// parsed.
type Transcripts = BTreeMap<String, (PathBuf, Option<(Transcript, String)>)>;

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

    fn push(&mut self, problem: Problem) {
        let problem = problem.relative_to(self.root);
        self.problems.push(problem);
    }

    fn channel(&mut self) -> Option<Channel> {
        let path = self.root.join("feed/channel.toml");
        let source = read_text(&path).map_err(|p| self.push(p)).ok()?;
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
                self.error(&path, Position::Line(image_line), SourceError::BadImage { what: "cover", file, why });
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
            digest: blake3::hash(format!("{}\0{}", source.digest, cover.hash8).as_bytes()).to_hex().to_string(),
            cover_path,
            cover,
        })
    }

    /// The Markdown files of a directory, sorted, with a checked slug each.
    fn markdown_files(&mut self, dir: &str, kind: RefKind) -> Vec<(String, PathBuf)> {
        self.files(dir, "md", kind)
    }

    fn files(&mut self, dir: &str, ext: &str, kind: RefKind) -> Vec<(String, PathBuf)> {
        let dir = self.root.join(dir);
        let Ok(entries) = std::fs::read_dir(&dir) else { return Vec::new() };
        // The directory entry's own type saves a stat per file; a link is followed to see.
        let mut files: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file() || (t.is_symlink() && e.path().is_file())))
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == ext))
            .collect();
        files.sort();
        let _ = kind;
        let mut out = Vec::with_capacity(files.len());
        for path in files {
            let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            if !slug::is_slug(&stem) {
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
        for (slug, path) in self.markdown_files(kind.dir(), kind) {
            let Some(text) = read_text(&path).map_err(|p| self.push(p)).ok() else { continue };
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
            Some("it is empty")
        } else if candidate.is_absolute() || value.starts_with('/') || value.starts_with('\\') {
            Some("absolute paths are not allowed")
        } else if candidate.components().any(|c| !matches!(c, Component::Normal(_))) {
            Some("`..` and `.` are not allowed")
        } else {
            None
        };
        if let Some(why) = why {
            self.error(path, Position::Line(line), SourceError::UnsafePath { value: value.to_owned(), why });
            return None;
        }
        let full = base.join(candidate);
        if let (Ok(real), Ok(real_base)) = (full.canonicalize(), base.canonicalize())
            && !real.starts_with(&real_base)
        {
            self.error(
                path,
                Position::Line(line),
                SourceError::UnsafePath { value: value.to_owned(), why: "it links outside the project" },
            );
            return None;
        }
        Some(full)
    }

    /// The probe and SHA-256 of an audio file, from the cache when its identity is unchanged.
    fn audio(&mut self, options: &LoadOptions, slug: &str, path: &Path) -> Option<(media::AudioFacts, String)> {
        if let Some(known) = self.audio.get(path) {
            return Some(known.clone());
        }
        let cache = options.probe_cache.as_deref();
        let facts = match media::probe_cached(path, cache) {
            Ok((facts, fresh)) => {
                if fresh {
                    self.reprobed.push(slug.to_owned());
                }
                facts
            }
            Err((offset, e)) => {
                let position = offset.map_or(Position::File, Position::Offset);
                let rel = self.rel(path);
                self.problems.push(Problem::error(rel, position, e));
                return None;
            }
        };
        let sha256 = match media::sha256_cached(path, cache) {
            Ok(hash) => hash,
            Err(e) => {
                let rel = self.rel(path);
                self.problems.push(Problem::error(rel, Position::File, SourceError::Io { reason: e.to_string() }));
                return None;
            }
        };
        self.audio.insert(path.to_path_buf(), (facts.clone(), sha256.clone()));
        Some((facts, sha256))
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
                && let Ok(text) = read_text(&path).map_err(|p| self.push(p))
            {
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

    /// Reads every transcript; a transcript with no episode is reported later.
    fn transcripts(&mut self) -> Transcripts {
        let mut out = BTreeMap::new();
        for (slug, path) in self.files("transcripts", "vtt", RefKind::Episode) {
            let transcript = match read_text(&path) {
                Err(p) => {
                    self.push(p);
                    None
                }
                Ok(text) => match parse_vtt(&text.text) {
                    Ok(t) => Some((t, text.digest)),
                    Err((line, e)) => {
                        let rel = self.rel(&path);
                        self.problems.push(Problem::error(rel, Position::Line(line), e));
                        None
                    }
                },
            };
            out.insert(slug, (path, transcript));
        }
        out
    }

    fn episodes(&mut self, options: &LoadOptions, known: &Known, transcripts: &Transcripts) -> Vec<Episode> {
        let files = self.markdown_files("episodes", RefKind::Episode);
        let slugs: std::collections::HashSet<&str> = files.iter().map(|(s, _)| s.as_str()).collect();
        for (slug, (path, _)) in transcripts {
            if !slugs.contains(slug.as_str()) {
                self.error(path, Position::File, SourceError::OrphanTranscript);
            }
        }
        // Reading and parsing the front matter is most of a load: it runs on every core.
        let parsed = crate::par::map(&files, |(_, path)| parse_episode(path));
        let mut episodes = Vec::new();
        for ((slug, path), parsed) in files.into_iter().zip(parsed) {
            let (source, toml) = match parsed {
                Ok(p) => p,
                Err(problem) => {
                    self.push(problem);
                    continue;
                }
            };
            let transcript = transcripts.get(&slug).and_then(|(_, t)| t.clone());
            if let Some(episode) = self.episode(options, known, slug, &path, source, toml, transcript) {
                episodes.push(episode);
            }
        }
        episodes
    }

    #[allow(clippy::too_many_arguments)]
    fn episode(
        &mut self,
        options: &LoadOptions,
        known: &Known,
        slug: String,
        path: &Path,
        source: SourceText,
        ep: EpisodeToml,
        transcript: Option<(Transcript, String)>,
    ) -> Option<Episode> {
        let text = source.text;
        let fm = split(path, &text).map_err(|p| self.push(p)).ok()?;
        let errors_before = self.problems.errors();
        let line = |s: std::ops::Range<usize>| fm.line(s.start);

        self.guid(path, &fm, &ep.guid);
        let date = self.date(path, &fm, &ep.date);
        let refs = |items: &[Spanned<String>], kind: RefKind, known: &[String], this: &mut Self| -> Vec<String> {
            items
                .iter()
                .filter(|r| this.check_ref(path, line(r.span()), kind, r.get_ref(), known))
                .map(|r| r.get_ref().clone())
                .collect()
        };
        let partners = refs(&ep.partners, RefKind::Partner, &known.partners, self);
        let methods = refs(&ep.methods, RefKind::Method, &known.methods, self);
        let territories = refs(&ep.territories, RefKind::Territory, &known.territories, self);
        for person in &ep.persons {
            self.role(path, line(person.span()), person.get_ref());
        }
        for (field, value) in [("season", &ep.season), ("number", &ep.number)] {
            if let Some(v) = value
                && *v.get_ref() == 0
            {
                self.error(
                    path,
                    Position::Line(line(v.span())),
                    SourceError::InvalidValue { field, value: "0".into(), expected: "a number from 1".into() },
                );
            }
        }
        let chapters = match &ep.chapters {
            None => Vec::new(),
            Some(block) => {
                let raw = &fm.toml[block.span()];
                // TOML drops a newline right after an opening `'''` or `"""`.
                let skip = usize::from(
                    raw.starts_with("'''\n")
                        || raw.starts_with("\"\"\"\n")
                        || raw.starts_with("'''\r\n")
                        || raw.starts_with("\"\"\"\r\n"),
                );
                match parse_chapters(block.get_ref(), line(block.span()) + skip) {
                    Ok(chapters) => {
                        for ch in &chapters {
                            if let Some(m) = &ch.method {
                                self.check_ref(path, ch.line, RefKind::Method, m, &known.methods);
                            }
                        }
                        chapters
                    }
                    Err((l, e)) => {
                        self.error(path, Position::Line(l), e);
                        Vec::new()
                    }
                }
            }
        };
        let mut soundbites = Vec::new();
        for sb in &ep.soundbites {
            let l = line(sb.span());
            let start_ms = match sb.get_ref().start.clone() {
                TimeValue::Seconds(s) if s >= 0.0 => Some((s * 1000.0).round() as u64),
                TimeValue::Seconds(s) => {
                    self.error(path, Position::Line(l), SourceError::BadTimecode { value: s.to_string() });
                    None
                }
                TimeValue::Code(c) => parse_timecode(&c).or_else(|| {
                    self.error(path, Position::Line(l), SourceError::BadTimecode { value: c.clone() });
                    None
                }),
            };
            let duration = sb.get_ref().duration;
            if duration.is_nan() || duration <= 0.0 {
                self.error(
                    path,
                    Position::Line(l),
                    SourceError::InvalidValue {
                        field: "duration",
                        value: duration.to_string(),
                        expected: "a positive number of seconds".into(),
                    },
                );
            }
            if let Some(start_ms) = start_ms {
                soundbites.push(Soundbite {
                    start_ms,
                    duration_ms: (duration * 1000.0).round() as u64,
                    title: sb.get_ref().title.clone(),
                });
            }
        }
        let image = ep.image.as_ref().and_then(|img| {
            let l = line(img.span());
            let full = self.safe_path(path, l, &self.root.join("episodes"), img.get_ref())?;
            match cover::check(&full) {
                Ok(cover) => Some((full, cover)),
                Err(why) => {
                    self.error(
                        path,
                        Position::Line(l),
                        SourceError::BadImage { what: "episode", file: img.get_ref().clone(), why },
                    );
                    None
                }
            }
        });

        let audio_path = self.audio_path(path, &fm, &slug, ep.audio.as_ref())?;
        let (audio, audio_sha256) = self.audio(options, &slug, &audio_path)?;
        if !AUDIO_EXTENSIONS.contains(&audio.extension.as_str()) {
            let l = ep.audio.as_ref().map_or(Position::File, |a| Position::Line(line(a.span())));
            self.error(path, l, SourceError::UnpublishableAudio { ext: audio.extension.clone() });
            return None;
        }
        let duration = audio.duration_ms;
        for ch in &chapters {
            if ch.start_ms >= duration {
                self.error(
                    path,
                    Position::Line(ch.line),
                    SourceError::ChapterAfterEnd {
                        title: ch.title.clone(),
                        start: super::seconds(ch.start_ms),
                        duration: super::seconds(duration),
                    },
                );
            }
        }
        for (sb, spanned) in soundbites.iter().zip(&ep.soundbites) {
            if sb.start_ms + sb.duration_ms > duration {
                self.error(
                    path,
                    Position::Line(line(spanned.span())),
                    SourceError::SoundbiteAfterEnd {
                        start: super::seconds(sb.start_ms),
                        duration: super::seconds(duration),
                    },
                );
            }
        }
        let (date, offset) = date?;
        let (transcript, transcript_digest) = transcript.map_or((None, String::new()), |(t, d)| (Some(t), d));
        let image_digest = image.as_ref().map(|(_, c)| c.hash8.as_str()).unwrap_or("");
        let digest = blake3::hash(
            format!("{}\0{}\0{}\0{image_digest}", source.digest, transcript_digest, audio.blake3).as_bytes(),
        )
        .to_hex()
        .to_string();
        if self.problems.errors() > errors_before {
            return None;
        }
        Some(Episode {
            source: self.rel(path),
            slug,
            title: ep.title.into_inner(),
            guid: ep.guid.into_inner().trim().to_owned(),
            date,
            offset,
            summary: ep.summary,
            season: ep.season.map(Spanned::into_inner),
            number: ep.number.map(Spanned::into_inner),
            episode_type: ep.episode_type,
            explicit: ep.explicit,
            audio_path,
            audio,
            image,
            partners,
            methods,
            territories,
            persons: ep.persons.into_iter().map(Spanned::into_inner).collect(),
            speakers: ep.speakers,
            soundbites,
            chapters,
            notes: fm.body.trim().to_owned(),
            transcript,
            audio_sha256,
            published: None,
            digest,
            notes_blocks: std::sync::OnceLock::new(),
        })
    }

    fn date(
        &mut self,
        path: &Path,
        fm: &FrontMatter<'_>,
        date: &Spanned<toml::value::Datetime>,
    ) -> Option<(jiff::Timestamp, jiff::tz::Offset)> {
        let dt = date.get_ref();
        let parsed = match (dt.date, dt.time, dt.offset) {
            (Some(_), Some(_), Some(offset)) => {
                let minutes = match offset {
                    toml::value::Offset::Z => 0,
                    toml::value::Offset::Custom { minutes } => i32::from(minutes),
                };
                let ts: Option<jiff::Timestamp> = dt.to_string().parse().ok();
                ts.zip(jiff::tz::Offset::from_seconds(minutes * 60).ok())
            }
            _ => None,
        };
        if parsed.is_none() {
            self.error(path, Position::Line(fm.line_of(date)), SourceError::BadDate { value: dt.to_string() });
        }
        parsed
    }

    /// The episode's audio: the `audio` field, or `<slug>.<ext>` next to it.
    fn audio_path(
        &mut self,
        path: &Path,
        fm: &FrontMatter<'_>,
        slug: &str,
        audio: Option<&Spanned<String>>,
    ) -> Option<PathBuf> {
        let episodes = self.root.join("episodes");
        if let Some(audio) = audio {
            let l = fm.line_of(audio);
            let full = self.safe_path(path, l, &episodes, audio.get_ref())?;
            if !full.is_file() {
                self.error(path, Position::Line(l), SourceError::MissingAudio { file: audio.get_ref().clone() });
                return None;
            }
            return Some(full);
        }
        let found: Vec<PathBuf> = AUDIO_EXTENSIONS
            .iter()
            .chain(&["wav"])
            .map(|ext| episodes.join(format!("{slug}.{ext}")))
            .filter(|p| p.is_file())
            .collect();
        match found.as_slice() {
            [one] => Some(one.clone()),
            [] => {
                let tried = format!("episodes/{slug}.{{{}}}", AUDIO_EXTENSIONS.join(","));
                self.error(path, Position::File, SourceError::NoAudio { tried });
                None
            }
            many => {
                let found = many
                    .iter()
                    .map(|p| p.file_name().unwrap_or_default().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join(", ");
                self.error(path, Position::File, SourceError::AmbiguousAudio { found });
                None
            }
        }
    }
}
