#!/bin/sh
# `make conformance-redis` (docs/conformance.md): replays ccsim's Redis
# command logs on real redis-server processes and compares.
#   sh tests/conformance/run.sh BUILD
# 1. The driver must catch a wrong reply: samples/wrong-reply.log has one,
#    and redis_replay must exit 1 naming its line.
# 2. The hand-written samples (tests/conformance/samples/) replay with every
#    difference in a named class.
# 3. Every scenario of scenarios/locks and scenarios/redlock whose protocol
#    is setnx-lock or redlock and which has no replica or sentinel node (the
#    L5 family runs in the real-time harness, `make conformance-l5`) is run
#    with `ccsim run --emit redis` and its log replayed.
# Prints the driver's table (a line per scenario, one per difference, a
# total) and `conformance-redis: ...` last; exits 0 only when all three hold.
set -u
BUILD=${1:-build}
CCSIM=$BUILD/ccsim
REPLAY=$BUILD/conformance/redis_replay
SHIM=$(cd "$(dirname "$BUILD/conformance/clockshim.so")" && pwd)/clockshim.so
HERE=tests/conformance
if ! command -v redis-server >/dev/null 2>&1; then
  echo "conformance-redis: needs redis-server (sh scripts/install-deps.sh ci)" >&2
  exit 1
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ccsim-conformance.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
failed=0

# 1. A test that can fail: the driver sees a wrong reply.
"$REPLAY" --shim "$SHIM" "$HERE/samples/wrong-reply.log" >"$tmp/wrong.out" 2>&1
rc=$?
want=$(sed -n 's/^# `make conformance` requires redis_replay to exit 1 and name sample-wrong-reply.log:\([0-9]*\)\.$/\1/p' "$HERE/samples/wrong-reply.log")
if [ "$rc" -eq 1 ] && grep -q "^  $HERE/samples/wrong-reply.log:$want: .*(unexplained)\$" "$tmp/wrong.out"; then
  echo "self-test: a wrong reply is caught (exit 1, line $want)"
else
  echo "self-test: FAILED: a wrong reply at line $want was not caught (exit $rc)"; sed 's/^/      /' "$tmp/wrong.out"
  failed=1
fi

# 2. The samples (all but the wrong one).
samples=$(ls "$HERE"/samples/*.log | grep -v '/wrong-reply\.log$')
# shellcheck disable=SC2086   # $samples: file names without spaces
if "$REPLAY" --shim "$SHIM" $samples >"$tmp/samples.out" 2>&1; then
  echo "samples: $(sed -n 's/^total: //p' "$tmp/samples.out")"
else
  echo "samples: FAILED"; sed 's/^/      /' "$tmp/samples.out"; failed=1
fi

# 3. The scenarios.  A scenario is in when its protocol uses Redis and its
# nodes: block names no replica and no sentinel.
uses_redis_alone() {
  grep -Eq '^protocol: (setnx-lock|redlock)[[:space:]]*$' "$1" || return 1
  ! awk '/^nodes:/ { in_nodes = 1; next }
         /^[^ #]/  { in_nodes = 0 }
         in_nodes && /^  (replica|sentinel):/ { found = 1 }
         END { exit !found }' "$1"
}
# The logs stay in $BUILD/conformance/logs/, so a difference's file:line can be read.
logdir=$BUILD/conformance/logs
rm -rf "$logdir"; mkdir -p "$logdir"
logs=""
skipped=0
for y in scenarios/locks/*.yaml scenarios/redlock/*.yaml; do
  n=$(basename "$y" .yaml)
  if ! uses_redis_alone "$y"; then
    grep -Eq '^protocol: (setnx-lock|redlock)' "$y" && skipped=$((skipped + 1))
    continue
  fi
  "$CCSIM" run "$y" --emit redis --no-plot --out "$tmp/report-$n" >"$logdir/$n.log" 2>"$tmp/$n.err"
  rc=$?   # 0 ok, 1 a violation, 3 an unknown: the run is whole; 2, 4, 5: no log to trust
  if [ "$rc" -eq 2 ] || [ "$rc" -ge 4 ] || [ ! -s "$logdir/$n.log" ]; then
    echo "scenario $n: FAILED: ccsim run --emit redis gave no log (exit $rc)"; sed 's/^/      /' "$tmp/$n.err" | head -5
    failed=1
    grep -q "unknown option '--emit'" "$tmp/$n.err" && break    # this ccsim has no emitter
    continue
  fi
  logs="$logs $logdir/$n.log"
done
if [ -n "$logs" ]; then
  # shellcheck disable=SC2086   # $logs: file names without spaces (mktemp, scenario names)
  "$REPLAY" --shim "$SHIM" $logs >"$tmp/replay.out" 2>"$tmp/replay.err"
  rc=$?
  cat "$tmp/replay.out"
  sed 's/^/      /' "$tmp/replay.err"
  [ "$rc" -eq 0 ] || failed=1
fi
count=$(printf '%s\n' $logs | grep -c .)
total=$(sed -n 's/^total: //p' "$tmp/replay.out" 2>/dev/null)
[ -n "$total" ] || total=$(sed -n 's/^[^ ][^:]*: //p' "$tmp/replay.out" 2>/dev/null | head -n 1)
if [ "$failed" -eq 0 ]; then
  echo "conformance-redis: ok: $count scenarios replayed ($skipped with replicas or Sentinel left to conformance-l5): $total"
else
  echo "conformance-redis: FAILED: $count scenarios replayed: ${total:-no total}"
fi
exit "$failed"
