#!/usr/bin/env bash
# `/api/search` under load: `veillee serve` pinned to one core (taskset -c 0) answers wrk (on the
# other core) with 16 connections, over the site catalog of benches/speed.sh (1,000 episodes, an
# 8,000-word transcript each, built first).
#   - the mix: the 20 queries of benches/search_queries.json in turn, DURATION seconds: req/s, p50,
#     p99;
#   - each query alone, QUERY_DURATION seconds: req/s and p99; the heaviest is the issue's figure.
# With BASE (a commit), the same for BASE first, in the same run, and every answer of the 20
# compared byte for byte between the two.
# Goal (speed issue): on the heaviest query ≥ 5× the req/s of the issue's measure (156 req/s;
# with BASE, also the ratio to BASE's), p99 ≤ 20 ms.
#
#   BASE=1013565 bash benches/load.sh
#
# Environment: COMMIT (HEAD) or VEILLEE_BIN, BASE, DURATION (20), QUERY_DURATION (5),
# CONNECTIONS (16), BENCH_DIR (~/.cache/veillee-bench), PORT (18231).
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
HEAD_BIN=$BIN HEAD_VERSION=$VERSION
if [ -n "${BASE:-}" ]; then
  veillee_bin veillee-load-base "$BASE"
  BASE_BIN=$BIN BASE_VERSION=$VERSION
fi
BIN=$HEAD_BIN
source benches/data.sh
speed_catalog 1000 1000 8000 "$BIN"
CAT=$SPEED
"$BIN" --root "$CAT" build >/dev/null

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -sr)"
echo "veillee: $HEAD_VERSION${BASE:+; base: $BASE_VERSION}"
echo "catalog: $CAT, $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2)"

# One path per query, as the website's search sends it.
python3 - "$OUT/paths" <<'PY'
import json, sys, urllib.parse
queries = json.load(open("benches/search_queries.json"))
with open(sys.argv[1], "w") as out:
    for q in queries:
        out.write("/api/search?" + urllib.parse.urlencode({k: v for k, v in q.items()}) + "\n")
PY

# serve BIN: starts BIN's server on core 0 and waits until every query is answered (a 200).
serve() {
  taskset -c 0 "$1" --root "$CAT" serve --addr "127.0.0.1:$PORT" >"$OUT/serve.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 100); do
    curl -fs "http://127.0.0.1:$PORT/api/search?q=habitants" >/dev/null 2>&1 && break
    sleep 0.2
  done
  while read -r path; do
    curl -fs -o /dev/null "http://127.0.0.1:$PORT$path" || { echo "not answered: $path" >&2; exit 1; }
  done <"$OUT/paths"
}
stop() {
  kill "$SERVER" 2>/dev/null || true
  wait "$SERVER" 2>/dev/null || true
}
trap stop EXIT

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
# The distribution's lines (a thread's "+/- Stdev" column can end in 50% too).
p50 = ms(re.search(r"^\s+50%\s+(\S+)", text, re.M).group(1))
p99 = ms(re.search(r"^\s+99%\s+(\S+)", text, re.M).group(1))
print(f"{rps:.0f} {p50:.1f} {p99:.1f}")
PY
}

# answers LABEL: saves the JSON of every query.
answers() {
  local n=0
  mkdir -p "$OUT/answers-$1"
  while read -r path; do
    n=$((n + 1))
    curl -fs "http://127.0.0.1:$PORT$path" >"$OUT/answers-$1/q$n.json"
  done <"$OUT/paths"
}

# measure LABEL BIN: the table of one binary; sets HEAVIEST ("req/s p99 n").
measure() {
  serve "$2"
  answers "$1"
  load warmup 3 "$OUT/paths" >/dev/null
  local mix rps p50 p99 n=0
  mix=$(load "$1-mix" "$DURATION" "$OUT/paths")
  echo
  echo "$1:"
  echo
  echo "| queries | req/s | p50 | p99 |"
  echo "|---|---|---|---|"
  read -r rps p50 p99 <<<"$mix"
  echo "| the 20 in turn | $rps | $p50 ms | $p99 ms |"
  HEAVIEST=""
  while read -r path; do
    n=$((n + 1))
    echo "$path" >"$OUT/one.path"
    read -r rps p50 p99 <<<"$(load "$1-q$n" "$QUERY_DURATION" "$OUT/one.path")"
    echo "| \`$(python3 -c 'import sys, urllib.parse; print(urllib.parse.unquote_plus(sys.argv[1].split("?", 1)[1]))' "$path")\` | $rps | $p50 ms | $p99 ms |"
    if [ -z "$HEAVIEST" ] || python3 -c "import sys; sys.exit(0 if $rps < ${HEAVIEST%% *} else 1)"; then
      HEAVIEST="$rps $p99 $n"
    fi
  done <"$OUT/paths"
  stop
}

if [ -n "${BASE:-}" ]; then
  measure base "$BASE_BIN"
  BASE_HEAVIEST=$HEAVIEST
fi
measure head "$HEAD_BIN"
read -r rps p99 n <<<"$HEAVIEST"
echo
if [ -n "${BASE:-}" ]; then
  if diff -rq "$OUT/answers-base" "$OUT/answers-head" >/dev/null; then
    echo "answers: the 20 queries answer byte for byte the same with base and head"
  else
    echo "answers: DIFFER between base and head: $(diff -rq "$OUT/answers-base" "$OUT/answers-head" | wc -l) queries"
  fi
  read -r base_rps base_p99 base_n <<<"$BASE_HEAVIEST"
  echo "base's heaviest: query $base_n, $base_rps req/s, p99 $base_p99 ms;" \
    "head's heaviest against it: $(python3 -c "print(f'{$rps / $base_rps:.2f}')")×"
  echo "head on base's heaviest (query $base_n): $(cut -d' ' -f1 <<<"$(python3 - "$OUT/head-q$base_n.txt" <<'PY'
import re, sys
print(re.search(r"Requests/sec:\s+([\d.]+)", open(sys.argv[1]).read()).group(1))
PY
)") req/s"
fi
ratio=$(python3 -c "print(f'{$rps / 156:.2f}')")
verdict=$(python3 -c "print('met' if $rps >= 5 * 156 and $p99 <= 20 else 'MISSED')")
echo "head's heaviest: query $n, $rps req/s ($ratio× the issue's 156 req/s), p99 $p99 ms: goal ≥ 5× and p99 ≤ 20 ms: $verdict"
