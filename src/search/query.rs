//! Answering a search: the query language (words all required, `"phrases"`, `-exclusion`),
//! facet filters, a ranking that favours episodes about a method the query names, results
//! grouped by episode with their best moments, and HTML-safe snippets.

use std::cmp::Reverse;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use serde::{Deserialize, Serialize};
use tantivy::query::{BooleanQuery, BoostQuery, ConstScoreQuery, Occur, PhraseQuery, TermQuery};
use tantivy::schema::{Facet, IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, Index, IndexReader, ReloadPolicy, TantivyDocument, Term};

use super::words::Unit;
use super::{Fields, LABELS, Labels, fields_of, register};

/// A search: the words and the filters (`veillee search` flags, `/api/search` parameters).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Query {
    #[serde(default)]
    pub q: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub territory: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaker: Option<String>,
    /// The most episodes to return (default 10, at most 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<usize>,
}

/// The answer: episodes, best first, and how the matching episodes spread over the facets.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchResults {
    pub query: Query,
    /// When nothing is found: the same words with the misspelled ones replaced by the closest
    /// word the index has (`habitans` → `habitants`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
    /// Matching episodes in all (the list holds at most `limit`).
    pub total: usize,
    pub episodes: Vec<EpisodeHit>,
    pub facets: Facets,
}

/// One episode and its best moments.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EpisodeHit {
    pub slug: String,
    pub title: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// `/episodes/<slug>/`.
    pub link: String,
    pub score: f32,
    /// The passages that match, best first (at most three).
    pub moments: Vec<Moment>,
    /// When the title or show notes match: an HTML snippet of the notes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// A passage that matches: where it is and what is said.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Moment {
    /// Seconds.
    pub start: f64,
    pub end: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub speaker: Option<String>,
    /// HTML: the text escaped, the matching words in `<mark>`.
    pub snippet: String,
    /// `/episodes/<slug>/#t=<seconds>`.
    pub link: String,
}

/// Counts of matching episodes per facet value, most first.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Facets {
    pub partner: Vec<FacetCount>,
    pub method: Vec<FacetCount>,
    pub territory: Vec<FacetCount>,
    pub year: Vec<FacetCount>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FacetCount {
    pub value: String,
    pub label: String,
    pub count: usize,
}

/// Why a search failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SearchError {
    #[error("no search index at {}: run `veillee build` first", .0.display())]
    NoIndex(std::path::PathBuf),
    /// The index could not be read (damaged, or written by another version).
    #[error("search index: {0}")]
    Index(std::sync::Arc<tantivy::TantivyError>),
    #[error("the search is {0} characters long; at most {MAX_QUERY} are read")]
    TooLong(usize),
}

impl From<tantivy::TantivyError> for SearchError {
    fn from(e: tantivy::TantivyError) -> Self {
        SearchError::Index(std::sync::Arc::new(e))
    }
}

/// What a passage gains when its episode's title, partners or territories name a word of the
/// search: far less than the word said in the passage itself.
const EPISODE_NAMED: f32 = 0.1;

/// A unit of the search on one field: a term, or a phrase with its gaps.
fn phrase(field: tantivy::schema::Field, unit: &Unit) -> Box<dyn tantivy::query::Query> {
    match unit.terms.as_slice() {
        [(_, one)] => Box::new(TermQuery::new(Term::from_field_text(field, one), IndexRecordOption::WithFreqs)),
        terms => Box::new(PhraseQuery::new_with_offset(
            terms.iter().map(|(p, t)| (*p, Term::from_field_text(field, t))).collect(),
        )),
    }
}

/// The longest search read (a person types a few words; a megabyte is an attack).
pub const MAX_QUERY: usize = 1000;

/// The most passages looked at for one search; results are grouped from them.
const CANDIDATES: usize = 1000;
const MOMENTS: usize = 3;

/// Each set as a sorted list (looked up by bisection, without hashing).
fn sorted(sets: Vec<HashSet<u64>>) -> Vec<Vec<u64>> {
    sets.into_iter()
        .map(|set| {
            let mut ids: Vec<u64> = set.into_iter().collect();
            ids.sort_unstable();
            ids
        })
        .collect()
}

/// An open index, ready to answer.
pub struct Searcher {
    reader: IndexReader,
    fields: Fields,
    labels: Labels,
    /// Each episode's facts, read once from the episodes' own documents.
    episodes: HashMap<u64, EpisodeMeta>,
    /// Every facet value of the index, (kind, value), sorted.
    facet_values: Vec<(String, String)>,
    /// Each method's words as the index sees them (stems).
    method_terms: Vec<(String, HashSet<String>)>,
    /// The index's French analyzer, made once (a clone per search: analyzing needs it mutable).
    analyzer: tantivy::tokenizer::TextAnalyzer,
    /// Each episode's documents, for the words that find them through the episode.
    passages_of: std::sync::Arc<super::passages_of::PassagesOf>,
}

/// What a result shows of an episode, and its facet values (indexes in `Searcher::facet_values`).
struct EpisodeMeta {
    slug: String,
    title: String,
    date: String,
    tags: Vec<usize>,
}

/// The best hits of one episode.
struct Group {
    id: u64,
    score: f32,
    notes: Option<DocAddress>,
    /// (score, start, address) of its best passages.
    passages: Vec<(f32, u64, DocAddress)>,
}

/// The episodes of every matching document (fast field `episode`).
struct EpisodeSet;

impl tantivy::collector::Collector for EpisodeSet {
    type Fruit = HashSet<u64>;
    type Child = EpisodeSetSegment;

    fn for_segment(
        &self,
        _: tantivy::SegmentOrdinal,
        segment: &tantivy::SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        Ok(EpisodeSetSegment { column: segment.fast_fields().u64("episode")?, ids: HashSet::new(), last: None })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<HashSet<u64>>) -> tantivy::Result<HashSet<u64>> {
        Ok(fruits.into_iter().flatten().collect())
    }
}

struct EpisodeSetSegment {
    column: tantivy::columnar::Column<u64>,
    ids: HashSet<u64>,
    /// An episode's documents are consecutive: one insert per run.
    last: Option<u64>,
}

impl tantivy::collector::SegmentCollector for EpisodeSetSegment {
    type Fruit = HashSet<u64>;

    fn collect(&mut self, doc: tantivy::DocId, _: tantivy::Score) {
        if let Some(id) = self.column.first(doc)
            && self.last != Some(id)
        {
            self.ids.insert(id);
            self.last = Some(id);
        }
    }

    fn harvest(self) -> HashSet<u64> {
        self.ids
    }
}

impl Searcher {
    /// Opens the index in `dir` (a generation's `index/`, resolved: a reader opened through the
    /// `current` symlink would never see the next generation).
    pub fn open(dir: &Path) -> Result<Self, SearchError> {
        if !dir.join("meta.json").is_file() {
            return Err(SearchError::NoIndex(dir.to_path_buf()));
        }
        let index = Index::open_in_dir(dir)?;
        register(&index);
        let fields = fields_of(&index.schema())?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let labels: Labels =
            std::fs::read(dir.join(LABELS)).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default();
        let searcher = reader.searcher();
        let kind = TermQuery::new(Term::from_field_text(fields.kind, "episode"), IndexRecordOption::Basic);
        let mut read = Vec::new();
        for address in searcher.search(&kind, &tantivy::collector::DocSetCollector)? {
            let doc: TantivyDocument = searcher.doc(address)?;
            let get = |field| doc.get_first(field).and_then(|v| v.as_str()).unwrap_or("").to_owned();
            read.push((get(fields.guid), get(fields.slug), get(fields.title), get(fields.date), get(fields.tags)));
        }
        // Facet values numbered in their order (kind, then value): a search counts in an array.
        let facet_values: Vec<(String, String)> = read
            .iter()
            .flat_map(|r| r.4.split_whitespace().filter_map(|t| t.split_once('/')))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let number = |tag: &str| {
            let (k, v) = tag.split_once('/')?;
            facet_values.binary_search_by(|(fk, fv)| (fk.as_str(), fv.as_str()).cmp(&(k, v))).ok()
        };
        let episodes = read
            .iter()
            .map(|(guid, slug, title, date, tags)| {
                let tags = tags.split_whitespace().filter_map(number).collect();
                let meta = EpisodeMeta { slug: slug.clone(), title: title.clone(), date: date.clone(), tags };
                (super::episode_id(guid), meta)
            })
            .collect();
        let mut analyzer = super::french_analyzer();
        let method_terms = labels
            .method_words
            .iter()
            .map(|(slug, words)| (slug.clone(), super::analyze(&mut analyzer, words)))
            .collect();
        let passages_of = std::sync::Arc::new(super::passages_of::PassagesOf::new(&searcher)?);
        Ok(Searcher { reader, fields, labels, episodes, facet_values, method_terms, analyzer, passages_of })
    }
}

impl std::fmt::Debug for Searcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Searcher").field("labels", &self.labels).finish_non_exhaustive()
    }
}

/// A passage that says a name: where, and what is said around it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mention {
    /// The episode's slug and title.
    pub slug: String,
    pub title: String,
    /// The name it says, as asked.
    pub name: String,
    /// Seconds.
    pub start: f64,
    /// HTML: the text escaped, the name in `<mark>`.
    pub snippet: String,
    /// `/episodes/<slug>/#t=<seconds>`.
    pub link: String,
}

impl Mention {
    /// What a report says of it: `` `carte mentale` is said at 00:01 in episodes/x/{whose},
    /// not linked to methodes/y/ `` (`whose`: which build's, when the report is not a build's).
    pub fn unlinked(&self, method: &str, whose: &str) -> String {
        let at = crate::util::time::clock((self.start * 1000.0).round() as u64);
        format!("`{}` is said at {at} in episodes/{}/{whose}, not linked to methodes/{method}/", self.name, self.slug)
    }
}

/// The most passages of one episode that [`Searcher::mentions`] gives.
const MENTIONS_PER_EPISODE: usize = 2;

impl Searcher {
    /// The passages that say one of `names` (each searched as a phrase, the first names first)
    /// in the episodes `skip` leaves, at most `episodes` of them. Episodes found only by their
    /// title or notes are left out: the point is a moment to listen to.
    pub fn mentions(&self, names: &[String], skip: impl Fn(&str) -> bool, episodes: usize) -> Vec<Mention> {
        let mut out: Vec<Mention> = Vec::new();
        let mut seen: Vec<String> = Vec::new();
        for name in names {
            let phrase = name.replace(['"', '«', '»'], " ");
            if phrase.trim().is_empty() || seen.len() >= episodes {
                continue;
            }
            let query = Query { q: format!("\"{}\"", phrase.trim()), limit: Some(100), ..Query::default() };
            let Ok(results) = self.search(&query) else { continue };
            for hit in results.episodes {
                if seen.len() >= episodes || skip(&hit.slug) || seen.contains(&hit.slug) || hit.moments.is_empty() {
                    continue;
                }
                seen.push(hit.slug.clone());
                out.extend(hit.moments.into_iter().take(MENTIONS_PER_EPISODE).map(|m| Mention {
                    slug: hit.slug.clone(),
                    title: hit.title.clone(),
                    name: name.clone(),
                    start: m.start,
                    snippet: m.snippet,
                    link: m.link,
                }));
            }
        }
        out
    }

    /// Answers a search. An empty query with no filter finds nothing; a query that finds
    /// nothing gets a spelling suggestion when the index has close words.
    pub fn search(&self, query: &Query) -> Result<SearchResults, SearchError> {
        let mut results = self.run(query)?;
        if results.total == 0 && !query.q.trim().is_empty() {
            results.suggestion = self.spelling(&query.q);
        }
        Ok(results)
    }

    /// `q` with each word the index does not have replaced by the closest one it has, as people
    /// write it; `None` when no word changes.
    fn spelling(&self, q: &str) -> Option<String> {
        let searcher = self.reader.searcher();
        let mut analyzer = self.analyzer.clone();
        let mut out = q.to_owned();
        let mut changed = false;
        for word in q.split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '’').filter(|w| w.chars().count() >= 3)
        {
            let stems: Vec<String> = super::analyze(&mut analyzer, word).into_iter().collect();
            let [stem] = stems.as_slice() else { continue };
            let term = tantivy::Term::from_field_text(self.fields.text, stem);
            if searcher.doc_freq(&term).unwrap_or(0) > 0 {
                continue;
            }
            let Some(close) = closest_term(&searcher, self.fields.text, stem) else { continue };
            let Some(said) = self.said(&searcher, &mut analyzer, &close, word) else { continue };
            if said != word.to_lowercase() {
                out = out.replacen(word, &said, 1);
                changed = true;
            }
        }
        changed.then_some(out)
    }

    /// The word as people say it whose stem is `stem` (the index keeps stems) closest to what
    /// was `typed`, read in the text of the first documents that have it.
    fn said(
        &self,
        searcher: &tantivy::Searcher,
        analyzer: &mut tantivy::tokenizer::TextAnalyzer,
        stem: &str,
        typed: &str,
    ) -> Option<String> {
        use tantivy::DocSet;
        const READ: usize = 20;
        let term = Term::from_field_text(self.fields.text, stem);
        let mut addresses = Vec::new();
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            let Ok(inverted) = segment.inverted_index(self.fields.text) else { continue };
            let Ok(Some(mut postings)) = inverted.read_postings(&term, IndexRecordOption::Basic) else { continue };
            while postings.doc() != tantivy::TERMINATED && addresses.len() < READ {
                addresses.push(tantivy::DocAddress::new(ord as u32, postings.doc()));
                postings.advance();
            }
        }
        let mut words: HashMap<String, usize> = HashMap::new();
        for address in addresses {
            let Ok(doc) = searcher.doc::<TantivyDocument>(address) else { continue };
            let Some(text) = doc.get_first(self.fields.text).and_then(|v| v.as_str()) else { continue };
            for w in text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
                let w = w.to_lowercase();
                if let Some(n) = words.get_mut(&w) {
                    *n += 1;
                } else if super::analyze(analyzer, &w).iter().eq([stem]) {
                    words.insert(w, 1);
                }
            }
        }
        let typed = typed.to_lowercase();
        words
            .into_iter()
            .min_by_key(|(w, n)| (strsim::damerau_levenshtein(&typed, w), std::cmp::Reverse(*n), w.clone()))
            .map(|(w, _)| w)
    }

    /// The search itself.
    fn run(&self, query: &Query) -> Result<SearchResults, SearchError> {
        let f = &self.fields;
        let limit = query.limit.unwrap_or(10).clamp(1, 100);
        let mut results = SearchResults {
            query: query.clone(),
            suggestion: None,
            total: 0,
            episodes: Vec::new(),
            facets: Facets::default(),
        };
        let mut filters: Vec<Facet> = Vec::new();
        for (kind, value) in [
            ("partner", query.partner.as_deref()),
            ("method", query.method.as_deref()),
            ("territory", query.territory.as_deref()),
            ("speaker", query.speaker.as_deref()),
        ] {
            if let Some(v) = value.filter(|v| !v.is_empty()) {
                filters.push(Facet::from_path([kind, v]));
            }
        }
        if let Some(year) = query.year {
            filters.push(Facet::from_path(["year".to_owned(), year.to_string()]));
        }
        let text = query.q.trim();
        if text.chars().count() > MAX_QUERY {
            return Err(SearchError::TooLong(text.chars().count()));
        }
        if text.is_empty() && filters.is_empty() {
            return Ok(results);
        }

        let units = super::words::parse(text, &mut self.analyzer.clone());
        let (excluded, required): (Vec<&Unit>, Vec<&Unit>) = units.iter().partition(|u| u.exclude);
        // Only stop words, punctuation or exclusions, and no filter: nothing was asked for.
        if required.is_empty() && filters.is_empty() {
            return Ok(results);
        }
        let searcher = self.reader.searcher();
        let mut clauses: Vec<(Occur, Box<dyn tantivy::query::Query>)> = Vec::new();
        // The episodes each word names: their passages score EPISODE_NAMED more for it (in the
        // ranking below, from the `episode` column: no query term is needed for that).
        let named: Vec<HashSet<u64>> = required.iter().map(|u| self.named(&searcher, u)).collect::<Result<_, _>>()?;
        if !required.is_empty() {
            // With one word, a passage must say it itself: its episode naming it only ranks it.
            let through_episode = required.len() > 1;
            let none = HashSet::new();
            for (unit, ids) in required.iter().zip(&named) {
                clauses.push((Occur::Must, self.anywhere(unit, if through_episode { ids } else { &none })));
            }
            // Something in the document itself must match: a passage is not found through its
            // episode's title or places alone. That can only fail for a passage of an episode
            // that every word names (of any other, some word matched the passage itself): those
            // passages that say none of the words are left out, and the words are looked for
            // in them only, not in every candidate a second time.
            let named_by_all = named.split_first().map_or_else(HashSet::new, |(first, rest)| {
                first.iter().copied().filter(|id| rest.iter().all(|ids| ids.contains(id))).collect::<HashSet<u64>>()
            });
            if through_episode && !named_by_all.is_empty() {
                let own: Vec<(Occur, Box<dyn tantivy::query::Query>)> = required
                    .iter()
                    .flat_map(|u| [f.text, f.title, f.context, f.about].map(|field| (Occur::Should, phrase(field, u))))
                    .collect();
                let unsaid: Vec<(Occur, Box<dyn tantivy::query::Query>)> = vec![
                    (Occur::Must, Box::new(self.passages_of.query(named_by_all))),
                    (Occur::MustNot, Box::new(BooleanQuery::new(own))),
                ];
                clauses.push((Occur::MustNot, Box::new(BooleanQuery::new(unsaid))));
            }
            // Episodes about a method the query names rank higher.
            let words: HashSet<String> = required.iter().flat_map(|u| u.terms.iter().map(|(_, t)| t.clone())).collect();
            for (slug, terms) in &self.method_terms {
                if !words.is_disjoint(terms) {
                    let facet = Term::from_facet(f.facets, &Facet::from_path(["method", slug.as_str()]));
                    let about = TermQuery::new(facet, IndexRecordOption::Basic);
                    clauses.push((Occur::Should, Box::new(BoostQuery::new(Box::new(about), 0.6))));
                }
            }
        } else {
            // Filters alone (or exclusions alone): the matching episodes, without moments.
            clauses.push((
                Occur::Must,
                Box::new(TermQuery::new(Term::from_field_text(f.kind, "episode"), IndexRecordOption::Basic)),
            ));
        }
        // Excluded wherever the word would have matched.
        for unit in &excluded {
            clauses.push((Occur::MustNot, self.anywhere(unit, &self.named(&searcher, unit)?)));
        }
        for facet in &filters {
            clauses.push((
                Occur::Must,
                Box::new(TermQuery::new(Term::from_facet(f.facets, facet), IndexRecordOption::Basic)),
            ));
        }
        let full = BooleanQuery::new(clauses);

        // Equal scores are ordered by episode and time, not by segment (a rebuild of the same
        // sources names and orders its segments anew): the same candidates every time.
        let ranked = super::ranked::Ranked {
            limit: CANDIDATES,
            named: std::sync::Arc::new(sorted(named)),
            bonus: EPISODE_NAMED,
        };
        let (hits, matching) = searcher.search(&full, &ranked)?;
        results.total = matching.len();
        results.facets = self.facets(matching.iter().filter_map(|id| self.episodes.get(id)).map(|m| m.tags.as_slice()));

        // Group the best hits by episode: no document is read for that.
        let mut groups: Vec<Group> = Vec::new();
        let mut index_of: HashMap<u64, usize> = HashMap::new();
        for ((score, Reverse(id), Reverse(start_ms), passage), address) in hits {
            let i = *index_of.entry(id).or_insert_with(|| {
                groups.push(Group { id, score, notes: None, passages: Vec::new() });
                groups.len() - 1
            });
            if passage == 1 {
                // A few spares: a passage found through the words before it may be left out.
                if groups[i].passages.len() < MOMENTS * 2 {
                    groups[i].passages.push((score, start_ms, address));
                }
            } else {
                groups[i].notes = Some(address);
            }
        }
        let slug = |id: u64| self.episodes.get(&id).map_or("", |m| m.slug.as_str());
        let mut groups: Vec<(&str, Group)> = groups.into_iter().map(|g| (slug(g.id), g)).collect();
        groups.sort_by(|(sa, a), (sb, b)| b.score.total_cmp(&a.score).then_with(|| sa.cmp(sb)));
        groups.truncate(limit);

        let marked: Vec<(Occur, Box<dyn tantivy::query::Query>)> =
            required.iter().map(|u| (Occur::Should, phrase(f.text, u))).collect();
        let mut snippets = SnippetGenerator::create(&searcher, &BooleanQuery::new(marked), f.text)?;
        snippets.set_max_num_chars(220);
        let snippet = |doc: &TantivyDocument| {
            let mut s = snippets.snippet_from_doc(doc);
            s.set_snippet_prefix_postfix("<mark>", "</mark>");
            s.to_html()
        };
        for (_, mut group) in groups {
            let Some(meta) = self.episodes.get(&group.id) else { continue };
            let mut hit = EpisodeHit {
                slug: meta.slug.clone(),
                title: meta.title.clone(),
                date: meta.date.clone(),
                link: crate::util::urls::episode_path(&meta.slug),
                score: group.score,
                moments: Vec::new(),
                notes: None,
            };
            if let Some(address) = group.notes.filter(|_| !text.is_empty()) {
                let doc: TantivyDocument = searcher.doc(address)?;
                hit.notes = Some(snippet(&doc)).filter(|h| !h.is_empty());
            }
            group.passages.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            for (_, start_ms, address) in group.passages {
                if hit.moments.len() >= MOMENTS {
                    break;
                }
                let doc: TantivyDocument = searcher.doc(address)?;
                let get = |field| doc.get_first(field).and_then(|v| v.as_str()).unwrap_or("").to_owned();
                let mut html = snippet(&doc);
                // A passage found through the words just before it shows only if nothing better.
                if !html.contains("<mark>") && !hit.moments.is_empty() {
                    continue;
                }
                if html.is_empty() {
                    html = crate::util::text::html_escape(&crate::util::text::truncate_text(&get(f.text), 220));
                }
                let end_ms = doc.get_first(f.end_ms).and_then(|v| v.as_u64()).unwrap_or(start_ms);
                hit.moments.push(Moment {
                    start: start_ms as f64 / 1000.0,
                    end: end_ms as f64 / 1000.0,
                    speaker: Some(get(f.speaker)).filter(|s| !s.is_empty()),
                    snippet: html,
                    link: format!("{}#t={}", hit.link, start_ms / 1000),
                });
            }
            results.episodes.push(hit);
        }
        Ok(results)
    }

    /// A word or phrase wherever it can match a document: a passage's text and the 15 s before
    /// it, an episode's title, notes, partner and territory names, and every passage of the
    /// episodes `named` (those whose title, partners or territories name it).
    fn anywhere(&self, unit: &Unit, named: &HashSet<u64>) -> Box<dyn tantivy::query::Query> {
        let f = &self.fields;
        let mut any: Vec<(Occur, Box<dyn tantivy::query::Query>)> = vec![
            (Occur::Should, phrase(f.text, unit)),
            (Occur::Should, Box::new(BoostQuery::new(phrase(f.title, unit), 2.0))),
            (Occur::Should, Box::new(BoostQuery::new(phrase(f.context, unit), 0.5))),
            (Occur::Should, phrase(f.about, unit)),
        ];
        if !named.is_empty() {
            let passages = self.passages_of.query(named.iter().copied());
            any.push((Occur::Should, Box::new(ConstScoreQuery::new(Box::new(passages), 0.0))));
        }
        Box::new(BooleanQuery::new(any))
    }

    /// The episodes whose title, partners or territories name a word or phrase, by their own
    /// documents (a few thousand at most).
    fn named(&self, searcher: &tantivy::Searcher, unit: &Unit) -> Result<HashSet<u64>, SearchError> {
        let f = &self.fields;
        let named = BooleanQuery::new(vec![
            (Occur::Must, Box::new(TermQuery::new(Term::from_field_text(f.kind, "episode"), IndexRecordOption::Basic))),
            (
                Occur::Must,
                Box::new(BooleanQuery::new(vec![
                    (Occur::Should, phrase(f.title, unit)),
                    (Occur::Should, phrase(f.about, unit)),
                ])),
            ),
        ]);
        Ok(searcher.search(&named, &EpisodeSet)?)
    }

    /// Counts per facet value over the matching episodes (each its values' numbers).
    fn facets<'a>(&self, tags: impl Iterator<Item = &'a [usize]>) -> Facets {
        let mut counts = vec![0; self.facet_values.len()];
        for tag in tags.flatten() {
            counts[*tag] += 1;
        }
        let list = |kind: &str, names: Option<&BTreeMap<String, String>>| {
            let mut out: Vec<FacetCount> = self
                .facet_values
                .iter()
                .zip(&counts)
                .filter(|((k, _), count)| k == kind && **count > 0)
                .map(|((_, v), &count)| FacetCount {
                    value: v.clone(),
                    label: names.and_then(|n| n.get(v)).cloned().unwrap_or_else(|| v.clone()),
                    count,
                })
                .collect();
            out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.label.cmp(&b.label)));
            out
        };
        let mut year = list("year", None);
        year.sort_by(|a, b| b.value.cmp(&a.value));
        Facets {
            partner: list("partner", Some(&self.labels.partners)),
            method: list("method", Some(&self.labels.methods)),
            territory: list("territory", Some(&self.labels.territories)),
            year,
        }
    }
}

/// The results as text for a terminal: episode, date and link, then each moment's time code,
/// speaker, snippet (matches between `*`) and link.
pub fn text_report(results: &SearchResults) -> String {
    let mut out = String::new();
    let shown = results.episodes.len();
    out.push_str(&match results.total {
        0 => match &results.suggestion {
            Some(s) => format!("no episode found; did you mean `{s}`?\n"),
            None => "no episode found\n".to_owned(),
        },
        1 => "1 episode found\n".to_owned(),
        n if n == shown => format!("{n} episodes found\n"),
        n => format!("{n} episodes found, the first {shown} shown\n"),
    });
    for hit in &results.episodes {
        out.push_str(&format!("\n{} ({})\n  {}\n", hit.title, hit.date, hit.link));
        if hit.moments.is_empty()
            && let Some(notes) = &hit.notes
        {
            out.push_str(&format!("  notes: {}\n", plain(notes)));
        }
        for m in &hit.moments {
            let clock = crate::util::time::clock((m.start * 1000.0) as u64);
            let speaker = m.speaker.as_deref().map(|s| format!(" {s}:")).unwrap_or_default();
            out.push_str(&format!("  {clock}{speaker} {}\n    {}\n", plain(&m.snippet), m.link));
        }
    }
    out
}

/// A snippet's HTML as plain text, the matches between `*`.
fn plain(html: &str) -> String {
    crate::transcript::decode_entities(&html.replace("<mark>", "*").replace("</mark>", "*"))
}

/// The term of `field` closest to `stem` by edit distance (at most 1 for short words, 2 for
/// longer ones), the most frequent among the closest; every segment's dictionary is read, which
/// only a search that found nothing pays for.
fn closest_term(searcher: &tantivy::Searcher, field: tantivy::schema::Field, stem: &str) -> Option<String> {
    let most = if stem.chars().count() <= 4 { 1 } else { 2 };
    let mut best: HashMap<String, (usize, u32)> = HashMap::new();
    for segment in searcher.segment_readers() {
        let Ok(inverted) = segment.inverted_index(field) else { continue };
        let Ok(mut terms) = inverted.terms().stream() else { continue };
        while terms.advance() {
            let Ok(term) = std::str::from_utf8(terms.key()) else { continue };
            if term.len().abs_diff(stem.len()) > most {
                continue;
            }
            let distance = strsim::damerau_levenshtein(stem, term);
            if distance <= most {
                let entry = best.entry(term.to_owned()).or_insert((distance, 0));
                entry.1 += terms.value().doc_freq;
            }
        }
    }
    best.into_iter()
        .min_by(|a, b| (a.1.0, std::cmp::Reverse(a.1.1), &a.0).cmp(&(b.1.0, std::cmp::Reverse(b.1.1), &b.0)))
        .map(|(t, _)| t)
}
