//! `master`: an episode's audio made from a recording ([`crate::media::encode`]), written once
//! as `episodes/<slug>.mp3` (renamed into place) with `mastered_from` in its front matter.

use std::path::{Path, PathBuf};

use super::{Project, WorkError};
use crate::media::encode::{self, Mastered, Settings};
use crate::util::{IoContext, IoError};

/// What `master` did.
#[derive(Debug)]
pub struct MasterReport {
    pub audio: PathBuf,
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
        let bytes = std::fs::read(recording).at(recording)?;
        let ext = recording.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
        let settings = self.mastering_settings()?;
        let name = recording.display().to_string();
        let mastered = encode::master(&bytes, ext.as_deref(), &settings).map_err(|e| match e {
            encode::EncodeError::Audio(e) => WorkError::NotAudio { name, why: e.to_string() },
            other => WorkError::Invalid { field: "recording", why: format!("`{name}` cannot be mastered: {other}") },
        })?;
        let audio = self.root().join("episodes").join(format!("{slug}.mp3"));
        crate::util::fs::write_atomic(&audio, &mastered.mp3).at(&audio)?;
        let text = std::fs::read_to_string(&md).at(&md)?;
        let (toml, body) =
            split(&text).ok_or_else(|| IoError::new(&md, std::io::Error::other("no +++ front matter")))?;
        let mut doc: toml_edit::DocumentMut =
            toml.parse().map_err(|e: toml_edit::TomlError| IoError::new(&md, std::io::Error::other(e.to_string())))?;
        if doc.contains_key("audio") {
            doc["audio"] = toml_edit::value(format!("{slug}.mp3"));
        }
        let file = recording.strip_prefix(self.root()).unwrap_or(recording).display().to_string();
        let mut from = toml_edit::InlineTable::new();
        from.insert("file", file.into());
        from.insert("sha256", crate::util::hash::sha256_hex(&bytes).into());
        from.insert("settings", settings.to_string().into());
        doc["mastered_from"] = toml_edit::value(from);
        let text = format!("+++\n{doc}+++\n{body}");
        crate::util::fs::write_atomic(&md, text.as_bytes()).at(&md)?;
        let published = crate::catalog::ledger::Ledger::load(self.root()).is_ok_and(|l| l.has_used_slug(slug));
        Ok(MasterReport { audio: self.relative(&audio).to_path_buf(), mastered, settings, published })
    }
}

impl Project {
    /// channel.toml's `[mastering]`, read alone: the episode being mastered may have no audio
    /// yet, which a whole load would refuse. `check` names any error of it with its line.
    fn mastering_settings(&self) -> Result<Settings, WorkError> {
        let path = self.root().join("feed/channel.toml");
        let text = std::fs::read_to_string(&path).at(&path)?;
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| WorkError::Invalid {
            field: "mastering",
            why: format!("feed/channel.toml: {}", e.message()),
        })?;
        match table.get("mastering") {
            None => Ok(Settings::default()),
            Some(value) => value.clone().try_into().map_err(|e: toml::de::Error| WorkError::Invalid {
                field: "mastering",
                why: format!("feed/channel.toml [mastering]: {} (`veillee check` gives its line)", e.message()),
            }),
        }
    }
}

/// The TOML between the `+++` lines, and the body after.
fn split(text: &str) -> Option<(&str, &str)> {
    let rest = text.strip_prefix("+++\n")?;
    let end = rest.find("\n+++\n")?;
    Some((&rest[..=end], &rest[end + 5..]))
}
