//! Archive bags (BagIt 1.0, RFC 8493): what a long-term archive takes in deposit, and what a new
//! host rebuilds a show from.
//!
//! A bag holds in `data/` what was published — the feed, the published media, transcripts and
//! chapters (`build/current/www`'s), the published episodes' metadata as JSON — and, in
//! `data/sources/`, the sources a working project needs: `feed/` (channel.toml, the cover, the
//! ledger), `site/`, and the files of every episode the ledger has published or scheduled.
//! Drafts, retracted episodes' files (their ledger records stay), `.veillee/` and `build/` are
//! never in it. Every payload file is in `manifest-sha256.txt`; the tag files are in
//! `tagmanifest-sha256.txt`.
//!
//! `restore` checks a bag whole (every file of the manifests there, with its hash; no payload
//! file outside them; `Payload-Oxum`) before it writes anything, then copies `data/sources/` to a
//! new directory through a temporary one renamed into place.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use serde::Serialize;

use crate::catalog::ledger::Entry;
use crate::catalog::{Catalog, Status};
use crate::util::fs::{files_under, slashed};
use crate::util::hash::sha256_file;
use crate::util::{IoContext, IoError};

/// Why a bag cannot be written or read.
#[derive(Debug, thiserror::Error)]
pub enum BagError {
    #[error("{}: exists already and is not empty — name a new directory", .0.display())]
    Exists(PathBuf),
    #[error("{}: not a BagIt bag: {why}", .path.display())]
    NotABag { path: PathBuf, why: String },
    /// A file of the bag that is missing, altered, unlisted or badly named.
    #[error("{}: {why} — the bag is damaged; nothing was restored", .path.display())]
    Damaged { path: PathBuf, why: String },
    #[error("{}: no build to export — run `veillee build` first", .0.display())]
    NoBuild(PathBuf),
    #[error(transparent)]
    Io(#[from] IoError),
    /// The build before an export failed.
    #[error(transparent)]
    Generate(#[from] crate::generate::GenerateError),
}

/// What `export` wrote.
#[derive(Debug)]
pub struct Exported {
    pub dir: PathBuf,
    /// Payload files and their bytes.
    pub files: usize,
    pub bytes: u64,
    /// Episodes published or scheduled, and retracted (records only).
    pub episodes: usize,
    pub retracted: usize,
}

/// What `restore` wrote.
#[derive(Debug)]
pub struct Restored {
    pub dir: PathBuf,
    /// Files of the bag checked, and the sources copied.
    pub checked: usize,
    pub sources: usize,
}

const MANIFEST: &str = "manifest-sha256.txt";
const TAG_MANIFEST: &str = "tagmanifest-sha256.txt";
const SOURCES: &str = "data/sources";

/// Writes the bag of the show in `catalog` (loaded from `root`), whose published outputs are in
/// `www`, to `out` (a new directory).
pub(crate) fn export(
    root: &Path,
    catalog: &Catalog,
    www: &Path,
    out: &Path,
    now: jiff::Timestamp,
) -> Result<Exported, BagError> {
    if std::fs::read_dir(out).is_ok_and(|mut d| d.next().is_some()) || out.is_file() {
        return Err(BagError::Exists(out.to_path_buf()));
    }
    // (where the file is, its path in the bag)
    let mut files: Vec<(PathBuf, String)> = vec![(www.join("feed.xml"), "data/feed.xml".to_owned())];
    for dir in ["media", "transcripts", "chapters", "images"] {
        for file in files_under(&www.join(dir))? {
            let rel = file.strip_prefix(www).unwrap_or(&file).to_path_buf();
            files.push((file, format!("data/{}", slashed(&rel))));
        }
    }
    for dir in ["feed", "site"] {
        for file in files_under(&root.join(dir))? {
            let rel = file.strip_prefix(root).unwrap_or(&file).to_path_buf();
            files.push((file, format!("{SOURCES}/{}", slashed(&rel))));
        }
    }
    let published: Vec<&crate::catalog::Episode> =
        catalog.episodes.iter().filter(|e| matches!(e.status(now), Status::Published | Status::Scheduled)).collect();
    for ep in &published {
        let mut own = vec![root.join(&ep.source), ep.audio_path.clone()];
        own.extend(ep.light.iter().map(|l| l.path.clone()));
        own.extend(ep.transcript.iter().map(|t| t.path.clone()));
        own.extend(ep.image.iter().map(|(p, _)| p.clone()));
        for file in own {
            let rel = file.strip_prefix(root).unwrap_or(&file).to_path_buf();
            files.push((file, format!("{SOURCES}/{}", slashed(&rel))));
        }
    }
    files.sort_by(|a, b| a.1.cmp(&b.1));
    files.dedup_by(|a, b| a.1 == b.1);

    let tmp = out.with_file_name(format!(
        ".{}.tmp-{}",
        out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&tmp);
    let written = (|| -> Result<Exported, BagError> {
        let episodes_json = episodes_json(catalog, &published, now);
        let json_path = tmp.join("data/episodes.json");
        std::fs::create_dir_all(json_path.parent().expect("has a parent")).at(&tmp)?;
        std::fs::write(&json_path, &episodes_json).at(&json_path)?;
        // Copied and hashed on every core: the media are most of the bytes.
        let copied = crate::util::par::map_long(&files, |(from, to)| -> Result<(String, u64), IoError> {
            let dest = tmp.join(to);
            std::fs::create_dir_all(dest.parent().expect("under data/")).at(&dest)?;
            let length = std::fs::copy(from, &dest).at(from)?;
            Ok((sha256_file(&dest).at(&dest)?, length))
        });
        let mut manifest = vec![(crate::util::hash::sha256_hex(&episodes_json), "data/episodes.json".to_owned())];
        let mut bytes = episodes_json.len() as u64;
        for ((_, to), done) in files.iter().zip(copied) {
            let (sha, length) = done?;
            bytes += length;
            manifest.push((sha, to.clone()));
        }
        manifest.sort_by(|a, b| a.1.cmp(&b.1));
        let manifest_text: String = manifest.iter().map(|(sha, path)| format!("{sha}  {}\n", encode(path))).collect();
        write(&tmp, "bagit.txt", "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n")?;
        write(&tmp, "bag-info.txt", &bag_info(catalog, bytes, manifest.len(), now))?;
        write(&tmp, MANIFEST, &manifest_text)?;
        let mut tags = String::new();
        for name in ["bag-info.txt", "bagit.txt", MANIFEST] {
            let path = tmp.join(name);
            tags.push_str(&format!("{}  {name}\n", sha256_file(&path).at(&path)?));
        }
        write(&tmp, TAG_MANIFEST, &tags)?;
        let retracted = catalog.ledger.records.values().filter(|r| r.retracted).count();
        Ok(Exported { dir: out.to_path_buf(), files: manifest.len(), bytes, episodes: published.len(), retracted })
    })();
    match written {
        Ok(done) => {
            // An empty directory named for the bag gives way.
            let _ = std::fs::remove_dir(out);
            std::fs::rename(&tmp, out).at(out)?;
            Ok(done)
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&tmp);
            Err(e)
        }
    }
}

/// Checks the bag at `bag` whole, then copies its sources to `dir` (a new directory).
pub(crate) fn restore(bag: &Path, dir: &Path) -> Result<Restored, BagError> {
    if std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_some()) || dir.is_file() {
        return Err(BagError::Exists(dir.to_path_buf()));
    }
    let not_a_bag = |why: &str| BagError::NotABag { path: bag.to_path_buf(), why: why.to_owned() };
    let declaration = std::fs::read_to_string(bag.join("bagit.txt")).map_err(|_| not_a_bag("no bagit.txt"))?;
    let labels = labels_of(&declaration);
    if !labels.get("BagIt-Version").is_some_and(|v| v == "1.0" || v == "0.97") {
        return Err(not_a_bag("bagit.txt does not declare BagIt-Version 1.0"));
    }
    if !labels.get("Tag-File-Character-Encoding").is_some_and(|v| v.eq_ignore_ascii_case("UTF-8")) {
        return Err(not_a_bag("its tag files are not in UTF-8"));
    }
    let manifest = read_manifest(bag, MANIFEST, true)?;
    if !manifest.keys().all(|p| p.starts_with("data/")) {
        let outside = manifest.keys().find(|p| !p.starts_with("data/")).cloned().unwrap_or_default();
        return Err(damaged(bag, &outside, "listed in the payload manifest outside data/"));
    }
    // Every payload file is in the manifest: a file slipped in is damage too.
    for file in files_under(&bag.join("data"))? {
        let rel = slashed(file.strip_prefix(bag).unwrap_or(&file));
        if !manifest.contains_key(&rel) {
            return Err(damaged(bag, &rel, "in data/ but not in manifest-sha256.txt"));
        }
    }
    let mut all: Vec<(&String, &String, &str)> = manifest.iter().map(|(p, h)| (p, h, MANIFEST)).collect();
    let tags = match bag.join(TAG_MANIFEST).is_file() {
        true => read_manifest(bag, TAG_MANIFEST, false)?,
        false => BTreeMap::new(),
    };
    all.extend(tags.iter().map(|(p, h)| (p, h, TAG_MANIFEST)));
    let results = crate::util::par::map_long(&all, |(rel, expected, listed_in)| -> Result<u64, BagError> {
        let path = bag.join(rel.as_str());
        match std::fs::metadata(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(damaged(bag, rel, &format!("listed in {listed_in}, missing")));
            }
            Err(e) => return Err(IoError::new(&path, e).into()),
            Ok(_) => {}
        }
        let found = sha256_file(&path).at(&path)?;
        if found != **expected {
            return Err(damaged(
                bag,
                rel,
                &format!(
                    "altered: its SHA-256 is {}…, {listed_in} says {}…",
                    &found[..12],
                    &expected[..expected.len().min(12)]
                ),
            ));
        }
        Ok(std::fs::metadata(&path).at(&path)?.len())
    });
    let mut payload_bytes = 0;
    for (result, (rel, _, _)) in results.into_iter().zip(&all) {
        let length = result?;
        if manifest.contains_key(rel.as_str()) {
            payload_bytes += length;
        }
    }
    if let Ok(info) = std::fs::read_to_string(bag.join("bag-info.txt"))
        && let Some(oxum) = labels_of(&info).get("Payload-Oxum")
        && *oxum != format!("{payload_bytes}.{}", manifest.len())
    {
        return Err(damaged(
            bag,
            "bag-info.txt",
            &format!("its Payload-Oxum {oxum} is not the payload's {payload_bytes}.{}", manifest.len()),
        ));
    }
    let sources: Vec<&String> = manifest.keys().filter(|p| p.starts_with(&format!("{SOURCES}/"))).collect();
    if !sources.iter().any(|p| *p == &format!("{SOURCES}/feed/channel.toml")) {
        return Err(not_a_bag("no data/sources/feed/channel.toml: not the bag of a Veillée show"));
    }
    let tmp = dir.with_file_name(format!(
        ".{}.tmp-{}",
        dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&tmp);
    let copied = (|| -> Result<(), IoError> {
        for rel in &sources {
            let to = tmp.join(&rel[SOURCES.len() + 1..]);
            std::fs::create_dir_all(to.parent().expect("under the directory")).at(&to)?;
            let from = bag.join(rel.as_str());
            std::fs::copy(&from, &to).at(&from)?;
        }
        Ok(())
    })();
    if let Err(e) = copied {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e.into());
    }
    let _ = std::fs::remove_dir(dir);
    std::fs::rename(&tmp, dir).at(dir)?;
    Ok(Restored { dir: dir.to_path_buf(), checked: all.len(), sources: sources.len() })
}

fn damaged(bag: &Path, rel: &str, why: &str) -> BagError {
    BagError::Damaged { path: bag.join(rel), why: why.to_owned() }
}

/// A manifest's entries, by path (decoded, checked to stay inside the bag): each line is a
/// hash, white space, then the path.
fn read_manifest(bag: &Path, name: &str, required: bool) -> Result<BTreeMap<String, String>, BagError> {
    let path = bag.join(name);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(_) if !required => return Ok(BTreeMap::new()),
        Err(_) => return Err(BagError::NotABag { path: bag.to_path_buf(), why: format!("no {name}") }),
    };
    let mut out = BTreeMap::new();
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let bad = |why: &str| BagError::Damaged { path: path.clone(), why: format!("line {}: {why}", n + 1) };
        let (hash, file) = line.split_once([' ', '\t']).ok_or_else(|| bad("not `hash  path`"))?;
        let file = decode(file.trim_start());
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad("not a SHA-256"));
        }
        let safe = Path::new(&file).components().all(|c| matches!(c, Component::Normal(_)));
        if !safe || file.is_empty() {
            return Err(bad(&format!("`{file}` is not a path inside the bag")));
        }
        out.insert(file, hash.to_ascii_lowercase());
    }
    Ok(out)
}

/// RFC 8493 §2.1.3: in manifests, CR, LF and `%` in a path are percent-encoded.
fn encode(path: &str) -> String {
    path.replace('%', "%25").replace('\n', "%0A").replace('\r', "%0D")
}

fn decode(path: &str) -> String {
    path.replace("%0A", "\n").replace("%0a", "\n").replace("%0D", "\r").replace("%0d", "\r").replace("%25", "%")
}

fn write(dir: &Path, name: &str, text: &str) -> Result<(), IoError> {
    let path = dir.join(name);
    std::fs::write(&path, text).at(&path)
}

/// `Label: value` lines (a value continued on lines that start with white space).
fn labels_of(text: &str) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    let mut last: Option<String> = None;
    for line in text.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some(v) = last.as_ref().and_then(|l| out.get_mut(l)) {
                v.push(' ');
                v.push_str(line.trim());
            }
        } else if let Some((label, value)) = line.split_once(':') {
            out.insert(label.trim().to_owned(), value.trim().to_owned());
            last = Some(label.trim().to_owned());
        }
    }
    out
}

/// `bag-info.txt`: the show's metadata as the reserved labels of RFC 8493 §2.2.2, and ours.
fn bag_info(catalog: &Catalog, bytes: u64, files: usize, now: jiff::Timestamp) -> String {
    let ch = &catalog.channel;
    let one_line = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut lines = vec![
        ("Source-Organization", one_line(&ch.author)),
        ("Organization-Address", ch.base_url.clone()),
        ("Contact-Name", one_line(&ch.owner.name)),
        ("Contact-Email", ch.owner.email.clone()),
        ("External-Description", one_line(&ch.description)),
        ("External-Identifier", format!("podcast:guid {}", ch.podcast_guid)),
        ("Bagging-Date", now.strftime("%Y-%m-%d").to_string()),
        ("Bag-Size", format!("{:.1} MB", bytes as f64 / 1e6)),
        ("Payload-Oxum", format!("{bytes}.{files}")),
        ("Bag-Software-Agent", concat!("Veillée ", env!("CARGO_PKG_VERSION"), " (veillee archive export)").to_owned()),
    ];
    lines.push(("Title", one_line(&ch.title)));
    lines.push(("Language", ch.language.clone()));
    lines.push(("License", format!("{} {}", ch.license.id, ch.license.url)));
    lines.push(("Rights", one_line(&ch.copyright)));
    lines.push(("Feed-URL", format!("{}/feed.xml", ch.base_url)));
    lines.iter().map(|(label, value)| format!("{label}: {value}\n")).collect()
}

/// The published episodes' metadata, and the records of the retracted ones.
fn episodes_json(catalog: &Catalog, published: &[&crate::catalog::Episode], now: jiff::Timestamp) -> Vec<u8> {
    #[derive(Serialize)]
    struct Episode<'a> {
        guid: &'a str,
        slug: &'a str,
        title: &'a str,
        status: &'static str,
        pub_date: String,
        summary: String,
        duration_seconds: f64,
        media: Media<'a>,
        /// The light version, if it has one.
        #[serde(skip_serializing_if = "Option::is_none")]
        light: Option<Media<'a>>,
        transcript: Option<String>,
        chapters: Option<String>,
        partners: &'a [String],
        methods: &'a [String],
        territories: &'a [String],
        persons: Vec<(&'a str, &'a str)>,
        history: Vec<HistoryEntry<'a>>,
    }
    #[derive(Serialize)]
    struct Media<'a> {
        file: String,
        mime: &'a str,
        source_sha256: &'a str,
    }
    #[derive(Serialize)]
    struct HistoryEntry<'a> {
        action: &'static str,
        slug: &'a str,
        recorded_at: String,
        reason: &'a str,
        media_name: &'a str,
        media_sha256: &'a str,
        #[serde(skip_serializing_if = "<[_]>::is_empty")]
        renditions: &'a [crate::catalog::ledger::Rendition],
    }
    #[derive(Serialize)]
    struct Retracted<'a> {
        guid: &'a str,
        slug: &'a str,
        title: &'a str,
        pub_date: String,
        retracted_at: String,
        reason: &'a str,
    }
    #[derive(Serialize)]
    struct All<'a> {
        show: &'a str,
        podcast_guid: &'a str,
        episodes: Vec<Episode<'a>>,
        retracted: Vec<Retracted<'a>>,
    }
    let history = |guid: &str| -> Vec<HistoryEntry<'_>> {
        catalog
            .ledger
            .entries
            .iter()
            .filter(|e| e.guid == guid)
            .map(|e: &Entry| HistoryEntry {
                action: e.action.as_str(),
                slug: &e.slug,
                recorded_at: e.recorded_at.to_string(),
                reason: &e.reason,
                media_name: &e.media_name,
                media_sha256: &e.media_sha256,
                renditions: &e.renditions,
            })
            .collect()
    };
    let episodes = published
        .iter()
        .map(|ep| {
            let current = ep.published.as_ref().map(|p| &p.current);
            Episode {
                guid: &ep.guid,
                slug: &ep.slug,
                title: &ep.title,
                status: if ep.status(now) == Status::Scheduled { "scheduled" } else { "published" },
                pub_date: ep.pub_date().to_string(),
                summary: crate::feed::item_summary(ep),
                duration_seconds: ep.audio.duration_ms as f64 / 1000.0,
                media: Media {
                    file: format!("media/{}", current.map_or("", |c| c.media_name.as_str())),
                    mime: &ep.audio.mime,
                    source_sha256: &ep.audio_sha256,
                },
                light: current.and_then(|c| c.rendition(crate::catalog::ledger::LIGHT)).map(|r| Media {
                    file: format!("media/{}", r.name),
                    mime: "audio/mpeg",
                    source_sha256: &r.sha256,
                }),
                transcript: ep.transcript.as_ref().map(|_| format!("transcripts/{}.vtt", ep.slug)),
                chapters: (!ep.chapters.is_empty()).then(|| format!("chapters/{}.chapters.json", ep.slug)),
                partners: &ep.partners,
                methods: &ep.methods,
                territories: &ep.territories,
                persons: ep.persons.iter().map(|p| (p.name.as_str(), p.role.as_str())).collect(),
                history: history(&ep.guid),
            }
        })
        .collect();
    let retracted = catalog
        .ledger
        .records
        .values()
        .filter(|r| r.retracted)
        .filter_map(|r| {
            let e = catalog.ledger.entries.iter().rev().find(|e| e.guid == r.guid)?;
            Some(Retracted {
                guid: &r.guid,
                slug: &e.slug,
                title: &e.title,
                pub_date: r.pub_date.to_string(),
                retracted_at: e.recorded_at.to_string(),
                reason: &e.reason,
            })
        })
        .collect();
    let all = All { show: &catalog.channel.title, podcast_guid: &catalog.channel.podcast_guid, episodes, retracted };
    let mut json = serde_json::to_vec_pretty(&all).expect("plain data serializes");
    json.push(b'\n');
    json
}
