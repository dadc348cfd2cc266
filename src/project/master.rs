//! `master`: an episode's audio made from a recording ([`crate::media::encode`]), written once
//! as `episodes/<slug>.mp3` (renamed into place) with `mastered_from` in its front matter.

use std::path::{Path, PathBuf};

use super::{Project, PublishOptions, WorkError};
use crate::catalog::ledger::Ledger;
use crate::media::encode::{self, Mastered, Settings};
use crate::util::{IoContext, IoError};

/// What `master` did.
#[derive(Debug)]
pub struct MasterReport {
    pub audio: PathBuf,
    /// The light version, if the show offers one.
    pub light: Option<PathBuf>,
    pub mastered: Mastered,
    pub settings: Settings,
    /// Whether the episode was published: its new audio is a new version to record.
    pub published: bool,
}

impl Project {
    /// Masters `recording` into the audio of the episode `slug`.
    pub fn master(&self, slug: &str, recording: &Path) -> Result<MasterReport, WorkError> {
        let md = self.root().join("episodes").join(format!("{slug}.md"));
        if !crate::catalog::slug::is_slug(slug) || !md.is_file() {
            return Err(WorkError::NoEpisode { slug: slug.to_owned() });
        }
        let settings = self.mastering_settings()?.unwrap_or_default();
        let recording = &self.keep_recording(slug, recording)?;
        let file = recording.strip_prefix(self.root()).unwrap_or(recording).display().to_string();
        let (mastered, from) = mastered(recording, &recording.display().to_string(), &file, &settings)?;
        let (audio, light) = self.write_mastered(slug, &mastered)?;
        self.edit_front(&Path::new("episodes").join(format!("{slug}.md")), |doc| {
            if doc.contains_key("audio") {
                doc["audio"] = toml_edit::value(format!("{slug}.mp3"));
            }
            doc["mastered_from"] = toml_edit::value(from);
        })?;
        let published = crate::catalog::ledger::Ledger::load(self.root()).is_ok_and(|l| l.has_used_slug(slug));
        Ok(MasterReport { audio, light, mastered, settings, published })
    }

    /// The recording to master from, left as it is: when it is the episode's MP3 itself, which
    /// the mastering replaces, it is kept first as `episodes/<slug>.recording.mp3` (refused if
    /// another recording is there already).
    fn keep_recording(&self, slug: &str, recording: &Path) -> Result<PathBuf, WorkError> {
        let out = self.root().join(mastered_paths(slug).0);
        let same = |a: &Path, b: &Path| a.canonicalize().ok().is_some_and(|a| b.canonicalize().is_ok_and(|b| a == b));
        if !same(recording, &out) {
            return Ok(recording.to_path_buf());
        }
        let kept = self.root().join(recording_path(slug, "mp3"));
        if kept.exists() {
            let differs = crate::util::hash::sha256_file(&kept).at(&kept)?
                != crate::util::hash::sha256_file(recording).at(recording)?;
            if differs {
                return Err(WorkError::Invalid {
                    field: "recording",
                    why: format!(
                        "mastering {} would replace it, and {} (another recording) is where it would be kept: master from that one, or move it away",
                        self.relative(recording).display(),
                        self.relative(&kept).display()
                    ),
                });
            }
            return Ok(kept);
        }
        // A second name for the same bytes: the mastering's rename leaves them to it.
        if std::fs::hard_link(recording, &kept).is_err() {
            let bytes = std::fs::read(recording).at(recording)?;
            crate::util::fs::write_atomic(&kept, &bytes).at(&kept)?;
        }
        Ok(kept)
    }

    /// Writes a mastering as `episodes/<slug>.mp3` and its light version (a stale one removed),
    /// each renamed into place; their paths relative to the root.
    pub(crate) fn write_mastered(
        &self,
        slug: &str,
        mastered: &Mastered,
    ) -> Result<(PathBuf, Option<PathBuf>), WorkError> {
        let (audio, light) = mastered_paths(slug);
        let light_path = self.root().join(&light);
        match &mastered.light {
            Some(l) => crate::util::fs::write_atomic(&light_path, &l.mp3).at(&light_path)?,
            // A light version of an earlier mastering would not be this audio's.
            None => remove_if_there(&light_path)?,
        }
        let audio_path = self.root().join(&audio);
        crate::util::fs::write_atomic(&audio_path, &mastered.main.mp3).at(&audio_path)?;
        Ok((audio, mastered.light.is_some().then_some(light)))
    }
}

/// The files a mastering of `slug` writes, relative to the root: its MP3 and its light version.
pub(crate) fn mastered_paths(slug: &str) -> (PathBuf, PathBuf) {
    let dir = Path::new("episodes");
    (dir.join(format!("{slug}.mp3")), dir.join(crate::catalog::light_name(slug)))
}

/// Where a recording staff send, or an episode's MP3 mastered in place, is kept
/// (`*.recording.*` is out of git: an hour of WAV is 635 MB, and the episode's MP3 is what is
/// committed).
pub(crate) fn recording_path(slug: &str, extension: &str) -> PathBuf {
    Path::new("episodes").join(format!("{slug}.recording.{extension}"))
}

/// `recording` (called `name` in messages: an upload's name on the client) mastered in memory,
/// and the `mastered_from` that records it as `file`.
pub(crate) fn mastered(
    recording: &Path,
    name: &str,
    file: &str,
    settings: &Settings,
) -> Result<(Mastered, toml_edit::InlineTable), WorkError> {
    let bytes = std::fs::read(recording).at(recording)?;
    let ext = recording.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    let mastered = encode::master(&bytes, ext.as_deref(), settings)
        .map_err(|error| WorkError::Master { name: name.to_owned(), error })?;
    let mut from = toml_edit::InlineTable::new();
    from.insert("file", file.into());
    from.insert("sha256", crate::util::hash::sha256_hex(&bytes).into());
    from.insert("settings", settings.to_string().into());
    Ok((mastered, from))
}

/// Removes a file that may not be there.
pub(crate) fn remove_if_there(path: &Path) -> Result<(), IoError> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(IoError::new(path, e)),
        _ => Ok(()),
    }
}

impl Project {
    /// channel.toml's `[mastering]` (`None`: the show does not ask for mastering), read alone:
    /// the episode being mastered may have no audio yet, which a whole load would refuse.
    /// `check` names any error of it with its line.
    pub fn mastering_settings(&self) -> Result<Option<Settings>, WorkError> {
        let path = self.root().join("feed/channel.toml");
        let text = std::fs::read_to_string(&path).at(&path)?;
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| WorkError::Invalid {
            field: "mastering",
            why: format!("feed/channel.toml: {}", e.message()),
        })?;
        match table.get("mastering") {
            None => Ok(None),
            Some(value) => value.clone().try_into().map(Some).map_err(|e: toml::de::Error| WorkError::Invalid {
                field: "mastering",
                why: format!("feed/channel.toml [mastering]: {} (`veillee check` gives its line)", e.message()),
            }),
        }
    }
}

impl Project {
    /// Before a publication, when channel.toml has `[mastering]`: masters each episode it takes
    /// that is not mastered at those settings yet, or whose recording changed since (its
    /// recording: `mastered_from`'s file while it is there, else the episode's audio, a WAV or
    /// FLAC first). An import keeps the audio it fetched as it is.
    pub(crate) fn master_for_publish(&self, options: &PublishOptions) -> Result<Vec<MasterReport>, WorkError> {
        let Some(settings) = self.mastering_settings()? else { return Ok(Vec::new()) };
        if options.imported_from.is_some() {
            return Ok(Vec::new());
        }
        let ledger = Ledger::load(self.root())?;
        let published = |guid: &str| ledger.record(guid).is_some_and(|r| !r.retracted);
        let dir = self.root().join("episodes");
        let mut todo = Vec::new();
        for (slug, table) in front_matters(&dir)? {
            let guid = table.get("guid").and_then(|g| g.as_str()).unwrap_or_default();
            let taken = match (&options.slug, options.new_version) {
                (Some(one), new_version) => *one == slug && published(guid) == new_version,
                (None, true) => published(guid),
                (None, false) if !options.only.is_empty() => options.only.contains(&slug),
                (None, false) => ledger.record(guid).is_none(),
            };
            if !taken {
                continue;
            }
            let from = table.get("mastered_from").and_then(|m| m.as_table());
            let field = |name: &str| from.and_then(|m| m.get(name)).and_then(|s| s.as_str());
            let named = field("file")
                .map(|f| self.root().join(f))
                .filter(|f| f.is_file() && *f != dir.join(format!("{slug}.mp3")));
            // Done at these settings, from the recording as it is now (one sent again is mastered
            // again).
            let done = field("settings") == Some(&settings.to_string())
                && named.as_ref().is_none_or(|f| crate::util::hash::sha256_file(f).ok().as_deref() == field("sha256"));
            if !done {
                let recording = named
                    .or_else(|| audio(&dir, &slug, &table))
                    .ok_or_else(|| WorkError::NoEpisode { slug: slug.clone() })?;
                todo.push((slug, recording));
            }
        }
        todo.into_iter().map(|(slug, recording)| self.master(&slug, &recording)).collect()
    }
}

/// Each episode's slug and front matter (those that cannot be read are left to the load, which
/// names their error).
fn front_matters(dir: &Path) -> Result<Vec<(String, toml::Table)>, IoError> {
    let mut out = Vec::new();
    for path in std::fs::read_dir(dir).at(dir)?.filter_map(Result::ok).map(|e| e.path()) {
        if path.extension().is_none_or(|x| x != "md") {
            continue;
        }
        let Some(slug) = path.file_stem().map(|s| s.to_string_lossy().into_owned()) else { continue };
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        let Some(table) = crate::catalog::split_source(&path, &text).ok().and_then(|(toml, _)| toml.parse().ok())
        else {
            continue;
        };
        out.push((slug, table));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// An episode's audio, to master when no recording is named: the `audio` field, or
/// `<slug>.<ext>` (a lossless recording before a compressed one).
fn audio(dir: &Path, slug: &str, table: &toml::Table) -> Option<PathBuf> {
    if let Some(audio) = table.get("audio").and_then(|a| a.as_str()) {
        return Some(dir.join(audio)).filter(|p| p.is_file());
    }
    ["wav", "flac"]
        .iter()
        .chain(crate::catalog::AUDIO_EXTENSIONS)
        .map(|ext| dir.join(format!("{slug}.{ext}")))
        .find(|p| p.is_file())
}
