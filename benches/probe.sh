#!/usr/bin/env bash
# Exact duration of 60-minute MP3s: `veillee probe` against `ffprobe`, whole processes, same
# files, side by side in one hyperfine run. Also prints each tool's duration next to the true
# one (from a full ffmpeg decode).
# Needs: ffmpeg, hyperfine (Debian); the release build of COMMIT (HEAD) is made here
# (benches/bench_bin.sh), or VEILLEE_BIN is measured.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET="${CARGO_TARGET_DIR:-$HOME/.cache/veillee-target}"
CACHE="${BENCH_DIR:-$HOME/.cache/veillee-bench}"
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine; }
source benches/bench_bin.sh veillee-probe-bin
source benches/data.sh
probe_files
DIR="$PROBE_DIR"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -sr)"
echo "veillee: $VERSION"
echo "files: $(ls -l "$DIR"/*.mp3 | awk '{print $5, $9}' | tr '\n' ' ')"
echo
printf '%-16s %14s %14s %14s\n' file "full decode" "veillee" "ffprobe"
for f in cbr vbr vbr-noxing; do
  decoded=$(ffmpeg -hide_banner -nostats -i "$DIR/$f.mp3" -f null - 2>&1 | grep -o 'time=[0-9:.]*' | tail -1 | cut -d= -f2)
  ours=$("$BIN" probe --json "$DIR/$f.mp3" | grep '"duration"' | grep -o '[0-9.]*')
  theirs=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$DIR/$f.mp3")
  printf '%-16s %14s %14s %14s\n' "$f.mp3" "$decoded" "$ours" "$theirs"
done
echo
for f in cbr vbr vbr-noxing; do
  hyperfine --warmup 3 --runs "${RUNS:-30}" -N --export-json "$CACHE/probe-$f.json" \
    -n "veillee probe $f.mp3" "$BIN probe $DIR/$f.mp3" \
    -n "ffprobe $f.mp3" "ffprobe -v error -show_entries format=duration -of csv=p=0 $DIR/$f.mp3"
done
echo
echo "veillee: $VERSION"
python3 - "$CACHE" <<'PY'
import json, sys
print("| file | veillee probe | ffprobe | ratio | goal |")
print("|---|---|---|---|---|")
for f in ["cbr", "vbr", "vbr-noxing"]:
    v, p = json.load(open(f"{sys.argv[1]}/probe-{f}.json"))["results"]
    ratio = v["mean"] / p["mean"]
    verdict = "met" if ratio <= 0.5 else "MISSED"
    print(f"| {f}.mp3 | {v['mean'] * 1000:.1f} ms ± {v['stddev'] * 1000:.1f} | {p['mean'] * 1000:.1f} ms ± {p['stddev'] * 1000:.1f} "
          f"| **{ratio:.2f}×** | ≤ 0.5×: {verdict} |")
PY
