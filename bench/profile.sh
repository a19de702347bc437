#!/bin/sh
# Profile one sourcebook build with perf and group the time by phase.
#
#   bench/profile.sh [ARTICLES]          # default 10000; run bench/run.py once first
#   FREQ=999 bench/profile.sh 1000       # more samples for a short build (default 199 Hz)
#
# Builds a release binary with debug symbols into its own target folder (so
# target/release is untouched), records a DWARF call graph of one full build
# of the cached corpus, and prints bench/phases.py's tables plus perf's own
# top functions. Needs `perf` (apt-get install -y linux-perf) and
# kernel.perf_event_paranoid <= 2.
set -eu
N=${1:-10000}
REPO=$(cd "$(dirname "$0")/.." && pwd)
WORK=${TMPDIR:-/tmp}/sourcebook-bench
CORPUS=$(ls -d "$WORK"/corpus/sourcebook-n"$N"-seed1-* 2>/dev/null | head -n 1)
[ -n "$CORPUS" ] || { echo "no cached $N-article corpus: run python3 bench/run.py --sizes $N first" >&2; exit 1; }

export CARGO_TARGET_DIR="$WORK/target-prof" CARGO_PROFILE_RELEASE_DEBUG=true
(cd "$REPO" && cargo build --release)
BIN="$CARGO_TARGET_DIR/release/sourcebook"

rm -rf "$WORK/out/profile"
perf record -F "${FREQ:-199}" --call-graph dwarf,32768 -o "$WORK/perf-$N.data" \
    "$BIN" --root "$CORPUS" --quiet build --output "$WORK/out/profile" 2>/dev/null
rm -rf "$WORK/out/profile"

perf script -i "$WORK/perf-$N.data" -F tid,period,ip,sym,dso --no-inline 2>/dev/null \
    | python3 "$REPO/bench/phases.py"
echo
echo "perf report (self time, inlined frames resolved):"
perf report -i "$WORK/perf-$N.data" --no-children --sort symbol --stdio -g none \
    --percent-limit 1 2>/dev/null | grep -v '^#' | grep -v '^$' | head -n 15
