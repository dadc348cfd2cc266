//! What a build outputs, and which outputs need rendering again.
//!
//! Every output gets a key: a hash of every input it is made from (the digests of the sources
//! it reads, the theme, the addresses, the ledger facts). An output whose key equals the one the
//! previous generation recorded is not rendered again: the new generation links the old file.
//! A build where every key is unchanged renders nothing and makes no generation.

use std::collections::BTreeMap;
use std::path::Path;

use super::generation::Manifest;
use super::{Content, GenerateError, Generation, Options, chapters_bytes, media_name, transcript_output};
use crate::catalog::{Catalog, Status};
use crate::feed::{FeedHead, FeedInput, Item, LightItem, Paging, Scope};
use crate::media::tag;
use crate::search;
use crate::site::{self, Site, SiteInput};
use crate::transcript::OutFormat;
use crate::util::IoContext;
use crate::util::urls::Urls;

/// One output: its key and its content.
#[derive(Debug, Clone)]
pub(crate) struct Output {
    pub key: String,
    pub content: Content,
}

/// Every output of a build, and which of them are to be rendered anew.
#[derive(Debug, Clone, Default)]
pub(crate) struct Rendered {
    /// Those to render are [`Content::Pending`]: rendered when written, never all at once.
    pub outputs: BTreeMap<String, Output>,
    /// Generated outputs (not copied files) rendered anew, by path under www.
    pub rendered: Vec<String>,
    pub index: IndexPlan,
    /// Episodes in the outputs.
    pub episodes: usize,
    /// What the pages rendered at request time (the search page) need of this build.
    pub pages: site::PagesSource,
    /// Pending outputs rendered once the new index is finished: they show what it finds (the
    /// method pages' passages of other episodes).
    pub after_index: std::collections::BTreeSet<String>,
}

/// What the search index of the new generation needs.
#[derive(Debug, Clone, Default)]
pub(crate) struct IndexPlan {
    /// Each shown episode's GUID and the key of its documents.
    pub keys: BTreeMap<String, String>,
    /// The hash of the facet labels.
    pub labels_key: String,
    pub labels: search::Labels,
    /// The episodes to index anew (all of them when `over` is `None`), by their place in the
    /// build's items: [`Renderer::docs`] makes their documents when the index takes them.
    pub add: Vec<usize>,
    /// Their slugs, for the report.
    pub reindexed: Vec<String>,
    /// The previous generation's index to update, when it can be.
    pub over: Option<std::path::PathBuf>,
    /// The index schema and program version the keys were made with.
    pub version: String,
}

/// Bumped whenever the tag of the same facts changes, so that published copies are tagged again.
const TAG_VERSION: &str = "tag-1";

/// An index this fragmented is rebuilt rather than updated once more.
const MAX_SEGMENTS: usize = 32;
const MAX_DELETED: f64 = 0.25;

/// What the writer calls to render an output ([`Content::Pending`]'s number) or to make an
/// episode's index documents ([`IndexPlan::add`]'s numbers), on any thread.
pub(crate) struct Renderer<'r> {
    pub job: &'r (dyn Fn(usize) -> Result<Vec<u8>, GenerateError> + Sync),
    pub docs: &'r (dyn Fn(usize) -> search::EpisodeDocs + Sync),
    /// The tagged copy of [`Content::Tagged`]'s number.
    pub tagged: &'r (dyn Fn(usize) -> Result<TaggedCopy, GenerateError> + Sync),
    /// Reads the finished index in the directory given for what [`Rendered::after_index`]
    /// shows, before they render; returns each method's mentions found, for the report.
    pub suggest: &'r (dyn Fn(&Path) -> Vec<(String, search::Mention)> + Sync),
}

/// A published MP3: its tag, and the source's MPEG frames behind it (docs/ARCHITECTURE.md: the
/// ledger guards the audio, the tag follows the text).
#[derive(Debug, Clone)]
pub(crate) struct TaggedCopy {
    pub src: std::path::PathBuf,
    /// The source's BLAKE3, as probed: the copy is refused if the file changed since.
    pub src_blake3: String,
    pub tag: Vec<u8>,
    pub audio: std::ops::Range<u64>,
}

/// What tags the published MP3s: the show's cover as the tag's JPEG (made once, kept by the
/// cover's hash), the length it adds to a tag, and the show's own addresses (a tag never holds a
/// preview's).
pub(crate) struct Tagging {
    cover: Vec<u8>,
    cover_len: u64,
    cover_digest: String,
    urls: Urls,
}

impl Tagging {
    fn new(catalog: &Catalog, cache: Option<&Path>) -> Result<Self, GenerateError> {
        let ch = &catalog.channel;
        let cached = cache.map(|d| d.join(format!("{}-{}.jpg", ch.cover.hash8, tag::COVER_SPEC)));
        // A cache file is only trusted whole: a JPEG from start to end marker, small enough.
        let whole =
            |j: &Vec<u8>| j.starts_with(&[0xff, 0xd8]) && j.ends_with(&[0xff, 0xd9]) && j.len() <= tag::COVER_BYTES;
        let cover = match cached.as_deref().and_then(|p| std::fs::read(p).ok()).filter(whole) {
            Some(jpeg) => jpeg,
            None => {
                let source = std::fs::read(&ch.cover_path).at(&ch.cover_path)?;
                let jpeg = tag::cover_jpeg(&source)
                    .map_err(|e| GenerateError::Tag { path: ch.cover_path.clone(), reason: e.to_string() })?;
                if let Some(p) = &cached {
                    // The cache only saves time: failing to write it is not an error.
                    let _ = crate::util::fs::write_cache(p, &jpeg);
                }
                jpeg
            }
        };
        let empty = tag::TagFacts::default();
        let id3 = |cover: Option<&[u8]>| {
            tag::id3_tag(&empty, cover)
                .map_err(|e| GenerateError::Tag { path: ch.cover_path.clone(), reason: e.to_string() })
        };
        // Frames add up: the cover's frame is the difference between a tag with it and without.
        let cover_len = (id3(Some(&cover))?.len() - id3(None)?.len()) as u64;
        let cover_digest = crate::util::hash::blake3_hex(&cover);
        Ok(Tagging { cover, cover_len, cover_digest, urls: Urls::new(&ch.base_url, &ch.media_base_url) })
    }

    /// What the tag of `ep` says.
    fn facts(&self, catalog: &Catalog, ep: &crate::catalog::Episode) -> tag::TagFacts {
        let ends = ep.chapters.iter().skip(1).map(|c| c.start_ms).chain([ep.audio.duration_ms]);
        tag::TagFacts {
            title: ep.title.clone(),
            author: crate::feed::item_author(catalog, ep),
            album: catalog.channel.title.clone(),
            // The year the author meant, in the offset the date was written with.
            year: i32::from(ep.offset.to_datetime(ep.pub_date()).year()),
            summary: crate::feed::item_summary(ep),
            page_url: self.urls.episode(&ep.slug),
            duration_ms: ep.audio.duration_ms,
            chapters: ep
                .chapters
                .iter()
                .zip(ends)
                .map(|(c, end_ms)| tag::TagChapter {
                    start_ms: c.start_ms,
                    end_ms,
                    title: c.title.clone(),
                    url: c.method.as_ref().map(|m| self.urls.method(m)),
                })
                .collect(),
        }
    }

    /// The tag of `ep`, cover included.
    fn tag(&self, catalog: &Catalog, ep: &crate::catalog::Episode) -> Result<Vec<u8>, GenerateError> {
        tag::id3_tag(&self.facts(catalog, ep), Some(&self.cover))
            .map_err(|e| GenerateError::Tag { path: ep.audio_path.clone(), reason: e.to_string() })
    }

    /// The digest of `ep`'s tag and its length, from the tag without its cover (the cover's frame
    /// is the same in every tag).
    fn measure(&self, catalog: &Catalog, ep: &crate::catalog::Episode) -> Result<(String, u64), GenerateError> {
        let bare = tag::id3_tag(&self.facts(catalog, ep), None)
            .map_err(|e| GenerateError::Tag { path: ep.audio_path.clone(), reason: e.to_string() })?;
        let digest = key([crate::util::hash::blake3_hex(&bare).as_str(), &self.cover_digest]);
        Ok((digest, bare.len() as u64 + self.cover_len))
    }

    /// The digest of what a staged copy's tag says (the MP4 and Vorbis writers' output has no
    /// length to add up: the copy is made while planning, see [`stage_copy`]).
    fn staged_digest(&self, catalog: &Catalog, ep: &crate::catalog::Episode) -> String {
        key([format!("{:?}", self.facts(catalog, ep)).as_str(), &self.cover_digest, "mp4ameta 0.13.0 lofty 0.25.5"])
    }
}

/// How a published copy gets our tag: MP3 an ID3 tag in front of its frames, M4A iTunes items
/// and chapters, FLAC and Ogg Vorbis comments (WAV is copied as it is).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TagKind {
    Id3,
    M4a,
    Vorbis,
}

fn tag_kind(ep: &crate::catalog::Episode) -> Option<TagKind> {
    match ep.audio.container.as_str() {
        "mp3" => Some(TagKind::Id3),
        "mp4" => Some(TagKind::M4a),
        "flac" | "ogg" => Some(TagKind::Vorbis),
        _ => None,
    }
}

fn is_tagged(ep: &crate::catalog::Episode) -> bool {
    tag_kind(ep).is_some()
}

/// The key of a staged copy: its source and what its tag says.
fn staged_key(ep: &crate::catalog::Episode, digest: &str) -> String {
    key(["tagged-staged", TAG_VERSION, &ep.audio.blake3, digest])
}

/// A tagged M4A, FLAC or Ogg made while planning, in `build/stage-<pid>/`: the feed needs its
/// length before anything is written, and their tag writers only tell it by writing. The writer
/// links it into the generation (it is written once).
#[derive(Debug, Clone)]
pub(crate) struct StagedFile {
    pub path: std::path::PathBuf,
    pub blake3: String,
    pub length: u64,
}

/// Makes the tagged copy of `ep`'s audio in `dir`, named `name`; the source must still be the file
/// probed.
fn stage_copy(
    dir: &Path,
    name: &str,
    tagging: &Tagging,
    catalog: &Catalog,
    ep: &crate::catalog::Episode,
) -> Result<StagedFile, GenerateError> {
    std::fs::create_dir_all(dir).at(dir)?;
    let path = dir.join(name);
    let tag_error = |e: tag::TagError| GenerateError::Tag { path: ep.audio_path.clone(), reason: e.to_string() };
    let _ = std::fs::remove_file(&path);
    std::fs::copy(&ep.audio_path, &path).at(&ep.audio_path)?;
    let copied = std::fs::read(&path).at(&path)?;
    if crate::util::hash::blake3_hex(&copied) != ep.audio.blake3 {
        return Err(GenerateError::SourceChanged(ep.audio_path.clone()));
    }
    drop(copied);
    let facts = tagging.facts(catalog, ep);
    match tag_kind(ep) {
        Some(TagKind::M4a) => tag::tag_m4a(&path, &facts, Some(&tagging.cover)).map_err(tag_error)?,
        _ => tag::tag_vorbis(&path, &facts, Some(&tagging.cover)).map_err(tag_error)?,
    }
    let bytes = std::fs::read(&path).at(&path)?;
    Ok(StagedFile { blake3: crate::util::hash::blake3_hex(&bytes), length: bytes.len() as u64, path })
}

/// How an output is made.
enum Job {
    Ready(Content),
    /// The published copy of an item's MP3 (its light version's if `true`), with our tag.
    Tagged(usize, bool),
    Feed(FeedJob),
    Index,
    Episode(usize),
    Method(String),
    Partner(String),
    Territory(String),
    Chapters(usize),
    Transcript(usize, OutFormat),
    Redirect(String),
    Redirects,
    /// One of the theme's own files (`site::STATIC`): its text.
    Static(&'static str),
    Archives(site::ArchivePart),
    List(site::List),
    NotFound,
    SearchForm,
    Sitemap,
    Robots,
}

/// A key from its parts.
fn key<S: AsRef<str>>(parts: impl IntoIterator<Item = S>) -> String {
    let mut h = blake3::Hasher::new();
    for part in parts {
        h.update(part.as_ref().as_bytes());
        h.update(b"\0");
    }
    h.finalize().to_hex()[..32].to_owned()
}

/// The addresses of a build: channel.toml's, or `--base-url`'s.
fn urls(catalog: &Catalog, options: &Options) -> Result<Urls, GenerateError> {
    let ch = &catalog.channel;
    Ok(match &options.base_url {
        Some(given) => {
            let base = given.trim_end_matches('/');
            if !(base.starts_with("https://") || base.starts_with("http://")) || !crate::catalog::is_site_root(base) {
                return Err(GenerateError::BaseUrl(given.clone()));
            }
            // Media served by the site itself follow the site; a media CDN stays, but in a
            // preview, which may show drafts the CDN does not have.
            let local = ch.media_base_url == ch.base_url || options.preview;
            let media = if local { base } else { ch.media_base_url.as_str() };
            Urls::new(base, media)
        }
        None => Urls::new(&ch.base_url, &ch.media_base_url),
    })
}

/// The episodes a build shows, newest first, with the names of their files and the length of
/// their published audio (a tagged MP3's: our tag and the source's frames; a tagged M4A's: the
/// previous generation's if its key is the same, else that of the copy staged now), and the
/// staged copies by item.
fn items<'a>(
    catalog: &'a Catalog,
    options: &Options,
    tagging: Option<&Tagging>,
    previous: Option<&Manifest>,
) -> Result<(Vec<Item<'a>>, BTreeMap<usize, StagedFile>), GenerateError> {
    let shown = catalog.episodes.iter().filter(|e| match e.status(options.now) {
        Status::Published => true,
        Status::Draft | Status::Scheduled => options.drafts,
        Status::Retracted => false,
    });
    let shown: Vec<&crate::catalog::Episode> = shown.collect();
    let name_of = |ep: &crate::catalog::Episode| {
        ep.published.as_ref().map_or_else(|| media_name(ep), |p| p.current.media_name.clone())
    };
    // A tag for each, on every core (10,000 small tags: the cover is added up, not encoded).
    let tags =
        crate::util::par::map(&shown, |ep| -> Result<Option<(String, u64, Option<StagedFile>)>, GenerateError> {
            let (Some(kind), Some(t)) = (tag_kind(ep), tagging) else { return Ok(None) };
            match kind {
                TagKind::Id3 => {
                    let (digest, tag_len) = t.measure(catalog, ep)?;
                    Ok(Some((digest, tag_len + ep.audio.audio_end - ep.audio.audio_start, None)))
                }
                TagKind::M4a | TagKind::Vorbis => {
                    let digest = t.staged_digest(catalog, ep);
                    let name = name_of(ep);
                    let known = previous
                        .and_then(|m| m.files.get(&format!("media/{name}")))
                        .filter(|e| e.key == staged_key(ep, &digest));
                    if let Some(e) = known {
                        return Ok(Some((digest, e.length, None)));
                    }
                    let dir = options
                        .stage_dir
                        .as_deref()
                        .ok_or_else(|| GenerateError::Invariant("audio to tag, nowhere to stage it".into()))?;
                    let staged = stage_copy(dir, &name, t, catalog, ep)?;
                    Ok(Some((digest, staged.length, Some(staged))))
                }
            }
        });
    let lights = crate::util::par::map(&shown, |ep| match (&ep.light, tagging) {
        (Some(light), Some(t)) => light_item(catalog, options, t, ep, light).map(Some),
        _ => Ok(None),
    });
    let mut staged = BTreeMap::new();
    let mut items = Vec::with_capacity(shown.len());
    for (i, ((ep, tag), light)) in shown.into_iter().zip(tags).zip(lights).enumerate() {
        let tag = tag?;
        let media_length = tag.as_ref().map_or(ep.audio.length, |(_, length, _)| *length);
        let tag_digest = tag.map(|(digest, _, file)| {
            if let Some(file) = file {
                staged.insert(i, file);
            }
            digest
        });
        items.push(Item {
            episode: ep,
            // A published episode keeps the media name of its ledger entry, even after a rename.
            media_name: name_of(ep),
            media_length,
            tag_digest,
            has_transcript: ep.transcript.is_some(),
            has_chapters: !ep.chapters.is_empty(),
            image_name: ep.image.as_ref().map(|(_, c)| format!("{}.{}.{}", ep.slug, c.hash8, c.format.extension())),
            light: light?,
        });
    }
    Ok((items, staged))
}

/// The light version of `ep` as the feed and the page offer it: its name (the ledger's while its
/// bytes are the ones recorded), the length of its tagged copy (the same tag as the main MP3's,
/// in front of its frames) and that copy's SRI hash, kept in `sri/` under the cache by what
/// makes the copy.
fn light_item(
    catalog: &Catalog,
    options: &Options,
    tagging: &Tagging,
    ep: &crate::catalog::Episode,
    light: &crate::catalog::Light,
) -> Result<LightItem, GenerateError> {
    let recorded = ep.published.as_ref().and_then(|p| p.current.rendition(crate::catalog::ledger::LIGHT));
    let media_name = recorded
        .filter(|r| r.sha256 == light.sha256)
        .map_or_else(|| super::light_media_name(ep, light), |r| r.name.clone());
    let (tag_digest, tag_len) = tagging.measure(catalog, ep)?;
    let audio = light.audio.audio_start..light.audio.audio_end;
    let range = format!("{}-{}", audio.start, audio.end);
    let cached = options
        .cache
        .as_ref()
        .map(|c| c.join("sri").join(key(["light-sri", TAG_VERSION, &light.audio.blake3, &tag_digest, &range])));
    let known = cached.as_deref().and_then(|p| std::fs::read_to_string(p).ok()).filter(|v| v.starts_with("sha256-"));
    let sri = match known {
        Some(sri) => sri,
        None => {
            let tag = tagging.tag(catalog, ep)?;
            let bytes = std::fs::read(&light.path).at(&light.path)?;
            if crate::util::hash::blake3_hex(&bytes) != light.audio.blake3 || bytes.len() < audio.end as usize {
                return Err(GenerateError::SourceChanged(light.path.clone()));
            }
            let sri = crate::util::hash::sri_sha256(&[&tag, &bytes[audio.start as usize..audio.end as usize]]);
            if let Some(p) = &cached {
                // The cache only saves time: failing to write it is not an error.
                let _ = crate::util::fs::write_cache(p, sri.as_bytes());
            }
            sri
        }
    };
    Ok(LightItem {
        media_name,
        media_length: tag_len + audio.end - audio.start,
        tag_digest,
        sri,
        bitrate: crate::feed::nominal_bitrate(light.audio.bitrate),
    })
}

/// The tagging of a build's MP3s, if it shows any.
fn tagging(catalog: &Catalog, options: &Options) -> Result<Option<Tagging>, GenerateError> {
    if catalog.episodes.iter().any(|e| is_tagged(e) || e.light.is_some()) {
        Tagging::new(catalog, options.cache.as_ref().map(|c| c.join("tag-cover")).as_deref()).map(Some)
    } else {
        Ok(None)
    }
}

fn cover_name(catalog: &Catalog) -> String {
    let cover = &catalog.channel.cover;
    format!("cover.{}.{}", cover.hash8, cover.format.extension())
}

/// The feed alone, as `build` would write it (`veillee feed`), the current generation's
/// manifest giving the tagged copies' lengths it has.
pub(crate) fn feed_only(
    catalog: &Catalog,
    options: &Options,
    previous: Option<&(Generation, Manifest)>,
) -> Result<Vec<u8>, GenerateError> {
    let urls = urls(catalog, options)?;
    catalog.check_published_media()?;
    let tagging = tagging(catalog, options)?;
    let (items, _staged) = items(catalog, options, tagging.as_ref(), previous.map(|(_, m)| m))?;
    // The M4A copies made for their lengths are not kept: a build makes its own.
    if let Some(dir) = &options.stage_dir {
        let _ = std::fs::remove_dir_all(dir);
    }
    let keys = feed_item_keys(catalog, &global_key(catalog, &urls, options), &items, &item_keys(&items));
    Ok(render_feed(catalog, &urls, &items, &keys, &cover_name(catalog), &FeedJob::Main(1), options))
}

/// Which feed an output is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum FeedJob {
    /// Page `n` of the main feed: `feed.xml` (the only one unless channel.toml's
    /// `feed_page_size` pages it), then `feed/2.xml`…
    Main(usize),
    Partner(String),
    Method(String),
}

impl FeedJob {
    fn path(&self) -> String {
        match self {
            FeedJob::Main(1) => "feed.xml".into(),
            FeedJob::Main(n) => format!("feed/{n}.xml"),
            FeedJob::Partner(slug) => format!("partenaires/{slug}/feed.xml"),
            FeedJob::Method(slug) => format!("methodes/{slug}/feed.xml"),
        }
    }
}

/// The main feed's pages: one unless `feed_page_size` is set and exceeded.
fn feed_pages(catalog: &Catalog, items: usize) -> usize {
    catalog.channel.feed_page_size.map_or(1, |size| items.div_ceil(size).max(1))
}

/// The places in `items` of a feed's items, and what sets the feed apart.
fn feed_of(catalog: &Catalog, urls: &Urls, items: &[Item<'_>], which: &FeedJob) -> (Vec<usize>, FeedHead) {
    let ch = &catalog.channel;
    let all = 0..items.len();
    match which {
        FeedJob::Main(n) => {
            let pages = feed_pages(catalog, items.len());
            let Some(size) = ch.feed_page_size.filter(|_| pages > 1) else {
                return (all.collect(), FeedHead::default());
            };
            let paging = Paging {
                first: urls.feed_page(1),
                last: urls.feed_page(pages),
                previous: (*n > 1).then(|| urls.feed_page(n - 1)),
                next: (*n < pages).then(|| urls.feed_page(n + 1)),
            };
            let page = ((n - 1) * size..(n * size).min(items.len())).collect();
            (page, FeedHead { scope: None, self_url: Some(urls.feed_page(*n)), paging: Some(paging) })
        }
        FeedJob::Partner(slug) => {
            let p = &catalog.partners[slug];
            let scope = Scope {
                title: format!("{} — {}", ch.title, p.name),
                link: urls.partner(slug),
                description: format!("Les épisodes de « {} » avec {}.", ch.title, p.name),
                guid: p.feed_guid.clone(),
            };
            let mine = all.filter(|&i| items[i].episode.partners.contains(slug)).collect();
            (mine, FeedHead { scope: Some(scope), self_url: Some(urls.partner_feed(slug)), paging: None })
        }
        FeedJob::Method(slug) => {
            let m = &catalog.methods[slug];
            let about = format!("Les épisodes de « {} » sur la méthode « {} ».", ch.title, m.title);
            let scope = Scope {
                title: format!("{} — {}", ch.title, m.title),
                link: urls.method(slug),
                description: if m.summary.trim().is_empty() { about } else { format!("{about} {}", m.summary.trim()) },
                guid: m.feed_guid.clone(),
            };
            let mine = all.filter(|&i| site::discusses(items[i].episode, slug)).collect();
            (mine, FeedHead { scope: Some(scope), self_url: Some(urls.method_feed(slug)), paging: None })
        }
    }
}

/// One feed's bytes, its items from the cache when it has them (the main feed's pages keep it).
fn render_feed(
    catalog: &Catalog,
    urls: &Urls,
    items: &[Item<'_>],
    keys: &[String],
    cover_name: &str,
    which: &FeedJob,
    options: &Options,
) -> Vec<u8> {
    let (mine, head) = feed_of(catalog, urls, items, which);
    let subset: Vec<Item<'_>> = mine.iter().map(|&i| items[i].clone()).collect();
    let subset_keys: Vec<String> = mine.iter().map(|&i| keys[i].clone()).collect();
    let input = FeedInput { catalog, urls, items: &subset, cover_name, head: &head };
    let main = matches!(which, FeedJob::Main(_)).then_some(keys);
    super::feed_items::feed(&input, &subset_keys, options.feed_cache.as_deref(), main)
}

/// What every page shows: the show, the theme, the addresses.
fn global_key(catalog: &Catalog, urls: &Urls, options: &Options) -> String {
    // Every page's footer names the partners.
    let partners: String = catalog.partners.values().map(|p| format!("{}\0{}\0", p.slug, p.name)).collect();
    key([
        "global",
        &partners,
        env!("CARGO_PKG_VERSION"),
        &site::theme_digest(&catalog.theme),
        &catalog.channel.digest,
        &urls.base,
        &urls.media_base,
        if options.drafts { "drafts" } else { "" },
    ])
}

/// Each item's own inputs: its sources, its slug (its file's name, in every address of it), media
/// name and length, date and ledger facts.
fn item_keys(items: &[Item<'_>]) -> Vec<String> {
    items
        .iter()
        .map(|i| {
            let e = i.episode;
            let published = e.published.as_ref().map(|p| format!("{}\0{}", p.pub_date, p.old_slugs.join(" ")));
            let date = e.pub_date().to_string();
            // The published audio's length is in the feed and on the page: a re-tag changes it.
            let light = i.light.as_ref().map(|l| format!("{}\0{}\0{}", l.media_name, l.media_length, l.sri));
            let media = format!(
                "{}\0{}\0{}",
                i.media_length,
                i.tag_digest.as_deref().unwrap_or(""),
                light.as_deref().unwrap_or("")
            );
            key([e.digest.as_str(), &e.slug, &i.media_name, &date, published.as_deref().unwrap_or("draft"), &media])
        })
        .collect()
}

/// The key of each item of the feed: the show's, its own, and the partners (its author) and
/// places (its locations) it names.
fn feed_item_keys(catalog: &Catalog, global: &str, items: &[Item<'_>], item_keys: &[String]) -> Vec<String> {
    items
        .iter()
        .zip(item_keys)
        .map(|(i, k)| {
            let e = i.episode;
            let partners = e.partners.iter().map(|p| catalog.partners.get(p).map_or("", |p| p.digest.as_str()));
            let places = e.territories.iter().map(|t| catalog.territories.get(t).map_or("", |t| t.digest.as_str()));
            key(["item", global, k].into_iter().chain(partners).chain(places))
        })
        .collect()
}

/// Plans every output, marks those whose inputs changed since `previous` as pending, and hands
/// the plan to `write` with the renderer of the pending ones: the writer renders each as it
/// writes it, so that the site is never whole in memory.
pub(crate) fn render<R>(
    catalog: &Catalog,
    options: &Options,
    previous: Option<&(Generation, Manifest)>,
    write: impl FnOnce(Rendered, &Renderer<'_>) -> Result<R, GenerateError>,
) -> Result<R, GenerateError> {
    let ch = &catalog.channel;
    let urls = urls(catalog, options)?;
    catalog.check_published_media()?;

    let cover_name = cover_name(catalog);
    let mut jobs: BTreeMap<String, (String, Job)> = BTreeMap::new();
    let file = |path: &Path, blake3: Option<String>| -> Result<(String, Job), GenerateError> {
        let hash = match blake3 {
            Some(h) => h,
            None => crate::util::hash::blake3_hex(&std::fs::read(path).at(path)?),
        };
        Ok((key(["file", &hash]), Job::Ready(Content::File { path: path.to_path_buf(), blake3: Some(hash) })))
    };
    jobs.insert(format!("images/{cover_name}"), file(&ch.cover_path, None)?);

    let tagging = tagging(catalog, options)?;
    let (items, mut staged) = items(catalog, options, tagging.as_ref(), previous.map(|(_, m)| m))?;
    for (i, item) in items.iter().enumerate() {
        let ep = item.episode;
        let versions = catalog.ledger.record(&ep.guid).map(|r| r.media.as_slice()).unwrap_or_default();
        for (name, sha256) in versions.iter().filter(|(name, _)| !name.is_empty()) {
            jobs.entry(format!("media/{name}"))
                .or_insert_with(|| (key(["inherited", sha256]), Job::Ready(Content::Inherited)));
        }
        let media = match &item.tag_digest {
            Some(digest) if tag_kind(ep) != Some(TagKind::Id3) => {
                // Unchanged (the same key as the previous generation's) unless staged now.
                let made = staged.remove(&i).map_or(Content::Unchanged, Content::Staged);
                (staged_key(ep, digest), Job::Ready(made))
            }
            Some(digest) => {
                // The audio range and the length too: a probe that finds the frames elsewhere
                // (another version of it) must tag again, never keep a copy of another length.
                let range = format!("{}-{}-{}", ep.audio.audio_start, ep.audio.audio_end, item.media_length);
                (key(["tagged", TAG_VERSION, &ep.audio.blake3, digest, &range]), Job::Tagged(i, false))
            }
            None => file(&ep.audio_path, Some(ep.audio.blake3.clone()))?,
        };
        jobs.insert(format!("media/{}", item.media_name), media);
        if let (Some(light), Some(facts)) = (&item.light, &ep.light) {
            let range = format!("{}-{}-{}", facts.audio.audio_start, facts.audio.audio_end, light.media_length);
            let light_key = key(["tagged", TAG_VERSION, &facts.audio.blake3, &light.tag_digest, &range]);
            jobs.insert(format!("media/{}", light.media_name), (light_key, Job::Tagged(i, true)));
        }
        if let (Some((path, _)), Some(name)) = (&ep.image, &item.image_name) {
            jobs.insert(format!("images/{name}"), file(path, None)?);
        }
    }

    // The keys. `global` covers what every page shows: the show, the theme, the addresses.
    let version = env!("CARGO_PKG_VERSION");
    let global = global_key(catalog, &urls, options);
    let item_keys = item_keys(&items);
    let method_digest = |slug: &str| catalog.methods.get(slug).map_or("", |m| m.digest.as_str());
    let partner_digest = |slug: &str| catalog.partners.get(slug).map_or("", |p| p.digest.as_str());
    let territory_digest = |slug: &str| catalog.territories.get(slug).map_or("", |t| t.digest.as_str());
    let all_items = key(item_keys.iter().map(String::as_str));
    let all_pages = key(catalog
        .methods
        .values()
        .map(|m| m.digest.as_str())
        .chain(catalog.partners.values().map(|p| p.digest.as_str()))
        .chain(catalog.territories.values().map(|t| t.digest.as_str())));

    for (i, item) in items.iter().enumerate() {
        let e = item.episode;
        let linked = e
            .methods
            .iter()
            .chain(e.chapters.iter().filter_map(|c| c.method.as_ref()))
            .map(|m| method_digest(m))
            .chain(e.partners.iter().map(|p| partner_digest(p)))
            .chain(e.territories.iter().map(|t| territory_digest(t)));
        let page_key = key([global.as_str(), &item_keys[i]].into_iter().chain(linked));
        jobs.insert(format!("episodes/{}/index.html", e.slug), (page_key, Job::Episode(i)));
        if item.has_chapters {
            let k = key(["chapters", version, &ch.digest, &item_keys[i]]);
            jobs.insert(format!("chapters/{}.chapters.json", e.slug), (k, Job::Chapters(i)));
        }
        if item.has_transcript {
            // The text formats are the cues with the speakers' names: editing the notes leaves
            // them be. The HTML transcript is a page (the title, links to the episode page).
            let cues = e.transcript.as_ref().map_or("", |t| t.digest.as_str());
            let names = serde_json::to_string(&e.speakers).expect("a map of strings serializes");
            for format in OutFormat::ALL {
                let k = match format {
                    OutFormat::Html => key(["transcript", "html", version, &global, &item_keys[i]]),
                    _ => key(["transcript", format.extension(), version, cues, &names]),
                };
                jobs.insert(format!("transcripts/{}.{}", e.slug, format.extension()), (k, Job::Transcript(i, format)));
            }
        }
    }
    // A feed is its items (each with its partners and places), the show, and what sets it apart
    // (a page's place among the others; a scope's page).
    let feed_keys = feed_item_keys(catalog, &global, &items, &item_keys);
    let pages = feed_pages(catalog, items.len());
    let feeds = (1..=pages)
        .map(FeedJob::Main)
        .chain(catalog.partners.keys().map(|s| FeedJob::Partner(s.clone())))
        .chain(catalog.methods.keys().map(|s| FeedJob::Method(s.clone())));
    for which in feeds {
        let (mine, _) = feed_of(catalog, &urls, &items, &which);
        let scope = match &which {
            FeedJob::Main(n) => format!("main {n}/{pages}"),
            FeedJob::Partner(slug) => format!("partner {}", partner_digest(slug)),
            FeedJob::Method(slug) => format!("method {}", method_digest(slug)),
        };
        let parts = ["feed", global.as_str(), scope.as_str()].into_iter();
        let k = key(parts.chain(mine.iter().map(|&i| feed_keys[i].as_str())));
        jobs.insert(which.path(), (k, Job::Feed(which)));
    }
    jobs.insert("index.html".into(), (key(["index", &global, &all_items, &all_pages]), Job::Index));
    let keys_of = |pred: &dyn Fn(&Item<'_>) -> bool| -> Vec<&str> {
        items.iter().zip(&item_keys).filter(|(i, _)| pred(i)).map(|(_, k)| k.as_str()).collect()
    };
    for m in catalog.methods.values() {
        let eps = keys_of(&|i| site::discusses(i.episode, &m.slug));
        let partners = m.partners.iter().map(|p| partner_digest(p));
        // Its passages of other episodes come from the whole index: every episode counts.
        let k = key(["method", global.as_str(), &m.digest, &all_items].into_iter().chain(partners).chain(eps));
        jobs.insert(format!("methodes/{}/index.html", m.slug), (k, Job::Method(m.slug.clone())));
    }
    for p in catalog.partners.values() {
        let eps = keys_of(&|i| i.episode.partners.contains(&p.slug));
        let territories = p.territories.iter().map(|t| territory_digest(t));
        let methods = catalog.methods.values().filter(|m| m.partners.contains(&p.slug)).map(|m| m.digest.as_str());
        let k = key(["partner", global.as_str(), &p.digest].into_iter().chain(territories).chain(methods).chain(eps));
        jobs.insert(format!("partenaires/{}/index.html", p.slug), (k, Job::Partner(p.slug.clone())));
    }
    for t in catalog.territories.values() {
        let eps = keys_of(&|i| i.episode.territories.contains(&t.slug));
        let partners = catalog.partners.values().filter(|p| p.territories.contains(&t.slug)).map(|p| p.digest.as_str());
        let k = key(["territory", global.as_str(), &t.digest].into_iter().chain(partners).chain(eps));
        jobs.insert(format!("territoires/{}/index.html", t.slug), (k, Job::Territory(t.slug.clone())));
    }
    // The lists: every page of the archives, of the years, the lists of methods, partners and
    // territories (their entries name each of them), and the pages made from the show alone.
    let lists_key = key(["lists", &global, &all_items, &all_pages]);
    for n in 1..=site::archive_pages(items.len(), ch.archive_page_size) {
        let path = format!("{}index.html", &site::ArchivePart::Page(n).path()[1..]);
        jobs.insert(path, (lists_key.clone(), Job::Archives(site::ArchivePart::Page(n))));
    }
    for (year, _) in site::years(&items) {
        let path = format!("{}index.html", &site::ArchivePart::Year(year).path()[1..]);
        jobs.insert(path, (lists_key.clone(), Job::Archives(site::ArchivePart::Year(year))));
    }
    for list in site::List::ALL {
        jobs.insert(format!("{}/index.html", list.dir()), (lists_key.clone(), Job::List(list)));
    }
    jobs.insert("sitemap.xml".into(), (lists_key.clone(), Job::Sitemap));
    jobs.insert("404.html".into(), (key(["404", &global]), Job::NotFound));
    jobs.insert("recherche/index.html".into(), (key(["search-form", &global]), Job::SearchForm));
    jobs.insert("robots.txt".into(), (key(["robots", &global]), Job::Robots));
    let redirects = redirects(&items);
    // Static hosts get a page at each old page URL (files cannot redirect themselves).
    for (from, to) in redirects.iter().filter(|(from, _)| from.ends_with('/')) {
        jobs.insert(format!("{}index.html", &from[1..]), (key(["redirect", &global, to]), Job::Redirect(to.clone())));
    }
    let redirects_json = serde_json::to_vec_pretty(&redirects).expect("a map of strings serializes");
    let redirects_key = key(["redirects", &blake3::hash(&redirects_json).to_hex()]);
    jobs.insert("_redirects.json".into(), (redirects_key, Job::Redirects));
    for (name, text) in site::STATIC {
        jobs.insert((*name).to_owned(), (key(["static", name, text]), Job::Static(text)));
    }
    // Static files may replace the theme's own files, never a generated page or feed.
    for (path, source) in &catalog.static_files {
        if site::STATIC.iter().any(|(name, _)| name == path) || !jobs.contains_key(path) {
            jobs.insert(path.clone(), file(source, None)?);
        }
    }

    let index = index_plan(catalog, &items, &item_keys, previous)?;

    let site_input = SiteInput { catalog, urls: &urls, items: &items, cover_name: &cover_name };
    let pages = site::PagesSource::new(catalog, &urls, &cover_name);
    let mut out = Rendered { episodes: items.len(), pages, ..Rendered::default() };
    let mut todo = Vec::new();
    let mut to_tag = Vec::new();
    for (path, (k, job)) in jobs {
        // The manifest is the previous generation's own record of its files: no need to stat them.
        let unchanged = previous.is_some_and(|(_, m)| m.files.get(&path).is_some_and(|e| e.key == k));
        let content = match job {
            Job::Ready(content) if unchanged && !matches!(content, Content::Inherited) => Content::Unchanged,
            Job::Ready(content) => content,
            _ if unchanged => Content::Unchanged,
            Job::Tagged(i, light) => {
                out.rendered.push(path.clone());
                to_tag.push((i, light));
                Content::Tagged(to_tag.len() - 1)
            }
            job => {
                out.rendered.push(path.clone());
                if matches!(job, Job::Method(_)) {
                    out.after_index.insert(path.clone());
                }
                todo.push(job);
                Content::Pending(todo.len() - 1)
            }
        };
        out.outputs.insert(path, Output { key: k, content });
    }
    let pages = todo.iter().any(|job| {
        !matches!(job, Job::Feed(_) | Job::Chapters(_) | Job::Redirects | Job::Static(_) | Job::Sitemap | Job::Robots)
            && !matches!(job, Job::Transcript(_, format) if *format != OutFormat::Html)
    });
    let site = if pages { Some(Site::new(&site_input)?) } else { None };
    // Only the transcripts of what is rendered or indexed are parsed.
    read_transcripts(
        todo.iter()
            .filter_map(|job| match job {
                Job::Episode(i) | Job::Transcript(i, _) => Some(items[*i].episode),
                _ => None,
            })
            .chain(index.add.iter().map(|i| items[*i].episode)),
    )?;
    out.index = index;
    // Filled once the new index is finished (`Renderer::suggest`), before the method pages render.
    let mentions: std::sync::OnceLock<BTreeMap<String, Vec<search::Mention>>> = std::sync::OnceLock::new();
    let render_one = |n: usize| -> Result<Vec<u8>, GenerateError> {
        let site = || site.as_ref().ok_or_else(|| GenerateError::Invariant("a page to render, no theme loaded".into()));
        Ok(match &todo[n] {
            Job::Ready(_) | Job::Tagged(..) => unreachable!("ready and tagged outputs are not rendered"),
            Job::Feed(which) => render_feed(catalog, &urls, &items, &feed_keys, &cover_name, which, options),
            Job::Index => site()?.index()?,
            Job::Episode(i) => site()?.episode(&items[*i])?,
            Job::Method(slug) => {
                let found = mentions.get().and_then(|all| all.get(slug)).map_or(&[][..], Vec::as_slice);
                site()?.method(&catalog.methods[slug], found)?
            }
            Job::Partner(slug) => site()?.partner(&catalog.partners[slug])?,
            Job::Territory(slug) => site()?.territory(&catalog.territories[slug])?,
            Job::Chapters(i) => chapters_bytes(catalog, items[*i].episode).unwrap_or_default(),
            Job::Transcript(i, OutFormat::Html) => site()?.transcript(items[*i].episode)?.unwrap_or_default(),
            Job::Transcript(i, format) => transcript_output(items[*i].episode, *format).unwrap_or_default(),
            Job::Redirect(to) => site()?.redirect(to)?,
            Job::Redirects => redirects_json.clone(),
            Job::Static(text) => text.as_bytes().to_vec(),
            Job::Archives(part) => site()?.archives(*part)?,
            Job::List(list) => site()?.list(*list)?,
            Job::NotFound => site()?.not_found()?,
            Job::SearchForm => site()?.search_form()?,
            Job::Sitemap => site::sitemap(catalog, &urls, &items),
            Job::Robots => site::robots(&urls),
        })
    };
    let docs = |i: usize| search::EpisodeDocs::of(catalog, items[i].episode);
    let tagged = |n: usize| -> Result<TaggedCopy, GenerateError> {
        let (i, light) = to_tag[n];
        let item = &items[i];
        let ep = item.episode;
        let tagging = tagging.as_ref().ok_or_else(|| GenerateError::Invariant("an MP3 to tag, no cover".into()))?;
        let (path, audio, name, length) = match (light, &ep.light, &item.light) {
            (false, _, _) => (&ep.audio_path, &ep.audio, &item.media_name, item.media_length),
            (true, Some(facts), Some(l)) => (&facts.path, &facts.audio, &l.media_name, l.media_length),
            (true, _, _) => return Err(GenerateError::Invariant(format!("{}: no light version to tag", ep.slug))),
        };
        let copy = TaggedCopy {
            src: path.clone(),
            src_blake3: audio.blake3.clone(),
            tag: tagging.tag(catalog, ep)?,
            audio: audio.audio_start..audio.audio_end,
        };
        // The feed and the page already gave its length.
        if copy.tag.len() as u64 + copy.audio.end - copy.audio.start != length {
            return Err(GenerateError::Invariant(format!("the tag of {name} is not the length planned")));
        }
        Ok(copy)
    };
    let suggest = |index: &Path| -> Vec<(String, search::Mention)> {
        let found = search::Searcher::open(index).map(|s| site::method_mentions(catalog, &s)).unwrap_or_default();
        let listed = found.iter().flat_map(|(m, list)| list.iter().map(|x| (m.clone(), x.clone()))).collect();
        let _ = mentions.set(found);
        listed
    };
    write(out, &Renderer { job: &render_one, docs: &docs, tagged: &tagged, suggest: &suggest })
}

/// Parses the transcripts of `episodes` that the load did not.
fn read_transcripts<'a>(episodes: impl IntoIterator<Item = &'a crate::catalog::Episode>) -> Result<(), GenerateError> {
    crate::catalog::read_transcripts(episodes).map_err(GenerateError::SourceChanged)
}

/// The index's keys, and the documents of what changed since `previous`'s index.
fn index_plan(
    catalog: &Catalog,
    items: &[Item<'_>],
    item_keys: &[String],
    previous: Option<&(Generation, Manifest)>,
) -> Result<IndexPlan, GenerateError> {
    let version = key(["search", search::INDEX_VERSION, env!("CARGO_PKG_VERSION")]);
    let mut keys = BTreeMap::new();
    // The method pages' words are in the labels: editing one re-indexes nothing.
    for (item, item_key) in items.iter().zip(item_keys) {
        // The names of its partners and territories are searched with it.
        let about = search::EpisodeDocs::about(catalog, item.episode);
        keys.insert(item.episode.guid.clone(), key([version.as_str(), item_key, &about]));
    }
    let labels = search::Labels::of(catalog);
    let labels_key = key(["labels", &blake3::hash(&labels.to_json()).to_hex()]);
    // Update the previous index when there is one of this version, not too fragmented.
    let over = previous.and_then(|(g, m)| {
        let dir = g.index();
        if m.index.is_empty() || m.index_version != version {
            return None;
        }
        // A retracted episode's documents would stay in the shared segments, deleted but on
        // disk, words and all: its text must be nowhere.
        if m.index.keys().any(|guid| catalog.ledger.record(guid).is_some_and(|r| r.retracted)) {
            return None;
        }
        if m.index == keys {
            // Nothing to index: the index is not even opened.
            return Some(dir);
        }
        let (segments, deleted) = search::fragmentation(&dir)?;
        (segments < MAX_SEGMENTS && deleted < MAX_DELETED).then_some(dir)
    });
    let old = previous.filter(|_| over.is_some()).map(|(_, m)| &m.index);
    let guid = |i: usize| &items[i].episode.guid;
    let add: Vec<usize> =
        (0..items.len()).filter(|&i| old.is_none_or(|old| old.get(guid(i)) != keys.get(guid(i)))).collect();
    let reindexed = add.iter().map(|&i| items[i].episode.slug.clone()).collect();
    Ok(IndexPlan { keys, labels_key, labels, add, reindexed, over, version })
}

/// Old path → current path, for every renamed published episode: its page, and its transcript
/// and chapters, whose URLs podcast apps keep from the feeds they fetched before.
fn redirects(items: &[Item<'_>]) -> BTreeMap<String, String> {
    let current: Vec<&str> = items.iter().map(|i| i.episode.slug.as_str()).collect();
    // The episodes' directory has no page of its own: its list is the archives.
    let mut map = BTreeMap::from([("/episodes/".to_owned(), "/archives/".to_owned())]);
    for item in items {
        let slug = &item.episode.slug;
        for old in item.episode.published.iter().flat_map(|p| &p.old_slugs) {
            if current.contains(&old.as_str()) {
                continue;
            }
            map.insert(crate::util::urls::episode_path(old), crate::util::urls::episode_path(slug));
            if item.has_transcript {
                for ext in OutFormat::ALL.map(OutFormat::extension) {
                    map.insert(format!("/transcripts/{old}.{ext}"), format!("/transcripts/{slug}.{ext}"));
                }
            }
            if item.has_chapters {
                map.insert(format!("/chapters/{old}.chapters.json"), format!("/chapters/{slug}.chapters.json"));
            }
        }
    }
    map
}
