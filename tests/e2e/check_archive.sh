#!/usr/bin/env bash
# The archive with parts nobody here wrote, on a copy of the sample show (one episode retracted):
# the bag `veillee archive export` writes, validated by the Library of Congress's `bagit` (PyPI);
# the same bag with one byte changed, refused by both `bagit` and `veillee archive restore`; the
# bag restored, built, and its feed and media compared byte for byte with `cmp`; `archive
# verify` against `sha256sum` on a source and a published file it reports.
#
#   bash tests/e2e/check_archive.sh --bin VEILLEE --show REPO_ROOT --work EMPTY_DIR --python PYTHON
#
# Every check prints `ok   [archive] name` or `FAIL [archive] name: why`; the last line is
# `archive: N passed, M failed`; the exit code is 1 if any check failed or none ran.
set -uo pipefail

PY=python3
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_group archive
e2e_args "--bin VEILLEE --show REPO_ROOT --work EMPTY_DIR --python PYTHON" "$@"
need_tools "cmp, sha256sum (coreutils)" cmp sha256sum "$PY"
"$PY" -c 'import bagit' 2>/dev/null || fail "the Python bagit package is missing (the runner installs it from requirements.txt)"
[ "$failed" = 0 ] || finish
e2e_env
mkdir -p "$WORK"
SITE="$WORK/show"
copy_sample_show "$SHOW" "$SITE"
GONE=frapper-aux-portes-a-leaz

check "veillee retract $GONE (sources kept) before the export" \
  "$BIN" --root "$SITE" retract "$GONE" --reason "Retrait de démonstration" --keep-sources
check "veillee archive export writes a bag" "$BIN" --root "$SITE" archive export "$WORK/bag"
validate() { # BAG: bagit's own validation (fast=False: every checksum)
  "$PY" - "$1" <<'PY'
import sys, bagit
try:
    bag = bagit.Bag(sys.argv[1])
    bag.validate(fast=False)
except bagit.BagError as e:
    print(f"invalid: {e}"[:600])
    sys.exit(1)
print(f"valid: {len(bag.payload_entries())} payload files, BagIt {bag.version}")
PY
}
check "bagit $("$PY" -c 'import bagit; print(bagit.VERSION)') validates the bag: $(validate "$WORK/bag" | head -n1)" validate "$WORK/bag"
check "bagit reads the show's metadata from bag-info.txt (Title, Payload-Oxum, External-Identifier)" "$PY" - "$WORK/bag" <<'PY'
import sys, bagit
info = bagit.Bag(sys.argv[1]).info
assert info.get("Title") == "Dynamiques collectives", info
assert info.get("External-Identifier", "").startswith("podcast:guid "), info
assert "Payload-Oxum" in info and "Bagging-Date" in info, info
PY
check "the retracted episode's files are not in the bag, its ledger record is" bash -c \
  '! grep -q "data/.*'$GONE'[./]" "$1/manifest-sha256.txt" && grep -q "action = \"retract\"" "$1/data/sources/feed/archive.toml"' _ "$WORK/bag"

# One byte changed in a published media file: both refuse the bag.
cp -R "$WORK/bag" "$WORK/bad-bag"
media="$(ls "$WORK/bad-bag/data/media/"*.mp3 | head -n1)"
printf '\x55' | dd of="$media" bs=1 seek=40000 conv=notrunc status=none
check "bagit finds the changed byte" bash -c '! "$@"' _ validate "$WORK/bad-bag"
out="$("$BIN" archive restore "$WORK/bad-bag" "$WORK/from-bad" 2>&1)"
rc=$?
check "veillee archive restore refuses the changed bag, naming the file (exit $rc: ${out:0:160})" \
  bash -c '[ "$1" = 1 ] && grep -qF "$(basename "$2"): altered" <<<"$3"' _ "$rc" "$media" "$out"
check "nothing was restored from the changed bag" test ! -e "$WORK/from-bad"

# The round trip: restore, build, the same feed and media.
check "veillee archive restore makes a new show of the bag" "$BIN" archive restore "$WORK/bag" "$WORK/restored"
check "the restored show builds" "$BIN" --root "$WORK/restored" build
check "the rebuilt feed is the bag's, byte for byte (cmp)" cmp "$WORK/bag/data/feed.xml" "$WORK/restored/build/current/www/feed.xml"
n=0 differ=""
for f in "$WORK/bag/data/media/"*; do
  n=$((n + 1))
  cmp -s "$f" "$WORK/restored/build/current/www/media/$(basename "$f")" || differ="$differ $(basename "$f")"
done
check "every published media file of the bag ($n) is rebuilt byte for byte (cmp)${differ:+; differ:$differ}" test -z "$differ" -a "$n" -gt 0
check "veillee archive verify finds no damage in the restored show" "$BIN" --root "$WORK/restored" archive verify

# verify against sha256sum: a source changed is named with the hashes sha256sum gives.
src="$WORK/restored/episodes/une-grille-pour-faire-le-point.mp3"
printf '\x55' | dd of="$src" bs=1 seek=30000 conv=notrunc status=none
out="$("$BIN" --root "$WORK/restored" archive verify 2>&1)"
rc=$?
sum="$(sha256sum "$src" | cut -c1-12)"
check "veillee archive verify exits 1 and names the changed source with sha256sum's hash ($sum…)" \
  bash -c '[ "$1" = 1 ] && grep -q "episodes/une-grille-pour-faire-le-point.mp3: not the audio published .*its SHA-256 is $2…" <<<"$3"' _ "$rc" "$sum" "$out"
# The ledger's last entry for it: its current version (mastered).
ledger_sum="$(sed -n '/slug = "une-grille-pour-faire-le-point"/,/media_sha256/p' "$WORK/restored/feed/archive.toml" | sed -n 's/^media_sha256 = "\(.\{12\}\).*/\1/p' | tail -n1)"
check "the ledger's hash it quotes is sha256sum's of the bag's source ($ledger_sum…)" \
  test "$ledger_sum" = "$(sha256sum "$WORK/bag/data/sources/episodes/une-grille-pour-faire-le-point.mp3" | cut -c1-12)"
finish
