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
for target in vtt srt json; do
  echo "== $target: $SECONDS_PER_TARGET s"
  cargo fuzz run -s none -O "$target" "corpus/$target" -- -max_total_time="$SECONDS_PER_TARGET" -max_len=65536 \
    2>&1 | tee "fuzz-$target.log" | grep -E "^#[0-9]+ *(DONE|pulse)|ERROR|panicked|SUMMARY|Done" || true
  grep -q "SUMMARY" "fuzz-$target.log" && { echo "crash in $target: see fuzz/artifacts/$target"; exit 1; }
done
