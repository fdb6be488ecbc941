#!/bin/sh
# 10 000 nodes (issue 17: limits for real workloads): the lock run of
# tests/bench/lock-10000-nodes.yaml (9 998 clients, one Redis, a partition
# and a pause) with its checks, by `ccsim check` (no trace, no report
# files): its wall time and peak memory (/usr/bin/time), then its phases
# and the simulation's cost per event (bench_report, as report.sh).
set -u
BUILD=${BUILD:-build-bench}
y=tests/bench/lock-10000-nodes.yaml
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ccsim-bench-nodes.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
status=0
if [ -x /usr/bin/time ]; then
  /usr/bin/time -f '%e s %M KB' -o "$tmp/time" "$BUILD/ccsim" check "$y" >"$tmp/out" 2>&1 || status=1
  grep -E '^(PASS|FAIL)' "$tmp/out"
  read -r wall _ kb _ <"$tmp/time"
  echo "bench lock_10000_nodes_wall: $wall s"
  echo "bench lock_10000_nodes_peak_rss: $((kb / 1024)) MiB"
else
  echo "bench lock_10000_nodes: skipped (no /usr/bin/time)"
fi
"$BUILD/tools/bench_report" lock_10000_nodes "$y" "$tmp/report" 1 || status=1
echo "re-run: make bench  (or: /usr/bin/time -f '%e s %M KB' $BUILD/ccsim check $y; $BUILD/tools/bench_report lock_10000_nodes $y OUTDIR 1)"
exit $status
