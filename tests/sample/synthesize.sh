#!/usr/bin/env bash
# Regenerates the audio, the transcripts and the chapter and soundbite times of the bundled sample
# show "Dynamiques collectives" from tests/sample/scripts/<slug>.txt (see tests/sample/README.md).
#
#   bash tests/sample/synthesize.sh            every script
#   bash tests/sample/synthesize.sh SLUG...    only these episodes
#
# Writes the recording episodes/<slug>.recording.mp3 (or .m4a), transcripts/<slug>.vtt, and the
# `chapters` and `soundbites` fields of episodes/<slug>.md; the episode's MP3 and its light version
# are mastered from the recording by `veillee publish SLUG --new-version --reason …` (channel.toml
# asks for mastering). Needs espeak-ng, ffmpeg (with libmp3lame) and python3:
#   apt-get install espeak-ng ffmpeg
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
helper="$here/assemble.py"

for tool in espeak-ng ffmpeg python3; do
  command -v "$tool" >/dev/null || { echo "synthesize.sh: $tool is missing (apt-get install espeak-ng ffmpeg)" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ "$#" -gt 0 ]; then
  scripts=()
  for slug in "$@"; do scripts+=("$here/scripts/$slug.txt"); done
else
  scripts=("$here"/scripts/*.txt)
fi

# Bit-exact, metadata-free encodes: the same WAV always gives the same bytes.
quiet=(-hide_banner -loglevel error -nostdin -y)
exact=(-map_metadata -1 -fflags +bitexact -flags:a +bitexact)

for script in "${scripts[@]}"; do
  [ -f "$script" ] || { echo "synthesize.sh: no script $script" >&2; exit 1; }
  slug=$(basename "$script" .txt)
  md="$root/episodes/$slug.md"
  [ -f "$md" ] || { echo "synthesize.sh: write $md first (its chapters and soundbites are filled in)" >&2; exit 1; }
  dir="$work/$slug"
  mkdir -p "$dir"
  echo "== $slug"

  # 1. One WAV per utterance (espeak-ng writes 16-bit mono 22050 Hz).
  python3 "$helper" plan "$script" "$here/lexicon.txt" "$dir" >"$dir/plan.tsv"
  while IFS=$'\t' read -r n voice speed pitch; do
    espeak-ng -b 1 -v "$voice" -s "$speed" -p "$pitch" -f "$dir/$n.txt" -w "$dir/$n.wav"
  done <"$dir/plan.tsv"

  # 2. Trim, join with fixed pauses, write the transcript and the chapter times.
  python3 "$helper" join "$script" "$dir" "$dir/episode.wav" "$root/transcripts/$slug.vtt" "$md"

  # 3. Encode.
  format=$(python3 "$helper" format "$script")
  rm -f "$root/episodes/$slug.recording.mp3" "$root/episodes/$slug.recording.m4a"
  out="$root/episodes/$slug.recording.$format"
  if [ "$format" = m4a ]; then
    ffmpeg "${quiet[@]}" -i "$dir/episode.wav" "${exact[@]}" -c:a aac -profile:a aac_low -b:a 32k -ac 1 -ar 22050 \
      -movflags +faststart "$out"
  else
    # CBR with ffmpeg's default Xing/LAME header (encoder delay and padding, for exact durations),
    # an ID3v2.3 tag and no ID3v1.
    ffmpeg "${quiet[@]}" -i "$dir/episode.wav" "${exact[@]}" -c:a libmp3lame -b:a 32k -ac 1 -ar 22050 \
      -id3v2_version 3 -write_id3v1 0 "$out"
  fi

  # 4. Decode what was encoded and check that every cue starts where its speech starts.
  ffmpeg "${quiet[@]}" -i "$out" -f s16le -ac 1 -ar 22050 "$dir/decoded.raw"
  python3 "$helper" verify "$root/transcripts/$slug.vtt" "$dir/decoded.raw"
  echo "   $(basename "$out"): $(stat -c %s "$out") bytes"
done

total=$(cat "$root"/episodes/*.recording.* 2>/dev/null | wc -c)
echo "all recordings: $total bytes"
if [ "$total" -ge 3000000 ]; then
  echo "synthesize.sh: the recordings must stay under 3 MB" >&2
  exit 1
fi
