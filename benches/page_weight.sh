#!/usr/bin/env bash
# The website issue's page weight: an episode page with a one-hour transcript, its HTML with the
# theme's stylesheet and script (no audio, no cover), compressed as a server sends them.
#
#   bash benches/page_weight.sh            # COMMIT (HEAD) or VEILLEE_BIN
#
# One episode of benches/gen_catalog.py with an 8,000-word transcript (WORDS; about an hour of
# speech), built; then each file's size raw, gzip -9 and brotli -q 11, and the sum against the
# goal (under 60 KB compressed, 1 KB = 1,000 bytes).
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET="${CARGO_TARGET_DIR:-$HOME/.cache/veillee-target}"
CACHE="${BENCH_DIR:-$HOME/.cache/veillee-bench}"
WORDS="${WORDS:-8000}"
mkdir -p "$CACHE"
command -v brotli >/dev/null || { apt-get update -qq && apt-get install -y -qq brotli; }
source benches/bench_bin.sh veillee-weight-bin

SHOW="$CACHE/weight-1x$WORDS"
rm -rf "$SHOW"
python3 benches/gen_catalog.py "$SHOW" --episodes 1 --seed 1 --veillee "$BIN" --transcripts 1 --words "$WORDS" \
  --audio-seconds 5400 >/dev/null 2>&1
"$BIN" --root "$SHOW" build >/dev/null
WWW="$SHOW/build/current/www"
page="$(ls -d "$WWW"/episodes/*/ | head -n1)index.html"
vtt="$(ls "$WWW"/transcripts/*.vtt | head -n1)"
echo "veillee: $VERSION"
echo "transcript: $(grep -c -- '-->' "$vtt") cues, $(sed -n 's/^\([0-9:.]*\) --> .*/\1/p' "$vtt" | tail -n1) last cue," \
  "$(grep -v -- '-->' "$vtt" | wc -w) words"
printf '%-34s %10s %10s %10s\n' file raw gzip-9 brotli-11
total_gz=0 total_br=0
for f in "$page" "$WWW/style.css" "$WWW/veillee.js"; do
  raw=$(stat -c %s "$f")
  gz=$(gzip -9 -c "$f" | wc -c)
  br=$(brotli -q 11 -c "$f" | wc -c)
  total_gz=$((total_gz + gz)) total_br=$((total_br + br))
  printf '%-34s %10d %10d %10d\n' "${f#"$WWW"/}" "$raw" "$gz" "$br"
done
verdict() { if [ "$1" -lt 60000 ]; then echo "met"; else echo "MISSED"; fi; }
echo "page + style.css + veillee.js: gzip $total_gz bytes ($(verdict $total_gz)), brotli $total_br bytes ($(verdict $total_br)); goal < 60,000"
