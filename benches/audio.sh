#!/usr/bin/env bash
# The first build of a show of 50 distinct 60-minute MP3s (57.6 MB each, 2.9 GB), with no
# build and no cache, against reading and copying the same files (`cat` them, then `cp` them):
# a build reads each audio file once (its duration, BLAKE3 and SHA-256 in one pass) and copies
# it to www/media. Goal (speed issue): ≤ 1.2× cat + cp. Both by turns (benches/interleave.py),
# each run from a dropped page cache (when the machine allows it, else warm: the script says
# which), medians of RUNS.
#
#   bash benches/audio.sh
#
# The show is benches/data.sh's audio_show, made once under BENCH_DIR.
# Environment: RUNS (5), COMMIT (HEAD) or VEILLEE_BIN, BENCH_DIR (~/.cache/veillee-bench).
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET="${CARGO_TARGET_DIR:-$HOME/.cache/veillee-target}"
CACHE="${BENCH_DIR:-$HOME/.cache/veillee-bench}"
RUNS="${RUNS:-5}"
OUT="$CACHE/audio-out"
mkdir -p "$CACHE" "$OUT"

source benches/bench_bin.sh veillee-audio-bin
source benches/data.sh
probe_files

audio_show "$BIN"

CLEAN="rm -rf $SHOW/build $SHOW/.veillee $OUT/copy"
if (sync && echo 3 >/proc/sys/vm/drop_caches) 2>/dev/null; then
  PREPARE="$CLEAN; sync; echo 3 > /proc/sys/vm/drop_caches"
  CACHE_STATE="page cache dropped before each run"
else
  PREPARE="$CLEAN; sync"
  CACHE_STATE="page cache warm (it could not be dropped)"
fi

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -sr)," \
  "$(df -T "$CACHE" | awk 'NR==2 {print $2}') under $CACHE"
echo "veillee: $VERSION"
echo "show: $SHOW: $(ls "$SHOW"/episodes/*.mp3 | wc -l) MP3s, $(du -sh "$SHOW/episodes" | cut -f1); $CACHE_STATE"

python3 benches/interleave.py --runs "$RUNS" --prepare "$PREPARE" -- \
  "$BIN --root $SHOW build" \
  "cat $SHOW/episodes/*.mp3 >/dev/null && mkdir -p $OUT/copy && cp $SHOW/episodes/*.mp3 $OUT/copy/" \
  >"$OUT/first-build.json"
python3 - "$OUT/first-build.json" <<'PY'
import json, statistics, sys
veillee, copy = [statistics.median(r["times"]) for r in json.load(open(sys.argv[1]))["results"]]
ratio = veillee / copy
print()
print("| work | veillee (median) | cat + cp (median) | ratio | goal |")
print("|---|---|---|---|---|")
print(f"| first build, 50 distinct 60-minute MP3s, no cache | {veillee:.3f} s | {copy:.3f} s | {ratio:.3f}× | "
      f"≤ 1.2×: {'met' if ratio <= 1.2 else 'MISSED'} |")
PY
