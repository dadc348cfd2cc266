#!/usr/bin/env bash
# Installs the pinned Python requirements of the benchmarks (tests/e2e/bench-requirements.txt: other languages' tooling lives in tests/e2e) into a
# venv, by default ~/.cache/veillee-bench/venv, and prints the venv's python. Reinstalls only
# when that file changed.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
VENV="${VENV:-$HOME/.cache/veillee-bench/venv}"
REQ="$HERE/../tests/e2e/bench-requirements.txt"
STAMP="$VENV/.requirements.sha256"
want="$(sha256sum "$REQ" | cut -d' ' -f1)"
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$STAMP" 2>/dev/null)" != "$want" ]; then
  python3 -m venv "$VENV" >&2
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQ" >&2
  echo "$want" > "$STAMP"
fi
echo "$VENV/bin/python"
