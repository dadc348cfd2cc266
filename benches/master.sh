#!/usr/bin/env bash
# Mastering a 60-minute WAV (48 kHz stereo, 24-bit, about -27 LUFS with louder passages) into the
# episode's MP3 at the show's settings (-16 LUFS, -1 dBTP, mono 44.1 kHz, 96 kbit/s):
# `veillee master` against ffmpeg's two-pass `loudnorm` + libmp3lame on the same file, by turns
# (benches/interleave.py), whole processes, medians of RUNS. Then both results measured by
# ffmpeg's `ebur128=peak=true`. Goal (mastering issue): ≤ 1.0× ffmpeg's wall time, within 0.5 LU
# of the target where ffmpeg also is.
#
#   bash benches/master.sh        # COMMIT (HEAD) or VEILLEE_BIN; RUNS (3)
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET="${CARGO_TARGET_DIR:-$HOME/.cache/veillee-target}"
CACHE="${BENCH_DIR:-$HOME/.cache/veillee-bench}"
RUNS="${RUNS:-3}"
OUT="$CACHE/master-out"
mkdir -p "$CACHE" "$OUT"
source benches/bench_bin.sh veillee-master-bin

REC="$CACHE/recording-60min.wav"
if [ ! -f "$REC" ]; then
  ffmpeg -hide_banner -loglevel error -y \
    -f lavfi -i "anoisesrc=color=pink:duration=3600:amplitude=0.08:seed=9:sample_rate=48000" \
    -f lavfi -i "sine=frequency=220:duration=3600:sample_rate=48000" \
    -filter_complex "[0][1]amix=inputs=2,volume='0.7+0.5*sin(t/7)':eval=frame,aformat=channel_layouts=stereo" \
    -c:a pcm_s24le "$REC.tmp.wav"
  mv "$REC.tmp.wav" "$REC"
fi
SHOW="$OUT/show"
if [ ! -f "$SHOW/episodes/une-heure.md" ]; then
  rm -rf "$SHOW" && mkdir -p "$SHOW"
  "$BIN" --root "$SHOW" init --title "Banc mastering" --description "Une heure" --base-url https://banc.example.org \
    --author Banc --email banc@example.org >/dev/null
  "$BIN" --root "$SHOW" new episode "Une heure" >/dev/null
fi
cat >"$OUT/ffmpeg-two-pass.sh" <<'SH'
#!/usr/bin/env bash
# ffmpeg's documented two-pass loudness normalization, then LAME at the same settings.
set -euo pipefail
in=$1 out=$2
m="$(ffmpeg -hide_banner -nostats -i "$in" -af loudnorm=I=-16:TP=-1:LRA=11:print_format=json -f null - 2>&1 | sed -n '/^{/,/^}/p')"
get() { sed -n "s/.*\"$1\" : \"\([^\"]*\)\".*/\1/p" <<<"$m"; }
ffmpeg -hide_banner -loglevel error -y -i "$in" \
  -af "loudnorm=I=-16:TP=-1:LRA=11:measured_I=$(get input_i):measured_TP=$(get input_tp):measured_LRA=$(get input_lra):measured_thresh=$(get input_thresh):offset=$(get target_offset):linear=true" \
  -ac 1 -ar 44100 -c:a libmp3lame -b:a 96k "$out"
SH
chmod +x "$OUT/ffmpeg-two-pass.sh"

python3 benches/interleave.py --runs "$RUNS" -- \
  "$BIN --root $SHOW master une-heure --from $REC" \
  "$OUT/ffmpeg-two-pass.sh $REC $OUT/ffmpeg.mp3" >"$OUT/master.json"

measure() { ffmpeg -hide_banner -nostats -i "$1" -af ebur128=peak=true -f null - 2>&1 | sed -n '/Summary/,$p'; }
ours_i="$(measure "$SHOW/episodes/une-heure.mp3" | sed -n 's/^ *I: *\(-*[0-9.]*\) LUFS/\1/p')"
ours_tp="$(measure "$SHOW/episodes/une-heure.mp3" | sed -n 's/^ *Peak: *\(-*[0-9.]*\) dBFS/\1/p')"
ff_i="$(measure "$OUT/ffmpeg.mp3" | sed -n 's/^ *I: *\(-*[0-9.]*\) LUFS/\1/p')"
ff_tp="$(measure "$OUT/ffmpeg.mp3" | sed -n 's/^ *Peak: *\(-*[0-9.]*\) dBFS/\1/p')"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -sr)"
echo "veillee: $VERSION; ffmpeg $(ffmpeg -version | head -n1 | cut -d' ' -f3)"
echo "recording: $(du -h "$REC" | cut -f1), 60 min, 48 kHz stereo 24-bit"
python3 - "$OUT/master.json" "$ours_i" "$ours_tp" "$ff_i" "$ff_tp" <<'PY'
import json, statistics, sys
v, f = [statistics.median(r["times"]) for r in json.load(open(sys.argv[1]))["results"]]
oi, otp, fi, ftp = map(float, sys.argv[2:6])
print()
print("| tool | wall time (median) | loudness (ffmpeg ebur128) | true peak |")
print("|---|---|---|---|")
print(f"| veillee master | {v:.2f} s | {oi:.1f} LUFS | {otp:.1f} dBTP |")
print(f"| ffmpeg loudnorm (2 passes) + libmp3lame | {f:.2f} s | {fi:.1f} LUFS | {ftp:.1f} dBTP |")
ratio = v / f
within = abs(oi + 16) <= 0.5
print()
print(f"ratio {ratio:.3f}x ffmpeg's wall time: {'met' if ratio <= 1.0 else 'MISSED'} (goal <= 1.0x); "
      f"veillee {abs(oi + 16):.2f} LU from the target, ffmpeg {abs(fi + 16):.2f} LU: "
      f"{'within 0.5 LU: met' if within else 'MISSED'}; true peak {'under' if otp <= -1 else 'ABOVE'} -1 dBTP")
PY
