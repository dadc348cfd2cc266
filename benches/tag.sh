#!/usr/bin/env bash
# The audio issue's tagging figure: a tagged copy of a 60-minute MP3 (benches/data.sh's CBR file,
# 57.6 MB) with the cover and ten chapters (`veillee-bench tag`: media::tag, what a build does
# for each episode), against `cp` of the same file, by turns (benches/interleave.py), medians of
# RUNS; the peak memory of one run (streamed: the audio is copied by the kernel, never held).
#
#   bash benches/tag.sh
#
# Environment: RUNS (5), COMMIT (HEAD) or VEILLEE_BIN, BENCH_DIR (~/.cache/veillee-bench).
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET="${CARGO_TARGET_DIR:-$HOME/.cache/veillee-target}"
CACHE="${BENCH_DIR:-$HOME/.cache/veillee-bench}"
RUNS="${RUNS:-5}"
OUT="$CACHE/tag-out"
mkdir -p "$CACHE" "$OUT"

source benches/bench_bin.sh veillee-tag-bin
source benches/data.sh
probe_files
MP3="$PROBE_DIR/cbr.mp3"
COVER="$OUT/cover.jpg"
[ -f "$COVER" ] || ffmpeg -hide_banner -loglevel error -y -f lavfi -i "testsrc2=s=1400x1400" -frames:v 1 "$COVER"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -sr)," \
  "$(df -T "$CACHE" | awk 'NR==2 {print $2}') under $CACHE"
echo "veillee: $VERSION"
echo "file: $MP3, $(stat -c %s "$MP3") bytes; cover 1400x1400"

python3 benches/interleave.py --runs "$RUNS" --warmup 1 --prepare "rm -f $OUT/tagged.mp3 $OUT/copy.mp3" -- \
  "$BIN-bench tag --src $MP3 --cover $COVER --out $OUT/tagged.mp3" "cp $MP3 $OUT/copy.mp3" >"$OUT/tag.json"
rm -f "$OUT/tagged.mp3"
/usr/bin/time -f "%M" -o "$OUT/tag.rss" "$BIN-bench" tag --src "$MP3" --cover "$COVER" --out "$OUT/tagged.mp3" >/dev/null
python3 - "$OUT" <<'PY'
import json, statistics, sys
out = sys.argv[1]
t, c = [statistics.median(r["times"]) for r in json.load(open(f"{out}/tag.json"))["results"]]
rss = int(open(f"{out}/tag.rss").read()) / 1024
print()
print("| work | veillee (median) | anchor (median) | ratio | goal |")
print("|---|---|---|---|---|")
print(f"| tagged copy of a 60-minute MP3 (cover, 10 chapters) | {t * 1000:.1f} ms | cp {c * 1000:.1f} ms | {t / c:.3f}× | reported |")
print(f"| peak memory of the same (one run) | {rss:.1f} MiB | — | — | reported (streamed) |")
PY
