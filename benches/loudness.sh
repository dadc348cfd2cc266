#!/usr/bin/env bash
# The audio issue's loudness goals, whole processes side by side:
#
#   bash benches/loudness.sh
#
# - `veillee probe --loudness` of a 60-minute stereo MP3 (benches/data.sh's CBR file, run outside
#   any show: nothing cached) against `ffmpeg -af ebur128=peak=true` on the same file, by turns
#   (benches/interleave.py), medians of RUNS: goal <= 0.5x ffmpeg's wall time, the same values to
#   0.1 (integrated loudness, true peak; the range is printed too); peak memory of one run.
# - a whole show's report, cached: benches/data.sh's audio_show (50 episodes, each its own
#   60-minute MP3), copied with hard links; `probe --loudness` of every episode's audio once
#   (measured: printed), then again (from the cache) and `check` (which gives the same warnings),
#   by hyperfine, medians of RUNS: goal <= 50 ms.
# Environment: RUNS (5), COMMIT (HEAD) or VEILLEE_BIN, BENCH_DIR (~/.cache/veillee-bench).
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET="${CARGO_TARGET_DIR:-$HOME/.cache/veillee-target}"
CACHE="${BENCH_DIR:-$HOME/.cache/veillee-bench}"
RUNS="${RUNS:-5}"
OUT="$CACHE/loudness-out"
mkdir -p "$CACHE" "$OUT"
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine; }

source benches/bench_bin.sh veillee-loudness-bin
source benches/data.sh
probe_files
audio_show "$BIN"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -sr)"
echo "veillee: $VERSION"
echo "ffmpeg: $(ffmpeg -version | head -1 | cut -d' ' -f1-3)"
MP3="$PROBE_DIR/cbr.mp3"
echo "file: $MP3, $(stat -c %s "$MP3") bytes"

# Outside any show (OUT has no feed/channel.toml above it): measured every time.
cd "$OUT"
python3 "$OLDPWD/benches/interleave.py" --runs "$RUNS" -- \
  "$BIN probe --loudness $MP3" \
  "ffmpeg -hide_banner -nostats -i $MP3 -af ebur128=peak=true -f null -" >"$OUT/60min.json"
/usr/bin/time -f "%M" -o "$OUT/60min.rss" "$BIN" probe --loudness --json "$MP3" >"$OUT/60min-veillee.json" 2>/dev/null
ffmpeg -hide_banner -nostats -i "$MP3" -af ebur128=peak=true -f null - 2>"$OUT/60min-ffmpeg.txt"
cd "$OLDPWD"

# A whole show, cached: a copy whose audio files are hard links (nothing of 2.9 GB copied).
COPY="$OUT/show"
rm -rf "$COPY" && mkdir -p "$COPY"
for d in feed episodes site transcripts; do
  if [ -d "$SHOW/$d" ]; then cp -al "$SHOW/$d" "$COPY/"; fi
done
cp "$SHOW/feed/channel.toml" "$COPY/feed/channel.toml.tmp" && mv "$COPY/feed/channel.toml.tmp" "$COPY/feed/channel.toml"
start=$(date +%s.%N)
"$BIN" --root "$COPY" probe --loudness "$COPY"/episodes/*.mp3 >/dev/null 2>&1
first=$(echo "$(date +%s.%N) - $start" | bc)
hyperfine --runs "$RUNS" --warmup 1 --export-json "$OUT/show-probe.json" \
  "cd $COPY && $BIN probe --loudness episodes/*.mp3" >/dev/null
hyperfine --runs "$RUNS" --warmup 1 --export-json "$OUT/show-check.json" "$BIN --root $COPY check" >/dev/null

python3 - "$OUT" "$first" <<'PY'
import json, re, statistics, sys
out, first = sys.argv[1], float(sys.argv[2])
med = lambda name: [statistics.median(r["times"]) for r in json.load(open(f"{out}/{name}.json"))["results"]]
v, f = med("60min")
mine = json.load(open(f"{out}/60min-veillee.json"))[0]
text = open(f"{out}/60min-ffmpeg.txt").read().split("Summary:")[-1]
ff_i = float(re.search(r"I:\s+(-?[0-9.]+) LUFS", text).group(1))
ff_lra = float(re.search(r"LRA:\s+(-?[0-9.]+) LU", text).group(1))
ff_tp = float(re.search(r"True peak:\s+Peak:\s+(-?[0-9.]+) dBFS", text).group(1))
same = abs(mine["integrated_lufs"] - ff_i) <= 0.1 and abs(mine["true_peak_dbtp"] - ff_tp) <= 0.1
rss = int(open(f"{out}/60min.rss").read()) / 1024
(probe,) = med("show-probe")
(check,) = med("show-check")
verdict = lambda ok: "met" if ok else "MISSED"
print()
print("| work | veillee (median) | anchor (median) | ratio | goal |")
print("|---|---|---|---|---|")
print(f"| loudness + true peak, 60-minute MP3 | {v:.3f} s | ffmpeg ebur128 {f:.3f} s | {v / f:.3f}× | ≤ 0.5×: {verdict(v / f <= 0.5)} |")
print(f"| the values (I LUFS / TP dBTP / LRA LU) | {mine['integrated_lufs']} / {mine['true_peak_dbtp']} / {mine['loudness_range_lu']} "
      f"| {ff_i} / {ff_tp} / {ff_lra} | — | I and TP within 0.1: {verdict(same)} |")
print(f"| peak memory of the same (one run) | {rss:.0f} MiB | — | — | reported |")
print(f"| 50 × 60 min show, `probe --loudness`, first run | {first:.1f} s | — | — | reported |")
print(f"| the same, cached | {probe * 1000:.1f} ms | — | — | ≤ 50 ms: {verdict(probe <= 0.05)} |")
print(f"| `check` of the same show, cached | {check * 1000:.1f} ms | — | — | ≤ 50 ms: {verdict(check <= 0.05)} |")
PY
