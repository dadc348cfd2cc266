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
DIR="$CACHE/probe"
mkdir -p "$DIR"
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine; }
command -v ffmpeg >/dev/null || { apt-get update -qq && apt-get install -y -qq ffmpeg; }
source benches/bench_bin.sh veillee-probe-bin
F="ffmpeg -hide_banner -loglevel error -y"
SRC="anoisesrc=color=pink:duration=3600:amplitude=0.2:seed=1:sample_rate=44100"
MIX="[0][1]amix=inputs=2,aformat=channel_layouts=stereo"
SINE="sine=frequency=440:duration=3600:sample_rate=44100"
[ -f "$DIR/cbr.mp3" ] || $F -f lavfi -i "$SRC" -f lavfi -i "$SINE" -filter_complex "$MIX" -c:a libmp3lame -b:a 128k "$DIR/cbr.mp3"
[ -f "$DIR/vbr.mp3" ] || $F -f lavfi -i "$SRC" -f lavfi -i "$SINE" -filter_complex "$MIX" -c:a libmp3lame -q:a 4 "$DIR/vbr.mp3"
[ -f "$DIR/vbr-noxing.mp3" ] || $F -i "$DIR/vbr.mp3" -c copy -write_xing 0 "$DIR/vbr-noxing.mp3"

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
  hyperfine --warmup 3 --runs "${RUNS:-30}" -N \
    -n "veillee probe $f.mp3" "$BIN probe $DIR/$f.mp3" \
    -n "ffprobe $f.mp3" "ffprobe -v error -show_entries format=duration -of csv=p=0 $DIR/$f.mp3"
done
