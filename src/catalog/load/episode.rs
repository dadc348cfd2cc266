//! Loading episodes: front matter, audio, chapters, soundbites, cross-references.

use std::path::{Path, PathBuf};

use toml::Spanned;

use super::cache::{Lookup, SourceCache};
use super::{Known, LoadOptions, LoadedTranscript, Loader, Transcripts};
use crate::catalog::chapters::parse_chapters;
use crate::catalog::schema::{EPISODE_FIELDS, EpisodeToml, Sp, TimeValue};
use crate::catalog::source::{FrontMatter, SourceText, Syntax, read_text, split};
use crate::catalog::{
    Episode, EpisodeTranscript, Expected, ImageUse, Light, LightFault, RefKind, Soundbite, SourceError, cover,
};
use crate::media;
use crate::problem::{Position, Problem};
use crate::transcript;
use crate::util::time::parse_timecode;

/// The longest title podcast apps show (the feed cuts longer ones at a word).
pub(crate) const MAX_TITLE: usize = 255;

/// Audio extensions an episode may have, in the order they are looked for.
pub(crate) const AUDIO_EXTENSIONS: &[&str] = &["mp3", "m4a", "ogg", "opus", "flac"];

/// What the episodes' cache keeps of a file that loaded cleanly: its text and its front matter
/// as parsed (with spans, for the lines of later problems).
#[derive(Clone, serde::Serialize, serde::Deserialize)]
struct ParsedEpisode {
    text: String,
    toml: EpisodeToml,
}

/// The version of the episodes' cache: bumped whenever [`EpisodeToml`] or the reading behind it
/// changes.
const EPISODES_VERSION: u32 = 1;

/// The identity of a file and when it was read, for the cache.
type Read = (crate::util::fs::FileIdentity, i128);

/// An episode file read and parsed, or its problem.
type Parsed = Result<(SourceText, EpisodeToml, Option<Read>), Problem>;

/// Reads an episode file and parses its front matter (no access to the rest of the catalog, so
/// that files can be parsed in parallel), or takes both from `cache` when the file is the same.
/// Also returns what to record in the cache, when the file was read and loaded cleanly.
fn parse_episode(cache: &SourceCache<ParsedEpisode>, rel: &Path, path: &Path) -> Parsed {
    let identity = std::fs::metadata(path).ok().map(|m| crate::util::fs::FileIdentity::of(&m));
    let entry = match cache.lookup(rel, identity) {
        Lookup::Same(e) => {
            let source = SourceText { text: e.value.text, digest: e.digest, warning: None };
            return Ok((source, e.value.toml, None));
        }
        Lookup::Maybe(entry) => entry,
    };
    let read_at = crate::util::fs::now_ns();
    let source = read_text(path, Syntax::FrontMatter)?;
    // A file with control characters is read again at every load, to be warned about again.
    let record = identity.filter(|_| source.warning.is_none()).map(|id| (id, read_at));
    // Touched, or copied back as it was: the same bytes need no parse.
    if let Some(e) = entry.filter(|e| e.digest == source.digest && source.warning.is_none()) {
        return Ok((source, e.value.toml, record));
    }
    let toml = front_matter(path, &source)?;
    Ok((source, toml, record))
}

/// The front matter of an episode's text.
fn front_matter(path: &Path, source: &SourceText) -> Result<EpisodeToml, Problem> {
    split(path, &source.text)?.parse(path, EPISODE_FIELDS)
}

impl Loader<'_> {
    /// The probe and SHA-256 of an audio file, from the cache when its identity is unchanged.
    fn audio(&mut self, options: &LoadOptions, slug: &str, path: &Path) -> Option<(media::AudioFacts, String)> {
        if let Some(known) = self.audio.get(path) {
            return Some(known.clone());
        }
        let cache = options.probe_cache.as_deref();
        let probed = self.probed_ahead.remove(path).unwrap_or_else(|| media::probe_cached(path, cache));
        let (facts, sha256) = match probed {
            Ok((facts, sha256, fresh)) => {
                if fresh {
                    self.reprobed.push(slug.to_owned());
                }
                (facts, sha256)
            }
            Err((offset, e)) => {
                let position = offset.map_or(Position::File, Position::Offset);
                let rel = self.rel(path);
                self.problems.push(Problem::error(rel, position, e));
                return None;
            }
        };
        self.audio.insert(path.to_path_buf(), (facts.clone(), sha256.clone()));
        Some((facts, sha256))
    }

    /// Probes the audio the episodes most likely name (`<slug>.mp3` and the like, or a plain
    /// file name in episodes/), several files at once: a file's SHA-256 takes one core for as
    /// long as its BLAKE3 and demuxing take together. The results wait in `probed_ahead` for
    /// [`Loader::audio`], which reports them in the episodes' order, as without this.
    fn probe_ahead(&mut self, options: &LoadOptions, files: &[(String, PathBuf)], parsed: &[Parsed]) {
        let episodes = self.root.join("episodes");
        let mut paths: Vec<PathBuf> = files
            .iter()
            .zip(parsed)
            .filter_map(|((slug, _), p)| {
                let (_, toml, _) = p.as_ref().ok()?;
                match toml.audio.as_deref().map(toml::Spanned::get_ref) {
                    Some(name) if !name.contains('/') && !name.contains('\\') && !name.starts_with('.') => {
                        Some(episodes.join(name))
                    }
                    Some(_) => None,
                    None => {
                        let mut found = AUDIO_EXTENSIONS
                            .iter()
                            .map(|ext| episodes.join(format!("{slug}.{ext}")))
                            .filter(|p| p.is_file());
                        let one = found.next();
                        one.filter(|_| found.next().is_none())
                    }
                }
            })
            .filter(|p| p.is_file() && !self.audio.contains_key(p))
            .collect();
        paths.sort();
        paths.dedup();
        let cache = options.probe_cache.as_deref();
        crate::util::progress::add(paths.len());
        let probed = crate::util::par::map_long(
            &paths,
            crate::util::progress::each(|p: &PathBuf| media::probe_cached(p, cache)),
        );
        self.probed_ahead = paths.into_iter().zip(probed).collect();
    }

    pub(super) fn episodes(
        &mut self,
        options: &LoadOptions,
        known: &Known,
        mut transcripts: Transcripts,
    ) -> Vec<Episode> {
        let files = self.markdown_files("episodes");
        let slugs: std::collections::HashSet<&str> = files.iter().map(|(s, _)| s.as_str()).collect();
        for (slug, (path, _)) in &transcripts {
            if !slugs.contains(slug.as_str()) {
                self.error(path, Position::File, SourceError::OrphanTranscript);
            }
        }
        // Reading and parsing the front matter is most of a load when the cache does not know
        // the file: it runs on every core.
        let cache_file = options.episode_cache.as_deref();
        let mut cache = SourceCache::open(cache_file, EPISODES_VERSION);
        let rels: Vec<PathBuf> = files.iter().map(|(_, path)| self.rel(path)).collect();
        crate::util::progress::add(files.len());
        let parsed = crate::util::par::map_io(
            &files,
            crate::util::progress::each(|(_, path): &(String, PathBuf)| {
                parse_episode(&cache, path.strip_prefix(self.root).unwrap_or(path), path)
            }),
        );
        self.probe_ahead(options, &files, &parsed);
        let mut episodes = Vec::new();
        let mut kept = std::collections::HashSet::new();
        for (((slug, path), parsed), rel) in files.into_iter().zip(parsed).zip(rels) {
            let (mut source, toml, read) = match parsed {
                Ok(p) => p,
                Err(problem) => {
                    self.push(problem);
                    continue;
                }
            };
            if let Some((identity, read_at)) = read {
                let value = ParsedEpisode { text: source.text.clone(), toml: toml.clone() };
                cache.record(rel.clone(), identity, read_at, source.digest.clone(), value);
            }
            if source.warning.is_none() {
                kept.insert(rel);
            }
            source.warning.take().into_iter().for_each(|w| self.push(w));
            let transcript = transcripts.remove(&slug).and_then(|(p, t)| t.map(|t| (p, t)));
            if let Some(episode) = self.episode(options, known, slug, &path, source, toml, transcript) {
                episodes.push(episode);
            }
        }
        cache.retain(&kept);
        cache.save(cache_file);
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
        transcript: Option<(PathBuf, LoadedTranscript)>,
    ) -> Option<Episode> {
        let text = source.text;
        let fm = split(path, &text).map_err(|p| self.push(p)).ok()?;
        let errors_before = self.problems.errors();
        let line = |s: std::ops::Range<usize>| fm.line(s.start);

        self.guid(path, &fm, &ep.guid);
        let title_length = ep.title.get_ref().chars().count();
        if title_length > MAX_TITLE {
            let long = SourceError::LongTitle { length: title_length, limit: MAX_TITLE };
            self.push(Problem::warning(self.rel(path), Position::Line(line(ep.title.span())), long));
        }
        let date = self.date(path, &fm, &ep.date);
        let refs = |items: &[Sp<String>], kind: RefKind, known: &[String], this: &mut Self| -> Vec<String> {
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
                    SourceError::InvalidValue { field, value: "0".into(), expected: Expected::NumberFrom1 },
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
                        expected: Expected::PositiveSeconds,
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
                        SourceError::BadImage { what: ImageUse::Episode, file: img.get_ref().clone(), why },
                    );
                    None
                }
            }
        });

        let audio_path = self.audio_path(path, &fm, &slug, ep.audio.as_deref(), ep.mastered_from.is_some())?;
        let (audio, audio_sha256) = self.audio(options, &slug, &audio_path)?;
        if !AUDIO_EXTENSIONS.contains(&audio.extension.as_str()) {
            let l = ep.audio.as_ref().map_or(Position::File, |a| Position::Line(line(a.span())));
            self.error(path, l, SourceError::UnpublishableAudio { ext: audio.extension.clone() });
            return None;
        }
        let duration = audio.duration_ms;
        let light = self.light(options, path, &slug, duration);
        for ch in &chapters {
            if ch.start_ms >= duration {
                self.error(
                    path,
                    Position::Line(ch.line),
                    SourceError::ChapterAfterEnd {
                        title: ch.title.clone(),
                        start: crate::util::time::seconds(ch.start_ms),
                        duration: crate::util::time::seconds(duration),
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
                        start: crate::util::time::seconds(sb.start_ms),
                        duration: crate::util::time::seconds(duration),
                    },
                );
            }
        }
        if let Some((tpath, t)) = &transcript {
            if t.facts.past_end(duration) {
                // Which cue, and how many: the cues are read again if the cache answered.
                let cues = match &t.parsed {
                    Some(cues) => Ok(std::borrow::Cow::Borrowed(cues)),
                    None => transcript::load(tpath, &transcript::ReadOptions::default())
                        .map(|l| std::borrow::Cow::Owned(l.parsed.transcript)),
                };
                match cues.map(|c| c.past_end(duration)) {
                    Ok(Some((at, e))) | Err((at, e)) => self.push(Problem::error(tpath, at, e)),
                    Ok(None) => {}
                }
            }
            for (at, e) in t.facts.unmapped_labels(&ep.speakers) {
                self.push(Problem::warning(tpath, at, e));
            }
        }
        let (date, offset) = date?;
        let transcript_digest = transcript.as_ref().map_or("", |(_, t)| t.digest.as_str()).to_owned();
        let transcript = transcript.map(|(path, t)| EpisodeTranscript::new(path, t.digest, t.parsed));
        let image_digest = image.as_ref().map_or("", |(_, c)| c.hash8.as_str());
        let digest = crate::util::hash::blake3_hex(
            format!(
                "{}\0{}\0{}\0{image_digest}\0{}",
                source.digest,
                transcript_digest,
                audio.blake3,
                light.as_ref().map_or("", |l| l.audio.blake3.as_str())
            )
            .as_bytes(),
        );
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
            season: ep.season.map(Sp::into_inner),
            number: ep.number.map(Sp::into_inner),
            episode_type: ep.episode_type,
            explicit: ep.explicit,
            audio_path,
            audio,
            image,
            partners,
            methods,
            territories,
            persons: ep.persons.into_iter().map(Sp::into_inner).collect(),
            speakers: ep.speakers,
            soundbites,
            chapters,
            notes: fm.body.trim().to_owned(),
            transcript,
            audio_sha256,
            light,
            recording: ep.mastered_from.as_ref().map(|m| self.root.join(&m.file)),
            published: None,
            digest,
            rendered_notes: std::sync::OnceLock::new(),
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

    /// The episode's light version, `<slug>.light.mp3` next to it, if there is one: an MP3 as
    /// long as the audio (`duration_ms`), within a second.
    fn light(&mut self, options: &LoadOptions, path: &Path, slug: &str, duration_ms: u64) -> Option<Light> {
        let name = crate::catalog::light_name(slug);
        let file = self.root.join("episodes").join(&name);
        if !file.is_file() {
            return None;
        }
        let (audio, sha256) = self.audio(options, slug, &file)?;
        let fault = if audio.container != "mp3" {
            Some(LightFault::NotMp3)
        } else if audio.duration_ms.abs_diff(duration_ms) > 1000 {
            Some(LightFault::OtherLength {
                light: crate::util::time::seconds(audio.duration_ms),
                audio: crate::util::time::seconds(duration_ms),
            })
        } else {
            None
        };
        if let Some(why) = fault {
            self.error(path, Position::File, SourceError::LightVersion { file: format!("episodes/{name}"), why });
            return None;
        }
        Some(Light { path: file, audio, sha256 })
    }

    /// The episode's audio: the `audio` field, or `<slug>.<ext>` next to it (`<slug>.mp3` for a
    /// mastered episode, whose recording may lie beside it).
    fn audio_path(
        &mut self,
        path: &Path,
        fm: &FrontMatter<'_>,
        slug: &str,
        audio: Option<&Spanned<String>>,
        mastered: bool,
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
        let master = episodes.join(format!("{slug}.mp3"));
        match found.as_slice() {
            [one] => Some(one.clone()),
            _ if mastered && found.contains(&master) => Some(master),
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

/// The `speakers` map of one episode source (`transcript import` names speakers with it
/// without loading the whole show).
pub(crate) fn episode_speakers(path: &Path) -> Result<std::collections::BTreeMap<String, String>, Problem> {
    front_matter(path, &read_text(path, Syntax::FrontMatter)?).map(|toml| toml.speakers)
}
