#!/bin/sh
# The history's memory (issue 17): bytes per operation or effect, records
# plus the string table (target: at most 64 B), and the peak resident
# memory of the run, for the 1-hour Redlock bench and the 400 000-saga
# bench.  Simulation only: no trace, no report, no checks.
set -u
BUILD=${BUILD:-build-bench}
status=0
"$BUILD/tools/bench_hist" redlock_1h tests/bench/redlock-5x10-1h.yaml || status=1
"$BUILD/tools/bench_hist" saga_400000 tests/bench/saga-4x100000.yaml || status=1
echo "re-run: make bench  (or: $BUILD/tools/bench_hist NAME SCENARIO.yaml)"
exit $status
