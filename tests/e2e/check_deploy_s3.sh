#!/usr/bin/env bash
# `veillee deploy s3://…` against a local S3-compatible store: moto's server (PyPI `moto[server]`)
# on 127.0.0.1, read back with boto3. Every file of www is an object with the same bytes, its
# Content-Type and Cache-Control as `serve` sends them and its SHA-256 in its metadata; deployed
# again unchanged, nothing is uploaded; after one episode's notes change, exactly the files the
# build re-wrote are uploaded; after a retraction, its media is deleted from the store.
#
#   bash tests/e2e/check_deploy_s3.sh --bin VEILLEE --show REPO_ROOT --work EMPTY_DIR --python PYTHON
#
# Every check prints `ok   [storage] name` or `FAIL [storage] name: why`; the last line is
# `storage: N passed, M failed`; the exit code is 1 if any check failed or none ran.
set -uo pipefail

PY=python3
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_group storage
e2e_args "--bin VEILLEE --show REPO_ROOT --work EMPTY_DIR --python PYTHON" "$@"
MOTO="$(dirname "$PY")/moto_server"
need_tools "moto[server] (requirements.txt)" "$PY" "$MOTO"
"$PY" -c 'import boto3' 2>/dev/null || fail "boto3 is missing (the runner installs it from requirements.txt)"
[ "$failed" = 0 ] || finish
e2e_env
S="$WORK/show"
copy_sample_show "$SHOW" "$S"

PORT_S3="$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$MOTO" -H 127.0.0.1 -p "$PORT_S3" >"$WORK/moto.log" 2>&1 &
MOTO_PID=$!
trap 'kill "$MOTO_PID" 2>/dev/null' EXIT
for _ in $(seq 100); do curl -s --noproxy '*' -o /dev/null "http://127.0.0.1:$PORT_S3/" && break; sleep 0.1; done
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=eu-west-3
export AWS_ENDPOINT_URL="http://127.0.0.1:$PORT_S3" AWS_ALLOW_HTTP=true
"$PY" -c 'import boto3, os; boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"]).create_bucket(Bucket="veillee", CreateBucketConfiguration={"LocationConstraint": "eu-west-3"})' \
  || fail "moto's server did not create the bucket"
[ "$failed" = 0 ] || finish

deploy() { "$BIN" --root "$S" deploy s3://veillee/site >"$WORK/deploy-$1.out" 2>&1; }
uploaded() { sed -n 's/^deployed: \([0-9][0-9]*\) uploaded.*/\1/p' "$WORK/deploy-$1.out"; }
deleted() { sed -n 's/^deployed: .* \([0-9][0-9]*\) deleted.*/\1/p' "$WORK/deploy-$1.out"; }

check "veillee deploy uploads the whole site the first time" deploy first
WWW="$S/build/current/www"
files="$(find -L "$WWW" -type f | wc -l)"
check "it uploaded every file of www ($files): $(grep "^deployed:" "$WORK/deploy-first.out")" test "$(uploaded first)" = "$files"
check "every object has the file's bytes, Content-Type, Cache-Control and SHA-256 (boto3)" "$PY" - "$WWW" <<'PY'
import boto3, hashlib, os, sys
www = sys.argv[1]
s3 = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
types = {".mp3": "audio/mpeg", ".m4a": "audio/x-m4a", ".vtt": "text/vtt; charset=utf-8", ".html": "text/html; charset=utf-8",
         ".json": "application/json", ".css": "text/css; charset=utf-8", ".jpg": "image/jpeg", ".srt": "application/x-subrip"}
problems, n = [], 0
for root, _, names in os.walk(www, followlinks=True):
    for name in names:
        path = os.path.join(root, name)
        rel = os.path.relpath(path, www)
        obj = s3.get_object(Bucket="veillee", Key=f"site/{rel}")
        body = obj["Body"].read()
        data = open(path, "rb").read()
        n += 1
        if body != data:
            problems.append(f"{rel}: other bytes")
        if obj["Metadata"].get("sha256") != hashlib.sha256(data).hexdigest():
            problems.append(f"{rel}: sha256 {obj['Metadata']}")
        ext = os.path.splitext(name)[1]
        want = "application/rss+xml; charset=utf-8" if name == "feed.xml" else ("application/json+chapters" if name.endswith(".chapters.json") else types.get(ext))
        if want and obj.get("ContentType") != want:
            problems.append(f"{rel}: Content-Type {obj.get('ContentType')}")
        cache = obj.get("CacheControl", "")
        if not cache.startswith("public, max-age="):
            problems.append(f"{rel}: Cache-Control {cache!r}")
        if rel.startswith("media/") and cache != "public, max-age=86400":
            problems.append(f"{rel}: media Cache-Control {cache!r}")
if problems or n == 0:
    print(f"{n} objects; " + "; ".join(problems[:5]))
    sys.exit(1)
PY
deploy again
check "the second deploy uploads nothing ($(grep "^deployed:" "$WORK/deploy-again.out"))" test "$(uploaded again)" = 0 -a "$(deleted again)" = 0

# One episode's title is corrected: exactly what the build re-wrote goes up.
sed -i 's/^title = "Une grille pour faire le point/title = "Une grille (corrigée) pour faire le point/' "$S/episodes/une-grille-pour-faire-le-point.md"
grep -q "corrigée" "$S/episodes/une-grille-pour-faire-le-point.md" || fail "the edit did not apply"
"$BIN" --root "$S" build >"$WORK/build-edit.out" 2>&1
written="$(sed -n 's/^built .* \([0-9][0-9]*\) re-written.*/\1/p' "$WORK/build-edit.out")"
deploy edit
check "after one episode changed, the deploy uploads exactly the $written files the build re-wrote ($(grep "^deployed:" "$WORK/deploy-edit.out"))" \
  test "$(uploaded edit)" = "$written" -a "$written" -gt 0

# A retraction: its media leaves the store.
media="$(ls "$WWW/media/" | grep '^frapper-aux-portes-a-leaz\.')"
"$BIN" --root "$S" retract frapper-aux-portes-a-leaz --reason "Essai de retrait" >/dev/null 2>&1
deploy retract
check "after a retraction, the deploy deletes its media ($media) and its pages" bash -c \
  'grep -q "deleted   media/$1" "$2" && ! "$3" -c "import boto3, os, sys; boto3.client(\"s3\", endpoint_url=os.environ[\"AWS_ENDPOINT_URL\"]).head_object(Bucket=\"veillee\", Key=\"site/media/$1\")" 2>/dev/null' \
  _ "$media" "$WORK/deploy-retract.out" "$PY"
finish
