//! `import`: an existing podcast brought into the show. Each item of its feed becomes an
//! episode's sources — its audio downloaded (resumed, retried, checked), its transcript and
//! chapters when the feed links them, its front matter with the original GUID and date — then all
//! are published at once as `import` entries, dated as the old feed dated them. Subscribers'
//! apps know the episodes by their GUIDs: nothing is downloaded again.
//!
//! Each episode is written whole before the next (the audio renamed into `episodes/`, then its
//! `.md`), so an import cut short keeps what it finished; run again, it takes up the drafts it
//! left, resumes a partial download from `.veillee/imports/`, and skips what the ledger has.

use super::{Project, PublishOptions, Published};
use crate::archive::import::{self, FeedError, Plan, Planned, Refused};
use crate::catalog::ledger::Ledger;
use crate::util::{IoContext, IoError};

/// What `import` is asked.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// A feed's URL (http or https) or a file.
    pub source: String,
    /// Only say what would be imported: nothing is downloaded or written.
    pub dry_run: bool,
}

/// What became of one item.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Written as `episodes/<slug>.md`, with its audio of `bytes`; notes on the way.
    Imported { slug: String, bytes: u64, notes: Vec<String> },
    /// A draft a previous run left: published now.
    Resumed { slug: String },
    /// The ledger has its GUID already.
    Already { slug: String },
    /// Not imported now; the rest goes on (run again to retry).
    Failed { why: String },
    /// `dry_run`: what would be imported.
    Planned,
}

/// What `import` did.
#[derive(Debug)]
pub struct ImportReport {
    pub source: String,
    pub title: String,
    pub items: Vec<(Planned, Outcome)>,
    pub refused: Vec<Refused>,
    pub published: Option<Published>,
    /// The old feed's `podcast:guid`, and whether channel.toml took it.
    pub podcast_guid: Option<(String, bool)>,
    /// The feed subscribers should follow now.
    pub new_feed_url: String,
}

impl ImportReport {
    /// Whether every item is in the show (or was already).
    pub fn complete(&self) -> bool {
        self.refused.is_empty() && !self.items.iter().any(|(_, o)| matches!(o, Outcome::Failed { .. }))
    }
}

impl Project {
    /// Imports the podcast of a feed ([`ImportOptions`]).
    pub fn import(&self, options: &ImportOptions) -> Result<ImportReport, FeedError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| IoError::new("tokio runtime", e))?;
        let client = import::client().map_err(|why| FeedError::Fetch { source_name: options.source.clone(), why })?;
        let source = options.source.trim();
        let remote = source.starts_with("http://") || source.starts_with("https://");
        let fetch = |url: &str| {
            runtime
                .block_on(import::fetch(&client, url))
                .map_err(|why| FeedError::Fetch { source_name: url.to_owned(), why })
        };
        let bytes = if remote { fetch(source)? } else { std::fs::read(source).at(source)? };
        let mut plan = import::plan(&bytes, source, 1, self.now())?;
        // A paged feed's later pages (RFC 5005), which hosts use for long back catalogs.
        let mut pages = vec![source.to_owned()];
        while let Some(next) = plan.next.take().filter(|n| remote && !pages.contains(n) && pages.len() < 1000) {
            let more = import::plan(&fetch(&next)?, &next, plan.items.len() + plan.refused.len() + 1, self.now())?;
            pages.push(next);
            plan.items.extend(more.items);
            plan.refused.extend(more.refused);
            plan.next = more.next;
        }
        // GUIDs repeated from one page to another are refused like those within a page.
        let mut seen = std::collections::HashMap::new();
        let mut items = Vec::new();
        for p in std::mem::take(&mut plan.items) {
            match seen.get(&p.guid) {
                Some(first) => plan.refused.push(Refused {
                    number: p.number,
                    name: p.title.clone(),
                    why: format!("its GUID `{}` is item {first}'s too: apps would take both for one episode", p.guid),
                }),
                None => {
                    seen.insert(p.guid.clone(), p.number);
                    items.push(p);
                }
            }
        }
        items.sort_by(|a, b| a.date.cmp(&b.date).then(a.number.cmp(&b.number)));
        plan.refused.sort_by_key(|r| r.number);
        let Plan { title, podcast_guid, refused, .. } = plan;
        let catalog_base = self.channel_base_url()?;
        let mut report = ImportReport {
            source: source.to_owned(),
            title,
            items: Vec::new(),
            refused,
            published: None,
            podcast_guid: None,
            new_feed_url: format!("{catalog_base}/feed.xml"),
        };
        if options.dry_run {
            report.items = items.into_iter().map(|p| (p, Outcome::Planned)).collect();
            report.podcast_guid = podcast_guid.map(|g| (g, false));
            return Ok(report);
        }
        let ledger = Ledger::load(self.root())
            .map_err(|p| IoError::new(crate::catalog::ledger::LEDGER_PATH, std::io::Error::other(p.to_string())))?;
        // A show that has published nothing yet is the old one moved here: it keeps its GUID.
        if let Some(guid) = podcast_guid {
            let taken = ledger.entries.is_empty() && self.set_podcast_guid(&guid)?;
            report.podcast_guid = Some((guid, taken));
        }
        let drafts = crate::archive::verify::sources(self.root());
        let mut to_publish = Vec::new();
        let step = crate::util::progress::step("download");
        crate::util::progress::add(items.iter().map(|p| p.length as usize).sum());
        for planned in items {
            let outcome = if let Some(record) = ledger.record(&planned.guid) {
                Outcome::Already { slug: record.current.slug.clone() }
            } else if let Some(draft) = drafts.get(&planned.guid) {
                to_publish.push(draft.slug.clone());
                Outcome::Resumed { slug: draft.slug.clone() }
            } else {
                match runtime.block_on(self.import_item(&client, &planned, &ledger)) {
                    Ok((slug, bytes, notes)) => {
                        to_publish.push(slug.clone());
                        Outcome::Imported { slug, bytes, notes }
                    }
                    Err(why) => Outcome::Failed { why },
                }
            };
            report.items.push((planned, outcome));
        }
        drop(step);
        if !to_publish.is_empty() {
            let publish = PublishOptions {
                only: to_publish,
                imported_from: Some(source.to_owned()),
                ..PublishOptions::default()
            };
            report.published = Some(self.publish(&publish)?);
        }
        Ok(report)
    }

    /// Downloads one item's files and writes its sources; its slug, audio length and notes.
    async fn import_item(
        &self,
        client: &reqwest::Client,
        p: &Planned,
        ledger: &Ledger,
    ) -> Result<(String, u64, Vec<String>), String> {
        let mut notes = p.made_up.clone();
        let part = import::part_path(self.root(), &p.enclosure);
        if let Some(dir) = part.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        let length = import::download(client, &p.enclosure, &part, &|n| crate::util::progress::advance(n as usize))
            .await
            .map_err(|why| format!("its audio {}: {why}", p.enclosure))?;
        let facts = match crate::media::probe_file(&part) {
            Ok(f) => f,
            Err((_, e)) => {
                let _ = std::fs::remove_file(&part);
                return Err(format!("its audio {} is not audio Veillée can publish: {e}", p.enclosure));
            }
        };
        if p.length > 0 && p.length != length {
            notes.push(format!("the feed announced {} bytes, the file has {length}", p.length));
        }
        let slug = self.free_slug(&p.title, ledger);
        let audio = self.root().join("episodes").join(format!("{slug}.{}", facts.extension));
        std::fs::rename(&part, &audio).map_err(|e| format!("{}: {e}", audio.display()))?;
        let chapters = match &p.chapters {
            Some(url) => match import::fetch(client, url).await {
                Ok(json) => import::chapters_lines(&json).or_else(|| {
                    notes.push(format!("its chapters {url} are not Podcast Index JSON: left out"));
                    None
                }),
                Err(why) => {
                    notes.push(format!("its chapters {url}: {why}; left out"));
                    None
                }
            },
            None => None,
        };
        let md = self.root().join("episodes").join(format!("{slug}.md"));
        let text = front_matter(p, chapters.as_deref());
        crate::util::fs::write_atomic(&md, text.as_bytes()).map_err(|e| format!("{}: {e}", md.display()))?;
        if let Some((url, mime)) = &p.transcript {
            match import::fetch(client, url).await {
                Ok(bytes) => {
                    let tmp = self.root().join(".veillee/imports").join(format!("{slug}.transcript"));
                    let done = std::fs::write(&tmp, &bytes).map_err(|e| e.to_string()).and_then(|()| {
                        self.import_transcript(&slug, &tmp, &Default::default()).map_err(|e| e.to_string())
                    });
                    let _ = std::fs::remove_file(&tmp);
                    if let Err(why) = done {
                        notes.push(format!("its transcript {url} ({mime}) could not be read: {why}; left out"));
                    }
                }
                Err(why) => notes.push(format!("its transcript {url}: {why}; left out")),
            }
        }
        Ok((slug, length, notes))
    }

    /// A slug from the title that no episode file and no ledger entry has.
    fn free_slug(&self, title: &str, ledger: &Ledger) -> String {
        let base = crate::catalog::slug::slugify(title);
        let taken = |s: &str| self.root().join("episodes").join(format!("{s}.md")).exists() || ledger.has_used_slug(s);
        (1..)
            .map(|n| if n == 1 { base.clone() } else { format!("{base}-{n}") })
            .find(|s| !taken(s))
            .expect("some number is free")
    }

    /// channel.toml's `base_url`, read without loading the show (an import may start it).
    fn channel_base_url(&self) -> Result<String, FeedError> {
        let path = self.root().join("feed/channel.toml");
        let text = std::fs::read_to_string(&path).at(&path)?;
        let table: toml::Table =
            text.parse().map_err(|e| IoError::new(&path, std::io::Error::other(format!("{e}"))))?;
        Ok(table.get("base_url").and_then(|v| v.as_str()).unwrap_or_default().trim_end_matches('/').to_owned())
    }

    /// Sets channel.toml's `podcast_guid` (its comments kept); whether it changed.
    fn set_podcast_guid(&self, guid: &str) -> Result<bool, FeedError> {
        let path = self.root().join("feed/channel.toml");
        let text = std::fs::read_to_string(&path).at(&path)?;
        let mut doc: toml_edit::DocumentMut =
            text.parse().map_err(|e| IoError::new(&path, std::io::Error::other(format!("{e}"))))?;
        if doc.get("podcast_guid").and_then(|v| v.as_str()) == Some(guid) {
            return Ok(false);
        }
        doc["podcast_guid"] = toml_edit::value(guid);
        crate::util::fs::write_atomic(&path, doc.to_string().as_bytes()).at(&path)?;
        Ok(true)
    }
}

/// The `.md` of an imported item: its facts in the front matter, its notes as the body (HTML,
/// which the notes' Markdown takes as it is and the sanitizer keeps within bounds).
fn front_matter(p: &Planned, chapters: Option<&str>) -> String {
    let mut doc = toml_edit::DocumentMut::new();
    doc["title"] = toml_edit::value(p.title.as_str());
    doc["guid"] = toml_edit::value(p.guid.as_str());
    if let Some(mut key) = doc.key_mut("guid") {
        key.leaf_decor_mut().set_prefix("# The old feed's GUID, kept verbatim: never change it.\n");
    }
    let date: toml_edit::Datetime =
        p.date.strftime("%Y-%m-%dT%H:%M:%SZ").to_string().parse().expect("an RFC 3339 date");
    doc["date"] = toml_edit::value(date);
    if let Some(t) = &p.episode_type {
        doc["type"] = toml_edit::value(t.as_str());
    }
    if let Some(n) = p.season {
        doc["season"] = toml_edit::value(i64::from(n));
    }
    if let Some(n) = p.episode {
        doc["number"] = toml_edit::value(i64::from(n));
    }
    if let Some(e) = p.explicit {
        doc["explicit"] = toml_edit::value(e);
    }
    let mut toml = doc.to_string();
    if let Some(c) = chapters {
        if c.contains("'''") {
            let mut one = toml_edit::DocumentMut::new();
            one["chapters"] = toml_edit::value(c);
            toml.push_str(&one.to_string());
        } else {
            // As staff write them: one chapter a line.
            toml.push_str(&format!("chapters = '''\n{c}\n'''\n"));
        }
    }
    format!("+++\n{toml}+++\n{}\n", p.notes.trim())
}
