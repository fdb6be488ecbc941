#!/bin/sh
# A run's phases timed apart (issue 17): the simulation per event, then the
# checks, the report files and the timeline files, on the 1-hour Redlock
# bench and on the saga bench at 4 000 and 400 000 sagas (whose cost per
# event should be about the same).  No trace, no gnuplot.
set -u
BUILD=${BUILD:-build-bench}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ccsim-bench-report.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
status=0
"$BUILD/tools/bench_report" redlock_1h tests/bench/redlock-5x10-1h.yaml "$tmp/redlock" 3 || status=1
"$BUILD/tools/bench_report" saga_4000 tests/bench/saga-4x1000.yaml "$tmp/saga-4000" 3 || status=1
"$BUILD/tools/bench_report" saga_400000 tests/bench/saga-4x100000.yaml "$tmp/saga-400000" 1 || status=1
echo "re-run: make bench  (or: $BUILD/tools/bench_report NAME SCENARIO.yaml OUTDIR RUNS, as in $0)"
exit $status
