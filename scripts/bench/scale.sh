#!/bin/sh
# Limits for real workloads (issue 17): a flash sale of 1 000 000 buyers and
# a 2PC of 1 000 000 transactions, each run in full with its checks and its
# report (no pictures), then timed by phase.  Prints, for each:
#   bench NAME_wall: S s            wall time of `ccsim run --no-plot`
#   bench NAME_cpu: S s             its user + system time (the machines are shared)
#   bench NAME_peak_rss: M MiB      its peak resident memory (/usr/bin/time %M)
#   bench NAME_sim: N ns/event      the simulation alone, CPU (bench_report)
# and bench_report's other phases (checks, report, timeline files).  The
# trace is left out (--no-trace; a big run keeps none by default anyway);
# an older binary without the option writes it (2pc-1m's is over 1 GiB,
# hence --max-trace).
# Takes minutes and about 2.5 GB of memory: run by `make bench`, never by
# make test.  SCALE_ONLY=flash-sale-1m (or 2pc-1m) runs one.
set -u
BUILD=${BUILD:-build-bench}
CCSIM=${CCSIM:-$BUILD/ccsim}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ccsim-bench-scale.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
status=0
if "$CCSIM" run --help 2>&1 | grep -q -- '--no-trace'; then
  trace="--no-trace"
else
  trace="--max-trace 17179869184"
fi
for f in flash-sale-1m 2pc-1m; do
  [ -z "${SCALE_ONLY:-}" ] || [ "$SCALE_ONLY" = "$f" ] || continue
  name=$(echo "$f" | tr '-' '_')
  # shellcheck disable=SC2086  # $trace is one or two words on purpose
  /usr/bin/time -f '%e %U %S %M' -o "$tmp/time" "$CCSIM" run "tests/bench/$f.yaml" --no-plot -q \
    $trace --out "$tmp/$f" >"$tmp/out" 2>&1
  rc=$?
  if [ $rc -ne 0 ]; then
    echo "bench $name: ccsim run exited $rc:"; cat "$tmp/out"; status=1
  fi
  read -r wall user sys rss <<EOT
$(tail -n 1 "$tmp/time")
EOT
  echo "bench ${name}_wall: $wall s"
  echo "bench ${name}_cpu: $(echo "$user $sys" | awk '{ printf "%.2f", $1 + $2 }') s"
  echo "bench ${name}_peak_rss: $((rss / 1024)) MiB"
  rm -rf "$tmp/$f"
  "$BUILD/tools/bench_report" "$name" "tests/bench/$f.yaml" "$tmp/$f" 1 || status=1
  rm -rf "$tmp/$f"
done
echo "re-run: make bench  (or: sh $0, SCALE_ONLY=2pc-1m sh $0)"
exit $status
