#!/bin/sh
# run.sh -- make conformance-l5: each L5 scenario against a real
# redis-server master and replica and a real redis-sentinel (Debian's 7.0),
# in real time, compared with ccsim's run of it (README.md says how).
#   sh tests/conformance/l5/run.sh CCSIM BINDIR [SCENARIO.yaml...]
# BINDIR holds l5proxy and l5drive.  Everything listens on 127.0.0.1 on
# free ports, lives in a temp dir, and is killed at the end, also on
# failure.  Exit 0 = every scenario agrees, 1 = a difference, 2 = setup.
set -u
CCSIM=$1
BIN=$2
shift 2
[ $# -gt 0 ] || set -- scenarios/locks/L5*.yaml
for tool in redis-server redis-sentinel; do
  command -v $tool >/dev/null 2>&1 || { echo "conformance-l5: $tool not found (apt-get install redis-server redis-sentinel)" >&2; exit 2; }
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ccsim-l5.XXXXXX")
pids=""
stop_all() {
  for p in $pids; do kill -9 "$p" 2>/dev/null; done
  for p in $pids; do wait "$p" 2>/dev/null; done
  pids=""
}
trap 'stop_all; rm -rf "$tmp"' EXIT
trap 'exit 2' INT TERM

# "5s" / "300ms" -> milliseconds
to_ms() {
  case $1 in
    *ms) echo "${1%ms}" ;;
    *s) echo $(( ${1%s} * 1000 )) ;;
    *) echo "$1" ;;
  esac
}
param() { sed -n "s/^  $1: *\\([0-9a-z]*\\).*/\\1/p" "$2" | head -1; }

# One attempt at scenario $1 (attempt $2): servers up, l5drive, servers
# down.  Returns l5drive's exit code.
run_one() {
  y=$1 att=$2 name=$(basename "$1" .yaml)
  d=$tmp/$name.$att
  mkdir -p "$d/m" "$d/r" "$d/s"
  "$CCSIM" run "$y" --out "$d/sim" --no-plot --trace -q >"$d/verdicts.txt" 2>&1
  [ -f "$d/sim/trace.log" ] || { echo "conformance-l5: $y: ccsim wrote no trace" >&2; return 2; }
  lag=$(to_ms "$(param redis.replication.lag "$y")")
  down=$(param redis.sentinel.down_after "$y")
  down=$(to_ms "${down:-30s}")
  ports=$("$BIN/l5drive" --free-ports 5) || { echo "conformance-l5: no free ports" >&2; return 2; }
  set -- $ports; pm=$1 pr=$2 pf=$3 pl=$4 ps=$5
  redis-server --port "$pm" --bind 127.0.0.1 --save '' --appendonly no --dir "$d/m" \
    --logfile "$d/m/log" --daemonize no &
  pid_m=$!; pids="$pids $pid_m"
  redis-server --port "$pr" --bind 127.0.0.1 --save '' --appendonly no --dir "$d/r" \
    --logfile "$d/r/log" --daemonize no --replicaof 127.0.0.1 "$pl" &
  pids="$pids $!"
  "$BIN/l5proxy" "$pf" "$pl" "$pm" "${lag:-0}" &
  pid_p=$!; pids="$pids $pid_p"
  cat >"$d/s/sentinel.conf" <<CONF
port $ps
bind 127.0.0.1
dir $d/s
logfile $d/s/log
sentinel monitor mymaster 127.0.0.1 $pf 1
sentinel down-after-milliseconds mymaster $down
CONF
  redis-sentinel "$d/s/sentinel.conf" &
  pids="$pids $!"
  t=$(date +%s)
  "$BIN/l5drive" "$d/sim/trace.log" "$pm" "$pf" "$pr" "$ps" "$pid_m" "$pid_p" >"$d/result.txt" 2>&1
  rc=$?
  echo "== $name (lag ${lag:-0} ms, down-after $down ms; attempt $att): $(( $(date +%s) - t )) s"
  cat "$d/result.txt"
  if [ $rc -ne 0 ]; then
    echo "-- sentinel log:"; tail -25 "$d/s/log"
    grep -v '^same' "$d/result.txt" | sed "s/^/$name attempt $att: /" >>"$tmp/differences"
  fi
  stop_all
  return $rc
}

# A scenario that differs (exit 1) is run again, at most ATTEMPTS times in
# all, and fails only when every attempt differs: the comparison is in real
# time, and a driver descheduled on a loaded host (more than the 50 ms
# reply tolerance) is the host, not the model.  Every attempt's differences
# are printed, and listed again at the end.  A setup error (2) is not retried.
ATTEMPTS=${L5_ATTEMPTS:-3}
status=0 retried=0
start=$(date +%s)
: >"$tmp/differences"
for y in "$@"; do
  a=1
  while :; do
    run_one "$y" $a; rc=$?
    [ $rc -eq 1 ] && [ $a -lt "$ATTEMPTS" ] || break
    a=$((a + 1)); retried=$((retried + 1))
  done
  [ $rc -gt $status ] && status=$rc
done
if [ -s "$tmp/differences" ]; then
  echo "conformance-l5: what differed, by attempt:"; cat "$tmp/differences"
fi
echo "conformance-l5: $# scenarios in $(( $(date +%s) - start )) s ($retried attempts repeated), exit $status"
exit $status
