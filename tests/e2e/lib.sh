# Shared by check_gpodder.sh, check_newsboat.sh, check_search.sh, check_http.sh and check_site.sh (sourced, not run): reporting, the loopback-only
# environment, and a `veillee serve` of a copy of the repository's sample show, stopped on exit.
#
#   . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#   e2e_group gpodder                 # ok/fail/note print `[gpodder]`, summary prints `gpodder: …`
#   e2e_args "--bin VEILLEE --show REPO_ROOT --work EMPTY_DIR" "$@"
#   need_tools "gpodder and curl" gpo curl   # a failure per missing tool (and a missing BIN)
#   e2e_env                           # the clock, the proxies, LC_ALL
#   copy_sample_show "$SHOW" "$WORK/show"
#   start_server "$WORK/show" "$WORK/serve.log" --preview   # sets URL and PORT; fails and finishes if it prints none
#   restart_server                    # the same server again, on the same port (after a change of the sources)
#   ...
#   server_still_running "the gpo checks"
#   finish

# ------------------------------------------------------------------ reporting

E2E_GROUP=""
passed=0
failed=0
e2e_group() { E2E_GROUP=$1; }
ok() { passed=$((passed + 1)); echo "ok   [$E2E_GROUP] $*"; }
fail() { failed=$((failed + 1)); echo "FAIL [$E2E_GROUP] $*"; }
note() { echo "note [$E2E_GROUP] $*"; }
indent() { sed 's/^/    /' "$@"; }
summary() { echo "$E2E_GROUP: $passed passed, $failed failed"; }
finish() { summary; [ "$failed" = 0 ] && [ "$passed" -gt 0 ]; exit $?; }
check() { # name command... : the command's status decides, its output (if any) is the reason
  local name=$1 why rc=0
  shift
  why="$("$@" 2>&1)" || rc=$?
  if [ "$rc" = 0 ]; then ok "$name"; else fail "$name: ${why:-exit $rc}"; fi
}

# ------------------------------------------------------------------ arguments

# e2e_args USAGE ARG...: --bin, --show and --work into BIN, SHOW and WORK, and --python into PY if
# USAGE names it; any other argument prints `usage: SCRIPT USAGE` and exits 2. Without --bin, --show
# or --work it fails and finishes.
e2e_args() {
  local usage=$1
  shift
  BIN="" SHOW="" WORK=""
  while [ $# -gt 0 ]; do
    case "$1 $usage" in
    "--bin "*) BIN=$2; shift 2 ;;
    "--show "*) SHOW=$2; shift 2 ;;
    "--work "*) WORK=$2; shift 2 ;;
    "--python "*--python*) PY=$2; shift 2 ;;
    *) echo "usage: $0 $usage" >&2; exit 2 ;;
    esac
  done
  if [ -z "$BIN" ] || [ -z "$SHOW" ] || [ -z "$WORK" ]; then
    fail "arguments: --bin, --show and --work are required"
    finish
  fi
}

# need_tools WHO-INSTALLS TOOL...: a failure for each TOOL not on the PATH and for a missing BIN
# (the script finishes after the checks that follow, if any failed).
need_tools() {
  local installs=$1 tool
  shift
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || fail "$tool is missing (the runner installs $installs)"
  done
  [ -x "$BIN" ] || fail "no veillee binary at $BIN"
}

# ------------------------------------------------------------------ environment

e2e_env() {
  # A stable clock for every build (the runner's SOURCE_DATE_EPOCH would hide the show's 2026 episodes):
  # 2027-01-01T00:00:00Z, after every pub_date of the sample ledger, so every published episode is in the feed.
  export SOURCE_DATE_EPOCH="${VEILLEE_GPODDER_EPOCH:-1798761600}"
  # Everything but 127.0.0.1 goes to a closed port: an accidental outside request fails instead of leaking.
  export http_proxy=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9
  export no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost
  export LC_ALL=C.UTF-8
}

# gpodder_env: gPodder's state, downloads and home, all inside WORK; notes its versions.
gpodder_env() {
  export HOME="$WORK/home" GPODDER_HOME="$WORK/gpodder-home" GPODDER_DOWNLOAD_DIR="$WORK/downloads"
  export XDG_CONFIG_HOME="$WORK/home/.config" XDG_DATA_HOME="$WORK/home/.local/share" XDG_CACHE_HOME="$WORK/home/.cache"
  export PAGER=cat
  mkdir -p "$WORK" "$HOME" "$GPODDER_HOME" "$GPODDER_DOWNLOAD_DIR"
  local version module
  version="$(dpkg-query -W -f='${Version}' gpodder 2>/dev/null || echo '?')"
  module="$(/usr/bin/python3 -c 'import gpodder, podcastparser; print(gpodder.__version__, podcastparser.__version__)' 2>/dev/null || echo '? ?')"
  note "gpo from Debian gpodder $version (gpodder ${module% *}, podcastparser ${module#* })"
}

fetch() { curl -sS --noproxy '*' --max-time 30 "$@"; }
# status_of HEADERS-FILE: the status code of a response saved by `curl -D`.
status_of() { sed -n '1s/^HTTP\/[0-9.]* \([0-9]*\).*/\1/p' "$1"; }
# header_of HEADERS-FILE NAME: the value of the (last) header NAME, case-insensitive.
header_of() {
  awk -v h="$2" 'BEGIN { h = tolower(h) } { line = $0; sub(/\r$/, "", line); i = index(line, ":");
    if (i && tolower(substr(line, 1, i - 1)) == h) { v = substr(line, i + 1); sub(/^[ \t]+/, "", v); out = v } } END { print out }' "$1"
}

# ------------------------------------------------------------------ serve a copy of the sample show

# copy_sample_show REPO_ROOT DEST: the show sources (feed episodes transcripts site; never build/ nor
# .veillee/) into DEST; a missing one is a failure, and then the script finishes.
copy_sample_show() {
  local show=$1 dest=$2 d
  mkdir -p "$dest"
  for d in feed episodes transcripts site; do
    [ -d "$show/$d" ] && cp -R "$show/$d" "$dest/$d" || fail "the show has no $d/ at $show"
  done
  [ "$failed" = 0 ] || finish
}

SERVER_PID="" SERVE_LOG=""
stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
}

# start_server ROOT LOG [SERVE-OPTION...]: `veillee serve` (BIN) of ROOT on 127.0.0.1:0 in the
# background (with --preview, a preview built for that address: its feed's enclosures are on the
# server), stopped (by its PID) on exit; sets URL to the `http://127.0.0.1:PORT/` it prints and
# PORT, or fails and finishes.
SERVE_ROOT="" SERVE_ARGS=()
start_server() {
  SERVE_ROOT=$1 SERVE_LOG=$2
  shift 2
  SERVE_ARGS=("$@")
  trap stop_server EXIT
  trap 'exit 130' INT TERM
  launch_server 0
  ok "veillee serve ${SERVE_ARGS[*]} on a copy of the sample show printed its address ($URL)"
}

# restart_server: stops the server and starts it again with the same options on the same port
# (what a person does after changing the sources of a preview).
restart_server() {
  stop_server
  launch_server "$PORT"
  ok "veillee serve ${SERVE_ARGS[*]} started again on the same port ($URL)"
}

launch_server() { # port
  "$BIN" --root "$SERVE_ROOT" serve "${SERVE_ARGS[@]}" --addr "127.0.0.1:$1" >"$SERVE_LOG" 2>&1 &
  SERVER_PID=$!
  URL=""
  for _ in $(seq 1 600); do # up to 60 s: it builds first
    URL="$(sed -n 's|^serving \(http://127\.0\.0\.1:[0-9][0-9]*/\).*|\1|p' "$SERVE_LOG" | head -n1)"
    [ -n "$URL" ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$URL" ]; then
    fail "veillee serve ${SERVE_ARGS[*]} --addr 127.0.0.1:$1 on a copy of the sample show printed no 'serving http://127.0.0.1:PORT/' line:"
    indent "$SERVE_LOG"
    finish
  fi
  PORT="${URL##*:}"
  PORT="${PORT%/}"
}

# server_still_running WHAT: a check that the server outlived WHAT ("the gpo checks"), its log if not.
server_still_running() {
  if kill -0 "$SERVER_PID" 2>/dev/null; then ok "veillee serve still running after $1"; else fail "veillee serve died during $1:"; indent "$SERVE_LOG"; fi
}
