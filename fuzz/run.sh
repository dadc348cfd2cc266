#!/usr/bin/env bash
# Runs each transcript fuzz target for SECONDS (default 600) on the stable toolchain.
set -euo pipefail
cd "$(dirname "$0")"
SECONDS_PER_TARGET="${1:-600}"
export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-$PWD/target}"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
cargo fuzz build -s none -O
mkdir -p corpus/vtt corpus/srt corpus/json
cp ../tests/fixtures/search/transcripts/*.vtt ../tests/fixtures/podcast-namespace/*.vtt ../transcripts/*.vtt corpus/vtt/
cp ../tests/fixtures/search/transcripts/*.srt ../tests/fixtures/podcast-namespace/*.srt corpus/srt/
cp ../tests/fixtures/search/transcripts/*.json ../tests/fixtures/podcast-namespace/*.json corpus/json/
run() {
  cargo fuzz run -s none -O "$1" "corpus/$1" -- -max_total_time="$SECONDS_PER_TARGET" -max_len=65536 \
    >"fuzz-$1.log" 2>&1 || true
  grep -E "^#[0-9]+ *DONE|Done [0-9]+ runs" "fuzz-$1.log" | tail -2 | sed "s/^/$1: /"
  if grep -q "SUMMARY" "fuzz-$1.log"; then echo "crash in $1: see fuzz/artifacts/$1"; return 1; fi
}
# PARALLEL=1 runs the three targets at once (one core each when there are cores to spare).
status=0
if [ -n "${PARALLEL:-}" ]; then
  pids=()
  for target in vtt srt json; do run "$target" & pids+=($!); done
  for pid in "${pids[@]}"; do wait "$pid" || status=1; done
else
  for target in vtt srt json; do echo "== $target: $SECONDS_PER_TARGET s"; run "$target" || status=1; done
fi
exit $status
