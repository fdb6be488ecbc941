#!/bin/sh
# What trace.log costs (issue 17): a bench scenario run by `ccsim run` (no
# pictures) with --trace and with --no-trace (a big run keeps none by default); the difference in the
# process's CPU time (user + system, best of RUNS), per event, is what
# writing the trace costs.  Also its size per event, and the run without it.
#   sh scripts/bench/trace.sh             (CCSIM=path/to/ccsim RUNS=N to vary)
set -u
BUILD=${BUILD:-build-bench}
CCSIM=${CCSIM:-$BUILD/ccsim}
RUNS=${RUNS:-5}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ccsim-bench-trace.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# cpu_of COMMAND...: runs it (output discarded) and prints its CPU time in
# s: perf's task-clock (to the ns) when perf can count here, else the
# shell's `times` (10 ms ticks), read in this shell: a subshell's children
# are not this shell's.
if perf stat -x, -e task-clock true >/dev/null 2>&1; then
  cpu_of() {
    perf stat -x, -e task-clock -o "$tmp/perf" "$@" >/dev/null || return 1
    awk -F, '$3 == "task-clock" { printf "%.6f\n", $1 / 1000 }' "$tmp/perf"
  }
else
  cpu_of() {
    times >"$tmp/t0"
    "$@" >/dev/null || return 1
    times >"$tmp/t1"
    cat "$tmp/t0" "$tmp/t1" | awk 'NR % 2 == 0 { t = 0; for (i = 1; i <= 2; i++) { split($i, p, "m"); t += p[1] * 60 + p[2] } c[NR] = t }
      END { printf "%.6f\n", c[4] - c[2] }'
  }
fi

# min_of A B: the smaller of two CPU times ("" = none yet).
min_of() {
  awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b < a) a = b; printf "%.6f\n", a }'
}

# bench NAME SCENARIO: RUNS pairs of runs, with trace.log then without it,
# alternated so that a busy moment of a shared machine hits both; the best
# of each.
bench() {
  with=
  without=
  i=0
  while [ $i -lt "$RUNS" ]; do
    for opt in --trace --no-trace; do
      o=$opt
      cpu_of "$CCSIM" run "$2" --no-plot -q --out "$tmp/$1" $o >"$tmp/cpu" ||
        { echo "bench trace: $CCSIM run $2 $o failed" >&2; return 1; }
      if [ $opt = --trace ]; then
        with=$(min_of "$with" "$(cat "$tmp/cpu")")
        bytes=$(wc -c <"$tmp/$1/trace.log")
      else
        without=$(min_of "$without" "$(cat "$tmp/cpu")")
      fi
    done
    i=$((i + 1))
  done
  events=$(sed -n 's/^  "events": \([0-9]*\),$/\1/p' "$tmp/$1/summary.json")
  awk -v n="$1" -v w="$with" -v wo="$without" -v e="$events" -v b="$bytes" -v r="$RUNS" 'BEGIN {
    printf "bench trace_cost_%s: %.0f ns/event (CPU)\n", n, (w - wo) * 1e9 / e
    printf "bench trace_bytes_%s: %.0f bytes/event\n", n, b / e
    printf "bench run_no_trace_%s: %.0f ns/event (CPU, the whole ccsim run --no-plot --no-trace)\n", n, wo * 1e9 / e
    printf "  %d events; %.3f s CPU with trace.log (%d bytes), %.3f s with --no-trace, best of %d\n", e, w, b, wo, r
  }'
}

status=0
bench redlock_1h tests/bench/redlock-5x10-1h.yaml || status=1
bench saga_4000 tests/bench/saga-4x1000.yaml || status=1
echo "re-run: make bench  (or: BUILD=$BUILD sh $0)"
exit $status
