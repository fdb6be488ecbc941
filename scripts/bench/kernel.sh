#!/bin/sh
# The event kernel beside a bare binary-heap loop (DESIGN.md 10).
set -u
BUILD=${BUILD:-build-bench}
"$BUILD/tools/bench_kernel" 20000000
echo "re-run: make bench  (or: $BUILD/tools/bench_kernel 20000000)"
