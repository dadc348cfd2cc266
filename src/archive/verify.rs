//! `archive verify`: the latest entry of every GUID that is not retracted, checked against the
//! sources and `build/current/www`. **Damage** is what the ledger guards: a source audio file
//! whose SHA-256 is not `media_sha256`, a published media file missing, or one whose audio
//! payload (the tags aside, see [`crate::media::payload`]) is not the source's; a retracted
//! episode's media still in www; a ledger entry rewritten since it was recorded. What may change
//! by design (the `.md`, a transcript or chapters corrected since the last publish) is reported
//! apart, as edited; a re-tagged media file (a title corrected) has the same payload and is not
//! reported at all: the ledger records the source's hash, not the tagged copy's.
//!
//! Files are read through maps, one episode at a time on every core: the source audio is hashed
//! once, and its payload compared byte for byte with the published copy's (a comparison costs a
//! fraction of a hash).

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::catalog::AUDIO_EXTENSIONS;
use crate::catalog::ledger::{Action, Entry, LEDGER_PATH, Ledger, Record};
use crate::media::payload;

/// What `verify` found.
#[derive(Debug, Default)]
pub struct Report {
    /// GUIDs checked (published or scheduled).
    pub checked: usize,
    pub retracted: usize,
    pub scheduled: usize,
    /// Bytes of audio read (sources and published copies).
    pub bytes: u64,
    /// Whether there was a build to check (`build/current`).
    pub built: bool,
    pub findings: Vec<Finding>,
}

impl Report {
    pub fn damaged(&self) -> bool {
        self.findings.iter().any(|f| f.what.damage())
    }
}

/// One file that is not as the ledger recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The file, relative to the show's root.
    pub path: PathBuf,
    /// The episode (its slug in the ledger's latest entry).
    pub slug: String,
    /// The line of the ledger entry it is checked against.
    pub line: usize,
    pub what: Found,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// No episode file holds the GUID.
    SourceMissing { guid: String },
    /// The source audio file is not there.
    AudioMissing,
    /// The source audio's SHA-256 is not the ledger's.
    AudioChanged { found: String, recorded: String },
    /// A file that cannot be read (permissions, I/O error, a malformed container).
    Unreadable { reason: String },
    /// The published media file is not in www.
    MediaMissing,
    /// The published media's audio payload is not the source's.
    MediaDiffers,
    /// A retracted episode's media is still in www.
    RetractedServed,
    /// A ledger line changed or removed after it was recorded: in a commit, or not yet committed.
    LedgerRewritten { commit: Option<String>, old: String },
    /// A ledger entry that contradicts the entries of the same GUID before it.
    LedgerInconsistent { why: String },
    /// The `.md` changed since the last publish.
    SourceEdited,
    /// The published transcript or chapters changed since the last publish.
    Corrected { what: &'static str },
}

impl Found {
    /// Whether the ledger guards it (exit 1), rather than a change by design.
    pub fn damage(&self) -> bool {
        !matches!(self, Found::SourceEdited | Found::Corrected { .. })
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (path, slug, line) = (self.path.display(), &self.slug, self.line);
        let entry = format!("{LEDGER_PATH}:{line}");
        match &self.what {
            Found::SourceMissing { guid } => write!(
                f,
                "{path}: no episode file holds the GUID `{guid}` of `{slug}` — restore it from git (a published episode stays unless retracted)"
            ),
            Found::AudioMissing => write!(f, "{path}: missing, the audio of `{slug}` ({entry}) — restore it from git"),
            Found::AudioChanged { found, recorded } => write!(
                f,
                "{path}: not the audio published ({entry}): its SHA-256 is {}…, the ledger's {}… — restore it from git, or record the change with `veillee publish {slug} --new-version --reason \"…\"`",
                &found[..found.len().min(12)],
                &recorded[..recorded.len().min(12)]
            ),
            Found::Unreadable { reason } => write!(f, "{path}: cannot be checked: {reason}"),
            Found::MediaMissing => {
                write!(f, "{path}: missing, the published audio of `{slug}` ({entry}) — run `veillee build`")
            }
            Found::MediaDiffers => write!(
                f,
                "{path}: its audio is not the source's (tags aside) — run `veillee build`, which writes it anew from the source"
            ),
            Found::RetractedServed => {
                write!(f, "{path}: the media of `{slug}`, retracted ({entry}), is still served — run `veillee build`")
            }
            Found::LedgerRewritten { commit: Some(c), old } => write!(
                f,
                "{path}:{line}: this line was changed after it was recorded (commit {c}; it read `{old}`) — entries are never rewritten: restore it with git"
            ),
            Found::LedgerRewritten { commit: None, old } => write!(
                f,
                "{path}:{line}: this line was edited by hand since the last commit (it read `{old}`) — restore it: `git checkout -- {LEDGER_PATH}`"
            ),
            Found::LedgerInconsistent { why } => {
                write!(f, "{path}:{line}: the entry of `{slug}` was edited by hand: {why}")
            }
            Found::SourceEdited => write!(f, "{path}: edited since its last publish ({entry})"),
            Found::Corrected { what } => write!(f, "{path}: the {what} corrected since its last publish ({entry})"),
        }
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (damage, edited): (Vec<&Finding>, Vec<&Finding>) = self.findings.iter().partition(|x| x.what.damage());
        writeln!(
            f,
            "verified {} episodes against {LEDGER_PATH} ({} scheduled, {} retracted): {:.1} MB of audio read",
            self.checked,
            self.scheduled,
            self.retracted,
            self.bytes as f64 / 1e6
        )?;
        if !self.built {
            writeln!(f, "no build/current: the sources only were checked (run `veillee build` to check www too)")?;
        }
        for (title, list) in [("damage", &damage), ("edited since publish (by design, not damage)", &edited)] {
            if !list.is_empty() {
                writeln!(f, "{title} ({}):", list.len())?;
                for finding in list {
                    writeln!(f, "  {finding}")?;
                }
            }
        }
        if damage.is_empty() {
            writeln!(f, "no damage: every published audio file is as the ledger recorded it")?;
        }
        Ok(())
    }
}

/// An episode file: its slug (file name), path (relative) and audio file (absolute), when its
/// front matter can be read.
pub(crate) struct Source {
    pub slug: String,
    md: PathBuf,
    audio: Result<PathBuf, String>,
}

/// Checks the ledger against the sources under `root` and `build/current/www`, at `now`.
pub(crate) fn verify(root: &Path, ledger: &Ledger, now: jiff::Timestamp) -> Report {
    let sources = sources(root);
    let www = crate::generate::current_generation(root).map(|g| g.www());
    let mut report = Report { built: www.is_some(), ..Report::default() };
    let records: Vec<&Record> = ledger.records.values().collect();
    for r in &records {
        if r.retracted {
            report.retracted += 1;
        } else {
            report.checked += 1;
            report.scheduled += usize::from(r.pub_date > now);
        }
    }
    let checked = crate::util::par::map_long(&records, |r| {
        let mut out = Checked::default();
        if r.retracted {
            let entry = ledger.entries.iter().rev().find(|e| e.guid == r.guid && e.action == Action::Retract);
            retracted(www.as_deref(), r, entry.unwrap_or(&r.current), &mut out);
        } else {
            episode(root, sources.get(r.guid.as_str()), www.as_deref().filter(|_| r.pub_date <= now), r, &mut out);
        }
        out
    });
    for c in checked {
        report.bytes += c.bytes;
        report.findings.extend(c.findings);
    }
    report.findings.extend(consistency(ledger));
    report.findings.sort_by(|a, b| (!a.what.damage(), &a.path, a.line).cmp(&(!b.what.damage(), &b.path, b.line)));
    report
}

#[derive(Default)]
struct Checked {
    bytes: u64,
    findings: Vec<Finding>,
}

impl Checked {
    fn found(&mut self, path: impl Into<PathBuf>, entry: &Entry, what: Found) {
        self.findings.push(Finding { path: path.into(), slug: entry.slug.clone(), line: entry.line, what });
    }
}

/// The episode files by GUID. A file whose front matter cannot be read is left out (`check`
/// names it); its GUID is then reported without a source.
pub(crate) fn sources(root: &Path) -> HashMap<String, Source> {
    let dir = root.join("episodes");
    let mut out = HashMap::new();
    let Ok(listed) = std::fs::read_dir(&dir) else { return out };
    for path in listed.filter_map(Result::ok).map(|e| e.path()) {
        if path.extension().is_none_or(|x| x != "md") {
            continue;
        }
        let Some(slug) = path.file_stem().map(|s| s.to_string_lossy().into_owned()) else { continue };
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        let Ok(fm) = crate::catalog::split_front_matter(&path, &text) else { continue };
        let Ok(table) = fm.toml.parse::<toml::Table>() else { continue };
        let Some(guid) = table.get("guid").and_then(|g| g.as_str()) else { continue };
        let audio = match table.get("audio").and_then(|a| a.as_str()) {
            Some(name) => Ok(dir.join(name)),
            None => AUDIO_EXTENSIONS
                .iter()
                .chain(&["wav"])
                .map(|ext| dir.join(format!("{slug}.{ext}")))
                .find(|p| p.is_file())
                .ok_or_else(|| format!("episodes/{slug}.mp3")),
        };
        let md = Path::new("episodes").join(path.file_name().unwrap_or_default());
        out.insert(guid.to_owned(), Source { slug, md, audio });
    }
    out
}

/// A published (or scheduled, then without `www`) episode's files.
fn episode(root: &Path, source: Option<&Source>, www: Option<&Path>, r: &Record, out: &mut Checked) {
    let e = &r.current;
    let Some(source) = source else {
        out.found(LEDGER_PATH, e, Found::SourceMissing { guid: r.guid.clone() });
        return;
    };
    match std::fs::read(root.join(&source.md)) {
        Ok(md) if crate::util::hash::sha256_hex(&md) != e.source_sha256 => {
            out.found(&source.md, e, Found::SourceEdited);
        }
        Ok(_) => {}
        Err(err) => out.found(&source.md, e, Found::Unreadable { reason: err.to_string() }),
    }
    media(root, www, &source.audio, &e.media_name, &e.media_sha256, e, out);
    for r in &e.renditions {
        let light = Ok(root.join("episodes").join(crate::catalog::light_name(&source.slug)));
        media(root, www, &light, &r.name, &r.sha256, e, out);
    }
    let Some(www) = www else { return };
    let published = |name: String, recorded: &str, what: &'static str, out: &mut Checked| {
        let path = www.join(&name);
        let now = std::fs::read(&path).ok().map(|b| crate::util::hash::sha256_hex(&b)).unwrap_or_default();
        if now != recorded {
            out.found(Path::new("build/current/www").join(name), e, Found::Corrected { what });
        }
    };
    published(format!("transcripts/{}.vtt", source.slug), &e.transcript_sha256, "transcript", out);
    published(format!("chapters/{}.chapters.json", source.slug), &e.chapters_sha256, "chapters", out);
}

/// One of the episode's audio files (`audio`, the source; `name`, its copy under www/media):
/// the source is the bytes recorded (`sha256`), the copy carries its audio, the tags aside.
fn media(
    root: &Path,
    www: Option<&Path>,
    audio: &Result<PathBuf, String>,
    name: &str,
    sha256: &str,
    e: &Entry,
    out: &mut Checked,
) {
    let rel = |p: &Path| p.strip_prefix(root).unwrap_or(p).to_path_buf();
    // The source audio: hashed whole, kept mapped for the comparison with the published copy.
    let audio = match audio {
        Err(missing) => {
            out.found(missing, e, Found::AudioMissing);
            None
        }
        Ok(path) => match map(path) {
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                out.found(rel(path), e, Found::AudioMissing);
                None
            }
            Err(err) => {
                out.found(rel(path), e, Found::Unreadable { reason: err.to_string() });
                None
            }
            Ok(bytes) => {
                out.bytes += bytes.len() as u64;
                let found = crate::util::hash::sha256_hex(&bytes);
                if found == sha256 {
                    Some(bytes)
                } else {
                    out.found(rel(path), e, Found::AudioChanged { found, recorded: sha256.to_owned() });
                    None
                }
            }
        },
    };
    let Some(www) = www else { return };
    let media_rel = Path::new("build/current/www/media").join(name);
    match map(&www.join("media").join(name)) {
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => out.found(media_rel, e, Found::MediaMissing),
        Err(err) => out.found(media_rel, e, Found::Unreadable { reason: err.to_string() }),
        Ok(published) => {
            out.bytes += published.len() as u64;
            if let Some(audio) = &audio {
                let ext = Path::new(name).extension().map(|x| x.to_string_lossy().to_lowercase());
                match payload::same(audio, &published, &ext.unwrap_or_default()) {
                    Ok(true) => {}
                    Ok(false) => out.found(media_rel, e, Found::MediaDiffers),
                    Err(why) => out.found(media_rel, e, Found::Unreadable { reason: why.to_string() }),
                }
            }
        }
    }
}

/// A retracted episode (`entry`, its retraction): none of its media names is in www.
fn retracted(www: Option<&Path>, r: &Record, entry: &Entry, out: &mut Checked) {
    let Some(www) = www else { return };
    for (name, _) in &r.media {
        if !name.is_empty() && www.join("media").join(name).exists() {
            out.found(Path::new("build/current/www/media").join(name), entry, Found::RetractedServed);
        }
    }
}

/// What the entries of one GUID must agree on: the first publication's date, and time that
/// never runs backwards.
fn consistency(ledger: &Ledger) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut first: HashMap<&str, &Entry> = HashMap::new();
    let mut last_time: Option<jiff::Timestamp> = None;
    for e in &ledger.entries {
        let mut found = |why: String| {
            let what = Found::LedgerInconsistent { why };
            out.push(Finding { path: LEDGER_PATH.into(), slug: e.slug.clone(), line: e.line, what });
        };
        match first.get(e.guid.as_str()) {
            Some(f) if f.pub_date != e.pub_date => found(format!(
                "its pub_date {} is not the first publication's, {} (line {})",
                e.pub_date, f.pub_date, f.line
            )),
            Some(_) => {}
            None => {
                first.insert(&e.guid, e);
            }
        }
        if let Some(t) = last_time.filter(|t| e.recorded_at < *t) {
            found(format!("it was recorded at {}, before the entry above it ({t})", e.recorded_at));
        }
        last_time = Some(last_time.map_or(e.recorded_at, |t| t.max(e.recorded_at)));
    }
    out
}

/// A file's bytes through a map (an empty file as no bytes: a map of nothing fails).
fn map(path: &Path) -> std::io::Result<Bytes> {
    let file = std::fs::File::open(path)?;
    if file.metadata()?.len() == 0 {
        return Ok(Bytes::Empty);
    }
    // SAFETY: read-only, and only compared: a file changed meanwhile gives a wrong answer for
    // this run, never a fault in safe code that would keep the bytes.
    let map = unsafe { memmap2::Mmap::map(&file) }?;
    #[cfg(unix)]
    let _ = map.advise(memmap2::Advice::Sequential);
    Ok(Bytes::Mapped(map))
}

enum Bytes {
    Empty,
    Mapped(memmap2::Mmap),
}

impl std::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Empty => &[],
            Bytes::Mapped(m) => m,
        }
    }
}
