#!/usr/bin/env bash
# The scoped and paged feeds with parts nobody here wrote: a copy of the sample show with three
# more episodes (13 in all) and `feed_page_size = 10`, served as a preview on 127.0.0.1; Python's
# feedparser reads both pages of the main feed and every partner's and method's feed (no bozo,
# the paging links, the scoped `podcast:guid`); gPodder's `gpo` subscribes to the paged feed and
# to a partner's and a method's, and gets every episode of each, no more.
#
#   bash tests/e2e/check_feeds.sh --bin VEILLEE --show REPO_ROOT --work EMPTY_DIR --python PYTHON
#
# Every check prints `ok   [feeds] name` or `FAIL [feeds] name: why`; the last line is
# `feeds: N passed, M failed`; the exit code is 1 if any check failed or none ran.
set -uo pipefail

PY=python3
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_group feeds
e2e_args "--bin VEILLEE --show REPO_ROOT --work EMPTY_DIR --python PYTHON" "$@"
need_tools "gpodder, curl" gpo curl "$PY"
"$PY" -c 'import feedparser' 2>/dev/null || fail "feedparser is missing (the runner installs it from requirements.txt)"
[ "$failed" = 0 ] || finish
e2e_env
gpodder_env

S="$WORK/show"
copy_sample_show "$SHOW" "$S"
# Three older episodes of La Traverse about the grid, as a back catalog arriving as sources.
for n in 1 2 3; do
  sed -e "s/^title = .*/title = \"Archives de la grille, partie $n\"/" \
    -e "s/^guid = .*/guid = \"urn:veillee:e2e:archive-$n\"/" \
    -e "s/^date = .*/date = 2024-0${n}-10T09:00:00+01:00/" \
    -e '/^number = /d' -e '/^season = /d' \
    "$S/episodes/une-grille-pour-faire-le-point.md" >"$S/episodes/archives-de-la-grille-$n.md"
  cp "$S/episodes/une-grille-pour-faire-le-point.mp3" "$S/episodes/archives-de-la-grille-$n.mp3"
done
check "veillee publish --all --keep-dates publishes the three" "$BIN" --root "$S" publish --all --keep-dates
sed -i 's/^\[loudness\]/feed_page_size = 10\n\n[loudness]/' "$S/feed/channel.toml"
grep -q '^feed_page_size = 10' "$S/feed/channel.toml" || sed -i '1i feed_page_size = 10' "$S/feed/channel.toml"
start_server "$S" "$WORK/serve.log" --preview
WWW="$S/build/preview/www"

for f in feed.xml feed/2.xml partenaires/la-traverse/feed.xml methodes/grille-auto-evaluation/feed.xml; do
  mkdir -p "$WORK/got/$(dirname "$f")"
  fetch -o "$WORK/got/$f" "$URL$f"
done
check "feedparser $("$PY" -c 'import feedparser; print(feedparser.__version__)') reads every feed and page" "$PY" - "$WORK/got" "$WWW" "$URL" <<'PY'
import glob, os, sys, feedparser
got, www, url = sys.argv[1], sys.argv[2], sys.argv[3]
problems = []
def parse(path):
    d = feedparser.parse(path)
    if d.bozo:
        problems.append(f"{path}: bozo {d.bozo_exception}")
    return d
first, second = parse(f"{got}/feed.xml"), parse(f"{got}/feed/2.xml")
links = lambda d: {l["rel"]: l["href"] for l in d.feed.get("links", [])}
if (len(first.entries), len(second.entries)) != (10, 3):
    problems.append(f"pages of {len(first.entries)} and {len(second.entries)} items, not 10 and 3")
if links(first).get("next") != f"{url}feed/2.xml" or links(second).get("previous") != f"{url}feed.xml":
    problems.append(f"paging links: {links(first)} / {links(second)}")
ids = [e.id for e in first.entries + second.entries]
if len(set(ids)) != 13:
    problems.append(f"{len(set(ids))} distinct GUIDs over the pages, not 13")
dates = [e.published_parsed for e in first.entries + second.entries]
if dates != sorted(dates, reverse=True):
    problems.append("the pages are not newest first, page after page")
for path in glob.glob(f"{www}/partenaires/*/feed.xml") + glob.glob(f"{www}/methodes/*/feed.xml"):
    d = parse(path)
    page = os.path.dirname(path)
    if not d.feed.get("title", "").startswith("Dynamiques collectives — "):
        problems.append(f"{path}: title {d.feed.get('title')!r}")
    if d.feed.get("link") != url + os.path.relpath(page, www) + "/":
        problems.append(f"{path}: link {d.feed.get('link')}")
traverse = parse(f"{got}/partenaires/la-traverse/feed.xml")
if not any("Archives de la grille, partie 1" == e.title for e in traverse.entries):
    problems.append("La Traverse's feed lacks the archives")
if problems:
    print("; ".join(problems)[:1500])
    sys.exit(1)
PY
guid_of() { sed -n 's/^feed_guid = "\(.*\)"/\1/p' "$S/site/$1.md"; }
check "the scoped feeds carry their page's feed_guid as podcast:guid" bash -c \
  'grep -q "<podcast:guid>$1</podcast:guid>" "$3/partenaires/la-traverse/feed.xml" && grep -q "<podcast:guid>$2</podcast:guid>" "$3/methodes/grille-auto-evaluation/feed.xml"' \
  _ "$(guid_of partners/la-traverse)" "$(guid_of methods/grille-auto-evaluation)" "$WORK/got"
check "the paged feed is served as application/rss+xml" bash -c \
  'curl -sS --noproxy "*" -o /dev/null -w "%{content_type}" "$1" | grep -q "^application/rss+xml"' _ "${URL}feed/2.xml"

# gPodder: the paged feed (it follows rel="next" on a first subscription) and two scoped feeds.
episodes_of() { # feed URL: gPodder's episodes of that podcast
  python3 - "$GPODDER_HOME/Database" "$1" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
row = db.execute("SELECT id FROM podcast WHERE url = ?", (sys.argv[2],)).fetchone()
print(db.execute("SELECT count(*) FROM episode WHERE podcast_id = ?", (row[0],)).fetchone()[0] if row else -1)
PY
}
count_items() { grep -c "<item>" "$1"; }
for f in feed.xml partenaires/la-traverse/feed.xml methodes/grille-auto-evaluation/feed.xml; do
  gpo subscribe "$URL$f" >"$WORK/gpo-subscribe.log" 2>&1
done
gpo update >"$WORK/gpo-update.log" 2>&1
check "gpo gets the 13 episodes of the paged feed, both pages (got $(episodes_of "${URL}feed.xml"))" \
  test "$(episodes_of "${URL}feed.xml")" = 13
for f in partenaires/la-traverse/feed.xml methodes/grille-auto-evaluation/feed.xml; do
  want="$(count_items "$WORK/got/$f")"
  check "gpo gets the $want episodes of $f, no more (got $(episodes_of "$URL$f"))" test "$(episodes_of "$URL$f")" = "$want" -a "$want" -gt 3
done
server_still_running "the feed checks"
finish
