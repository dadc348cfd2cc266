#!/usr/bin/env bash
# A general feed reader against `veillee serve --preview`: newsboat (Debian package newsboat), which
# reads RSS's own tags and Dublin Core, not the iTunes ones: the outside review found it showing an
# empty author for every episode.
#
#   bash tests/e2e/check_newsboat.sh --bin VEILLEE --show REPO_ROOT --work EMPTY_DIR
#
# Serves a preview of a copy of REPO_ROOT's sample show on 127.0.0.1:0, has newsboat (its own
# config, URL list and cache in WORK) reload the feed twice, then compares what newsboat stored
# in its cache (SQLite, table rss_item) with the served feed, item by item: GUID, title, link,
# author (the item's partners, else the show's author), enclosure URL and type; and that the
# second reload added nothing.
# Every check prints `ok   [newsboat] name` or `FAIL [newsboat] name: why`; the last line is
# `newsboat: N passed, M failed`; the exit code is 1 if any check failed or none ran. Network
# traffic goes only to 127.0.0.1 (lib.sh's proxies).
set -uo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_group newsboat
e2e_args "--bin VEILLEE --show REPO_ROOT --work EMPTY_DIR" "$@"

need_tools newsboat newsboat python3
[ "$failed" = 0 ] || finish

e2e_env
export HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/home/.config" XDG_DATA_HOME="$WORK/home/.local/share"
mkdir -p "$WORK" "$HOME"
note "$(newsboat --version | head -n1)"

S="$WORK/show"
copy_sample_show "$SHOW" "$S"
start_server "$S" "$WORK/serve.log" --preview
FEED="${URL}feed.xml"
fetch -o "$WORK/feed.xml" "$FEED" || { fail "GET $FEED"; finish; }

echo "$FEED" >"$WORK/urls"
: >"$WORK/config"
reload() { # log
  newsboat -u "$WORK/urls" -c "$WORK/cache.db" -C "$WORK/config" -x reload print-unread </dev/null >"$1" 2>&1
}
check "newsboat -x reload reads $FEED" reload "$WORK/reload-1.log"

# The served feed and newsboat's cache, as the same TSV: guid, title, link, author, enclosure url, type.
python3 - "$WORK/feed.xml" >"$WORK/feed.tsv" <<'PY'
import sys, xml.etree.ElementTree as ET
ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
for it in ET.parse(sys.argv[1]).getroot().iter("item"):
    enc = it.find("enclosure").attrib
    print("\t".join([it.findtext("guid"), it.findtext("title"), it.findtext("link"), it.findtext(ITUNES + "author") or "", enc["url"], enc["type"]]))
PY
newsboat_items() {
  python3 - "$WORK/cache.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
for row in db.execute("select guid, title, url, author, enclosure_url, enclosure_type from rss_item where deleted = 0"):
    print("\t".join(row))
PY
}
newsboat_items >"$WORK/newsboat.tsv" 2>"$WORK/newsboat.err" || fail "reading newsboat's cache: $(head -c 300 "$WORK/newsboat.err")"
N="$(wc -l <"$WORK/feed.tsv")"
note "the served feed has $N items"
check "newsboat stored $N items, one per <item> of the feed" test "$(wc -l <"$WORK/newsboat.tsv")" = "$N"
check "newsboat counts $N unread articles" grep -qx "$N unread articles" "$WORK/reload-1.log"

while IFS=$'\t' read -r guid title link author enc type; do
  row="$(awk -F'\t' -v g="$guid" '$1 == g' "$WORK/newsboat.tsv")"
  if [ -z "$row" ]; then
    fail "newsboat has no item with the GUID $guid ($link)"
    continue
  fi
  IFS=$'\t' read -r _ nb_title nb_link nb_author nb_enc nb_type <<<"$row"
  why=""
  if [ -z "$nb_author" ]; then why="newsboat shows no author (the feed's itunes:author is '$author')"
  elif [ "$nb_author" != "$author" ]; then why="newsboat's author is '$nb_author', the feed's itunes:author '$author'"
  elif [ "$nb_title" != "$title" ]; then why="newsboat's title is '$nb_title'"
  elif [ "$nb_link" != "$link" ]; then why="newsboat's link is $nb_link"
  elif [ "$nb_enc" != "$enc" ] || [ "$nb_type" != "$type" ]; then why="newsboat's enclosure is $nb_enc ($nb_type)"
  fi
  if [ -z "$why" ]; then ok "newsboat shows '$title' by $author, its link and its enclosure (GUID $guid)"; else fail "'$title' (GUID $guid): $why"; fi
done <"$WORK/feed.tsv"

check "a second reload with nothing changed adds no item" reload "$WORK/reload-2.log"
newsboat_items >"$WORK/newsboat-2.tsv" 2>/dev/null || true
check "newsboat still has $N items, the same" diff <(sort "$WORK/newsboat.tsv") <(sort "$WORK/newsboat-2.tsv")

server_still_running "the newsboat checks"
finish
