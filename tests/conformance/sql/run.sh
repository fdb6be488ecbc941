#!/bin/sh
# `make conformance-sql` (tests/conformance/sql/README.md): ccsim's db model
# against a real PostgreSQL 15 and MariaDB 10.11, both throwaway
# (servers.sh: temp datadirs, 127.0.0.1, free ports, stopped at the end,
# also on failure).
#   sh tests/conformance/sql/run.sh BUILD
# 1. The driver must catch a wrong expectation: samples/wrong-expectation.log
#    has one, and sql_replay must exit 1 naming its line.
# 2. The samples (tests/conformance/sql/samples/) replay with no difference.
# 3. Every script scenario (scenarios/db/script/, scenarios/db/hermitage/,
#    and the `kind: script` ones of scenarios/regress/) of the postgres or
#    mysql flavour is run with `ccsim run --emit sql`
#    and its log replayed on the server of its flavour; a difference must
#    be listed, with its reason, in known-differences.txt.
# 4. The flash sale D1..D5 runs on PostgreSQL (flash_pg) with each
#    scenario's buyers, stock and strategy, and its counts are compared
#    with ccsim's run of the same scenario.
# Prints the tables and `conformance-sql: ...` last; exits 0 only when all
# four hold.
set -u
BUILD=${1:-build}
CCSIM=$BUILD/ccsim
REPLAY=$BUILD/conformance/sql_replay
FLASH=$BUILD/conformance/flash_pg
HERE=tests/conformance/sql
. "$HERE/servers.sh"
for need in "$PGBIN/initdb" "$PGBIN/postgres" "$MARIADBD"; do
  if [ ! -x "$need" ]; then
    echo "conformance-sql: needs $need (sh scripts/install-deps.sh ci)" >&2
    exit 1
  fi
done
command -v "$MARIA_INSTALL_DB" >/dev/null 2>&1 || { echo "conformance-sql: needs $MARIA_INSTALL_DB (sh scripts/install-deps.sh ci)" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ccsim-conformance-sql.XXXXXX")
servers_init "$tmp"
trap 'servers_stop; rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
failed=0
pg_start || exit 1
maria_start || exit 1
PG="host=127.0.0.1 port=$PG_PORT user=ccsim dbname=postgres connect_timeout=10"
MY="127.0.0.1:$MARIA_PORT"
echo "servers: PostgreSQL $("$PGBIN/postgres" --version | awk '{ print $3 }') on 127.0.0.1:$PG_PORT, MariaDB $("$MARIADBD" --version | sed 's/.*Ver \([0-9.]*\).*/\1/') on $MY"

# 1. A test that can fail: the driver sees a wrong expectation.
wrong=$HERE/samples/wrong-expectation.log
"$REPLAY" --pg "$PG" --mysql "$MY" "$wrong" >"$tmp/wrong.out" 2>&1
rc=$?
want=$(sed -n 's/^# `make conformance-sql` requires sql_replay to exit 1 and name wrong-expectation.log:\([0-9]*\)\.$/\1/p' "$wrong")
if [ "$rc" -eq 1 ] && grep -q "^  $wrong:$want: " "$tmp/wrong.out"; then
  echo "self-test: a wrong expectation is caught (exit 1, line $want)"
else
  echo "self-test: FAILED: the wrong expectation at line $want was not caught (exit $rc)"; sed 's/^/      /' "$tmp/wrong.out"
  failed=1
fi

# 2. The samples (all but the wrong one).
samples=$(ls "$HERE"/samples/*.log | grep -v '/wrong-expectation\.log$')
# shellcheck disable=SC2086   # $samples: file names without spaces
if "$REPLAY" --pg "$PG" --mysql "$MY" $samples >"$tmp/samples.out" 2>&1; then
  echo "samples: $(sed -n 's/^total: //p' "$tmp/samples.out")"
else
  echo "samples: FAILED"; sed 's/^/      /' "$tmp/samples.out"; failed=1
fi

# 3. The script scenarios, their logs kept in $BUILD/conformance/sql-logs/.
logdir=$BUILD/conformance/sql-logs
rm -rf "$logdir"; mkdir -p "$logdir"
logs=""
for y in scenarios/db/script/*.yaml scenarios/db/hermitage/*.yaml scenarios/regress/*.yaml; do
  [ -f "$y" ] || continue
  grep -Eq '^  flavor: (postgres|mysql)[[:space:]]*$' "$y" || continue
  grep -Eq '^  kind: script[[:space:]]*$' "$y" || continue
  n=$(basename "$y" .yaml)
  "$CCSIM" run "$y" --emit sql --no-plot --out "$tmp/report-$n" >"$logdir/$n.log" 2>"$tmp/$n.err"
  rc=$?   # 0 ok, 1 a violation, 3 an unknown: the run is whole
  if [ "$rc" -eq 2 ] || [ "$rc" -ge 4 ] || [ ! -s "$logdir/$n.log" ]; then
    echo "scenario $n: FAILED: ccsim run --emit sql gave no log (exit $rc)"; sed 's/^/      /' "$tmp/$n.err" | head -5
    failed=1; continue
  fi
  logs="$logs $logdir/$n.log"
done
if [ -n "$logs" ]; then
  # shellcheck disable=SC2086   # $logs: file names without spaces
  "$REPLAY" --pg "$PG" --mysql "$MY" --known "$HERE/known-differences.txt" $logs >"$tmp/replay.out" 2>"$tmp/replay.err" &
  wait $!
  rc=$?
  cat "$tmp/replay.out"; sed 's/^/      /' "$tmp/replay.err"
  [ "$rc" -eq 0 ] || failed=1
fi
scripts=$(sed -n 's/^total: //p' "$tmp/replay.out" 2>/dev/null)

# 4. The flash sale on PostgreSQL.
# us DURATION: microseconds of "3ms", "1s", "200us", "0ms".
us() {
  case "$1" in
    *us) echo "${1%us}" ;; *ms) echo $(( ${1%ms} * 1000 )) ;;
    *s) echo $(( ${1%s} * 1000000 )) ;; *) echo "bad duration '$1'" >&2; echo 0 ;;
  esac
}
or() { if [ -n "$1" ]; then echo "$1"; else echo "$2"; fi; }
key() { sed -n "s/^  $1: *\"\{0,1\}\([^\"]*\)\"\{0,1\} *\$/\1/p" "$2" | head -n 1; }
json() { grep -o "\"$1\": [-0-9]*" "$2" | head -n 1 | sed 's/.*: //'; }
level() { case "$1" in read-committed) echo "READ COMMITTED" ;; repeatable-read) echo "REPEATABLE READ" ;;
          serializable) echo "SERIALIZABLE" ;; read-uncommitted) echo "READ UNCOMMITTED" ;; *) echo "READ COMMITTED" ;; esac; }
# Counts that differ for a reason (docs/conformance.md, "Remaining
# differences"): none at present.
known_counts() {
  case "$1" in
    *) echo "" ;;
  esac
}
flash_n=0
printf '%s\n' "flash sale on PostgreSQL (ccsim | PostgreSQL): orders, stock at the end, commits/aborts/retries/40001/lock timeouts/lock waits"
for y in scenarios/db/D1-*.yaml scenarios/db/D1[bcd]-*.yaml scenarios/db/D2-*.yaml scenarios/db/D3-*.yaml \
         scenarios/db/D4-*.yaml scenarios/db/D4b-*.yaml scenarios/db/D5-*.yaml scenarios/db/D5b-*.yaml; do
  [ -f "$y" ] || continue
  n=$(basename "$y" .yaml)
  "$CCSIM" run "$y" --no-plot --out "$tmp/flash-$n" >"$tmp/flash-$n.txt" 2>&1
  s=$tmp/flash-$n/summary.json
  c_orders=$(grep -o '"buy": {"ok": [0-9]*' "$s" | sed 's/.*: //')
  c_end=$(sed -n 's/.*stock:1 ended at \(-\{0,1\}[0-9]*\).*/\1/p' "$s" | head -n 1)
  c_counts="$(json commits "$s")/$(json aborts "$s")/$(json retries "$s")/$(json serialization_failures "$s")/$(json lock_timeouts "$s")/$(json lock_waits "$s")"
  lt=$(key lock_timeout "$y"); [ -n "$lt" ] && lt=$(us "$lt") || lt=0
  lat=$(key latency "$y"); [ -n "$lat" ] || lat=1ms
  "$FLASH" --conninfo "$PG" --name "$n" --stock "$(key stock "$y")" --buyers "$(key buyers "$y")" \
    --every-us "$(us "$(key every "$y")")" --think-us "$(us "$(or "$(key think "$y")" 3ms)")" \
    --latency-us "$(us "$lat")" --strategy "$(key strategy "$y")" \
    --isolation "$(level "$(key isolation "$y")")" --transaction "$(or "$(key transaction "$y")" false)" \
    --retries "$(or "$(key retries "$y")" 3)" --lock-timeout-us "$lt" >"$tmp/pg-$n.out" 2>&1 &
  wait $!   # in the background, so SIGINT/SIGTERM stop the servers at once (flash_pg then exits 3)
  rc=$?
  line=$(cat "$tmp/pg-$n.out")
  # A stall (requests still blocked at the end, exit 3) fails like any other.
  if [ "$rc" -ne 0 ]; then echo "  $n: FAILED: flash_pg exit $rc:"; sed 's/^/      /' "$tmp/pg-$n.out" | head -8; failed=1; continue; fi
  p_orders=$(echo "$line" | sed 's/.* orders \([-0-9]*\) .*/\1/')
  p_end=$(echo "$line" | sed 's/.* stock [0-9]*->\([-0-9]*\) .*/\1/')
  f() { echo "$line" | sed "s/.* $1 \([-0-9]*\).*/\1/"; }
  p_counts="$(f commits)/$(f aborts)/$(f retries)/$(f serialization-failures)/$(f lock-timeouts)/$(f lock-waits)"
  stock=$(key stock "$y")
  c_verdict=$( [ "$c_orders" -gt "$stock" ] && echo oversold || echo safe )
  p_verdict=$( [ "$p_orders" -gt "$stock" ] && echo oversold || echo safe )
  if [ "$c_verdict $c_orders $c_end" != "$p_verdict $p_orders $p_end" ]; then
    agree="DIFFER (verdict)"; failed=1
  elif [ "$c_counts" != "$p_counts" ]; then
    why=$(known_counts "$n")
    if [ -n "$why" ]; then agree="same verdict; counts differ: $why"; else agree="DIFFER (counts)"; failed=1; fi
  else agree="identical"; fi
  ot=$(f overtakes)
  [ "$ot" = 0 ] || agree="$agree ($ot lock waits served out of FIFO order by PostgreSQL)"
  printf '  %-42s %-8s %4s %4s %-26s | %-8s %4s %4s %-26s %s\n' "$n" "$c_verdict" "$c_orders" "$c_end" "$c_counts" \
    "$p_verdict" "$p_orders" "$p_end" "$p_counts" "$agree"
  flash_n=$((flash_n + 1))
done

if [ "$failed" -eq 0 ]; then
  echo "conformance-sql: ok: samples and script scenarios (${scripts:-none}); flash sale: $flash_n scenarios, same verdicts"
else
  echo "conformance-sql: FAILED (${scripts:-no script total}; flash sale: $flash_n scenarios run)"
fi
exit "$failed"
