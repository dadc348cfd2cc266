//! The search benchmark's two halves (`veillee bench-index`, `veillee bench-query`, hidden
//! commands run by benches/search.sh): index a directory of transcripts described by a JSON
//! list, and time queries on a warm index, in process, run after run.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::{EpisodeDocs, IndexBuilder, Labels, Query, Searcher, passage_docs};
use crate::transcript::{ReadOptions, load};

/// One episode of the benchmark's list; its transcript is `<dir>/<slug>.vtt`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BenchEpisode {
    pub slug: String,
    pub title: String,
    pub date: String,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub partners: Vec<String>,
    #[serde(default)]
    pub methods: Vec<String>,
    #[serde(default)]
    pub territories: Vec<String>,
    #[serde(default)]
    pub method_words: String,
    #[serde(default)]
    pub speakers: BTreeMap<String, String>,
}

/// Reads the transcripts (on every core) and writes a new index in `out`, the reading and
/// the indexing overlapping; returns the number of episodes and passages.
pub fn index_dir(episodes: &[BenchEpisode], transcripts: &Path, out: &Path) -> Result<(usize, usize), String> {
    let builder = IndexBuilder::open(out, None, 2).map_err(|e| e.to_string())?;
    // One reading thread per core: tantivy's two indexing threads need the cores too.
    let passages = crate::util::par::map(episodes, |e| {
        let path = transcripts.join(format!("{}.vtt", e.slug));
        let t =
            load(&path, &ReadOptions::default()).map_err(|(at, err)| format!("{}: {at:?}: {err}", path.display()))?;
        let speakers = &e.speakers;
        let passages = passage_docs(&t.parsed.transcript, |v| speakers.get(v).cloned().unwrap_or_else(|| v.to_owned()));
        let docs = EpisodeDocs {
            guid: e.slug.clone(),
            slug: e.slug.clone(),
            title: e.title.clone(),
            date: e.date.clone(),
            notes: e.notes.clone(),
            partners: e.partners.clone(),
            methods: e.methods.clone(),
            territories: e.territories.clone(),
            about: e.partners.iter().chain(&e.territories).cloned().collect::<Vec<_>>().join(" ; "),
            passages,
        };
        builder.add(&docs).map_err(|e| e.to_string())?;
        Ok::<_, String>(docs.passages.len())
    });
    let passages: usize = passages.into_iter().sum::<Result<usize, String>>()?;
    // The method boost needs each method's words: here the titles the list gives.
    let mut labels = Labels::default();
    for e in episodes {
        for (slug, words) in e.methods.iter().zip(e.method_words.split(" ; ")) {
            labels.method_words.insert(slug.clone(), words.to_owned());
        }
    }
    builder.finish(&labels).map_err(|e| e.to_string())?;
    Ok((episodes.len(), passages))
}

/// Latencies of one query, in milliseconds.
#[derive(Debug, Serialize)]
pub struct Timing {
    pub query: Query,
    pub episodes: usize,
    pub moments: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

#[derive(Debug, Serialize)]
pub struct Timings {
    pub runs: usize,
    pub queries: Vec<Timing>,
    /// Over every run of every query.
    pub p50_ms: f64,
    pub p99_ms: f64,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Runs each query `warmup` times untimed, then `runs` times timed, each asking for the top
/// `limit` episodes with snippets.
pub fn time_queries(index: &Path, queries: &[Query], runs: usize, warmup: usize) -> Result<Timings, String> {
    let searcher = Searcher::open(index).map_err(|e| e.to_string())?;
    let mut all = Vec::new();
    let mut out = Vec::new();
    for q in queries {
        for _ in 0..warmup {
            searcher.search(q).map_err(|e| e.to_string())?;
        }
        let mut times = Vec::with_capacity(runs);
        let mut last = None;
        for _ in 0..runs {
            let t = Instant::now();
            let r = searcher.search(q).map_err(|e| e.to_string())?;
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            last = Some(r);
        }
        times.sort_by(f64::total_cmp);
        all.extend_from_slice(&times);
        let r = last.ok_or("no run")?;
        out.push(Timing {
            query: q.clone(),
            episodes: r.episodes.len(),
            moments: r.episodes.iter().map(|e| e.moments.len()).sum(),
            p50_ms: percentile(&times, 50.0),
            p99_ms: percentile(&times, 99.0),
        });
    }
    all.sort_by(f64::total_cmp);
    Ok(Timings { runs, queries: out, p50_ms: percentile(&all, 50.0), p99_ms: percentile(&all, 99.0) })
}
