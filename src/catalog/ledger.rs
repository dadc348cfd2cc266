//! Reading `feed/archive.toml`, the ledger: what was published, when, with which bytes.
//!
//! Entries are only ever appended (by `publish`, later `retract` and `import`); this module reads
//! them and derives each GUID's state: its first publication date, its current version's media,
//! the slugs it has had, whether it was retracted.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::SourceError;
use super::source::{FrontMatter, Syntax, read_text};
use crate::problem::{Position, Problem, Problems};

pub(crate) const LEDGER_PATH: &str = "feed/archive.toml";

/// What an entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    Publish,
    NewVersion,
    Retract,
    Import,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Publish => "publish",
            Action::NewVersion => "new-version",
            Action::Retract => "retract",
            Action::Import => "import",
        }
    }
}

/// One line of the ledger, as written.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
pub struct Entry {
    /// The line of `[[entry]]` in the ledger file (0 for an entry not written yet).
    pub line: usize,
    pub action: Action,
    pub guid: String,
    pub slug: String,
    pub recorded_at: jiff::Timestamp,
    pub pub_date: jiff::Timestamp,
    pub reason: String,
    pub source_sha256: String,
    pub media_name: String,
    pub media_length: u64,
    pub media_sha256: String,
    pub transcript_sha256: String,
    pub chapters_sha256: String,
    /// The episode's title, recorded by a retraction (its sources may be deleted with it);
    /// empty in other entries.
    #[serde(default)]
    pub title: String,
    /// The other files published beside the main media (the light version). Entries written
    /// before renditions existed have none: their episodes had only the main media.
    #[serde(default)]
    pub renditions: Vec<Rendition>,
}

/// A rendition of the episode's audio besides the main media, as an entry records it: like the
/// main media, its name under /media/, and the length and SHA-256 of its source file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Rendition {
    /// What it is: `light`.
    pub kind: String,
    pub name: String,
    pub length: u64,
    pub sha256: String,
}

/// The light version's kind.
pub(crate) const LIGHT: &str = "light";

impl Entry {
    /// The entry's rendition of `kind`.
    pub fn rendition(&self, kind: &str) -> Option<&Rendition> {
        self.renditions.iter().find(|r| r.kind == kind)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LedgerToml {
    #[serde(default)]
    entry: Vec<Spanned<EntryToml>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryToml {
    action: Action,
    guid: String,
    slug: String,
    recorded_at: toml::value::Datetime,
    pub_date: toml::value::Datetime,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    source_sha256: String,
    #[serde(default)]
    media_name: String,
    #[serde(default)]
    media_length: u64,
    #[serde(default)]
    media_sha256: String,
    #[serde(default)]
    transcript_sha256: String,
    #[serde(default)]
    chapters_sha256: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    renditions: Vec<Rendition>,
}

const ENTRY_FIELDS: &[&str] = &[
    "action",
    "guid",
    "slug",
    "recorded_at",
    "pub_date",
    "reason",
    "source_sha256",
    "media_name",
    "media_length",
    "media_sha256",
    "transcript_sha256",
    "chapters_sha256",
    "title",
    "renditions",
];

/// A GUID's state, derived from its entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub guid: String,
    /// The date of its first publication (or import); later versions keep it.
    pub pub_date: jiff::Timestamp,
    /// The entry of the current version (the last publish, new-version or import).
    pub current: Entry,
    /// Every slug it was recorded under, oldest first.
    pub slugs: Vec<String>,
    /// Every media name it was published with (renditions too), oldest first, with its SHA-256.
    pub media: Vec<(String, String)>,
    pub retracted: bool,
}

/// The whole ledger.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Ledger {
    pub entries: Vec<Entry>,
    /// By GUID.
    pub records: BTreeMap<String, Record>,
}

impl Ledger {
    /// Reads `feed/archive.toml`; a missing file is an empty ledger.
    pub(crate) fn load(root: &Path) -> Result<Ledger, Problems> {
        let path = root.join(LEDGER_PATH);
        if !path.exists() {
            return Ok(Ledger::default());
        }
        let mut problems = Problems::default();
        let rel = Path::new(LEDGER_PATH);
        let source = read_text(&path, Syntax::Toml).map_err(|p| Problems(vec![p.relative_to(root)]))?;
        // A long ledger parses much faster from JSON than from TOML: the parsed entries are kept
        // under the hash of the file, so only a changed ledger is parsed again.
        let cached = root.join(".veillee/cache/ledger").join(format!("{}.json", source.digest));
        if let Some(entries) = std::fs::read(&cached).ok().and_then(|b| serde_json::from_slice::<Vec<Entry>>(&b).ok()) {
            return Ok(Ledger::from_entries(entries));
        }
        let text = source.text;
        let fm = FrontMatter::new(&text, 1, "");
        let file: LedgerToml = fm.parse(rel, ENTRY_FIELDS).map_err(|p| Problems(vec![p]))?;
        let mut entries = Vec::new();
        for spanned in &file.entry {
            let line = fm.line_of(spanned);
            let e = spanned.get_ref();
            let (Some(recorded_at), Some(pub_date)) = (timestamp(&e.recorded_at), timestamp(&e.pub_date)) else {
                problems.push(Problem::error(
                    rel,
                    Position::Line(line),
                    SourceError::BadDate { value: e.pub_date.to_string() },
                ));
                continue;
            };
            entries.push(Entry {
                line,
                action: e.action,
                guid: e.guid.clone(),
                slug: e.slug.clone(),
                recorded_at,
                pub_date,
                reason: e.reason.clone(),
                source_sha256: e.source_sha256.clone(),
                media_name: e.media_name.clone(),
                media_length: e.media_length,
                media_sha256: e.media_sha256.clone(),
                transcript_sha256: e.transcript_sha256.clone(),
                chapters_sha256: e.chapters_sha256.clone(),
                title: e.title.clone(),
                renditions: e.renditions.clone(),
            });
        }
        if problems.has_errors() {
            return Err(problems);
        }
        if let Ok(json) = serde_json::to_vec(&entries) {
            let _ = crate::util::fs::write_cache(&cached, &json);
        }
        Ok(Ledger::from_entries(entries))
    }

    /// Derives the records of a list of entries.
    pub(crate) fn from_entries(entries: Vec<Entry>) -> Ledger {
        let mut records: BTreeMap<String, Record> = BTreeMap::new();
        for e in &entries {
            match records.get_mut(&e.guid) {
                None => {
                    records.insert(
                        e.guid.clone(),
                        Record {
                            guid: e.guid.clone(),
                            pub_date: e.pub_date,
                            current: e.clone(),
                            slugs: vec![e.slug.clone()],
                            media: std::iter::once((e.media_name.clone(), e.media_sha256.clone()))
                                .chain(e.renditions.iter().map(|r| (r.name.clone(), r.sha256.clone())))
                                .collect(),
                            retracted: e.action == Action::Retract,
                        },
                    );
                }
                Some(r) => {
                    if !r.slugs.contains(&e.slug) {
                        r.slugs.push(e.slug.clone());
                    }
                    let files = std::iter::once((&e.media_name, &e.media_sha256))
                        .chain(e.renditions.iter().map(|r| (&r.name, &r.sha256)));
                    for (name, sha256) in files {
                        if !name.is_empty() && !r.media.iter().any(|(n, _)| n == name) {
                            r.media.push((name.clone(), sha256.clone()));
                        }
                    }
                    match e.action {
                        Action::Retract => r.retracted = true,
                        _ => {
                            r.current = e.clone();
                            r.retracted = false;
                        }
                    }
                }
            }
        }
        Ledger { entries, records }
    }

    pub(crate) fn record(&self, guid: &str) -> Option<&Record> {
        self.records.get(guid)
    }

    /// Whether any entry ever used this slug.
    pub(crate) fn has_used_slug(&self, slug: &str) -> bool {
        self.entries.iter().any(|e| e.slug == slug)
    }

    /// The TOML text of an entry, appended as is to the ledger file.
    pub(crate) fn entry_text(e: &Entry) -> String {
        let q = |s: &str| toml::Value::String(s.to_owned()).to_string();
        let t = |t: jiff::Timestamp| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
        format!(
            "\n[[entry]]\naction = {}\nguid = {}\nslug = {}\nrecorded_at = {}\npub_date = {}\nreason = {}\nsource_sha256 = {}\nmedia_name = {}\nmedia_length = {}\nmedia_sha256 = {}\ntranscript_sha256 = {}\nchapters_sha256 = {}\n",
            q(e.action.as_str()),
            q(&e.guid),
            q(&e.slug),
            t(e.recorded_at),
            t(e.pub_date),
            q(&e.reason),
            q(&e.source_sha256),
            q(&e.media_name),
            e.media_length,
            q(&e.media_sha256),
            q(&e.transcript_sha256),
            q(&e.chapters_sha256),
        ) + &if e.title.is_empty() { String::new() } else { format!("title = {}\n", q(&e.title)) }
            + &if e.renditions.is_empty() {
                String::new()
            } else {
                let each: Vec<String> = e
                    .renditions
                    .iter()
                    .map(|r| {
                        format!(
                            "{{ kind = {}, name = {}, length = {}, sha256 = {} }}",
                            q(&r.kind),
                            q(&r.name),
                            r.length,
                            q(&r.sha256)
                        )
                    })
                    .collect();
                format!("renditions = [{}]\n", each.join(", "))
            }
    }
}

/// The header of a new ledger file.
pub(crate) const LEDGER_HEADER: &str = "# The ledger of what was published: GUIDs, dates and the hashes of the published bytes.\n\
# Written only by `veillee publish`, `retract` and `import`. Never edit or remove an entry:\n\
# podcast apps and the archive rely on it.\n";

fn timestamp(dt: &toml::value::Datetime) -> Option<jiff::Timestamp> {
    dt.offset?;
    dt.to_string().parse().ok()
}
