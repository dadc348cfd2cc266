#!/usr/bin/env bash
# `veillee deploy s3://…` on a generated 1,000-episode show (benches/data.sh's catalog_dir) to a
# local S3-compatible store (moto's server, pinned in tests/e2e/requirements.txt, on 127.0.0.1):
# the first deploy (every file), a deploy with nothing changed, then one episode's title
# corrected, built, and deployed. Prints the counts, whether the objects uploaded are exactly the
# files the build re-wrote (the archive issue's goal: nothing else), and each deploy's wall time.
#
#   bash benches/deploy.sh        # COMMIT (HEAD) or VEILLEE_BIN; EPISODES (1000)
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET="${CARGO_TARGET_DIR:-$HOME/.cache/veillee-target}"
CACHE="${BENCH_DIR:-$HOME/.cache/veillee-bench}"
EPISODES="${EPISODES:-1000}"
OUT="$CACHE/deploy-out"
mkdir -p "$CACHE" "$OUT"
source benches/bench_bin.sh veillee-deploy-bin
source benches/data.sh
catalog_dir "$EPISODES" 1 "$BIN"

# moto's server and boto3, as tests/e2e pins them.
VENV="$CACHE/e2e-venv"
want="$(sha256sum tests/e2e/requirements.txt | cut -d' ' -f1)"
if [ "$(cat "$VENV/.stamp" 2>/dev/null)" != "$want" ]; then
  python3 -m venv "$VENV" && "$VENV/bin/pip" install -q -r tests/e2e/requirements.txt && echo "$want" >"$VENV/.stamp"
fi
SHOW="$OUT/show"
rm -rf "$SHOW" && cp -R "$CATALOG" "$SHOW"
PORT="$("$VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$VENV/bin/moto_server" -H 127.0.0.1 -p "$PORT" >"$OUT/moto.log" 2>&1 &
MOTO=$!
trap 'kill $MOTO 2>/dev/null' EXIT
for _ in $(seq 100); do curl -s --noproxy '*' -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.1; done
export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench AWS_REGION=eu-west-3
export AWS_ENDPOINT_URL="http://127.0.0.1:$PORT" AWS_ALLOW_HTTP=true no_proxy=127.0.0.1
"$VENV/bin/python" -c 'import boto3, os; boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"]).create_bucket(Bucket="bench", CreateBucketConfiguration={"LocationConstraint": "eu-west-3"})'

"$BIN" --root "$SHOW" build >/dev/null
timed() { # name: deploys, keeps the output and the wall time
  local start end
  start=$(date +%s.%N)
  "$BIN" --root "$SHOW" deploy --verbose s3://bench/site >"$OUT/$1.out"
  end=$(date +%s.%N)
  echo "$end - $start" | bc >"$OUT/$1.time"
}
timed first
timed unchanged
mds=("$SHOW"/episodes/*.md)
sed -i '0,/^title = "/s//title = "(corrigé) /' "${mds[0]}"
"$BIN" --root "$SHOW" build --verbose >"$OUT/build.out"
timed edit

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -sr)"
echo "veillee: $VERSION; store: moto $("$VENV/bin/python" -c 'import moto; print(moto.__version__)') on 127.0.0.1"
echo "show: $EPISODES episodes, $(find -L "$SHOW/build/current/www" -type f | wc -l) files in www"
python3 - "$OUT" <<'PY'
import re, sys
out = sys.argv[1]
def deployed(name):
    text = open(f"{out}/{name}.out").read()
    m = re.search(r"^deployed: (\d+) uploaded \(([\d.]+) MB\), (\d+) deleted, (\d+) unchanged", text, re.M)
    return [int(m.group(1)), float(m.group(2)), int(m.group(3)), int(m.group(4))], text
build = open(f"{out}/build.out").read()
written = int(re.search(r"(\d+) re-written", build).group(1))
rewritten = sorted(re.findall(r"^  re-written   (\S+)", build, re.M))
print()
print("| deploy | uploaded | MB | deleted | unchanged | wall time |")
print("|---|---|---|---|---|---|")
for name in ["first", "unchanged", "edit"]:
    (up, mb, dele, same), _ = deployed(name)
    t = float(open(f"{out}/{name}.time").read())
    print(f"| {name} | {up} | {mb:.1f} | {dele} | {same} | {t:.2f} s |")
(up, _, dele, _), text = deployed("edit")
listed = sorted(re.findall(r"^  uploaded  (\S+)", text, re.M))
same_names = listed == rewritten
ok = up == written and dele == 0 and same_names
print()
print(f"one episode's title corrected: the build re-wrote {written} files, the deploy uploaded {up} "
      f"(names {'the same' if same_names else 'DIFFERENT'}), deleted {dele}: "
      f"{'exactly what the build re-wrote: met' if ok else 'MISSED'}")
PY
