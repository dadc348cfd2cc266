# Sourced by the benchmark scripts: sets BIN to the binary to measure, at "$CACHE/$1", and VERSION
# to what it is. VEILLEE_BIN if given, else a release build of one commit (COMMIT, default HEAD)
# from `git archive`, in its own target directory (seeded from the shared one's dependencies):
# other engineers' uncommitted work and their rebuilds of the shared target do not leak in.
# Needs CACHE and TARGET.
if [ -n "${VEILLEE_BIN:-}" ]; then
  BIN_SRC="$VEILLEE_BIN"
  VERSION="$VEILLEE_BIN"
else
  REV="$(git rev-parse --short "${COMMIT:-HEAD}")"
  SRC="$CACHE/src-$REV"
  BIN_SRC="$SRC.bin"
  VERSION="$REV (release build of the commit, from git archive)"
  if [ ! -x "$BIN_SRC" ]; then
    rm -rf "$SRC" && mkdir -p "$SRC" && git archive "$REV" | tar -x -C "$SRC"
    # git archive dates every file at the commit's time, and cargo judges a path package fresh
    # by mtime: a commit older than the last binary built in the shared target directory would
    # get that binary. Dated now, the sources are always rebuilt (the dependencies are not).
    find "$SRC" -type f -exec touch {} +
    if [ ! -d "$CACHE/target/release" ] && [ -d "$TARGET/release" ]; then
      mkdir -p "$CACHE/target" && cp -a "$TARGET/release" "$CACHE/target/"
    fi
    (cd "$SRC" && CARGO_TARGET_DIR="$CACHE/target" cargo build --release --locked)
    cp "$CACHE/target/release/veillee" "$BIN_SRC"
  fi
fi
BIN="$CACHE/$1"
cp "$BIN_SRC" "$BIN.tmp" && mv "$BIN.tmp" "$BIN"
