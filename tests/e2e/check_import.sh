#!/usr/bin/env bash
# Moving a podcast, as a partner would, with a real client watching: gPodder's `gpo` subscribes
# to the "old host" (a copy of the sample show served on 127.0.0.1) and downloads every episode;
# `veillee import` brings that feed into a new show, served on another port; the old feed
# announces the move (`new_feed_url`), then its address answers 301: gPodder follows and finds
# no new episode to download (the GUIDs are kept). Python's feedparser reads both feeds: the
# same GUIDs and dates. The old host drops the connection in the middle of one file the first
# time: the import resumes it.
#
#   bash tests/e2e/check_import.sh --bin VEILLEE --show REPO_ROOT --work EMPTY_DIR --python PYTHON
#
# Every check prints `ok   [import] name` or `FAIL [import] name: why`; the last line is
# `import: N passed, M failed`; the exit code is 1 if any check failed or none ran.
set -uo pipefail

PY=python3
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_group import
e2e_args "--bin VEILLEE --show REPO_ROOT --work EMPTY_DIR --python PYTHON" "$@"
need_tools "gpodder, curl" gpo curl "$PY"
[ "$failed" = 0 ] || finish
e2e_env
gpodder_env

OLD="$WORK/old" NEW="$WORK/new"
copy_sample_show "$SHOW" "$OLD"
start_server "$OLD" "$WORK/old.log" --preview
OLD_URL="$URL" OLD_PID="$SERVER_PID"
gpo subscribe "${OLD_URL}feed.xml" >"$WORK/gpo.log" 2>&1
gpo update >>"$WORK/gpo.log" 2>&1
gpo download >>"$WORK/gpo.log" 2>&1
db() { # SQL: one value from gPodder's database
  python3 - "$GPODDER_HOME/Database" "$1" <<'PY'
import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])
PY
}
check "gpo downloaded the old feed's 10 episodes" test "$(db 'SELECT count(*) FROM episode WHERE state = 1')" = 10

# The new show: `veillee init`, then the import through a proxy on 127.0.0.1 that cuts the
# connection in the middle of one media file the first time it is asked.
mkdir -p "$NEW"
"$BIN" --root "$NEW" init --title "Dynamiques collectives" --description "Le podcast, chez son nouvel hébergeur" \
  --base-url https://nouveau.example.org --author "Dynamiques collectives" --email podcast@example.org >/dev/null
cp "$OLD/feed/cover.jpg" "$NEW/feed/cover.jpg"
"$PY" - "$OLD_URL" "$WORK/proxy.port" "$WORK/proxy.log" <<'PY' &
import http.server, sys, urllib.request, threading
upstream, port_file, log = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3]
cut = {"done": False}
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        req = urllib.request.Request(upstream + self.path, headers={k: v for k, v in self.headers.items() if k.lower() == "range"})
        with urllib.request.urlopen(req) as r:
            body = r.read()
            # The feed's enclosures come through here too.
            if self.path.endswith("feed.xml"):
                body = body.replace(upstream.encode(), f"http://127.0.0.1:{self.server.server_address[1]}".encode())
            self.send_response(r.status)
            for k in ("Content-Type", "Content-Range"):
                if r.headers.get(k): self.send_header(k, r.headers[k])
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
        with open(log, "a") as f: f.write(f"{self.path} {self.headers.get('Range', '')}\n")
        if self.path.startswith("/media/") and not cut["done"] and not self.headers.get("Range"):
            cut["done"] = True
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.connection.shutdown(2)
            return
        self.wfile.write(body)
    def log_message(self, *a): pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
open(port_file, "w").write(str(s.server_address[1]))
s.serve_forever()
PY
PROXY_PID=$!
for _ in $(seq 50); do [ -s "$WORK/proxy.port" ] && break; sleep 0.1; done
PROXY="http://127.0.0.1:$(cat "$WORK/proxy.port")/"
"$BIN" --root "$NEW" import "${PROXY}feed.xml" >"$WORK/import.out" 2>&1
rc=$?
check "veillee import brings the 10 episodes in (exit $rc)" bash -c '[ "$1" = 0 ] && [ "$(grep -c "^  imported " "$2")" = 10 ]' _ "$rc" "$WORK/import.out"
check "the media file cut in the middle was resumed with a Range request" grep -q "^/media/.* bytes=[0-9][0-9]*-" "$WORK/proxy.log"
check "veillee check and archive verify pass on the new show" bash -c '"$1" --root "$2" check >/dev/null && "$1" --root "$2" archive verify >/dev/null' _ "$BIN" "$NEW"
kill "$PROXY_PID" 2>/dev/null; wait "$PROXY_PID" 2>/dev/null

# Serve the new show, and announce the move in the old feed.
stop_server
start_server "$NEW" "$WORK/new.log" --preview
NEW_URL="$URL"
NEW_PID="$SERVER_PID"
check "feedparser reads the same GUIDs and dates in both feeds" "$PY" - "${OLD}/build/preview/www/feed.xml" "$NEW/build/preview/www/feed.xml" <<'PY'
import sys, feedparser
old, new = (feedparser.parse(p) for p in sys.argv[1:3])
a = {(e.id, e.published_parsed) for e in old.entries}
b = {(e.id, e.published_parsed) for e in new.entries}
if a != b or len(a) != 10:
    print(f"old only: {sorted(a - b)[:3]}; new only: {sorted(b - a)[:3]}")
    sys.exit(1)
PY
sed -i "1i new_feed_url = \"${NEW_URL}feed.xml\"" "$OLD/feed/channel.toml"
SERVE_ROOT="$OLD" SERVE_LOG="$WORK/old2.log" SERVE_ARGS=(--preview)
old_port="${OLD_URL##*:}"
launch_server "${old_port%/}"
check "the old feed announces the move (itunes:new-feed-url)" bash -c \
  'curl -sS --noproxy "*" "$1feed.xml" | grep -q "<itunes:new-feed-url>$2feed.xml</itunes:new-feed-url>"' _ "$OLD_URL" "$NEW_URL"
# Apple Podcasts follows itunes:new-feed-url; gPodder 3.11 reads it but follows the second step
# of the instructions, the old address answering 301 (as the old host does weeks later).
stop_server
"$PY" - "${old_port%/}" "${NEW_URL}feed.xml" <<'PY' &
import http.server, sys
port, target = int(sys.argv[1]), sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(301)
        self.send_header("Location", target)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *a): pass
http.server.ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
PY
REDIRECT_PID=$!
sleep 1
gpo update >>"$WORK/gpo.log" 2>&1
kill "$REDIRECT_PID" 2>/dev/null
check "gpo follows the move: the podcast's address is the new feed's ($(db 'SELECT url FROM podcast'))" \
  test "$(db 'SELECT url FROM podcast')" = "${NEW_URL}feed.xml"
check "no episode to download again: still 10, all downloaded ($(db 'SELECT count(*) FROM episode') episodes, $(db 'SELECT count(*) FROM episode WHERE state = 1') downloaded)" \
  test "$(db 'SELECT count(*) FROM episode')" = 10 -a "$(db 'SELECT count(*) FROM episode WHERE state = 1')" = 10
kill "$NEW_PID" 2>/dev/null
finish
