#!/bin/sh
# A full Redlock workload: 5 masters, 10 clients, 1 hour simulated
# (DESIGN.md 10: > 1 000 000 events/s and > 10 000 simulated s per wall s).
set -u
BUILD=${BUILD:-build-bench}
"$BUILD/tools/bench_redlock" tests/bench/redlock-5x10-1h.yaml 3
echo "re-run: make bench  (or: $BUILD/tools/bench_redlock tests/bench/redlock-5x10-1h.yaml 3)"
