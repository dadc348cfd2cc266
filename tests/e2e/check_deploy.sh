#!/usr/bin/env bash
# The deployment of docs/DEPLOY.md, as written: its nginx server block (taken from the page, with
# only the port, the certificate and the upstream port replaced) with TLS (a self-signed
# certificate) in front of `veillee serve` on 127.0.0.1; then through it, with curl: the feed,
# a login whose cookie is Secure (X-Forwarded-Proto), an audio upload of several MB streamed
# through the proxy by the JSON API, the episode in the feed, ranges on its media, and the
# failed-login limit keyed on the client address the proxy forwards.
#
#   bash tests/e2e/check_deploy.sh --bin VEILLEE --show REPO_ROOT --work EMPTY_DIR
set -uo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_group deploy
e2e_args "--bin VEILLEE --show REPO_ROOT --work EMPTY_DIR" "$@"
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
need_tools "nginx, openssl and curl (Debian)" openssl curl
[ -x "$NGINX" ] || fail "nginx is missing (the runner installs it)"
[ "$failed" = 0 ] || finish
e2e_env

SITE="$WORK/show"
copy_sample_show "$SHOW" "$SITE"
# The uploads here test the proxy, not the mastering (tests/e2e/check_loudness.sh): sent as they
# are, a long one is served whole at once.
sed -i '/^\[mastering\]$/,/^light = {}$/d' "$SITE/feed/channel.toml"
"$BIN" --root "$SITE" staff add "Camille Martin" --email camille@example.org --role editor >"$WORK/editor.out" 2>&1
EDITOR="$(sed -n 's/^token (shown this once; give it to .* privately): //p' "$WORK/editor.out")"
check "veillee staff add printed a token" test -n "$EDITOR"
start_server "$SITE" "$WORK/serve.log"

# The page's nginx block, as documented.
awk '/^```nginx$/ { on = 1; next } /^```$/ { on = 0 } on' "$SHOW/docs/DEPLOY.md" >"$WORK/documented.conf"
check "docs/DEPLOY.md has an nginx block that proxies to 127.0.0.1:8080" grep -q 'proxy_pass http://127.0.0.1:8080;' "$WORK/documented.conf"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=podcast.example.org \
  -keyout "$WORK/key.pem" -out "$WORK/cert.pem" >"$WORK/openssl.log" 2>&1 || fail "openssl could not make a certificate"
TLS_PORT=$((20000 + RANDOM % 20000)) HTTP_PORT=$((TLS_PORT + 1))
sed -e "s|listen 443 ssl;|listen 127.0.0.1:$TLS_PORT ssl;|" -e "s|listen 80;|listen 127.0.0.1:$HTTP_PORT;|" \
  -e '/listen \[::\]/d' \
  -e "s|ssl_certificate .*|ssl_certificate $WORK/cert.pem;|" -e "s|ssl_certificate_key .*|ssl_certificate_key $WORK/key.pem;|" \
  -e "s|proxy_pass http://127.0.0.1:8080;|proxy_pass http://127.0.0.1:$PORT;|" "$WORK/documented.conf" >"$WORK/site.conf"
mkdir -p "$WORK/nginx"
cat >"$WORK/nginx.conf" <<CONF
worker_processes 1;
daemon off;
error_log $WORK/nginx/error.log;
pid $WORK/nginx/nginx.pid;
events { worker_connections 256; }
http {
  access_log $WORK/nginx/access.log;
  client_body_temp_path $WORK/nginx/body;
  proxy_temp_path $WORK/nginx/proxy;
  fastcgi_temp_path $WORK/nginx/fastcgi;
  uwsgi_temp_path $WORK/nginx/uwsgi;
  scgi_temp_path $WORK/nginx/scgi;
  include $WORK/site.conf;
}
CONF
"$NGINX" -t -c "$WORK/nginx.conf" -p "$WORK/nginx" >"$WORK/nginx-test.log" 2>&1
check "nginx accepts the documented configuration ($(tail -n1 "$WORK/nginx-test.log"))" grep -q 'test is successful' "$WORK/nginx-test.log"
"$NGINX" -c "$WORK/nginx.conf" -p "$WORK/nginx" >"$WORK/nginx.out" 2>&1 &
NGINX_PID=$!
trap 'kill $NGINX_PID 2>/dev/null; stop_server' EXIT
H=podcast.example.org
U="https://$H:$TLS_PORT"
export -f status_of
tls() { fetch --cacert "$WORK/cert.pem" --resolve "$H:$TLS_PORT:127.0.0.1" "$@"; }
for _ in $(seq 50); do tls -o /dev/null "$U/feed.xml" 2>/dev/null && break; sleep 0.1; done

check "the feed through nginx over TLS: 200" test "$(tls -o "$WORK/feed.xml" -w '%{http_code}' "$U/feed.xml")" = 200
check "the feed names base_url, not the proxy nor the server's port" bash -c '! grep -q "127.0.0.1" "$1" && grep -q "https://" "$1"' _ "$WORK/feed.xml"
check "plain http redirects to https (301)" \
  test "$(fetch -o /dev/null -w '%{http_code} %{redirect_url}' -H "Host: $H" "http://127.0.0.1:$HTTP_PORT/feed.xml")" = "301 https://$H/feed.xml"
tls -D "$WORK/login.h" -o /dev/null --data-urlencode "token=$EDITOR" "$U/admin/connexion"
cookie="$(header_of "$WORK/login.h" set-cookie)"
check "login through the proxy: 303 and a Secure, HttpOnly, SameSite=Strict cookie ($cookie)" \
  bash -c '[ "$1" = 303 ] && [[ "$2" == *Secure* && "$2" == *HttpOnly* && "$2" == *SameSite=Strict* ]]' _ "$(status_of "$WORK/login.h")" "$cookie"

# An hour-long episode is tens of MB: 12 MB of real MP3 frames (the sample's audio, repeated).
src="$SHOW/episodes/autodiagnostic-reperer-ses-fragilites.mp3"
for _ in $(seq 50); do cat "$src"; done >"$WORK/long.mp3"
: >"$WORK/long.vtt"
size=$(stat -c %s "$WORK/long.mp3")
code="$(tls -o "$WORK/api.json" -w '%{http_code}' -H "Authorization: Bearer $EDITOR" \
  -F "title=Une longue veillée à Combloux" -F "notes=Un épisode envoyé par l'API." -F "publish=true" \
  -F "audio=@$WORK/long.mp3;filename=enregistrement.mp3" "$U/api/episodes")"
check "a $size-byte audio upload through nginx to POST /api/episodes, published at once: 201 ($(head -c 300 "$WORK/api.json"))" test "$code" = 201
tls -o "$WORK/feed2.xml" "$U/feed.xml"
media="$(grep -o '/media/une-longue-veillee-a-combloux\.[0-9a-f]*\.mp3' "$WORK/feed2.xml" | head -n1)"
check "the new episode is in the feed served through the proxy ($media)" test -n "$media"
tls -D "$WORK/range.h" -o "$WORK/range.bin" -H "Range: bytes=1000000-1999999" "$U$media"
check "a range of its media through the proxy: 206 and 1,000,000 bytes" \
  bash -c '[ "$(status_of "$1")" = 206 ] && [ "$(stat -c %s "$2")" = 1000000 ]' _ "$WORK/range.h" "$WORK/range.bin"

# Five wrong tokens from one client, then 429 for it, whatever X-Forwarded-For it sends; another
# client behind the same proxy is not held back (nginx forwards each client's address).
for _ in 1 2 3 4 5; do tls -o /dev/null --data-urlencode "token=000000000000.bad" "$U/admin/connexion"; done
check "after five wrong tokens through the proxy, 429" \
  test "$(tls -o /dev/null -w '%{http_code}' --data-urlencode "token=$EDITOR" "$U/admin/connexion")" = 429
check "a client that sends its own X-Forwarded-For is still held back (429: the proxy's address is the one believed)" \
  test "$(tls -o /dev/null -w '%{http_code}' -H 'X-Forwarded-For: 198.51.100.7' --data-urlencode "token=$EDITOR" "$U/admin/connexion")" = 429
check "another client (from 127.0.0.2, forwarded by nginx as such) still logs in (303)" \
  test "$(tls --interface 127.0.0.2 -o /dev/null -w '%{http_code}' --data-urlencode "token=$EDITOR" "$U/admin/connexion")" = 303
check "the server's log holds no token" bash -c '! grep -qF -- "${1#*.}" "$2"' _ "$EDITOR" "$WORK/serve.log"
server_still_running "the deployment checks"
finish
