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

fresh_port() {
  while :; do
    p=$("$BIN/l5drive" --free-port)
    case " $used " in *" $p "*) continue ;; esac
    used="$used $p"
    echo "$p"
    return
  done
}

status=0
start=$(date +%s)
for y in "$@"; do
  name=$(basename "$y" .yaml)
  d=$tmp/$name
  mkdir -p "$d/m" "$d/r" "$d/s"
  "$CCSIM" run "$y" --out "$d/sim" --no-plot -q >"$d/verdicts.txt" 2>&1
  [ -f "$d/sim/trace.log" ] || { echo "conformance-l5: $y: ccsim wrote no trace" >&2; status=2; continue; }
  lag=$(to_ms "$(param redis.replication.lag "$y")")
  down=$(param redis.sentinel.down_after "$y")
  down=$(to_ms "${down:-30s}")
  used=""
  used="$used $(fresh_port)"; pm=$(echo $used | awk '{print $NF}')
  pr=$(fresh_port); pf=$(fresh_port); pl=$(fresh_port); ps=$(fresh_port)
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
  echo "== $name (lag ${lag:-0} ms, down-after $down ms): $(( $(date +%s) - t )) s"
  cat "$d/result.txt"
  if [ $rc -ne 0 ]; then
    [ $rc -gt $status ] && status=$rc
    echo "-- sentinel log:"; tail -25 "$d/s/log"
  fi
  stop_all
done
echo "conformance-l5: $# scenarios in $(( $(date +%s) - start )) s, exit $status"
exit $status
