#!/bin/sh
# saga1m.sh -- a million sagas with their checks (issue 17): the
# simulation and the saga, conservation and liveness checks of
# tests/bench/saga-1m.yaml, CPU time and the process's peak RSS, through
# $BUILD/tools/bench_family --checks-only (one run; no report files: the
# trace alone would be about 800 MB).  Printed, never asserted.
set -u
BUILD=${BUILD:-build-bench}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ccsim-bench-saga1m.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
status=0
"$BUILD/tools/bench_family" saga_1m tests/bench/saga-1m.yaml "$tmp/out" 1 --checks-only || status=1
echo "re-run: make bench  (or: $BUILD/tools/bench_family saga_1m tests/bench/saga-1m.yaml OUTDIR 1 --checks-only)"
exit $status
