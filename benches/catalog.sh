#!/usr/bin/env bash
# Building the feed of a 10,000-episode catalog: `veillee build` against Python podgen and
# python-feedgen writing the same fields from the same sources, whole processes, side by side in
# one hyperfine run each:
#   (a) cold: outputs and Veillée's caches removed (build/, .veillee/) and, when permitted, the OS
#       page cache dropped before every run of every command;
#   (b) nothing changed: `veillee build` on an existing, up-to-date build, against the Python
#       tools' full run (they have no incremental mode).
# Goals (BENCHMARKS.md): Veillée ≤ 0.2× their wall time cold, ≤ 0.05× when nothing changed.
#
# Needs: hyperfine (Debian), python3 with venv, ffmpeg (to make the shared MP3; without it pass
# AUDIO=tests/fixtures/audio/cbr.mp3), and a release build (made here if missing).
# Environment: EPISODES (10000), SEED (1), RUNS_COLD (5), RUNS_WARM (10), COMMIT (HEAD) or VEILLEE_BIN,
# BENCH_DIR (~/.cache/veillee-bench), PROFILE=1 to add a perf profile of both Veillée builds.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET="${CARGO_TARGET_DIR:-$HOME/.cache/veillee-target}"
CACHE="${BENCH_DIR:-$HOME/.cache/veillee-bench}"
EPISODES="${EPISODES:-10000}"
SEED="${SEED:-1}"
OUT="$CACHE/catalog-out"
mkdir -p "$CACHE" "$OUT"

command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine; }
source benches/bench_bin.sh veillee-bench-bin
PY="$(bash benches/setup_venv.sh)"

source benches/data.sh
catalog_dir "$EPISODES" "$SEED" "$BIN"
DIR="$CATALOG"
"$BIN" --root "$DIR" check

echo
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -sr)"
echo "veillee: $VERSION"
echo "python: $("$PY" --version), $("$PY" -m pip freeze 2>/dev/null | grep -Ei '^(podgen|feedgen|markdown|lxml)==' | tr '\n' ' ')"
echo "catalog: $DIR ($(du -sh "$DIR" --exclude=build --exclude=.veillee | cut -f1), $(ls "$DIR/episodes" | grep -c '\.md$') episodes, $(ls "$DIR/transcripts" | wc -l) transcripts, shared audio $(stat -c %s "$DIR/episodes/shared.mp3") bytes)"

CLEAN="rm -rf '$DIR/build' '$DIR/.veillee' '$OUT'/*.xml"
if (sync && echo 3 > /proc/sys/vm/drop_caches) 2>/dev/null; then
  PREPARE="$CLEAN; sync; echo 3 > /proc/sys/vm/drop_caches"
  echo "cold runs: outputs and caches removed, OS page cache dropped (permitted)"
else
  PREPARE="$CLEAN; sync"
  echo "cold runs: outputs and caches removed; dropping the OS page cache is NOT permitted here"
fi
echo

VEILLEE="$BIN --root $DIR build"
# The feed alone, where the binary has `veillee feed` (it prints what build writes to feed.xml).
FEED=()
if "$BIN" feed --help > /dev/null 2>&1; then
  FEED=(-n "veillee feed (feed only)" "$BIN --root $DIR feed > $OUT/veillee-feed.xml")
fi
PODGEN="$PY benches/feed_podgen.py $DIR $OUT/podgen.xml"
FEEDGEN="$PY benches/feed_feedgen.py $DIR $OUT/feedgen.xml"

hyperfine --runs "${RUNS_COLD:-5}" --prepare "$PREPARE" --export-json "$OUT/cold.json" \
  -n "veillee build (cold)" "$VEILLEE" \
  "${FEED[@]}" \
  -n "podgen (cold)" "$PODGEN" \
  -n "feedgen (cold)" "$FEEDGEN"

# Nothing changed: the warm-up makes the build that every measured run finds up to date.
"$BIN" --root "$DIR" build > /dev/null
hyperfine --warmup 1 --runs "${RUNS_WARM:-10}" --export-json "$OUT/unchanged.json" \
  -n "veillee build (nothing changed)" "$VEILLEE" \
  "${FEED[@]}" \
  -n "podgen" "$PODGEN" \
  -n "feedgen" "$FEEDGEN"
"$BIN" --root "$DIR" build | head -1
if [ ${#FEED[@]} -gt 0 ]; then
  cmp "$OUT/veillee-feed.xml" "$DIR/build/current/www/feed.xml" && echo "veillee feed = build's feed.xml, byte for byte"
fi

python3 - "$OUT/cold.json" "$OUT/unchanged.json" <<'EOF'
import json, sys
goals = {"cold": 0.2, "unchanged": 0.05}
for path, case in zip(sys.argv[1:], ["cold", "unchanged"]):
    r = {x["command"].split(" (")[0]: x for x in json.load(open(path))["results"]}
    for ours in ["veillee build", "veillee feed"]:
        if ours not in r:
            continue
        v = r[ours]
        print(f"\n{case}: {ours} {v['mean']:.3f} s ± {v['stddev']:.3f}")
        for tool in ["podgen", "feedgen"]:
            t = r[tool]
            ratio = v["mean"] / t["mean"]
            verdict = "met" if ratio <= goals[case] else "MISSED"
            print(f"  vs {tool} {t['mean']:.3f} s ± {t['stddev']:.3f}: {ratio:.3f}x (goal <= {goals[case]}x: {verdict})")
EOF

if [ "${PROFILE:-0}" = 1 ]; then
  set +e +o pipefail # `head` closing a pipe is not a failure here
  # Where Veillée's time goes; the feed's share is the samples under feed::render_feed.
  for case in cold unchanged; do
    [ "$case" = cold ] && eval "$PREPARE"
    perf record -q -F 499 --call-graph dwarf,16384 -o "$OUT/perf.$case.data" $VEILLEE > /dev/null 2>&1
    echo; echo "== perf, $case build: self time"
    perf report -i "$OUT/perf.$case.data" --no-children --stdio 2>/dev/null | grep -E '^ +[0-9.]+%' | head -12
    echo "== perf, $case build: stages (inclusive)"
    perf report -i "$OUT/perf.$case.data" --children --stdio 2>/dev/null | grep -E '^ +[0-9.]+%' |
      grep -E '\] veillee::(catalog::load::.*Catalog>::load(_with)?|catalog::load::[A-Za-z_:<> ]+|catalog::ledger::Ledger::load|generate::(plan::)?render|feed::render_feed|site::[A-Za-z_]+(::[a-z_]+)?|generate::generation::write|markdown::to_html)$'
  done
fi
