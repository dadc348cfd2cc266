# Sourced by the benchmark scripts: the inputs they measure on, generated once under CACHE and
# again only when their generator or a knob changes. Needs CACHE.
#
#   probe_files                          # PROBE_DIR with cbr.mp3, vbr.mp3, vbr-noxing.mp3 (60 min, ffmpeg)
#   catalog_dir EPISODES SEED BIN [TRANSCRIPTS]  # CATALOG: the generated show (BIN probes its shared MP3)
#   search_corpus EPISODES WORDS SEED PYTHON   # CORPUS: transcripts/ and episodes.json
#   speed_catalog EPISODES TRANSCRIPTS WORDS BIN # SPEED: a show with long transcripts, and its
#                                                # episodes.jsonl for the anchors (benches/anchors)
#   audio_show BIN                       # SHOW: 50 published episodes, each its own 60-minute MP3

probe_files() {
  PROBE_DIR="$CACHE/probe"
  mkdir -p "$PROBE_DIR"
  command -v ffmpeg >/dev/null || { apt-get update -qq && apt-get install -y -qq ffmpeg; }
  local f="ffmpeg -hide_banner -loglevel error -y"
  local src="anoisesrc=color=pink:duration=3600:amplitude=0.2:seed=1:sample_rate=44100"
  local mix="[0][1]amix=inputs=2,aformat=channel_layouts=stereo"
  local sine="sine=frequency=440:duration=3600:sample_rate=44100"
  [ -f "$PROBE_DIR/cbr.mp3" ] || $f -f lavfi -i "$src" -f lavfi -i "$sine" -filter_complex "$mix" -c:a libmp3lame -b:a 128k "$PROBE_DIR/cbr.mp3"
  [ -f "$PROBE_DIR/vbr.mp3" ] || $f -f lavfi -i "$src" -f lavfi -i "$sine" -filter_complex "$mix" -c:a libmp3lame -q:a 4 "$PROBE_DIR/vbr.mp3"
  [ -f "$PROBE_DIR/vbr-noxing.mp3" ] || $f -i "$PROBE_DIR/vbr.mp3" -c copy -write_xing 0 "$PROBE_DIR/vbr-noxing.mp3"
}

catalog_dir() { # episodes seed bin [transcripts]
  local episodes=$1 seed=$2 bin=$3 transcripts=${4:-} stamp
  CATALOG="$CACHE/catalog-$((episodes / 1000))k"
  [ "$episodes" -ge 1000 ] || CATALOG="$CACHE/catalog-$episodes"
  # A given number of transcripts (gen_catalog.py's --transcripts; default about one in eight).
  [ -z "$transcripts" ] || CATALOG="$CATALOG-t$transcripts"
  stamp="$(sha256sum <benches/gen_catalog.py | cut -c1-16)-$episodes-$seed-${AUDIO:-ffmpeg}-$transcripts"
  if [ "$(cat "$CATALOG.stamp" 2>/dev/null)" != "$stamp" ] || [ ! -f "$CATALOG/feed/archive.toml" ]; then
    rm -rf "$CATALOG" "$CATALOG.tmp"
    python3 benches/gen_catalog.py "$CATALOG.tmp" --episodes "$episodes" --seed "$seed" --veillee "$bin" \
      ${AUDIO:+--audio "$AUDIO"} ${transcripts:+--transcripts "$transcripts"}
    mv "$CATALOG.tmp" "$CATALOG"
    echo "$stamp" >"$CATALOG.stamp"
  fi
}

search_corpus() { # episodes words seed python
  local episodes=$1 words=$2 seed=$3 python=$4 stamp
  CORPUS="$CACHE/search-corpus-$episodes"
  stamp="$(cat benches/gen_transcripts.py tests/fixtures/search/transcripts/* site/methods/*.md \
    site/partners/*.md site/territories/*.md | sha256sum | cut -c1-16)-$episodes-$words-$seed"
  if [ "$(cat "$CORPUS.stamp" 2>/dev/null)" != "$stamp" ] || [ ! -f "$CORPUS/episodes.json" ]; then
    rm -rf "$CORPUS" "$CORPUS.tmp"
    "$python" benches/gen_transcripts.py "$CORPUS.tmp" --episodes "$episodes" --words "$words" --seed "$seed" \
      2>"$CACHE/search-gen.log" || { cat "$CACHE/search-gen.log" >&2; return 1; }
    mv "$CACHE/search-gen.log" "$CORPUS.tmp/gen.log"
    mv "$CORPUS.tmp" "$CORPUS"
    echo "$stamp" >"$CORPUS.stamp"
  fi
}

speed_catalog() { # episodes transcripts words bin
  local episodes=$1 transcripts=$2 words=$3 bin=$4 stamp
  SPEED="$CACHE/speed-$episodes-${transcripts}x$words"
  # An hour and a half of audio, shared by every episode: the transcripts (about 50 to 61 min of
  # speech) fit in it.
  stamp="$(cat benches/gen_catalog.py benches/gen_transcripts.py | sha256sum | cut -c1-16)-$episodes-$transcripts-$words-5400"
  if [ "$(cat "$SPEED.stamp" 2>/dev/null)" != "$stamp" ] || [ ! -f "$SPEED/episodes.jsonl" ]; then
    rm -rf "$SPEED" "$SPEED.tmp"
    python3 benches/gen_catalog.py "$SPEED.tmp" --episodes "$episodes" --seed 1 --veillee "$bin" \
      --transcripts "$transcripts" --words "$words" --audio-seconds 5400 2>/dev/null
    mv "$SPEED.tmp" "$SPEED"
    echo "$stamp" >"$SPEED.stamp"
  fi
}

# audio_show BIN: SHOW, a show of 50 episodes made by `veillee init` and `veillee new episode`,
# each with its own copy of probe_files' CBR file (the same audio remuxed with another title tag:
# other bytes), each published with `veillee publish`.
audio_show() {
  local BIN=$1 stamp
  probe_files
  SHOW="$CACHE/audio-50"
  # Bump the version when the recipe below changes.
  stamp="audio-show-1-$(stat -c %s "$PROBE_DIR/cbr.mp3")"
  if [ "$(cat "$SHOW.stamp" 2>/dev/null)" != "$stamp" ]; then
    rm -rf "$SHOW" "$SHOW.tmp" && mkdir -p "$SHOW.tmp"
    (
      cd "$SHOW.tmp"
      export SOURCE_DATE_EPOCH=1764000000
      "$BIN" init --title "Banc audio" --description "Cinquante heures d'enregistrement" \
        --base-url https://banc.example.org --author "Banc" --email banc@example.org >/dev/null
      ffmpeg -hide_banner -loglevel error -y -f lavfi -i color=c=0x336699:s=1400x1400 -frames:v 1 feed/cover.jpg
      for n in $(seq 50); do
        "$BIN" new episode "Épisode $n" >/dev/null
        ffmpeg -hide_banner -loglevel error -y -i "$PROBE_DIR/cbr.mp3" -c copy -metadata title="Épisode $n" \
          "episodes/episode-$n.mp3"
      done
      for n in $(seq 50); do
        "$BIN" publish "episode-$n" >/dev/null
      done
    )
    mv "$SHOW.tmp" "$SHOW"
    echo "$stamp" >"$SHOW.stamp"
  fi
}
