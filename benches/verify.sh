#!/usr/bin/env bash
# `veillee archive verify` against `sha256sum` on the same files, by turns in one run: a show of
# 50 distinct 60-minute MP3s (benches/data.sh's audio_show), published and built, so that verify
# reads each source (hashed whole) and its published copy (its frames compared with the
# source's), and sha256sum hashes the same files (sources and published copies), one after the
# other as it does. Also timed for information: `sha256sum` on both cores (xargs -P 2).
# Goal (archive issue): verify's throughput ≥ 1.5× sha256sum's, using both cores. Medians of RUNS,
# page cache warm (the files fit in memory; said below), then once each from a dropped page cache
# when the machine allows it.
#
#   bash benches/verify.sh        # COMMIT (HEAD) or VEILLEE_BIN; RUNS (5)
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET="${CARGO_TARGET_DIR:-$HOME/.cache/veillee-target}"
CACHE="${BENCH_DIR:-$HOME/.cache/veillee-bench}"
RUNS="${RUNS:-5}"
OUT="$CACHE/verify-out"
mkdir -p "$CACHE" "$OUT"

source benches/bench_bin.sh veillee-verify-bin
source benches/data.sh
audio_show "$BIN"
[ -f "$SHOW/build/current/www/feed.xml" ] || "$BIN" --root "$SHOW" build >/dev/null
FILES="$SHOW/episodes/*.mp3 $SHOW/build/current/www/media/*.mp3"
BYTES=$(cat $FILES | wc -c)

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -sr)," \
  "$(free -g | awk '/^Mem:/ {print $2}') GiB of memory, $(df -T "$CACHE" | awk 'NR==2 {print $2}') under $CACHE"
echo "veillee: $VERSION"
echo "files: $(ls $FILES | wc -l) MP3s (50 sources and their 50 published copies), $((BYTES / 1000000)) MB"
"$BIN" --root "$SHOW" archive verify | head -n 1

VERIFY="$BIN --root $SHOW archive verify"
SHA="sha256sum $FILES"
SHA2="ls $FILES | xargs -P 2 -n 25 sha256sum"
# Warm: every file read once first.
cat $FILES >/dev/null
python3 benches/interleave.py --runs "$RUNS" --warmup 1 -- "$VERIFY" "$SHA" >"$OUT/warm.json"
python3 benches/interleave.py --runs "$RUNS" --warmup 1 -- "$VERIFY" "$SHA2" >"$OUT/warm-p2.json"
# CPU time of one verify: both cores at work?
/usr/bin/time -f "%e %U %S" -o "$OUT/cpu.txt" $VERIFY >/dev/null
COLD=""
if (sync && echo 3 >/proc/sys/vm/drop_caches) 2>/dev/null; then
  python3 benches/interleave.py --runs 3 --prepare "sync; echo 3 > /proc/sys/vm/drop_caches" -- "$VERIFY" "$SHA" \
    >"$OUT/cold.json"
  COLD="$OUT/cold.json"
fi

python3 - "$BYTES" "$OUT/warm.json" "$OUT/warm-p2.json" "$OUT/cpu.txt" "$COLD" <<'PY'
import json, statistics, sys
size = int(sys.argv[1])
def medians(path):
    return [statistics.median(r["times"]) for r in json.load(open(path))["results"]]
def row(what, path, anchor, goal):
    v, s = medians(path)
    ratio = s / v
    verdict = (("met" if ratio >= 1.5 else "MISSED") if goal else "for information")
    print(f"| {what} | {v:.3f} s ({size / v / 1e6:.0f} MB/s) | {anchor} | {s:.3f} s ({size / s / 1e6:.0f} MB/s) | "
          f"{ratio:.2f}× | {'≥ 1.5×: ' if goal else ''}{verdict} |")
print()
print("| page cache | verify (median) | anchor | anchor (median) | throughput ratio | goal |")
print("|---|---|---|---|---|---|")
row("warm", sys.argv[2], "sha256sum", True)
row("warm", sys.argv[3], "sha256sum ×2 (xargs -P 2)", False)
if sys.argv[5]:
    row("dropped before each run", sys.argv[5], "sha256sum", True)
wall, user, system = map(float, open(sys.argv[4]).read().split())
print()
print(f"one warm verify: {wall:.2f} s wall, {user:.2f} s user + {system:.2f} s system = "
      f"{(user + system) / wall:.2f} cores busy on average")
PY
