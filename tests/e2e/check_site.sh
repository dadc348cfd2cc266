#!/usr/bin/env bash
# The website in a real browser (check_site.mjs: Debian's chromium driven by playwright-core,
# axe-core), against `veillee serve --preview` of a copy of the sample show on 127.0.0.1.
#
#   bash tests/e2e/check_site.sh --bin VEILLEE --show REPO_ROOT --work EMPTY_DIR [--screenshots DIR]
#
# The screenshots go to WORK/screenshots unless DIR is given (tests/e2e/screenshots/ is where the
# committed ones live: `bash tests/e2e/check_site.sh … --screenshots tests/e2e/screenshots`).
set -uo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_group site
SHOTS=""
rest=()
while [ $# -gt 0 ]; do
  case "$1" in
  --screenshots) SHOTS=$2; shift 2 ;;
  *) rest+=("$1"); shift ;;
  esac
done
e2e_args "--bin VEILLEE --show REPO_ROOT --work EMPTY_DIR" "${rest[@]}"
need_tools "chromium (Debian) and node" chromium node
[ "$failed" = 0 ] || finish
e2e_env

copy_sample_show "$SHOW" "$WORK/show"
start_server "$WORK/show" "$WORK/serve.log" --preview

node "$(dirname "${BASH_SOURCE[0]}")/check_site.mjs" --url "$URL" --screenshots "${SHOTS:-$WORK/screenshots}" >"$WORK/site.out" 2>&1
rc=$?
grep -E '^(ok|FAIL|note) ' "$WORK/site.out"
line="$(grep -E '^site: [0-9]+ passed, [0-9]+ failed$' "$WORK/site.out" | tail -n1)"
if [ -z "$line" ]; then
  fail "check_site.mjs printed no summary (exit $rc):"
  indent "$WORK/site.out"
else
  read -r p f <<<"$(sed -E 's/^site: ([0-9]+) passed, ([0-9]+) failed$/\1 \2/' <<<"$line")"
  passed=$((passed + p))
  failed=$((failed + f))
fi
server_still_running "the browser checks"
finish
