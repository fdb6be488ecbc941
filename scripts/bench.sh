#!/bin/sh
# `make bench`: every scripts/bench/*.sh in turn.  Each prints lines of the
# form `bench NAME: VALUE UNIT` and the command that re-runs it.  Figures are
# printed, never asserted: the machines are shared and noisy.
set -u
BUILD=${BUILD:-build-bench}
export BUILD
status=0
for b in scripts/bench/*.sh; do
  [ -f "$b" ] || continue
  echo "== $b"
  sh "$b" || status=1
done
exit $status
