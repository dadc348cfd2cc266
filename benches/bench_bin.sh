# Sourced by every benchmark script: the one way they get the binaries they measure.
#
#   source benches/bench_bin.sh NAME      # BIN, BENCH_INDEX, BENCH_QUERY and VERSION for COMMIT (or VEILLEE_BIN)
#   veillee_bin NAME REV                  # the same for another commit (benches/compare.sh: two at once)
#
# A commit is built with `cargo build --release --locked` (and `--features bench` where the
# commit has that feature: the search benchmark's `veillee-bench`) from `git archive`, in its own
# target directory under CACHE (seeded from the shared one's dependencies): other engineers'
# uncommitted work and their rebuilds of the shared target do not leak in. VEILLEE_BIN measures
# a given binary instead. Needs CACHE and TARGET.

# veillee_bin NAME REV: sets BIN (a copy at "$CACHE/NAME"), BENCH_INDEX and BENCH_QUERY (the
# search benchmark's two halves, as that commit names them) and VERSION.
veillee_bin() {
  local name=$1 rev src bin_src features=()
  if [ -n "${VEILLEE_BIN:-}" ] && [ -z "${2:-}" ]; then
    bin_src="$VEILLEE_BIN"
    VERSION="$VEILLEE_BIN"
  else
    rev="$(git rev-parse --short "${2:-${COMMIT:-HEAD}}")"
    src="$CACHE/src-$rev"
    bin_src="$src.bin"
    VERSION="$rev (release build of the commit, from git archive)"
    if [ ! -x "$bin_src" ]; then
      rm -rf "$src" && mkdir -p "$src" && git archive "$rev" | tar -x -C "$src"
      # git archive dates every file at the commit's time, and cargo judges a path package fresh
      # by mtime: a commit older than the last binary built in the shared target directory would
      # get that binary. Dated now, the sources are always rebuilt (the dependencies are not).
      find "$src" -type f -exec touch {} +
      if [ ! -d "$CACHE/target/release" ] && [ -d "$TARGET/release" ]; then
        mkdir -p "$CACHE/target" && cp -a "$TARGET/release" "$CACHE/target/"
      fi
      grep -q '^bench = ' "$src/Cargo.toml" && features=(--features bench)
      (cd "$src" && CARGO_TARGET_DIR="$CACHE/target" cargo build --release --locked "${features[@]}")
      if [ -x "$CACHE/target/release/veillee-bench" ] && [ ${#features[@]} -gt 0 ]; then
        cp "$CACHE/target/release/veillee-bench" "$bin_src-bench"
      fi
      cp "$CACHE/target/release/veillee" "$bin_src"
    fi
  fi
  BIN="$CACHE/$name"
  cp "$bin_src" "$BIN.tmp" && mv "$BIN.tmp" "$BIN"
  if [ -x "$bin_src-bench" ]; then
    cp "$bin_src-bench" "$BIN-bench.tmp" && mv "$BIN-bench.tmp" "$BIN-bench"
    BENCH_INDEX="$BIN-bench index"
    BENCH_QUERY="$BIN-bench query"
  elif [ -x "$(dirname "$bin_src")/veillee-bench" ]; then
    BENCH_INDEX="$(dirname "$bin_src")/veillee-bench index"
    BENCH_QUERY="$(dirname "$bin_src")/veillee-bench query"
  else # commits before the bench binary had hidden subcommands
    BENCH_INDEX="$BIN bench-index"
    BENCH_QUERY="$BIN bench-query"
  fi
}

if [ -n "${1:-}" ]; then
  veillee_bin "$1"
fi
