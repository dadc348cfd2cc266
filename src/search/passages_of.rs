//! Every document of some episodes, as a query: what a word matches through the episode that
//! names it. The documents of each episode are listed once, when the index is opened, from the
//! `episode` column: a set of GUID terms (`TermSetQuery`) built a finite-state machine and
//! walked the term dictionary on every search, a third of a two-word search's time.

use std::collections::HashMap;
use std::sync::Arc;

use tantivy::index::SegmentId;
use tantivy::query::{BitSetDocSet, ConstScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{BitSet, DocId, DocSet, Score, SegmentReader, TantivyError};

/// Each segment's documents by episode (the index is opened once and never reloaded: its
/// segments do not change under it).
#[derive(Debug, Default)]
pub(super) struct PassagesOf(HashMap<SegmentId, HashMap<u64, Vec<DocId>>>);

impl PassagesOf {
    pub(super) fn new(searcher: &tantivy::Searcher) -> tantivy::Result<Self> {
        let mut segments = HashMap::new();
        for segment in searcher.segment_readers() {
            let column = segment.fast_fields().u64("episode")?;
            let mut docs: HashMap<u64, Vec<DocId>> = HashMap::new();
            for doc in 0..segment.max_doc() {
                if let Some(id) = column.first(doc) {
                    docs.entry(id).or_default().push(doc);
                }
            }
            segments.insert(segment.segment_id(), docs);
        }
        Ok(PassagesOf(segments))
    }

    /// A query matching every document of the episodes `ids`, with a constant score.
    pub(super) fn query(self: &Arc<Self>, ids: impl IntoIterator<Item = u64>) -> EpisodesQuery {
        EpisodesQuery { docs: Arc::clone(self), ids: ids.into_iter().collect() }
    }
}

#[derive(Clone, Debug)]
pub(super) struct EpisodesQuery {
    docs: Arc<PassagesOf>,
    ids: Vec<u64>,
}

impl Query for EpisodesQuery {
    fn weight(&self, _: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }
}

impl Weight for EpisodesQuery {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let segment = self.docs.0.get(&reader.segment_id()).ok_or_else(|| {
            TantivyError::InternalError(format!("segment {} was not listed when the index opened", reader.segment_id()))
        })?;
        let mut set = BitSet::with_max_value(reader.max_doc());
        for doc in self.ids.iter().filter_map(|id| segment.get(id)).flatten() {
            set.insert(*doc);
        }
        Ok(Box::new(ConstScorer::new(BitSetDocSet::from(set), boost)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        if self.scorer(reader, 1.0)?.seek(doc) == doc {
            Ok(Explanation::new("a document of a named episode", 1.0))
        } else {
            Err(TantivyError::InvalidArgument(format!("document {doc} is not of a named episode")))
        }
    }
}

#[cfg(test)]
mod tests {
    use tantivy::collector::DocSetCollector;
    use tantivy::schema::{FAST, Schema};
    use tantivy::{Index, IndexWriter, TantivyDocument, doc};

    use super::*;

    #[test]
    fn matches_exactly_the_documents_of_the_episodes_asked() {
        let mut schema = Schema::builder();
        let episode = schema.add_u64_field("episode", FAST);
        let index = Index::create_in_ram(schema.build());
        let mut writer: IndexWriter<TantivyDocument> = index.writer_with_num_threads(1, 15_000_000).unwrap();
        // Two segments, an episode in both, one in neither of the asked.
        for ids in [[1u64, 2, 1, 3], [2, 3, 3, 1]] {
            for id in ids {
                writer.add_document(doc!(episode => id)).unwrap();
            }
            writer.commit().unwrap();
        }
        let searcher = index.reader().unwrap().searcher();
        let of = Arc::new(PassagesOf::new(&searcher).unwrap());
        let found = |ids: &[u64]| {
            let mut got: Vec<u64> = searcher
                .search(&of.query(ids.iter().copied()), &DocSetCollector)
                .unwrap()
                .into_iter()
                .map(|a| {
                    searcher
                        .segment_reader(a.segment_ord)
                        .fast_fields()
                        .u64("episode")
                        .unwrap()
                        .first(a.doc_id)
                        .unwrap()
                })
                .collect();
            got.sort_unstable();
            got
        };
        assert_eq!(found(&[1, 3]), [1, 1, 1, 3, 3, 3]);
        assert_eq!(found(&[2]), [2, 2]);
        assert_eq!(found(&[]), [0u64; 0]);
        assert_eq!(found(&[9]), [0u64; 0]);
    }
}
