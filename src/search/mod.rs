//! The transcript search index (tantivy): one document per passage (a speaker turn cut into
//! windows of at most 30 s) and one per episode (title and show notes), a French analyzer,
//! facets for partner, method, territory, year and speaker.
//!
//! The index is the `index/` half of a build generation. A build re-indexes only the episodes
//! whose inputs changed: it hard-links the previous generation's segment files (tantivy never
//! writes a file twice), deletes the changed episodes' documents and adds them again (the
//! recipe: docs/ARCHITECTURE.md, point 4).

#[cfg(feature = "bench")]
pub mod bench;
mod passages_of;
mod query;
mod ranked;
mod stem;
mod words;

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use tantivy::schema::{
    FAST, FacetOptions, Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, StopWordFilter, TextAnalyzer,
};
use tantivy::{Index, IndexWriter, TantivyDocument, Term};

pub use query::{EpisodeHit, FacetCount, Facets, MAX_QUERY, Mention, Moment, SearchResults};
pub use query::{Query, SearchError, Searcher, text_report};

use crate::catalog::{Catalog, Episode};
use crate::transcript::Transcript;

/// Changes whenever the schema or the analyzer does: an index of another version is rebuilt.
pub(crate) const INDEX_VERSION: &str = "6";
/// The longest passage.
pub(crate) const PASSAGE_MS: u64 = 30_000;
/// A number for an episode's GUID (the first 8 bytes of its BLAKE3).
pub(crate) fn episode_id(guid: &str) -> u64 {
    let hash = blake3::hash(guid.as_bytes());
    u64::from_le_bytes(hash.as_bytes()[..8].try_into().expect("8 bytes"))
}

/// The names the facets show (`labels.json` next to the index).
const LABELS: &str = "veillee-labels.json";

/// The schema's fields.
#[derive(Clone, Copy)]
struct Fields {
    guid: Field,
    /// [`episode_id`] of the GUID, a fast field: results are grouped without reading documents.
    episode: Field,
    /// 1 for a passage, 0 for the episode's own document (fast).
    passage: Field,
    kind: Field,
    slug: Field,
    title: Field,
    date: Field,
    text: Field,
    speaker: Field,
    start_ms: Field,
    end_ms: Field,
    facets: Field,
    context: Field,
    tags: Field,
    /// An episode's partner and territory names (its own document only): a search that names
    /// them finds the episode, and `-name` leaves out its passages.
    about: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let french = |stored: bool| {
        let indexing =
            TextFieldIndexing::default().set_tokenizer("fr").set_index_option(IndexRecordOption::WithFreqsAndPositions);
        let options = TextOptions::default().set_indexing_options(indexing);
        if stored { options.set_stored() } else { options }
    };
    let fields = Fields {
        guid: b.add_text_field("guid", STRING | STORED),
        episode: b.add_u64_field("episode", FAST),
        passage: b.add_u64_field("passage", FAST),
        kind: b.add_text_field("kind", STRING | STORED),
        slug: b.add_text_field("slug", STORED),
        title: b.add_text_field("title", french(true)),
        date: b.add_text_field("date", STORED),
        text: b.add_text_field("text", french(true)),
        speaker: b.add_text_field("speaker", STORED),
        start_ms: b.add_u64_field("start_ms", STORED | FAST),
        end_ms: b.add_u64_field("end_ms", STORED),
        facets: b.add_facet_field("facets", FacetOptions::default()),
        context: b.add_text_field("context", french(false)),
        tags: b.add_text_field("tags", STORED),
        about: b.add_text_field("about", french(false)),
    };
    (b.build(), fields)
}

fn fields_of(schema: &Schema) -> tantivy::Result<Fields> {
    let f = |name: &str| schema.get_field(name);
    Ok(Fields {
        guid: f("guid")?,
        episode: f("episode")?,
        passage: f("passage")?,
        kind: f("kind")?,
        slug: f("slug")?,
        title: f("title")?,
        date: f("date")?,
        text: f("text")?,
        speaker: f("speaker")?,
        start_ms: f("start_ms")?,
        end_ms: f("end_ms")?,
        facets: f("facets")?,
        context: f("context")?,
        tags: f("tags")?,
        about: f("about")?,
    })
}

/// French: words split at anything not a letter or digit (so `l'été` gives `l`, `été`), long
/// tokens dropped, lower case, French stop words (which hold the elided `l d qu n s c j m t`)
/// removed before accents are folded (the list is accented), then the French stemmer:
/// `résilience` and `resilience`, `cartographies` and `cartographie` meet.
pub(crate) fn french_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(StopWordFilter::new(Language::French).expect("tantivy has French stop words"))
        .filter(AsciiFoldingFilter)
        .filter(stem::FrenchStemmer)
        .build()
}

/// The terms the French analyzer makes of `text`.
fn analyze(analyzer: &mut TextAnalyzer, text: &str) -> std::collections::HashSet<String> {
    let mut stream = analyzer.token_stream(text);
    let mut out = std::collections::HashSet::new();
    while stream.advance() {
        out.insert(stream.token().text.clone());
    }
    out
}

fn register(index: &Index) {
    index.tokenizers().register("fr", french_analyzer());
}

/// What the index holds of one episode.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct EpisodeDocs {
    pub guid: String,
    pub slug: String,
    pub title: String,
    /// `YYYY-MM-DD`, the publication day.
    pub date: String,
    pub notes: String,
    pub partners: Vec<String>,
    pub methods: Vec<String>,
    pub territories: Vec<String>,
    /// The names of its partners and territories.
    pub about: String,
    pub passages: Vec<PassageDoc>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PassageDoc {
    pub start_ms: u64,
    pub end_ms: u64,
    pub speaker: Option<String>,
    pub text: String,
    /// The last 15 s of the previous passage: a query must find each of its words in the
    /// passage or just before it, so a question asked just before a turn, or words on both
    /// sides of a window's edge, still find the answer.
    pub context: String,
}

/// How much of the previous passage a passage's context holds.
const CONTEXT_MS: u64 = 15_000;

/// The passages of a transcript as the index holds them, speakers named by `name`.
pub(crate) fn passage_docs<'a>(transcript: &'a Transcript, name: impl Fn(&'a str) -> String) -> Vec<PassageDoc> {
    let passages = transcript.passages(PASSAGE_MS);
    let mut out: Vec<PassageDoc> = Vec::with_capacity(passages.len());
    for (i, p) in passages.iter().enumerate() {
        let text = p.text();
        let mut context = String::new();
        if let Some(previous) = i.checked_sub(1).map(|j| &passages[j]) {
            for cue in previous.cues.iter().filter(|c| c.start_ms + CONTEXT_MS >= p.start_ms) {
                if !context.is_empty() {
                    context.push(' ');
                }
                context.push_str(&cue.text.replace('\n', " "));
            }
        }
        out.push(PassageDoc { start_ms: p.start_ms, end_ms: p.end_ms, speaker: p.voice.map(&name), text, context });
    }
    out
}

impl EpisodeDocs {
    /// An episode of the catalog, speakers named.
    pub(crate) fn of(catalog: &Catalog, ep: &Episode) -> Self {
        let mut methods: Vec<String> = ep.methods.clone();
        for m in ep.chapters.iter().filter_map(|c| c.method.as_ref()) {
            if !methods.contains(m) {
                methods.push(m.clone());
            }
        }
        let passages = ep.cues().map_or_else(Vec::new, |t| passage_docs(t, |v| ep.speaker_name(v).to_owned()));
        EpisodeDocs {
            guid: ep.guid.clone(),
            slug: ep.slug.clone(),
            title: ep.title.clone(),
            date: ep.pub_date().strftime("%Y-%m-%d").to_string(),
            notes: format!("{}\n{}", ep.summary.as_deref().unwrap_or(""), crate::markdown::plain_text(&ep.notes)),
            partners: ep.partners.clone(),
            methods,
            territories: ep.territories.clone(),
            about: Self::about(catalog, ep),
            passages,
        }
    }

    /// The names of an episode's partners and territories.
    pub(crate) fn about(catalog: &Catalog, ep: &Episode) -> String {
        let partners = ep.partners.iter().filter_map(|p| catalog.partners.get(p)).map(|p| p.name.as_str());
        let territories =
            ep.territories.iter().filter_map(|t| catalog.territories.get(t)).map(|t| t.facts.name.as_str());
        partners.chain(territories).collect::<Vec<_>>().join(" ; ")
    }

    fn documents(&self, f: &Fields) -> Vec<TantivyDocument> {
        use tantivy::schema::Facet;
        let year = self.date.get(..4).unwrap_or("");
        let mut common = TantivyDocument::default();
        common.add_text(f.guid, &self.guid);
        common.add_u64(f.episode, episode_id(&self.guid));
        common.add_text(f.slug, &self.slug);
        common.add_text(f.date, &self.date);
        let mut tags = Vec::new();
        for (kind, values) in [("partner", &self.partners), ("method", &self.methods), ("territory", &self.territories)]
        {
            for v in values {
                common.add_facet(f.facets, Facet::from_path([kind, v.as_str()]));
                tags.push(format!("{kind}/{v}"));
            }
        }
        if !year.is_empty() {
            common.add_facet(f.facets, Facet::from_path(["year", year]));
            tags.push(format!("year/{year}"));
        }
        common.add_text(f.tags, tags.join(" "));
        let mut episode = common.clone();
        episode.add_text(f.kind, "episode");
        episode.add_u64(f.passage, 0);
        episode.add_text(f.title, &self.title);
        episode.add_text(f.text, &self.notes);
        episode.add_text(f.about, &self.about);
        let mut out = vec![episode];
        for p in &self.passages {
            let mut doc = common.clone();
            doc.add_text(f.kind, "passage");
            doc.add_u64(f.passage, 1);
            // Stored, not indexed: the title is searched through the episode's document.
            doc.add_text(f.text, &p.text);
            doc.add_text(f.context, &p.context);
            doc.add_u64(f.start_ms, p.start_ms);
            doc.add_u64(f.end_ms, p.end_ms);
            if let Some(s) = &p.speaker {
                doc.add_text(f.speaker, s);
                doc.add_facet(f.facets, Facet::from_path(["speaker", s.as_str()]));
            }
            out.push(doc);
        }
        out
    }
}

/// The names behind the facet values, saved next to the index.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Labels {
    pub partners: BTreeMap<String, String>,
    pub methods: BTreeMap<String, String>,
    pub territories: BTreeMap<String, String>,
    /// Each method's title and synonyms: a query that names a method ranks higher the passages
    /// of the episodes that discuss it.
    #[serde(default)]
    pub method_words: BTreeMap<String, String>,
}

impl Labels {
    pub(crate) fn of(catalog: &Catalog) -> Self {
        Labels {
            partners: catalog.partners.values().map(|p| (p.slug.clone(), p.name.clone())).collect(),
            methods: catalog.methods.values().map(|m| (m.slug.clone(), m.title.clone())).collect(),
            territories: catalog.territories.values().map(|t| (t.slug.clone(), t.facts.name.clone())).collect(),
            method_words: catalog
                .methods
                .values()
                .map(|m| {
                    (
                        m.slug.clone(),
                        std::iter::once(&m.title).chain(&m.synonyms).cloned().collect::<Vec<_>>().join(" ; "),
                    )
                })
                .collect(),
        }
    }

    pub(crate) fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(self).expect("plain data serializes")
    }
}

/// Why the index could not be written or read.
#[derive(Debug, thiserror::Error)]
#[error("search index {path}: {source}")]
pub struct IndexError {
    pub path: String,
    #[source]
    pub source: Box<dyn std::error::Error + Send + Sync>,
}

impl IndexError {
    fn new(path: &Path, source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        IndexError { path: path.display().to_string(), source: source.into() }
    }
}

/// An index being written: episodes can be added from several threads at once, while tantivy's
/// indexing threads work (reading transcripts and indexing overlap).
pub(crate) struct IndexBuilder {
    dir: std::path::PathBuf,
    writer: IndexWriter<TantivyDocument>,
    fields: Fields,
}

impl IndexBuilder {
    /// A new index in `dir`, or one over `previous`'s files, with `threads` indexing threads.
    pub(crate) fn open(dir: &Path, previous: Option<&Path>, threads: usize) -> Result<Self, IndexError> {
        let err = |e: tantivy::TantivyError| IndexError::new(dir, e);
        std::fs::create_dir_all(dir).map_err(|e| IndexError::new(dir, e))?;
        let index = match previous {
            Some(prev) => {
                for entry in std::fs::read_dir(prev).map_err(|e| IndexError::new(prev, e))?.filter_map(Result::ok) {
                    let name = entry.file_name().to_string_lossy().into_owned();
                    if name.starts_with(".tantivy-") && name.ends_with(".lock")
                        || name.starts_with(".tmp")
                        || name == LABELS
                    {
                        continue;
                    }
                    if entry.file_type().is_ok_and(|t| t.is_file()) {
                        std::fs::hard_link(entry.path(), dir.join(&name))
                            .map_err(|e| IndexError::new(&entry.path(), e))?;
                    }
                }
                Index::open_in_dir(dir).map_err(err)?
            }
            None => Index::create_in_dir(dir, schema().0).map_err(err)?,
        };
        register(&index);
        let fields = fields_of(&index.schema()).map_err(err)?;
        let writer: IndexWriter<TantivyDocument> = index.writer_with_num_threads(threads, 100_000_000).map_err(err)?;
        if previous.is_some() {
            // Merging would copy the shared segments: the build decides when to start afresh.
            writer.set_merge_policy(Box::new(tantivy::merge_policy::NoMergePolicy));
        }
        Ok(IndexBuilder { dir: dir.to_path_buf(), writer, fields })
    }

    /// Deletes an episode's documents (by GUID).
    pub(crate) fn remove(&self, guid: &str) {
        self.writer.delete_term(Term::from_field_text(self.fields.guid, guid));
    }

    /// Adds an episode's documents.
    pub(crate) fn add(&self, docs: &EpisodeDocs) -> Result<(), IndexError> {
        for doc in docs.documents(&self.fields) {
            self.writer.add_document(doc).map_err(|e| IndexError::new(&self.dir, e))?;
        }
        Ok(())
    }

    /// Commits, waits for the indexing threads, and writes the facet labels.
    pub(crate) fn finish(mut self, labels: &Labels) -> Result<(), IndexError> {
        let err = |e: tantivy::TantivyError| IndexError::new(&self.dir, e);
        self.writer.commit().map_err(err)?;
        self.writer.wait_merging_threads().map_err(err)?;
        crate::util::fs::write_atomic(&self.dir.join(LABELS), &labels.to_json())
            .map_err(|e| IndexError::new(&self.dir, e))
    }
}

/// Segments and deleted documents of an index: a build starts afresh when too many pile up.
pub(crate) fn fragmentation(dir: &Path) -> Option<(usize, f64)> {
    let index = Index::open_in_dir(dir).ok()?;
    let metas = index.searchable_segment_metas().ok()?;
    let docs: u64 = metas.iter().map(|m| u64::from(m.max_doc())).sum();
    let deleted: u64 = metas.iter().map(|m| u64::from(m.num_deleted_docs())).sum();
    Some((metas.len(), if docs == 0 { 0.0 } else { deleted as f64 / docs as f64 }))
}
