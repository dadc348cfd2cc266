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
# The show is made once under BENCH_DIR: `veillee init`, 50 episodes from `veillee new episode`,
# each with its own copy of benches/data.sh's CBR file (the same audio remuxed with another
# title tag: other bytes), each published with `veillee publish`.
# Environment: RUNS (5), COMMIT (HEAD) or VEILLEE_BIN, BENCH_DIR (~/.cache/veillee-bench).
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET="${CARGO_TARGET_DIR:-$HOME/.cache/veillee-target}"
CACHE="${BENCH_DIR:-$HOME/.cache/veillee-bench}"
RUNS="${RUNS:-5}"
OUT="$CACHE/audio-out"
SHOW="$CACHE/audio-50"
mkdir -p "$CACHE" "$OUT"

source benches/bench_bin.sh veillee-audio-bin
source benches/data.sh
probe_files

stamp="$(sha256sum <benches/audio.sh | cut -c1-16)-$(stat -c %s "$PROBE_DIR/cbr.mp3")"
if [ "$(cat "$SHOW.stamp" 2>/dev/null)" != "$stamp" ]; then
  rm -rf "$SHOW" "$SHOW.tmp" && mkdir -p "$SHOW.tmp"
  (
    cd "$SHOW.tmp"
    export SOURCE_DATE_EPOCH=1764000000
    "$BIN" init --title "Banc audio" --description "Cinquante heures d'enregistrement" \
      --base-url https://banc.example.org --author "Banc" --email banc@example.org >/dev/null
    ffmpeg -hide_banner -loglevel error -y -f lavfi -i color=c=0x336699:s=1400x1400 -frames:v 1 feed/cover.jpg
    for n in $(seq 50); do
      "$BIN" new episode "Épisode $n" >/dev/null
      ffmpeg -hide_banner -loglevel error -y -i "$PROBE_DIR/cbr.mp3" -c copy -metadata title="Épisode $n" \
        "episodes/episode-$n.mp3"
    done
    for n in $(seq 50); do
      "$BIN" publish "episode-$n" >/dev/null
    done
  )
  mv "$SHOW.tmp" "$SHOW"
  echo "$stamp" >"$SHOW.stamp"
fi

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
