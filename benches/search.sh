#!/usr/bin/env bash
# Searching 1,000 transcripts of about 8,000 French words each (8 M words): Veillée's tantivy
# index against SQLite FTS5 (Python's sqlite3, `unicode61 remove_diacritics 2`, one row per cue)
# on the same files.
#   (a) index build: `veillee-bench index` against `benches/fts5_search.py index`, whole
#       processes, side by side in one hyperfine run, each run from an empty output; then the size
#       of what each wrote (du -sb of the tantivy directory, the SQLite file);
#   (b) queries: the 20 French queries of benches/search_queries.json (phrases, unaccented words,
#       exclusions, facets), top 20 with snippets, timed in process over many warm runs by
#       `veillee-bench query` and `benches/fts5_search.py query` (bm25, snippet(): the top 20
#       cues, the issue's baseline), and `benches/fts5_search.py query --grouped` (the answer
#       Veillée gives: the best 1,000 cues grouped by episode, 20 episodes with up to 3 moments).
# Goals (BENCHMARKS.md): index ≤ 0.5× FTS5's wall time and no larger; query p99 ≤ 0.2× FTS5's
# and under 10 ms.
#
# Needs: hyperfine (Debian), python3 with sqlite3 (standard library), and a release build (made
# here if missing).
# Environment: EPISODES (1000), WORDS (8000 per transcript), SEED (1), RUNS (5 index builds per
# tool, after one warm-up), QUERY_RUNS (200), QUERY_WARMUP (5), COMMIT (HEAD) or VEILLEE_BIN,
# PYTHON (python3), BENCH_DIR (~/.cache/veillee-bench), PROFILE=1 to add a perf profile of
# Veillée's index build and queries.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET="${CARGO_TARGET_DIR:-$HOME/.cache/veillee-target}"
CACHE="${BENCH_DIR:-$HOME/.cache/veillee-bench}"
EPISODES="${EPISODES:-1000}"
WORDS="${WORDS:-8000}"
SEED="${SEED:-1}"
RUNS="${RUNS:-5}"
QUERY_RUNS="${QUERY_RUNS:-200}"
QUERY_WARMUP="${QUERY_WARMUP:-5}"
PYTHON="${PYTHON:-python3}"
OUT="$CACHE/search-out"
QUERIES="benches/search_queries.json"
mkdir -p "$CACHE" "$OUT"

command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine; }
source benches/bench_bin.sh veillee-search-bin
$BENCH_INDEX --help > /dev/null 2>&1 || { echo "$VERSION has no search benchmark command ($BENCH_INDEX)" >&2; exit 1; }

source benches/data.sh
search_corpus "$EPISODES" "$WORDS" "$SEED" "$PYTHON"
DIR="$CORPUS"

echo
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -sr)"
echo "veillee: $VERSION"
echo "python: $("$PYTHON" --version), sqlite $("$PYTHON" -c 'import sqlite3; print(sqlite3.sqlite_version)')"
echo "corpus: $DIR: $(du -sh "$DIR/transcripts" | cut -f1) of WebVTT, $(tail -1 "$DIR/gen.log")," \
  "$(cat "$DIR"/transcripts/*.vtt | grep -c -e '-->') cues"
echo

TANTIVY="$OUT/tantivy"
DB="$OUT/fts5.sqlite"
VEILLEE_INDEX="$BENCH_INDEX --episodes $DIR/episodes.json --transcripts $DIR/transcripts --out $TANTIVY"
FTS5_INDEX="$PYTHON benches/fts5_search.py index $DIR/transcripts $DIR/episodes.json $DB"
# Every run starts from no output; the inputs stay in the page cache (the warm-up reads them).
hyperfine --warmup 1 --runs "$RUNS" --prepare "rm -rf '$TANTIVY' '$DB'; sync" --export-json "$OUT/index.json" \
  -n "veillee index" "$VEILLEE_INDEX" \
  -n "fts5 index" "$FTS5_INDEX"
# The last runs' outputs stay: sizes, then queries on them. One more build of each prints its
# counts (episodes, passages / cues).
rm -rf "$TANTIVY" "$DB"
$VEILLEE_INDEX | tee "$OUT/veillee-index.txt"
$FTS5_INDEX | tee "$OUT/fts5-index.txt"
du -sb "$TANTIVY" | cut -f1 > "$OUT/tantivy.size"
du -sb "$DB" | cut -f1 > "$OUT/fts5.size"
echo "sizes: tantivy $(cat "$OUT/tantivy.size") bytes in $(ls "$TANTIVY" | wc -l) files, sqlite $(cat "$OUT/fts5.size") bytes"
echo

$BENCH_QUERY --index "$TANTIVY" --queries "$QUERIES" --runs "$QUERY_RUNS" --warmup "$QUERY_WARMUP" \
  > "$OUT/veillee-query.json"
"$PYTHON" benches/fts5_search.py query "$DB" "$QUERIES" --runs "$QUERY_RUNS" --warmup "$QUERY_WARMUP" \
  > "$OUT/fts5-query.json"
"$PYTHON" benches/fts5_search.py query "$DB" "$QUERIES" --runs "$QUERY_RUNS" --warmup "$QUERY_WARMUP" --grouped \
  > "$OUT/fts5-grouped-query.json"

"$PYTHON" - "$OUT" <<'EOF'
import json, sys
from pathlib import Path
out = Path(sys.argv[1])
r = {x["command"]: x for x in json.load(open(out / "index.json"))["results"]}
v, f = r["veillee index"], r["fts5 index"]
vs, fs = int((out / "tantivy.size").read_text()), int((out / "fts5.size").read_text())
vq, fq = json.load(open(out / "veillee-query.json")), json.load(open(out / "fts5-query.json"))
gq = json.load(open(out / "fts5-grouped-query.json"))

def verdict(ok):
    return "met" if ok else "MISSED"

print("| | veillee | fts5 (top 20 cues) | veillee / fts5 | goal | fts5 grouped like veillee | veillee / grouped |")
print("|---|---|---|---|---|---|---|")
ratio = v["mean"] / f["mean"]
print(f"| index build | {v['mean']:.3f} s ± {v['stddev']:.3f} | {f['mean']:.3f} s ± {f['stddev']:.3f} | "
      f"**{ratio:.2f}×** | ≤ 0.5×: {verdict(ratio <= 0.5)} | | |")
ratio = vs / fs
print(f"| index size | {vs / 1e6:.1f} MB | {fs / 1e6:.1f} MB | **{ratio:.2f}×** | ≤ 1×: {verdict(ratio <= 1)} | | |")
for p in ["p50", "p99"]:
    key = f"{p}_ms"
    ratio = vq[key] / fq[key]
    goal = f"≤ 0.2×: {verdict(ratio <= 0.2)}; < 10 ms: {verdict(vq[key] < 10)}" if p == "p99" else ""
    print(f"| query {p} | {vq[key]:.2f} ms | {fq[key]:.2f} ms | **{ratio:.2f}×** | {goal} | "
          f"{gq[key]:.2f} ms | {vq[key] / gq[key]:.2f}× |")
print(f"\n{vq['runs']} timed runs per query after the warm-ups, every query in one process per tool;")
print("p50 and p99 over all runs of all queries.")
print("\n| query | filters | veillee episodes / moments | p50 | p99 | fts5 episodes / cues | p50 | p99 "
      "| grouped episodes / moments | p50 | p99 | p99 veillee / fts5 |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
for a, b, c in zip(vq["queries"], fq["queries"], gq["queries"]):
    q = a["query"]
    filters = ", ".join(f"{k}={q[k]}" for k in ["partner", "method", "territory", "year"] if q.get(k) is not None)
    print(f"| `{q['q']}` | {filters} | {a['episodes']} / {a['moments']} | {a['p50_ms']:.2f} | {a['p99_ms']:.2f} | "
          f"{b['episodes']} / {b['moments']} | {b['p50_ms']:.2f} | {b['p99_ms']:.2f} | "
          f"{c['episodes']} / {c['moments']} | {c['p50_ms']:.2f} | {c['p99_ms']:.2f} | {a['p99_ms'] / b['p99_ms']:.2f}× |")
EOF

if [ "${PROFILE:-0}" = 1 ]; then
  set +e +o pipefail # `head` closing a pipe is not a failure here
  rm -rf "$TANTIVY.perf"
  perf record -q -F 499 --call-graph dwarf,16384 -o "$OUT/perf.index.data" \
    $BENCH_INDEX --episodes "$DIR/episodes.json" --transcripts "$DIR/transcripts" --out "$TANTIVY.perf" > /dev/null 2>&1
  rm -rf "$TANTIVY.perf"
  perf record -q -F 999 --call-graph dwarf,16384 -o "$OUT/perf.query.data" \
    $BENCH_QUERY --index "$TANTIVY" --queries "$QUERIES" --runs 50 --warmup 2 > /dev/null 2>&1
  for case in index query; do
    echo; echo "== perf, veillee $case: self time"
    perf report -i "$OUT/perf.$case.data" --no-children --stdio 2>/dev/null | grep -E '^ +[0-9.]+%' | head -15
    echo "== perf, veillee $case: stages (inclusive)"
    perf report -i "$OUT/perf.$case.data" --children --stdio 2>/dev/null | grep -E '^ +[0-9.]+%' | grep -E \
      '\] (veillee::(search|transcript)::[a-z_:]+|title_of \(inlined\)|tantivy::store::reader::StoreReader::get|tantivy::snippet::SnippetGenerator::snippet_from_doc|search_with_statistics_provider<.*TopBySortKeyCollector.*|tantivy::indexer::index_writer::index_documents|tantivy::postings::postings_writer::PostingsWriter::index_text|frostem::algorithms::french_stemmer::stem|tantivy::store::store_compressor::BlockCompressorImpl::compress_block_and_write)$' |
      sed -E 's/search_with_statistics_provider<.*/top-1000 collection (TopDocs)/' | head -20
  done
  rm -f "$OUT"/perf.*.data.old
fi
