#!/usr/bin/env bash
# HTTP semantics of `veillee serve` checked with curl over loopback, on a preview of a copy of the
# sample show: HEAD, byte ranges (206, 416 with `bytes */N`, another unit ignored), If-Range
# (current and stale validators, ETag and date), conditional GETs (304), gzip for the feed and
# none for audio, the CORS preflight, the pages' security headers, the 404 page.
#
#   bash tests/e2e/check_http.sh --bin VEILLEE --show REPO_ROOT --work EMPTY_DIR
set -uo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_group http
e2e_args "--bin VEILLEE --show REPO_ROOT --work EMPTY_DIR" "$@"
need_tools "curl and gzip" curl gzip cmp
[ "$failed" = 0 ] || finish
e2e_env

copy_sample_show "$SHOW" "$WORK/show"
start_server "$WORK/show" "$WORK/serve.log" --preview
WWW="$WORK/show/build/preview/www"
MEDIA="$(cd "$WWW" && ls media/*.mp3 | head -n1)"
FILE="$WWW/$MEDIA"
SIZE=$(stat -c %s "$FILE")

# req NAME curl-args...: headers in WORK/NAME.h, body in WORK/NAME.b
req() { local name=$1; shift; fetch -s -D "$WORK/$name.h" -o "$WORK/$name.b" "$@"; }
status() { status_of "$WORK/$1.h"; }
hdr() { header_of "$WORK/$1.h" "$2"; }
is() { [ "$1" = "$2" ] || { echo "got '$1', expected '$2'"; return 1; }; }

req head -I "$URL$MEDIA"
check "HEAD $MEDIA: 200 with its length, byte ranges, an ETag and a Last-Modified" \
  bash -c "$(declare -f is); is '$(status head)' 200 && is '$(hdr head content-length)' $SIZE && is '$(hdr head accept-ranges)' bytes && [ -n '$(hdr head etag)' ] && [ -n '$(hdr head last-modified)' ]"
ETAG="$(hdr head etag)"
DATE="$(hdr head last-modified)"

req range -H "Range: bytes=100-199" "$URL$MEDIA"
check "Range bytes=100-199: 206, Content-Range, the file's bytes 100 to 199" \
  bash -c "$(declare -f is); is '$(status range)' 206 && is '$(hdr range content-range)' 'bytes 100-199/$SIZE' && cmp -s <(tail -c +101 '$FILE' | head -c 100) '$WORK/range.b'"
req suffix -H "Range: bytes=-10" "$URL$MEDIA"
check "Range bytes=-10: 206, the last 10 bytes" \
  bash -c "$(declare -f is); is '$(status suffix)' 206 && cmp -s <(tail -c 10 '$FILE') '$WORK/suffix.b'"
req beyond -H "Range: bytes=$SIZE-" "$URL$MEDIA"
check "Range past the end: 416 with Content-Range: bytes */$SIZE" \
  bash -c "$(declare -f is); is '$(status beyond)' 416 && is '$(hdr beyond content-range)' 'bytes */$SIZE'"
req unit -H "Range: items=0-9" "$URL$MEDIA"
check "Range in another unit: ignored, 200 with the whole file (RFC 9110 §14.2)" \
  bash -c "$(declare -f is); is '$(status unit)' 200 && cmp -s '$FILE' '$WORK/unit.b'"

req ifrange-etag -H "Range: bytes=0-9" -H "If-Range: $ETAG" "$URL$MEDIA"
req ifrange-date -H "Range: bytes=0-9" -H "If-Range: $DATE" "$URL$MEDIA"
req ifrange-stale -H "Range: bytes=0-9" -H 'If-Range: "an-older-version"' "$URL$MEDIA"
req ifrange-old -H "Range: bytes=0-9" -H "If-Range: Mon, 01 Jan 2024 00:00:00 GMT" "$URL$MEDIA"
check "If-Range with the current ETag or date: 206; with a stale one: 200 and the whole file" \
  bash -c "$(declare -f is); is '$(status ifrange-etag)' 206 && is '$(status ifrange-date)' 206 && is '$(status ifrange-stale)' 200 && is '$(status ifrange-old)' 200 && cmp -s '$FILE' '$WORK/ifrange-stale.b'"

req inm -H "If-None-Match: $ETAG" "$URL$MEDIA"
req ims -H "If-Modified-Since: $DATE" "$URL$MEDIA"
check "If-None-Match and If-Modified-Since: 304 with an empty body" \
  bash -c "$(declare -f is); is '$(status inm)' 304 && is '$(status ims)' 304 && [ ! -s '$WORK/inm.b' ]"
check "media: revalidated (max-age with ETag), not immutable, shared with other sites" \
  bash -c "$(declare -f is); is '$(hdr head cache-control)' 'public, max-age=86400' && is '$(hdr head access-control-allow-origin)' '*'"

req feedgz -H "Accept-Encoding: gzip" "${URL}feed.xml"
check "feed.xml with Accept-Encoding: gzip: gzipped, the same bytes once unzipped, a fraction of them" \
  bash -c "$(declare -f is); is '$(hdr feedgz content-encoding)' gzip && gzip -dc '$WORK/feedgz.b' | cmp -s - '$WWW/feed.xml' && [ \$(stat -c %s '$WORK/feedgz.b') -lt \$(( \$(stat -c %s '$WWW/feed.xml') / 3 )) ]"
req mediagz -H "Accept-Encoding: gzip, br" "$URL$MEDIA"
check "audio is never compressed" bash -c "$(declare -f is); is '$(hdr mediagz content-encoding)' '' && cmp -s '$FILE' '$WORK/mediagz.b'"

req options -X OPTIONS -H "Origin: https://player.example" -H "Access-Control-Request-Method: GET" -H "Access-Control-Request-Headers: range" "$URL$MEDIA"
check "OPTIONS preflight on media: 204, any origin, Range allowed" \
  bash -c "$(declare -f is); is '$(status options)' 204 && is '$(hdr options access-control-allow-origin)' '*' && [[ '$(hdr options access-control-allow-headers)' == *Range* ]]"

req page "$URL"
page_is_secured() { # the policy holds quotes: checked here, not through bash -c
  local csp
  csp="$(hdr page content-security-policy)"
  [[ "$csp" == *"script-src 'self'"* && "$csp" == *"style-src 'self'"* && "$csp" != *unsafe-inline* ]] || { echo "CSP: $csp"; return 1; }
  is "$(hdr page x-content-type-options)" nosniff && [ -n "$(hdr page referrer-policy)" ]
}
check "a page: Content-Security-Policy without unsafe-inline, nosniff, a referrer policy" page_is_secured
req missing "${URL}nulle-part/"
check "an unknown address: 404 and the French 404 page" \
  bash -c "$(declare -f is); is '$(status missing)' 404 && grep -q 'Page introuvable' '$WORK/missing.b'"

server_still_running "the HTTP checks"
finish
