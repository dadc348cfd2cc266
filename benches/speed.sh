#!/usr/bin/env bash
# The speed issue's goals, each against its anchor in the same run (benches/anchors: the team's
# shared podgen script and Hugo site, copied unchanged), on catalogs made by
# benches/gen_catalog.py with long transcripts (benches/gen_transcripts.py's French), written
# both as a Veillée show and as the anchors' episodes.jsonl:
#
#   bash benches/speed.sh
#
#   feed catalog: 10,000 episodes, 1,000 of them with an 8,000-word transcript (about 78 MB), one
#     shared 90-minute MP3:
#     - `build` with nothing changed      vs podgen (anchors/feed_py.py)   goal <= 0.1x
#     - `feed`                            vs podgen                        goal <= 0.1x
#     - `build` cold (build/ and .veillee/ gone, page cache kept)  vs podgen: reported
#     - `build` after editing one episode's notes: goal <= 0.3 s (on ext4 and on tmpfs)
#   the same 10,000 episodes without transcripts: `build` cold vs podgen, goal <= 1.0x
#   each cold build three ways: on ext4 with the previous outputs deleted, on ext4 with them
#   moved aside, and on tmpfs (a copy of the catalog in /dev/shm)
#   site catalog: 1,000 episodes, each with an 8,000-word transcript:
#     - `build` cold (everything: pages, 4 transcript formats, index) vs Hugo's pages-only build
#       (anchors/hugo_content.py, then `hugo --quiet`), goal <= 1.0x; peak memory of each
#     - the pages alone (`veillee-bench pages`: the build's loading, rendering and streaming
#       writer, without transcript files, index or media) vs the same Hugo build, goal <= 0.5x
#       wall and <= 0.25x peak memory
#     each cold (.veillee/ gone too) three ways: on ext4 with the previous outputs deleted, on
#     ext4 with them moved aside (ext4 without a journal skips the inodes it freed a moment ago:
#     deleting costs the next build), and on tmpfs (a copy of the catalog in /dev/shm)
#     - `build` after editing one episode's notes, goal <= 5 % of the cold build
#
# Paired commands run by turns (benches/interleave.py), medians of RUNS (5) runs each. Single
# commands (the edits) by hyperfine with a prepare step. Prints one table with the verdicts.
# Environment: RUNS (5), COMMIT (HEAD) or VEILLEE_BIN, FEED_EPISODES (10000), SITE_EPISODES
# (1000), WORDS (8000), BENCH_DIR (~/.cache/veillee-bench), ONLY (a subset of: feed site).
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET="${CARGO_TARGET_DIR:-$HOME/.cache/veillee-target}"
CACHE="${BENCH_DIR:-$HOME/.cache/veillee-bench}"
RUNS="${RUNS:-5}"
WORDS="${WORDS:-8000}"
ONLY="${ONLY:-feed site}"
OUT="$CACHE/speed-out"
mkdir -p "$CACHE" "$OUT"

command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine; }
command -v hugo >/dev/null || { apt-get update -qq && apt-get install -y -qq hugo; }
# Since 37bc50e every published MP3 is its own tagged copy: on these catalogs, whose episodes all
# name one 90-minute MP3 (5.4 MB), a cold build writes 5.4 MB per episode (54 GB for the feed
# catalog). Until benches/gen_catalog.py gives each episode its own audio, run this script only on
# commits before 37bc50e (COMMIT=...), or knowingly with SHARED_AUDIO_OK=1.
if [ -z "${SHARED_AUDIO_OK:-}" ] && [ -z "${VEILLEE_BIN:-}" ] &&
  git merge-base --is-ancestor 37bc50e "$(git rev-parse "${COMMIT:-HEAD}")" 2>/dev/null; then
  echo "speed.sh: ${COMMIT:-HEAD} tags every published MP3; these catalogs share one long audio file" \
    "(54 GB of tagged copies per cold build): see the comment above" >&2
  exit 2
fi
source benches/bench_bin.sh veillee-speed-bin
source benches/data.sh
PY="$(bash benches/setup_venv.sh)"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -sr)," \
  "$(df -T "$CACHE" | awk 'NR==2 {print $2}') under $CACHE"
echo "veillee: $VERSION"
echo "anchors: $("$PY" -c 'import importlib.metadata as m; print("podgen", m.version("podgen"))'), $(hugo version | cut -d' ' -f1-2)"

# pair NAME A B [interleave options]: A and B by turns.
pair() {
  local name=$1 a=$2 b=$3
  shift 3
  python3 benches/interleave.py --runs "$RUNS" "$@" -- "$a" "$b" >"$OUT/$name.json"
  echo "… $name done"
}
# single NAME CMD PREPARE: CMD alone, PREPARE before each run.
single() {
  hyperfine --runs "$RUNS" --warmup 1 --prepare "$3" --export-json "$OUT/$1.json" "$2" >/dev/null
  echo "… $1 done"
}
# peak NAME CMD: the maximum resident set of one run, in MiB.
peak() {
  /usr/bin/time -f "%M" -o "$OUT/$1.rss" bash -c "$2" >/dev/null 2>&1
}
# edited NAME CATALOG: times `build` after an edit to one episode's notes that always changes
# them (a sentence with the time), then puts the episode back as it was.
edited() {
  local ep
  ep="$2/episodes/$(ls "$2/episodes" | grep '\.md$' | sed -n 2p)"
  cp "$ep" "$OUT/edited.md"
  single "$1" "$BIN --root $2 build" "printf '\nAjouté au banc le %s.\n' \"\$(date +%s%N)\" >> '$ep'"
  cp "$OUT/edited.md" "$ep"
}

# clearing MODE PATH...: the prepare step of a cold run: the previous run's outputs deleted, or
# moved aside on the same disk (MODE: deleted or aside; $OUT/aside is emptied between sets).
clearing() {
  local mode=$1
  shift
  if [ "$mode" = aside ]; then
    echo "d=$OUT/aside/\$(date +%s%N) && mkdir -p \$d && for p in $*; do if [ -e \$p ]; then mv \$p \$d/\$RANDOM\$RANDOM; fi; done"
  else
    echo "rm -rf $*"
  fi
}
# on_tmpfs CATALOG: SHM_CAT, a copy of the catalog's sources and anchors' input in /dev/shm.
SHM=/dev/shm/veillee-speed
on_tmpfs() {
  SHM_CAT="$SHM/$(basename "$1")"
  rm -rf "$SHM_CAT" && mkdir -p "$SHM_CAT"
  for d in feed episodes transcripts site episodes.jsonl; do
    if [ -e "$1/$d" ]; then cp -a "$1/$d" "$SHM_CAT/"; fi
  done
}
# feed_cold NAME CATALOG WHERE MODE: a cold `build` against podgen on the same catalog's JSON lines.
feed_cold() {
  pair "$1-$3-$4" "$BIN --root $2 build" "$PY benches/anchors/feed_py.py podgen $2/episodes.jsonl $2.podgen.xml" \
    --prepare "$(clearing "$4" "$2/build" "$2/.veillee")"
}

if [[ " $ONLY " == *" feed "* ]]; then
  speed_catalog "${FEED_EPISODES:-10000}" "$(( ${FEED_EPISODES:-10000} / 10 ))" "$WORDS" "$BIN"
  FEED_CAT=$SPEED
  echo "feed catalog: $FEED_CAT: $(du -sh "$FEED_CAT/transcripts" | cut -f1) of transcripts"
  speed_catalog "${FEED_EPISODES:-10000}" 0 "$WORDS" "$BIN"
  BARE_CAT=$SPEED
  PODGEN="$PY benches/anchors/feed_py.py podgen $FEED_CAT/episodes.jsonl $OUT/podgen.xml"
  for mode in deleted aside; do
    feed_cold feed-cold "$FEED_CAT" ext4 $mode
    feed_cold feed-bare-cold "$BARE_CAT" ext4 $mode
  done
  rm -rf "$OUT/aside"
  "$BIN" --root "$FEED_CAT" build >/dev/null
  pair "feed-unchanged" "$BIN --root $FEED_CAT build" "$PODGEN" --warmup 1
  pair "feed-feed" "$BIN --root $FEED_CAT feed" "$PODGEN" --warmup 1
  edited "feed-edit" "$FEED_CAT"
  on_tmpfs "$FEED_CAT"
  feed_cold feed-cold "$SHM_CAT" tmpfs deleted
  "$BIN" --root "$SHM_CAT" build >/dev/null
  edited "feed-edit-tmpfs" "$SHM_CAT"
  rm -rf "$SHM_CAT"
  on_tmpfs "$BARE_CAT"
  feed_cold feed-bare-cold "$SHM_CAT" tmpfs deleted
  rm -rf "$SHM"
fi

# site_runs WHERE CATALOG HUGO_SITE OUTPUTS MODE: the site's cold pairs on one disk (WHERE: ext4
# or tmpfs, OUTPUTS a directory there), the previous run's outputs deleted or moved aside (MODE).
site_runs() {
  local where=$1 cat=$2 hsite=$3 outs=$4 mode=$5 clear
  clear="$(clearing "$mode" "$cat/build" "$cat/.veillee" "$outs/hugo-public" "$outs/pages")"
  local hugo="hugo --quiet -s $hsite -d $outs/hugo-public"
  pair "site-cold-$where-$mode" "$BIN --root $cat build" "$hugo" --prepare "$clear"
  pair "site-pages-$where-$mode" "$BIN-bench pages --root $cat --out $outs/pages" "$hugo" --prepare "$clear"
}

if [[ " $ONLY " == *" site "* ]]; then
  speed_catalog "${SITE_EPISODES:-1000}" "${SITE_EPISODES:-1000}" "$WORDS" "$BIN"
  SITE_CAT=$SPEED
  echo "site catalog: $SITE_CAT: $(du -sh "$SITE_CAT/transcripts" | cut -f1) of transcripts"
  HUGO_SITE="$OUT/hugo-site"
  python3 benches/anchors/hugo_content.py "$SITE_CAT" "$HUGO_SITE" "${SITE_EPISODES:-1000}" >/dev/null
  site_runs ext4 "$SITE_CAT" "$HUGO_SITE" "$OUT" deleted
  site_runs ext4 "$SITE_CAT" "$HUGO_SITE" "$OUT" aside
  rm -rf "$OUT/aside"
  on_tmpfs "$SITE_CAT"
  cp -a "$HUGO_SITE" "$SHM/hugo-site"
  site_runs tmpfs "$SHM_CAT" "$SHM/hugo-site" "$SHM" deleted
  rm -rf "$SHM"
  rm -rf "$SITE_CAT/build" "$SITE_CAT/.veillee" "$OUT/hugo-public" "$OUT/pages"
  peak "site-veillee" "$BIN --root $SITE_CAT build"
  rm -rf "$SITE_CAT/.veillee"
  peak "site-pages" "$BIN-bench pages --root $SITE_CAT --out $OUT/pages"
  peak "site-hugo" "hugo --quiet -s $HUGO_SITE -d $OUT/hugo-public"
  "$BIN" --root "$SITE_CAT" build >/dev/null
  edited "site-edit" "$SITE_CAT"
fi

python3 - "$OUT" "$ONLY" <<'EOF'
import json, os, statistics, sys
out, only = sys.argv[1], sys.argv[2].split()
def medians(name):
    r = json.load(open(os.path.join(out, name + ".json")))["results"]
    return [statistics.median(x["times"]) for x in r]
def secs(t):
    return f"{t:.3f} s" if t >= 1 else f"{t * 1000:.1f} ms"
def verdict(ok):
    return "met" if ok else "MISSED"
rows = []
if "feed" in only:
    for name, label, goal in [("feed-unchanged", "10,000 (1,000 transcripts), nothing changed", 0.1),
                              ("feed-feed", "`veillee feed`, same catalog", 0.1)]:
        v, p = medians(name)
        rows.append((label, secs(v), f"podgen {secs(p)}", f"{v / p:.3f}×", f"≤ {goal}×: {verdict(v / p <= goal)}"))
    ways = [("ext4-deleted", "ext4, old outputs deleted"), ("ext4-aside", "ext4, old outputs moved aside"),
            ("tmpfs-deleted", "tmpfs")]
    for name, label, goal in [("feed-cold", "cold build, same catalog", None),
                              ("feed-bare-cold", "cold build, 10,000 without transcripts", 1.0)]:
        for way, where in ways:
            v, p = medians(f"{name}-{way}")
            rows.append((f"{label}, {where}", secs(v), f"podgen {secs(p)}", f"{v / p:.3f}×",
                         f"≤ {goal}×: {verdict(v / p <= goal)}" if goal else "reported"))
    for name, where in [("feed-edit", "ext4"), ("feed-edit-tmpfs", "tmpfs")]:
        (e,) = medians(name)
        rows.append((f"edit one episode's notes, 10,000 episodes, {where}", secs(e), "—", "—",
                     f"≤ 0.3 s: {verdict(e <= 0.3)}"))
if "site" in only:
    ways = [("ext4-deleted", "ext4, old outputs deleted"), ("ext4-aside", "ext4, old outputs moved aside"),
            ("tmpfs-deleted", "tmpfs")]
    for kind, label, goal in [("cold", "everything (pages, 4 transcript formats, index)", 1.0),
                              ("pages", "pages only", 0.5)]:
        for way, where in ways:
            v, h = medians(f"site-{kind}-{way}")
            rows.append((f"site, 1,000 × 8,000 words, cold, {label}, {where}", secs(v), f"Hugo {secs(h)}",
                         f"{v / h:.3f}×", f"≤ {goal}×: {verdict(v / h <= goal)}"))
    rh = int(open(os.path.join(out, "site-hugo.rss")).read()) / 1024
    for name, label, goal in [("site-veillee", "everything", None), ("site-pages", "pages only", 0.25)]:
        rv = int(open(os.path.join(out, name + ".rss")).read()) / 1024
        rows.append((f"peak memory, {label} (one run)", f"{rv:.0f} MiB", f"Hugo {rh:.0f} MiB", f"{rv / rh:.3f}×",
                     f"≤ {goal}×: {verdict(rv / rh <= goal)}" if goal else "reported"))
    v, _ = medians("site-cold-ext4-deleted")
    (e,) = medians("site-edit")
    rows.append(("edit one episode's notes, 1,000 episodes", secs(e), f"own cold build {secs(v)}", f"{e / v:.3f}×",
                 f"≤ 0.05×: {verdict(e / v <= 0.05)}"))
print()
print("| work | veillee (median) | anchor (median) | ratio | goal |")
print("|---|---|---|---|---|")
for r in rows:
    print("| " + " | ".join(r) + " |")
EOF
