#!/bin/sh
# family.sh -- each family's bench scenario (tests/bench/), issue 17: the
# simulation at most 1 us per event, a full run with its reports at most
# 2x the simulation alone.  Prints, beside the kernel's cost per event:
#   bench FAMILY_sim: N ns/event              (no trace, no message log)
#   bench FAMILY_with_reports: N ns/event     (trace.log, summary, history,
#                                              story, timeline data; no gnuplot)
#   bench FAMILY_reports_over_sim: R x (target <= 2)
#   bench FAMILY_full_run_with_pictures: S s (wall)   (`ccsim run`, gnuplot
#                                              drawing both pictures if installed)
# CPU figures are the best of $RUNS (default 3) from
# $BUILD/tools/bench_family; the wall time is one `ccsim run`, with its
# peak RSS when /usr/bin/time is there.  Figures are printed, never
# asserted: the machines are shared and noisy.
set -u
BUILD=${BUILD:-build-bench}
RUNS=${RUNS:-3}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ccsim-bench-family.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
status=0

# The kernel's cost per event (bench_kernel's events per second, inverted).
"$BUILD/tools/bench_kernel" 2000000 >"$tmp/kernel" 2>&1 || status=1
awk '/^bench kernel-events-per-second:/ { printf "bench kernel_ns_per_event: %.0f ns/event (bench_kernel, best of 3)\n", 1e9 / $3 }' "$tmp/kernel"

now_ns() { date +%s%N; }

# full_run FAMILY SCENARIO: the wall time of one `ccsim run` with pictures.
full_run() {
    t0=$(now_ns)
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -f "%M" -o "$tmp/rss" "$BUILD/ccsim" run "$2" -q --out "$tmp/run-$1" >"$tmp/out" 2>&1
    else
        "$BUILD/ccsim" run "$2" -q --out "$tmp/run-$1" >"$tmp/out" 2>&1
    fi
    code=$?
    t1=$(now_ns)
    awk -v ns=$((t1 - t0)) -v f="$1" 'BEGIN { printf "bench %s_full_run_with_pictures: %.2f s (wall)\n", f, ns / 1e9 }'
    pics=$(cd "$tmp/run-$1" 2>/dev/null && ls timeline.png timeline.svg latency.png latency.svg 2>/dev/null | tr '\n' ' ')
    rss=""
    [ -f "$tmp/rss" ] && rss=$(awk 'NR == 1 && $1 ~ /^[0-9]+$/ { printf "; peak RSS %.1f MiB", $1 / 1024 }' "$tmp/rss")
    echo "  ccsim run exit $code; pictures: ${pics:-none}$rss"
    [ "$code" -le 1 ] || status=1
    rm -rf "$tmp/run-$1" "$tmp/rss"
}

for pair in setnx-lock:setnx-lock-10x10min redlock:redlock-5x10-1h lease-lock:lease-lock-10x10min \
            2pc:2pc-1x40000 saga:saga-4x10000 db:db-flash-sale-40000 payment:payment-250x200 \
            ratelimit:ratelimit-50x4096; do
    family=${pair%%:*}
    scenario=tests/bench/${pair#*:}.yaml
    "$BUILD/tools/bench_family" "$family" "$scenario" "$tmp/reports-$family" "$RUNS" || status=1
    rm -rf "$tmp/reports-$family"
    full_run "$family" "$scenario"
done
echo "re-run: make bench  (or: $BUILD/tools/bench_family FAMILY SCENARIO.yaml OUTDIR RUNS, as in $0)"
exit $status
