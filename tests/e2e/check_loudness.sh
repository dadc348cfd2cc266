#!/usr/bin/env bash
# `veillee probe --loudness` against ffmpeg's own EBU R128 meter (`-af ebur128=peak=true`, Debian
# `ffmpeg`), on files that ffmpeg makes in WORK: different loudness (quiet, on target, hot), sample
# rates (22,050, 44,100, 48,000 Hz), channel counts (mono, stereo) and codecs (MP3, FLAC, WAV,
# M4A, Ogg Vorbis). For each: integrated loudness within 0.1 LU and true peak within 0.1 dB of
# ffmpeg's, the loudness range within 0.5 LU (ffmpeg's ebur128 filter and libebur128 gate the
# range's short-term blocks slightly differently); the silence put at the head found to 0.1 s;
# and the command of a loudness warning, run as printed, brings the file within the target.
# `veillee master` on each of those files, and the sample show as published (every file in
# www/media, light versions included), measured by the same meter and decoded by ffmpeg to the
# recording's length.
#
#   bash tests/e2e/check_loudness.sh --bin VEILLEE --show REPO_ROOT --work EMPTY_DIR [--python PYTHON]
#
# Every check prints `ok   [loudness] name` or `FAIL [loudness] name: why`; the last line is
# `loudness: N passed, M failed`; the exit code is 1 if any check failed or none ran.
set -uo pipefail

PY=python3
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_group loudness
e2e_args "--bin VEILLEE --show REPO_ROOT --work EMPTY_DIR [--python PYTHON]" "$@"
need_tools "ffmpeg" ffmpeg "$PY"
[ "$failed" = 0 ] || finish
e2e_env
mkdir -p "$WORK"
cd "$WORK" || exit 1

F="ffmpeg -hide_banner -loglevel error -y"
# Speech-like material: pink noise whose level moves, and a tone, ten seconds after two of silence.
make() { # name rate channels volume-dB codec-args...
  local name=$1 rate=$2 ch=$3 vol=$4
  shift 4
  $F -f lavfi -i "anoisesrc=color=pink:duration=10:amplitude=0.5:seed=7:sample_rate=$rate" \
    -f lavfi -i "sine=frequency=330:duration=10:sample_rate=$rate" \
    -filter_complex "[0]volume='0.6+0.4*sin(t)':eval=frame[n];[n][1]amix=inputs=2,volume=${vol}dB,adelay=2000:all=1,aresample=$rate" \
    -ac "$ch" "$@" "$name"
}
make quiet-mono-22k.mp3 22050 1 -8 -c:a libmp3lame -b:a 64k
make target-stereo-44k.flac 44100 2 10 -c:a flac
make hot-stereo-48k.wav 48000 2 13 -c:a pcm_s16le
make mid-mono-44k.m4a 44100 1 0 -c:a aac -b:a 96k
make mid-stereo-44k.ogg 44100 2 -4 -c:a libvorbis -q:a 4
FILES=(quiet-mono-22k.mp3 target-stereo-44k.flac hot-stereo-48k.wav mid-mono-44k.m4a mid-stereo-44k.ogg)

# ffmpeg's summary: I (LUFS), LRA (LU), true peak (dBFS).
ffmpeg_r128() {
  ffmpeg -hide_banner -nostats -i "$1" -af ebur128=peak=true -f null - 2>&1 |
    "$PY" -c '
import re, sys
text = sys.stdin.read().split("Summary:")[-1]
i = re.search(r"I:\s+(-?[0-9.]+|-inf) LUFS", text).group(1)
lra = re.search(r"LRA:\s+(-?[0-9.]+) LU", text).group(1)
peak = re.search(r"True peak:\s+Peak:\s+(-?[0-9.]+|-inf) dBFS", text).group(1)
print(i, lra, peak)'
}

if ! "$BIN" probe --loudness --json "${FILES[@]}" >probe.json 2>probe.err; then
  fail "veillee probe --loudness --json exited non-zero: $(cat probe.err)"
  finish
fi
ok "veillee probe --loudness --json measured ${#FILES[@]} files"
# close FILE FIELD WANT TOLERANCE: veillee's FIELD for FILE within TOLERANCE of WANT.
close() {
  "$PY" - "$@" probe.json <<'PY'
import json, sys
name, field, want, tol, path = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
got = next(r for r in json.load(open(path)) if r["file"] == name)[field]
sys.exit(0 if abs(got - want) <= tol else f"veillee {got}, expected {want} ± {tol}")
PY
}
for f in "${FILES[@]}"; do
  read -r fi flra fpeak <<<"$(ffmpeg_r128 "$f")"
  check "$f: integrated loudness within 0.1 LU of ffmpeg ($fi LUFS)" close "$f" integrated_lufs "$fi" 0.1
  check "$f: true peak within 0.1 dB of ffmpeg ($fpeak dBTP)" close "$f" true_peak_dbtp "$fpeak" 0.1
  check "$f: loudness range within 0.5 LU of ffmpeg ($flra LU)" close "$f" loudness_range_lu "$flra" 0.5
  # The encoder's priming may add a few ms of near-silence before the delay.
  check "$f: two seconds of silence at the start" close "$f" head_silence 2.0 0.1
done

# The quiet file gets a loudness warning whose command, run as printed, fixes it.
cmd="$("$PY" -c 'import json; r = json.load(open("probe.json")); q = next(x for x in r if x["file"] == "quiet-mono-22k.mp3"); w = [p["code"] for p in q["warnings"]]; assert "audio.loudness" in w, w; print(q["loudnorm"])' 2>&1)"
if [[ "$cmd" == ffmpeg* ]]; then
  ok "the quiet file is warned about, with a loudnorm command"
  if bash -c "$cmd" </dev/null >/dev/null 2>loudnorm.err; then
    read -r ni _ _ <<<"$(ffmpeg_r128 quiet-mono-22k.normalise.mp3)"
    check "the printed loudnorm command brings it within the target ($ni LUFS)" \
      "$PY" -c "import sys; sys.exit(0 if abs($ni - (-16)) <= 1 else 'at $ni LUFS')"
  else
    fail "the printed loudnorm command failed: $(cat loudnorm.err)"
  fi
else
  fail "no loudness warning with a command for the quiet file: $cmd"
fi

# `veillee master`: each file made into an episode's MP3, measured by ffmpeg: within 0.5 LU of
# -16 LUFS, true peak at most -1 dBTP, and decoded by ffmpeg to the 12 s each file was made with,
# within 2 samples (its LAME tag tells ffmpeg the encoder's delay and padding; an M4A's priming,
# which its edit list hides, is left out, and its padding, which ffmpeg decodes, too).
# samples FILE: what ffmpeg decodes, in samples per channel at the file's own rate, and that rate.
samples() {
  local rate bytes
  rate="$(ffprobe -v error -select_streams a:0 -show_entries stream=sample_rate -of csv=p=0 "$1")"
  bytes="$(ffmpeg -v error -xerror -i "$1" -ac 1 -f s16le - | wc -c)"
  echo "$((bytes / 2)) $rate"
}
copy_sample_show "$SHOW" "$WORK/show"
"$BIN" --root "$WORK/show" new episode "Essai de mastering" >/dev/null
for f in "${FILES[@]}"; do
  if "$BIN" --root "$WORK/show" master essai-de-mastering --from "$WORK/$f" >master.out 2>&1; then
    read -r mi _ mpeak <<<"$(ffmpeg_r128 "$WORK/show/episodes/essai-de-mastering.mp3")"
    check "master $f: ffmpeg measures $mi LUFS (within 0.5 LU of -16) and a true peak of $mpeak dBTP (at most -1)" \
      "$PY" -c "import sys; sys.exit(0 if abs($mi + 16) <= 0.5 and $mpeak <= -1.0 else 'off')"
    read -r on or <<<"$(samples "$WORK/show/episodes/essai-de-mastering.mp3")"
    check "master $f: ffmpeg decodes the MP3 to the recording's 12 s ($on samples at $or Hz)" \
      "$PY" -c "import sys; sys.exit(0 if abs($on - 12 * $or) <= 2 else 'not 12 s')"
  else
    fail "veillee master refused $f: $(cat master.out)"
  fi
done

# The sample show as published: every file in www/media, light versions included, at -16 LUFS
# within 1 LU and a true peak at most -1 dBTP by ffmpeg's meter; each light version decoded by
# ffmpeg without an error, mono 22,050 Hz, to its recording's length within 1 ms.
copy_sample_show "$SHOW" "$WORK/sample"
if "$BIN" --root "$WORK/sample" build >build.out 2>&1; then
  media=("$WORK/sample/build/current/www/media/"*.mp3)
  check "the sample show publishes 20 files (10 episodes, each with its light version)" \
    "$PY" -c "import sys; sys.exit(0 if ${#media[@]} == 20 and $(ls "$WORK/sample/build/current/www/media/"*.light.mp3 | wc -l) == 10 else '${#media[@]} files')"
  for m in "${media[@]}"; do
    name="$(basename "$m")"
    read -r mi _ mpeak <<<"$(ffmpeg_r128 "$m")"
    check "www/media/$name: ffmpeg measures $mi LUFS (-16 ± 1) and a true peak of $mpeak dBTP (at most -1)" \
      "$PY" -c "import sys; sys.exit(0 if abs($mi + 16) <= 1 and $mpeak <= -1.0 else 'off')"
    if [[ "$name" == *.light.mp3 ]]; then
      slug="${name%%.*}"
      rec="$(ls "$WORK/sample/episodes/$slug.recording."*)"
      read -r ln lr <<<"$(samples "$m")"
      read -r rn rr <<<"$(samples "$rec")"
      # ffmpeg decodes an M4A's padding: its length is the stream's, from the edit list (in
      # movie time, to the millisecond).
      [[ "$rec" == *.m4a ]] && rn="$(ffprobe -v error -select_streams a:0 -show_entries stream=duration_ts -of csv=p=0 "$rec")"
      ch="$(ffprobe -v error -select_streams a:0 -show_entries stream=channels -of csv=p=0 "$m")"
      check "www/media/$name: ffmpeg decodes it, mono $lr Hz, to its recording's length ($ln samples; $(basename "$rec"): $rn at $rr Hz)" \
        "$PY" -c "import sys; sys.exit(0 if $ch == 1 and $lr == 22050 and abs($ln - $rn * $lr / $rr) <= $lr / 1000 else 'no')"
    fi
  done
else
  fail "veillee build of the sample show failed: $(cat build.out)"
fi
finish
