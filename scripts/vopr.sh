#!/bin/sh
# vopr.sh -- ccsim's own VOPR (after TigerBeetle's simulator): sweep the whole
# scenario library with a swarm nemesis added to every scenario, round after
# round of fresh seeds, until the time is up, and fail on any internal
# error: an assertion or a sanitizer report (a seed that crashed, sweep exit
# 4), a seed that could not run (a bound or budget hit, exit 2), or a sweep
# that hangs.  Verdicts do not matter here: the nemesis breaks scenarios on
# purpose; what must never break is ccsim.
#
#   sh scripts/vopr.sh [SECONDS] [CCSIM]        make vopr VOPR_SECONDS=1800
#
# VOPR_SEEDS seeds per file and round (default 20), VOPR_FIRST the first
# seed (default 1), VOPR_ROUNDS a number of rounds to stop after (default:
# none, the time decides), VOPR_JOBS workers (default: one per CPU).
# Prints one line per round and, at the end, the seeds run and the faults
# the nemesis drew, by kind.  Every failure comes with the command that
# reproduces it; keep it as a scripted regression scenario (ccsim shrink).
set -u
secs=${1:-60}
ccsim=${2:-build/ccsim}
per=${VOPR_SEEDS:-20}
first=${VOPR_FIRST:-1}
rounds=${VOPR_ROUNDS:-0}
jobs=${VOPR_JOBS:+--jobs $VOPR_JOBS}
[ -x "$ccsim" ] || { echo "vopr: no $ccsim (build it first)" >&2; exit 2; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ccsim-vopr.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# sanitizers end the process at the first report, so a worker dies and sweep sees it
export ASAN_OPTIONS=abort_on_error=1:detect_leaks=0
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1
files=$(find scenarios -name '*.yaml' ! -name '*.min.yaml' | LC_ALL=C sort)
start=$(date +%s)
round=0 seeds=0 bad=0
: >"$tmp/kinds"
while :; do
  a=$((first + round * per)) b=$((first + round * per + per - 1))
  for f in $files; do
    [ $(($(date +%s) - start)) -ge "$secs" ] && break 2
    timeout 600 "$ccsim" sweep "$f" --seeds "$a..$b" --set nemesis.swarm=true $jobs \
      --reports 0 --show 0 --out "$tmp/sweep" >"$tmp/out" 2>&1
    rc=$?
    seeds=$((seeds + per))
    sed -n 's/^nemesis   drew [0-9]* faults: //p' "$tmp/out" | tr -d , >>"$tmp/kinds"
    case $rc in
      0|1|3) ;;
      *) bad=$((bad + 1))
         echo "vopr: INTERNAL ERROR (exit $rc) in $f, seeds $a..$b:"
         grep -v '^  ' "$tmp/out" | tail -n 20
         echo "  reproduce: $ccsim sweep $f --seeds $a..$b --set nemesis.swarm=true" ;;
    esac
  done
  round=$((round + 1))
  echo "vopr: round $round done, $seeds seeds, $(($(date +%s) - start)) s, $bad internal errors"
  [ "$rounds" -gt 0 ] && [ "$round" -ge "$rounds" ] && break
done
echo "vopr: $seeds seeds of $(echo "$files" | wc -l) scenarios in $(($(date +%s) - start)) s," \
     "$bad internal errors"
awk '{ for (i = 1; i < NF; i += 2) n[$i] += $(i + 1) }
     END { for (k in n) printf "  %s %d\n", k, n[k] }' "$tmp/kinds" | LC_ALL=C sort |
  sed '1s/^/vopr: faults drawn by kind:\n/'
[ "$bad" -eq 0 ]
