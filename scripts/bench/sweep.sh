#!/bin/sh
# `ccsim sweep` throughput on L2 with 1 and 2 worker processes, beside the
# cost of one `ccsim run` of the same scenario (issue 10: at least 20 000
# seeds of L2 per second per core, without reports).
set -u
BUILD=${BUILD:-build-bench}
SCN=scenarios/locks/L2-lease-gc-pause.yaml
"$BUILD/tools/bench_sweep" "$SCN" 100000 1 2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ccsim-bench-run.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
runs=20
t0=$(date +%s%N)
i=0
while [ "$i" -lt "$runs" ]; do
  "$BUILD/ccsim" run "$SCN" -q --no-plot --out "$tmp/r" >/dev/null
  i=$((i + 1))
done
t1=$(date +%s%N)
echo "bench ccsim_run_L2: $(( (t1 - t0) / runs / 1000 )) us per run (a process, its report, no picture)"
echo "re-run: make bench  (or: $BUILD/tools/bench_sweep $SCN 100000 1 2)"
