#!/usr/bin/env bash
# `/api/search` under load: `veillee serve` pinned to one core (taskset -c 0) answers wrk (on the
# other core) with 16 connections, over the site catalog of benches/speed.sh (1,000 episodes, an
# 8,000-word transcript each, built first).
#   - the mix: the 20 queries of benches/search_queries.json in turn, DURATION seconds: req/s, p50,
#     p99;
#   - each query alone, QUERY_DURATION seconds: req/s and p99; the heaviest is the issue's figure.
# Goal (speed issue): ≥ 5× the req/s of the issue's measure (156 req/s) on the heaviest, p99 ≤ 20 ms.
#
#   bash benches/load.sh
#
# Environment: COMMIT (HEAD) or VEILLEE_BIN, DURATION (20), QUERY_DURATION (5), CONNECTIONS (16),
# BENCH_DIR (~/.cache/veillee-bench), PORT (18231).
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET="${CARGO_TARGET_DIR:-$HOME/.cache/veillee-target}"
CACHE="${BENCH_DIR:-$HOME/.cache/veillee-bench}"
DURATION="${DURATION:-20}"
QUERY_DURATION="${QUERY_DURATION:-5}"
CONNECTIONS="${CONNECTIONS:-16}"
PORT="${PORT:-18231}"
OUT="$CACHE/load-out"
mkdir -p "$CACHE" "$OUT"

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
source benches/bench_bin.sh veillee-load-bin
source benches/data.sh
speed_catalog 1000 1000 8000 "$BIN"
CAT=$SPEED
"$BIN" --root "$CAT" build >/dev/null

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -sr)"
echo "veillee: $VERSION"
echo "catalog: $CAT, $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2)"

# One path per query, as the website's search sends it.
python3 - "$OUT/paths" <<'PY'
import json, sys, urllib.parse
queries = json.load(open("benches/search_queries.json"))
with open(sys.argv[1], "w") as out:
    for q in queries:
        out.write("/api/search?" + urllib.parse.urlencode({k: v for k, v in q.items()}) + "\n")
PY

taskset -c 0 "$BIN" --root "$CAT" serve --addr "127.0.0.1:$PORT" >"$OUT/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$PORT/api/search?q=habitants" >/dev/null 2>&1 && break
  sleep 0.2
done
# Every answer is a 200 (wrk counts other statuses as errors: the run fails on them).
while read -r path; do
  curl -fs -o /dev/null "http://127.0.0.1:$PORT$path" || { echo "not answered: $path" >&2; exit 1; }
done <"$OUT/paths"

# load NAME SECONDS PATHS_FILE: one wrk run; prints "req/s p50_ms p99_ms".
load() {
  WRK_PATHS="$3" taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"$2s" --latency -s benches/wrk_rotate.lua \
    "http://127.0.0.1:$PORT" >"$OUT/$1.txt"
  if grep -q "Non-2xx" "$OUT/$1.txt"; then echo "$1: errors" >&2; cat "$OUT/$1.txt" >&2; exit 1; fi
  python3 - "$OUT/$1.txt" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def ms(v):
    n, unit = re.match(r"([\d.]+)(us|ms|s)", v).groups()
    return float(n) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
p50 = ms(re.search(r"50%\s+(\S+)", text).group(1))
p99 = ms(re.search(r"99%\s+(\S+)", text).group(1))
print(f"{rps:.0f} {p50:.1f} {p99:.1f}")
PY
}

warm=$(load warmup 3 "$OUT/paths")
mix=$(load mix "$DURATION" "$OUT/paths")
echo
echo "| queries | req/s | p50 | p99 |"
echo "|---|---|---|---|"
read -r rps p50 p99 <<<"$mix"
echo "| the 20 in turn | $rps | $p50 ms | $p99 ms |"
n=0
heaviest=""
while read -r path; do
  n=$((n + 1))
  echo "$path" >"$OUT/one.path"
  read -r rps p50 p99 <<<"$(load "q$n" "$QUERY_DURATION" "$OUT/one.path")"
  echo "| \`$(python3 -c 'import sys, urllib.parse; print(urllib.parse.unquote_plus(sys.argv[1].split("?", 1)[1]))' "$path")\` | $rps | $p50 ms | $p99 ms |"
  if [ -z "$heaviest" ] || python3 -c "import sys; sys.exit(0 if $rps < ${heaviest%% *} else 1)"; then
    heaviest="$rps $p99 $n"
  fi
done <"$OUT/paths"
read -r rps p99 n <<<"$heaviest"
ratio=$(python3 -c "print(f'{$rps / 156:.2f}')")
verdict=$(python3 -c "print('met' if $rps >= 5 * 156 and $p99 <= 20 else 'MISSED')")
echo
echo "heaviest: query $n, $rps req/s ($ratio× the issue's 156 req/s), p99 $p99 ms: goal ≥ 5× and p99 ≤ 20 ms: $verdict"
