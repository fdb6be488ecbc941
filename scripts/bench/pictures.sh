#!/bin/sh
# The wall time of a full `ccsim run` of the 1-hour Redlock bench with its
# pictures (issue 17: under 1 s): the simulation, the checks, every report
# file, and gnuplot drawing timeline and latency as a big run does by
# default, PNG (each its own process, at once).  Best of 3, beside the same
# run with both formats (--draw png,svg) and with --no-plot, and the
# pictures' sizes.  Needs gnuplot on PATH; says so and skips if not.
set -u
BUILD=${BUILD:-build-bench}
CCSIM="$BUILD/ccsim"
SCN=tests/bench/redlock-5x10-1h.yaml
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ccsim-bench-pictures.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
if ! command -v gnuplot >/dev/null 2>&1; then
  echo "bench redlock_1h_full_run_with_pictures: skipped (gnuplot is not on PATH)"
  exit 0
fi
now() { date +%s%N; }
# best_of ARGS...: the shortest wall time of 3 runs, in ns
best_of() {
  best=""
  for i in 1 2 3; do
    rm -rf "$tmp/run"
    t0=$(now)
    "$CCSIM" run "$SCN" -q --out "$tmp/run" "$@" >/dev/null 2>"$tmp/err" || { cat "$tmp/err" >&2; return 1; }
    t1=$(now)
    d=$((t1 - t0))
    if [ -z "$best" ] || [ "$d" -lt "$best" ]; then best=$d; fi
  done
  echo "$best"
}
secs() { awk -v ns="$1" 'BEGIN { printf "%.3f", ns / 1e9 }'; }
status=0
full=$(best_of) || status=1
both=$(best_of --draw png,svg) || status=1
size() { wc -c <"$tmp/run/$1" | tr -d ' '; }
sizes="timeline.svg $(size timeline.svg) B, timeline.png $(size timeline.png) B, latency.svg $(size latency.svg) B, latency.png $(size latency.png) B"
bare=$(best_of --no-plot) || status=1
echo "bench redlock_1h_full_run_with_pictures: $(secs "$full") s (wall)"
echo "  with both formats (--draw png,svg): $(secs "$both") s; with --no-plot: $(secs "$bare") s (wall); best of 3 each"
echo "  $sizes"
echo "re-run: make bench  (or: time $CCSIM run $SCN -q --out /tmp/r)"
exit $status
