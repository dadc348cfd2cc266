#!/usr/bin/env bash
# Staff publishing from a browser (check_admin.mjs: Debian's chromium driven by playwright-core,
# axe-core) against `veillee serve` of a copy of the sample show, made a git repository, with an
# editor and an author; then what it leaves: the commit, the server's log without any token.
#
#   bash tests/e2e/check_admin.sh --bin VEILLEE --show REPO_ROOT --work EMPTY_DIR [--screenshots DIR]
set -uo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_group admin
SHOTS=""
rest=()
while [ $# -gt 0 ]; do
  case "$1" in
  --screenshots) SHOTS=$2; shift 2 ;;
  *) rest+=("$1"); shift ;;
  esac
done
e2e_args "--bin VEILLEE --show REPO_ROOT --work EMPTY_DIR" "${rest[@]}"
need_tools "chromium (Debian), node and git" chromium node git
[ "$failed" = 0 ] || finish
e2e_env

SITE="$WORK/show"
copy_sample_show "$SHOW" "$SITE"
# As `veillee init` writes it: recordings stay out of git.
printf '/build\n.veillee/\n/episodes/*.recording.*\n' >"$SITE/.gitignore"
git -C "$SITE" init -q && git -C "$SITE" add -A &&
  git -C "$SITE" -c user.name=Init -c user.email=init@example.org commit -qm "The sample show" ||
  { fail "git could not make the copy a repository"; finish; }
token() { sed -n 's/^token (shown this once; give it to .* privately): //p' "$1"; }
"$BIN" --root "$SITE" staff add "Camille Martin" --email camille@example.org --role editor >"$WORK/editor.out" 2>&1
"$BIN" --root "$SITE" staff add "Yann Le Goff" --email yann@example.org --role author >"$WORK/author.out" 2>&1
EDITOR="$(token "$WORK/editor.out")" AUTHOR="$(token "$WORK/author.out")"
check "veillee staff add printed an editor's and an author's token" test -n "$EDITOR" -a -n "$AUTHOR"

# What a staff member has on their computer: an episode's recording and its transcript, under
# names of their own.
mkdir -p "$WORK/upload"
cp "$SHOW/episodes/autodiagnostic-reperer-ses-fragilites.recording.mp3" "$WORK/upload/Entretien Lunas (montage final).mp3"
cp "$SHOW/transcripts/autodiagnostic-reperer-ses-fragilites.vtt" "$WORK/upload/transcription lunas.vtt"
printf 'ceci n’est pas du son\n%.0s' $(seq 1 200) >"$WORK/upload/faux.mp3"

start_server "$SITE" "$WORK/serve.log"
node "$(dirname "${BASH_SOURCE[0]}")/check_admin.mjs" --url "$URL" --editor "$EDITOR" --author "$AUTHOR" \
  --audio "$WORK/upload/Entretien Lunas (montage final).mp3" --transcript "$WORK/upload/transcription lunas.vtt" \
  --not-audio "$WORK/upload/faux.mp3" --screenshots "${SHOTS:-$WORK/screenshots}" >"$WORK/admin.out" 2>&1
rc=$?
grep -E '^(ok|FAIL|note) ' "$WORK/admin.out"
line="$(grep -E '^admin: [0-9]+ passed, [0-9]+ failed$' "$WORK/admin.out" | tail -n1)"
if [ -z "$line" ]; then
  fail "check_admin.mjs printed no summary (exit $rc):"
  indent "$WORK/admin.out"
else
  read -r p f <<<"$(sed -E 's/^admin: ([0-9]+) passed, ([0-9]+) failed$/\1 \2/' <<<"$line")"
  passed=$((passed + p))
  failed=$((failed + f))
fi
server_still_running "the admin checks"

SLUG=lunas-la-grille-au-conseil-municipal
GONE=resider-pour-raconter-la-traverse
check "the publish is one git commit, authored by the editor, of the ledger and the episode's four files" \
  test "$(git -C "$SITE" log -1 --skip=1 --format='%an <%ae>|%s' 2>&1)" = "Camille Martin <camille@example.org>|Publish $SLUG"
files="$(git -C "$SITE" show --name-only --format= HEAD~1 | sort | tr '\n' ' ')"
check "the commit holds exactly episodes/$SLUG.{light.mp3,md,mp3}, feed/archive.toml, transcripts/$SLUG.vtt, not the recording (got: $files)" \
  test "$files" = "episodes/$SLUG.light.mp3 episodes/$SLUG.md episodes/$SLUG.mp3 feed/archive.toml transcripts/$SLUG.vtt "
check "the upload is kept beside it as the recording, out of git" test -f "$SITE/episodes/$SLUG.recording.mp3"
check "the retraction is the next commit, by the editor, with its reason" \
  test "$(git -C "$SITE" log -1 --format='%an <%ae>|%s' 2>&1)" = "Camille Martin <camille@example.org>|Retract $GONE: Une invitée retire son accord"
files="$(git -C "$SITE" show --name-only --format= HEAD | sort | tr '\n' ' ')"
check "it holds the ledger and the deletion of the episode's four files (got: $files)" \
  test "$files" = "episodes/$GONE.light.mp3 episodes/$GONE.md episodes/$GONE.mp3 feed/archive.toml transcripts/$GONE.vtt "
check "its recording is deleted too" test ! -e "$SITE/episodes/$GONE.recording.m4a"
check "no file of the retracted episode is left under build/ (generations and previews)" \
  test -z "$(find -L "$SITE/build" -name "*$GONE*" 2>/dev/null)"
check "veillee archive log names the retraction, its title and reason" \
  bash -c '"$1" --root "$2" archive log "$3" | grep -q "retract .*Résider pour raconter" && "$1" --root "$2" archive log "$3" | grep -q "reason: Une invitée retire son accord"' _ "$BIN" "$SITE" "$GONE"
check "veillee check passes after the retraction" "$BIN" --root "$SITE" check
check "nothing else is left uncommitted or staged by the admin (git status: $(git -C "$SITE" status --porcelain | tr '\n' ' '))" \
  test -z "$(git -C "$SITE" status --porcelain)"
check "no upload is left in .veillee/uploads" test -z "$(ls -A "$SITE/.veillee/uploads" 2>/dev/null)"
for t in "$EDITOR" "$AUTHOR"; do
  check "the server's log holds no staff token nor its secret (${t%%.*}…)" bash -c '! grep -qF -- "${1#*.}" "$2"' _ "$t" "$WORK/serve.log"
done
check "the server's log has one line per admin request (POST /admin/connexion)" grep -q 'method=POST path="/admin/connexion"' "$WORK/serve.log"
# The enclosure of the new item downloads whole from the server, as a podcast app would.
fetch -o "$WORK/feed.xml" "${URL}feed.xml"
media="$(grep -o "/media/$SLUG\.[0-9a-f]*\.mp3" "$WORK/feed.xml" | head -n1)"
check "the feed's enclosure for $SLUG is served whole (HTTP 200, $media)" \
  test "$(fetch -o /dev/null -w '%{http_code}' "${URL%/}$media")" = 200
finish
