//! The collector of a search: the best passages, ranked, and the episodes of every match (for
//! the facet counts), in one pass over the matching documents.
//!
//! A common word matches hundreds of thousands of passages. Per match, only the episode column
//! is read (a passage's episode is usually the previous match's, so the set and the named bonus
//! are looked up once per run of an episode); the time and kind columns that break ties are
//! read only for a match whose score can still enter the best `limit`.

use std::cmp::{Ordering, Reverse};
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

/// A passage's rank: its score with the bonus of the episodes the words name, then its episode,
/// its time and its kind (equal scores ordered by episode and time, not by segment: a rebuild of
/// the same sources names and orders its segments anew).
pub(super) type Key = (Score, Reverse<u64>, Reverse<u64>, u64);

/// Best first; documents of equal keys by address.
fn better(a: &(Key, DocAddress), b: &(Key, DocAddress)) -> Ordering {
    let ((sa, ea, ta, pa), (sb, eb, tb, pb)) = (&a.0, &b.0);
    sb.total_cmp(sa).then_with(|| (eb, tb, pb).cmp(&(ea, ta, pa))).then_with(|| a.1.cmp(&b.1))
}

/// The best `limit` matches by [`Key`], and the episodes of all matches.
pub(super) struct Ranked {
    pub limit: usize,
    /// For each word, the episodes that name it, sorted (empty: the word names none).
    pub named: Arc<Vec<Vec<u64>>>,
    /// What a passage gains for each word its episode names.
    pub bonus: Score,
}

pub(super) struct RankedSegment {
    segment: SegmentOrdinal,
    named: Arc<Vec<Vec<u64>>>,
    bonus: Score,
    episode: Column<u64>,
    start: Column<u64>,
    passage: Column<u64>,
    /// The last match's episode and the bonus of its words.
    last: Option<(u64, Score)>,
    /// The episode of each run of matches (sorted and deduplicated at the end).
    episodes: Vec<u64>,
    best: Best,
}

/// The best `limit` of the matches offered, kept as up to twice `limit`, cut back to the best
/// `limit` when full.
struct Best {
    limit: usize,
    kept: Vec<(Key, DocAddress)>,
    /// The worst kept at the last cut: a match not better cannot enter.
    floor: Option<(Key, DocAddress)>,
}

impl Best {
    fn new(limit: usize) -> Self {
        Best { limit, kept: Vec::with_capacity(2 * limit), floor: None }
    }

    /// Offers a match of `score`; its whole key is made only if the score can enter.
    fn offer(&mut self, score: Score, make: impl FnOnce() -> (Key, DocAddress)) {
        if self.floor.is_some_and(|(floor, _)| score < floor.0) {
            return;
        }
        let candidate = make();
        if self.floor.is_some_and(|floor| better(&candidate, &floor) != Ordering::Less) {
            return;
        }
        self.kept.push(candidate);
        if self.kept.len() >= 2 * self.limit && keep_best(&mut self.kept, self.limit) {
            self.floor = self.kept.iter().max_by(|a, b| better(a, b)).copied();
        }
    }

    /// The best `limit`, in no order.
    fn finish(mut self) -> Vec<(Key, DocAddress)> {
        keep_best(&mut self.kept, self.limit);
        self.kept
    }
}

impl Collector for Ranked {
    /// The best matches, best first, and the episodes of all matches, sorted.
    type Fruit = (Vec<(Key, DocAddress)>, Vec<u64>);
    type Child = RankedSegment;

    fn for_segment(&self, segment: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<RankedSegment> {
        let column = |name: &str| reader.fast_fields().u64(name);
        Ok(RankedSegment {
            segment,
            named: Arc::clone(&self.named),
            bonus: self.bonus,
            episode: column("episode")?,
            start: column("start_ms")?,
            passage: column("passage")?,
            last: None,
            episodes: Vec::new(),
            best: Best::new(self.limit),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Self::Fruit>) -> tantivy::Result<Self::Fruit> {
        let mut best = Vec::new();
        let mut episodes = Vec::new();
        for (b, e) in fruits {
            best.extend(b);
            episodes.extend(e);
        }
        keep_best(&mut best, self.limit);
        best.sort_unstable_by(better);
        episodes.sort_unstable();
        episodes.dedup();
        Ok((best, episodes))
    }
}

impl SegmentCollector for RankedSegment {
    type Fruit = (Vec<(Key, DocAddress)>, Vec<u64>);

    fn collect(&mut self, doc: DocId, score: Score) {
        let id = self.episode.first(doc).unwrap_or(0);
        let bonus = match self.last {
            Some((last, bonus)) if last == id => bonus,
            _ => {
                self.episodes.push(id);
                let naming = self.named.iter().filter(|ids| ids.binary_search(&id).is_ok()).count();
                let bonus = self.bonus * naming as Score;
                self.last = Some((id, bonus));
                bonus
            }
        };
        let score = score + bonus;
        let (start, passage) = (&self.start, &self.passage);
        self.best.offer(score, || {
            let key = (score, Reverse(id), Reverse(start.first(doc).unwrap_or(0)), passage.first(doc).unwrap_or(0));
            (key, DocAddress::new(self.segment, doc))
        });
    }

    fn harvest(mut self) -> Self::Fruit {
        self.episodes.sort_unstable();
        self.episodes.dedup();
        (self.best.finish(), self.episodes)
    }
}

/// Keeps the best `limit` of `all`, in no order; says whether some were dropped.
fn keep_best(all: &mut Vec<(Key, DocAddress)>, limit: usize) -> bool {
    if all.len() <= limit {
        return false;
    }
    all.select_nth_unstable_by(limit - 1, better);
    all.truncate(limit);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What is kept is what sorting every match would give, whatever the order of the offers
    /// and however many share a score.
    #[test]
    fn keeps_what_a_full_sort_keeps() {
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        for limit in [1, 3, 10, 100] {
            let all: Vec<(Key, DocAddress)> = (0..2500)
                .map(|doc| {
                    let score = next(40) as f32 / 4.0;
                    let key = (score, Reverse(next(30)), Reverse(next(5)), next(2));
                    (key, DocAddress::new(next(3) as u32, doc))
                })
                .collect();
            let mut best = Best::new(limit);
            for m in &all {
                best.offer(m.0.0, || *m);
            }
            let mut kept = best.finish();
            kept.sort_unstable_by(better);
            let mut sorted = all.clone();
            sorted.sort_unstable_by(better);
            sorted.truncate(limit);
            assert_eq!(kept, sorted, "limit {limit}");
        }
    }
}
