#!/usr/bin/env bash
# The search of `veillee serve`, over HTTP on loopback: /api/search (JSON, CORS) and /recherche/ (HTML).
#
#   bash tests/e2e/check_search.sh --bin VEILLEE --show REPO_ROOT --work EMPTY_DIR [--python PYTHON]
#
# Copies the show sources of REPO_ROOT (feed episodes transcripts site; never build/ nor .veillee/)
# into WORK, serves a preview of them on 127.0.0.1:0 (as check_gpodder.sh does), then:
#   GET /api/search?q=cartographie  200, application/json, Access-Control-Allow-Origin: *, and
#                                   episodes[0].moments[0].link starts with /episodes/ and has #t=
#                                   (the episode's own link + #t=SECONDS, SECONDS the moment's start);
#                                   that page (without the fragment) is 200;
#   GET /recherche/?q=cartographie  200, text/html, parses with html5lib strict=True (PYTHON must have
#                                   html5lib: the runner passes its venv), and has <a href="LINK">.
# Every check prints `ok   [search] name` or `FAIL [search] name: why`; the last line is
# `search: N passed, M failed`; the exit code is 1 if any check failed or none ran.
# The server is stopped (by its PID) on exit. Network traffic goes only to 127.0.0.1: curl runs with a
# proxy on a closed loopback port for every other host.
set -uo pipefail

PY=python3
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_group search
e2e_args "--bin VEILLEE --show REPO_ROOT --work EMPTY_DIR [--python PYTHON]" "$@"

need_tools "curl and the venv" curl "$PY"
"$PY" -c 'import html5lib' 2>/dev/null || fail "$PY has no html5lib (tests/e2e/requirements.txt)"
[ "$failed" = 0 ] || finish

# The same clock and loopback-only proxies as check_gpodder.sh (lib.sh).
e2e_env

copy_sample_show "$SHOW" "$WORK/show"
start_server "$WORK/show" "$WORK/serve.log" --preview

# ------------------------------------------------------------------ /api/search

Q=cartographie
fetch -o "$WORK/api.json" -D "$WORK/api.headers" "${URL}api/search?q=$Q" || fail "GET /api/search?q=$Q"
check "GET /api/search?q=$Q answers 200 (got $(status_of "$WORK/api.headers"))" test "$(status_of "$WORK/api.headers")" = 200
ctype="$(header_of "$WORK/api.headers" content-type)"
check "GET /api/search: Content-Type application/json (got ${ctype:-none})" bash -c '[[ "$1" == application/json* ]]' _ "$ctype"
acao="$(header_of "$WORK/api.headers" access-control-allow-origin)"
check "GET /api/search: Access-Control-Allow-Origin: * (got ${acao:-none})" test "$acao" = "*"

# episodes[0].moments[0].link, checked and printed by Python (json.loads, strict).
LINK="" why=""
if LINK="$("$PY" - "$WORK/api.json" 2>"$WORK/api.err" <<'PY'
import json, math, re, sys
doc = json.loads(open(sys.argv[1], "rb").read().decode("utf-8"))
eps = doc.get("episodes")
assert isinstance(eps, list) and eps, f"no episodes: {json.dumps(doc, ensure_ascii=False)[:300]}"
moments = eps[0].get("moments")
assert isinstance(moments, list) and moments, f"episodes[0] has no moments: {json.dumps(eps[0], ensure_ascii=False)[:300]}"
m = moments[0]
link = m.get("link")
assert isinstance(link, str) and link.startswith("/episodes/") and "#t=" in link, f"episodes[0].moments[0].link = {link!r}"
page, _, t = link.partition("#t=")
assert page == eps[0].get("link"), f"{link} is not episodes[0].link {eps[0].get('link')!r} + #t="
assert re.fullmatch(r"\d+(\.\d+)?", t), f"{link}: #t={t} is not seconds"
start = m.get("start")
assert isinstance(start, (int, float)) and math.floor(start) <= float(t) <= start, f"{link}: #t={t} is not the moment's start {start!r}"
print(link)
PY
)"; then
  ok "GET /api/search?q=$Q: episodes[0].moments[0].link = $LINK (starts with /episodes/, episodes[0].link + #t=<moment start>)"
else
  LINK=""
  fail "GET /api/search?q=$Q: episodes[0].moments[0].link: $(tail -n1 "$WORK/api.err")"
fi

if [ -n "$LINK" ]; then
  check "GET ${LINK%%#*} (the moment's page) answers 200" test "$(fetch -o /dev/null -w '%{http_code}' "${URL%/}${LINK%%#*}")" = 200
else
  fail "the moment's page: no link to fetch"
fi

# ------------------------------------------------------------------ /recherche/

fetch -o "$WORK/page.html" -D "$WORK/page.headers" "${URL}recherche/?q=$Q" || fail "GET /recherche/?q=$Q"
check "GET /recherche/?q=$Q answers 200 (got $(status_of "$WORK/page.headers"))" test "$(status_of "$WORK/page.headers")" = 200
ctype="$(header_of "$WORK/page.headers" content-type)"
check "GET /recherche/: Content-Type text/html (got ${ctype:-none})" bash -c '[[ "$1" == text/html* ]]' _ "$ctype"
check "GET /recherche/?q=$Q parses with html5lib, strict=True, and has <a href=\"${LINK:-the moment link}\">" \
  "$PY" - "$WORK/page.html" "$LINK" <<'PY'
import sys
import html5lib
path, link = sys.argv[1], sys.argv[2]
parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
try:
    doc = parser.parse(open(path, "rb").read())
except html5lib.html5parser.ParseError:
    (line, col), code, data = parser.errors[0]
    sys.exit(f"html5lib (strict) ParseError at line {line} column {col}: {code} {data or ''}")
hrefs = [a.get("href") for a in doc.iter("a")]
if not link:
    sys.exit("no moment link from /api/search to look for")
if link not in hrefs:
    sys.exit(f"no <a href={link!r}>; #t= links: {[h for h in hrefs if h and '#t=' in h][:5]}")
PY

server_still_running "the search checks"
finish
