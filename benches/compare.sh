#!/usr/bin/env bash
# Two commits side by side on every benchmark of benches/: the rule for changes that should not
# cost time (BENCHMARKS.md): the new commit's median within 3 % of the old one's, at least 10
# runs each, both binaries timed by turns in the same run (benches/interleave.py: this machine's
# speed drifts by 20 % within minutes), on the same inputs.
#
#   OLD=a4e6ea0 NEW=HEAD bash benches/compare.sh
#
# Cases: `probe` of a 60-minute CBR and VBR MP3; the 10,000-episode catalog of catalog.sh: a
# cold `build` (outputs and caches removed, page cache dropped where permitted), an unchanged
# `build`, `feed`; the 1,000-transcript corpus of search.sh: the index build, and the p50 and
# p99 of its 20 queries (each binary's query process run RUNS_QUERY times, 100 timed runs per
# query each time; the medians of those p50s and p99s are compared).
# Environment: OLD (HEAD~1), NEW (HEAD), RUNS (10), RUNS_QUERY (5), EPISODES (10000), TRANSCRIPTS
# (how many of the catalog's episodes have one; default about one in eight),
# SEARCH_EPISODES (1000), ONLY (a space-separated subset of: probe catalog search).
# Prints one table, each line with `within 3 %: met` or `MISSED`, and the commits.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET="${CARGO_TARGET_DIR:-$HOME/.cache/veillee-target}"
CACHE="${BENCH_DIR:-$HOME/.cache/veillee-bench}"
RUNS="${RUNS:-10}"
RUNS_QUERY="${RUNS_QUERY:-5}"
ONLY="${ONLY:-probe catalog search}"
OUT="$CACHE/compare"
mkdir -p "$CACHE" "$OUT"
# A run of some cases (ONLY) keeps the figures of the others from the last run, for the table.
source benches/bench_bin.sh
source benches/data.sh

veillee_bin veillee-old "${OLD:-HEAD~1}"
OLD_BIN=$BIN OLD_INDEX=$BENCH_INDEX OLD_QUERY=$BENCH_QUERY OLD_VERSION=$VERSION
veillee_bin veillee-new "${NEW:-HEAD}"
NEW_BIN=$BIN NEW_INDEX=$BENCH_INDEX NEW_QUERY=$BENCH_QUERY NEW_VERSION=$VERSION

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -sr)"
echo "old: $OLD_VERSION"
echo "new: $NEW_VERSION"

# side NAME OLD-COMMAND NEW-COMMAND [--warmup N] [--prepare CMD]: both commands timed by turns
# in one run (benches/interleave.py), RUNS times each.
side() {
  local name=$1 old=$2 new=$3
  shift 3
  python3 benches/interleave.py --runs "$RUNS" "$@" -- "$old" "$new" >"$OUT/$name.json"
  echo "… $name done"
}

if [[ " $ONLY " == *" probe "* ]]; then
  rm -f "$OUT"/probe*.json
  probe_files
  for f in cbr vbr; do
    side "probe $f.mp3" "$OLD_BIN probe $PROBE_DIR/$f.mp3" "$NEW_BIN probe $PROBE_DIR/$f.mp3" --warmup 3
  done
fi

if [[ " $ONLY " == *" catalog "* ]]; then
  rm -f "$OUT"/build*.json "$OUT/feed.json"
  catalog_dir "${EPISODES:-10000}" 1 "$OLD_BIN" "${TRANSCRIPTS:-}"
  # One copy per binary: each finds its own previous build up to date in the unchanged case.
  for who in old new; do
    rm -rf "$OUT/catalog-$who" && cp -a "$CATALOG" "$OUT/catalog-$who"
    rm -rf "$OUT/catalog-$who/build" "$OUT/catalog-$who/.veillee"
  done
  drop="sync"
  (sync && echo 3 >/proc/sys/vm/drop_caches) 2>/dev/null && drop="sync; echo 3 > /proc/sys/vm/drop_caches"
  echo "cold runs: $drop"
  # The prepare step runs before each run of either command: it cleans both copies.
  side "build, cold" "$OLD_BIN --root $OUT/catalog-old build" "$NEW_BIN --root $OUT/catalog-new build" \
    --prepare "rm -rf $OUT/catalog-old/build $OUT/catalog-old/.veillee $OUT/catalog-new/build $OUT/catalog-new/.veillee; $drop"
  "$OLD_BIN" --root "$OUT/catalog-old" build >/dev/null
  "$NEW_BIN" --root "$OUT/catalog-new" build >/dev/null
  side "build, nothing changed" "$OLD_BIN --root $OUT/catalog-old build" "$NEW_BIN --root $OUT/catalog-new build" --warmup 1
  side "feed" "$OLD_BIN --root $OUT/catalog-old feed" "$NEW_BIN --root $OUT/catalog-new feed" --warmup 1
fi

if [[ " $ONLY " == *" search "* ]]; then
  rm -f "$OUT/search index.json" "$OUT"/query-*.json
  search_corpus "${SEARCH_EPISODES:-1000}" 8000 1 python3
  idx() { echo "--episodes $CORPUS/episodes.json --transcripts $CORPUS/transcripts --out $OUT/index-$1"; }
  side "search index" "$OLD_INDEX $(idx old)" "$NEW_INDEX $(idx new)" --warmup 1 \
    --prepare "rm -rf $OUT/index-old $OUT/index-new"
  rm -rf "$OUT/index-old" "$OUT/index-new"
  $OLD_INDEX $(idx old) >/dev/null
  $NEW_INDEX $(idx new) >/dev/null
  # Alternating old and new, so that a disturbance of the machine hits both.
  for i in $(seq 1 "$RUNS_QUERY"); do
    for who in old new; do
      q=$OLD_QUERY
      [ "$who" = new ] && q=$NEW_QUERY
      $q --index "$OUT/index-$who" --queries benches/search_queries.json --runs 100 --warmup 5 >"$OUT/query-$who-$i.json"
    done
  done
  echo "… search queries done"
fi

python3 - "$OUT" "$RUNS_QUERY" <<'EOF'
import glob, json, os, statistics, sys
out, runs_query = sys.argv[1], int(sys.argv[2])
rows = []
for path in sorted(glob.glob(f"{out}/*.json")):
    name = os.path.basename(path)[:-5]
    if name.startswith("query-"):
        continue
    r = {x["command"]: x for x in json.load(open(path))["results"]}
    rows.append((name, r["old"]["median"], r["new"]["median"], "s", len(r["new"]["times"])))
for p in ["p50", "p99"]:
    vals = {who: [json.load(open(f))[f"{p}_ms"] for f in sorted(glob.glob(f"{out}/query-{who}-*.json"))] for who in ["old", "new"]}
    if vals["old"]:
        rows.append((f"search query {p}", statistics.median(vals["old"]), statistics.median(vals["new"]), "ms", len(vals["new"])))
print()
print("| case | old (median) | new (median) | new / old | within 3 % |")
print("|---|---|---|---|---|")
for name, old, new, unit, n in rows:
    ratio = new / old
    scale = 1000 if unit == "s" else 1
    shown = "ms" if unit == "s" and old < 1 else unit
    if shown == "s":
        scale = 1
    verdict = "met" if ratio <= 1.03 else "MISSED"
    print(f"| {name} ({n} runs) | {old * scale:.3f} {shown} | {new * scale:.3f} {shown} | **{ratio:.3f}×** | {verdict} |")
EOF
