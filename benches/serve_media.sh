#!/usr/bin/env bash
# Serving media: `veillee serve` against nginx (Debian, sendfile on) serving the same published
# 60-minute MP3 (benches/data.sh's CBR file, tagged by the build), each server pinned to core 0
# (taskset), wrk on core 1: full GETs and random 1 MiB ranges, at 16 and 64 connections,
# DURATION seconds each. Prints requests/s, MB/s, errors and timeouts, and the server's CPU time
# per byte (utime + stime of its processes, from /proc), and the ratios to nginx.
# Goal (server issue): ≥ 0.9× nginx's throughput, no error or timeout, ≤ 1.5× its CPU per byte.
#
#   bash benches/serve_media.sh            # COMMIT (HEAD) or VEILLEE_BIN; DURATION (15)
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET="${CARGO_TARGET_DIR:-$HOME/.cache/veillee-target}"
CACHE="${BENCH_DIR:-$HOME/.cache/veillee-bench}"
DURATION="${DURATION:-15}"
OUT="$CACHE/serve-media-out"
mkdir -p "$CACHE" "$OUT"
for tool in wrk nginx bc; do
  command -v $tool >/dev/null || command -v /usr/sbin/$tool >/dev/null ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $tool >/dev/null; }
done
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
source benches/bench_bin.sh veillee-serve-bin
source benches/data.sh
probe_files

# A show of one episode whose audio is the 60-minute MP3, published and built.
SHOW="$CACHE/serve-media-show"
if [ ! -f "$SHOW/build/current/www/feed.xml" ]; then
  rm -rf "$SHOW" && mkdir -p "$SHOW"
  (
    cd "$SHOW"
    export SOURCE_DATE_EPOCH=1764000000
    "$BIN" init --title "Banc média" --description "Une heure" --base-url https://banc.example.org \
      --author Banc --email banc@example.org >/dev/null
    ffmpeg -hide_banner -loglevel error -y -f lavfi -i color=c=0x336699:s=1400x1400 -frames:v 1 feed/cover.jpg
    "$BIN" new episode "Une heure" >/dev/null
    cp "$PROBE_DIR/cbr.mp3" episodes/une-heure.mp3
    "$BIN" publish une-heure >/dev/null
  )
fi
WWW="$(readlink -f "$SHOW/build/current/www")"
MEDIA="/media/$(ls "$WWW/media" | head -n1)"
SIZE=$(stat -c %s "$WWW$MEDIA")

VPORT=18241 NPORT=18242
cat >"$OUT/nginx.conf" <<CONF
worker_processes 1;
daemon off;
user root;
error_log $OUT/nginx-error.log;
pid $OUT/nginx.pid;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  types { audio/mpeg mp3; }
  server { listen 127.0.0.1:$NPORT; root $WWW; }
}
CONF

# cpu PID...: utime + stime of the processes, in seconds.
cpu() { local t=0 p; for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo "scale=3; $t / $(getconf CLK_TCK)" | bc; }
# Random 1 MiB ranges of the file.
cat >"$OUT/ranges.lua" <<LUA
local size = $SIZE
math.randomseed(42)
request = function()
  local from = math.random(0, size - 1048577)
  return wrk.format("GET", nil, { Range = "bytes=" .. from .. "-" .. (from + 1048575) })
end
LUA

taskset -c 0 "$BIN" --root "$SHOW" serve --addr "127.0.0.1:$VPORT" >"$OUT/veillee.log" 2>/dev/null &
VPID=$!
taskset -c 0 "$NGINX" -c "$OUT/nginx.conf" -p "$OUT" &
NPID=$!
trap 'kill $VPID $NPID 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  curl -fs -o /dev/null "http://127.0.0.1:$VPORT$MEDIA" && curl -fs -o /dev/null "http://127.0.0.1:$NPORT$MEDIA" && break
  sleep 0.2
done
NWORKER="$(pgrep -P $NPID | head -n1)"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -sr)"
echo "veillee: $VERSION; $("$NGINX" -v 2>&1); $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2)"
echo "file: $MEDIA, $SIZE bytes; $DURATION s per run; servers on core 0, wrk on core 1"
echo
echo "| case | connections | server | req/s | MB/s | errors + timeouts | CPU s | CPU ns/byte |"
echo "|---|---|---|---|---|---|---|---|"
declare -A RESULT
for kind in full range; do
  for conns in 16 64; do
    for server in nginx veillee; do
      if [ $server = nginx ]; then port=$NPORT pids="$NWORKER"; else port=$VPORT pids="$VPID"; fi
      script=()
      [ $kind = range ] && script=(-s "$OUT/ranges.lua")
      before=$(cpu $pids)
      taskset -c 1 wrk -t1 -c$conns -d${DURATION}s --timeout 10s "${script[@]}" "http://127.0.0.1:$port$MEDIA" >"$OUT/$kind-$conns-$server.txt"
      after=$(cpu $pids)
      f="$OUT/$kind-$conns-$server.txt"
      reqs=$(awk '/Requests\/sec/ {print $2}' "$f")
      read_line=$(grep -E "requests in" "$f")
      bytes=$(python3 -c "
import re, sys
m = re.search(r'([0-9.]+)([KMGT]?B) read', sys.argv[1])
n, u = float(m.group(1)), m.group(2)
print(int(n * {'B': 1, 'KB': 1024, 'MB': 1024**2, 'GB': 1024**3, 'TB': 1024**4}[u]))" "$read_line")
      errors=$(python3 -c "
import re, sys
t = open(sys.argv[1]).read()
s = re.search(r'Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)', t)
n = re.search(r'Non-2xx or 3xx responses: (\d+)', t)
print(sum(map(int, s.groups())) if s else 0 + (int(n.group(1)) if n else 0))" "$f")
      cpus=$(echo "$after - $before" | bc)
      mbs=$(echo "scale=1; $bytes / $DURATION / 1000000" | bc)
      nspb=$(echo "scale=3; $cpus * 1000000000 / $bytes" | bc)
      RESULT[$kind-$conns-$server]="$reqs $mbs $nspb"
      echo "| $kind | $conns | $server | $reqs | $mbs | $errors | $cpus | $nspb |"
    done
  done
done
echo
echo "| case | connections | throughput veillee / nginx | CPU per byte veillee / nginx | goals (≥ 0.9×, ≤ 1.5×) |"
echo "|---|---|---|---|---|"
for kind in full range; do
  for conns in 16 64; do
    read -r vr vm vn <<<"${RESULT[$kind-$conns-veillee]}"
    read -r nr nm nn <<<"${RESULT[$kind-$conns-nginx]}"
    t=$(echo "scale=3; $vm / $nm" | bc)
    c=$(echo "scale=3; $vn / $nn" | bc)
    ok1=$(echo "$t >= 0.9" | bc) ok2=$(echo "$c <= 1.5" | bc)
    echo "| $kind | $conns | ${t}× | ${c}× | throughput $([ $ok1 = 1 ] && echo met || echo MISSED), CPU $([ $ok2 = 1 ] && echo met || echo MISSED) |"
  done
done
