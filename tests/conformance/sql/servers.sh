# servers.sh -- throwaway PostgreSQL 15 and MariaDB 10.11 servers for
# `make conformance-sql` (tests/conformance/sql/README.md).  Sourced by
# run.sh, never run on its own.
#
#   servers_init TMPDIR      where the data directories and sockets go
#   pg_start / maria_start   initdb / mariadb-install-db into TMPDIR, start the
#                            server on 127.0.0.1 and a free port (no other
#                            interface), its unix socket in TMPDIR; set PG_PORT /
#                            MARIA_PORT; return 1 with a message on failure
#   servers_stop             stop whatever was started (fast shutdown, then
#                            kill -9 after a bound); run.sh calls it from its
#                            EXIT trap, so the servers go also on failure
#
# Every wait is bounded (SERVER_WAIT seconds to come up, 10 s to stop).
# PostgreSQL refuses to run as root: when we are root both servers run as
# the user `nobody` (setpriv), which then owns TMPDIR's server folders.
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
MARIADBD=${MARIADBD:-/usr/sbin/mariadbd}
MARIA_INSTALL_DB=${MARIA_INSTALL_DB:-mariadb-install-db}
SERVER_WAIT=${SERVER_WAIT:-30}

servers_init() {
  SRV_TMP=$1
  PG_PID=""; MARIA_PID=""; PG_PORT=""; MARIA_PORT=""
  if [ "$(id -u)" = 0 ]; then
    AS_USER="setpriv --reuid=nobody --regid=nogroup --clear-groups --"
    SRV_OWNER=nobody:nogroup
  else
    AS_USER=""; SRV_OWNER=""
  fi
}

# free_port: a TCP port nothing on this machine listens on (the server may
# still lose a race for it; the start then fails and is retried once).
free_port() {
  p=$(( 20000 + ($$ * 7 + $(date +%N | sed 's/^0*//;s/^$/0/') ) % 30000 ))
  i=0
  while [ $i -lt 200 ]; do
    if [ -z "$(ss -Htln "sport = :$p" 2>/dev/null)" ]; then echo "$p"; return 0; fi
    p=$(( p + 1 )); [ $p -ge 50000 ] && p=20000
    i=$(( i + 1 ))
  done
  return 1
}

srv_dir() {   # srv_dir NAME: a folder the server user owns
  mkdir -p "$SRV_TMP/$1" && chmod 700 "$SRV_TMP/$1" || return 1
  [ -z "$SRV_OWNER" ] || chown "$SRV_OWNER" "$SRV_TMP/$1"
}

# srv_wait PID PROBE: runs PROBE (a function) every 0.1 s until it
# succeeds (0), or the server PID has died or SERVER_WAIT seconds passed (1).
srv_wait() {
  t=0
  while [ $t -lt $((SERVER_WAIT * 10)) ]; do
    kill -0 "$1" 2>/dev/null || return 1
    "$2" && return 0
    sleep 0.1; t=$((t + 1))
  done
  return 1
}

pg_ready() { "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -t 1; }

maria_ready() {
  [ -S "$SRV_TMP/maria/mysqld.sock" ] && grep -q "ready for connections" "$SRV_TMP/maria/server.log"
}

pg_start() {
  d=$SRV_TMP/pg
  srv_dir pg || return 1
  [ -z "$SRV_OWNER" ] || chmod 711 "$SRV_TMP"
  if ! $AS_USER "$PGBIN/initdb" -D "$d/data" -U ccsim --auth=trust -E UTF8 --no-locale \
       --no-sync >"$d/initdb.log" 2>&1; then
    echo "conformance-sql: initdb failed:"; sed 's/^/    /' "$d/initdb.log" | tail -5
    return 1
  fi
  for attempt in 1 2; do
    PG_PORT=$(free_port) || { echo "conformance-sql: no free port"; return 1; }
    # max_connections: the flash sale keeps one connection per waiting buyer.
    $AS_USER "$PGBIN/postgres" -D "$d/data" -k "$d" -h 127.0.0.1 -p "$PG_PORT" \
      -c max_connections=1200 -c shared_buffers=32MB -c fsync=off \
      -c synchronous_commit=off -c full_page_writes=off -c log_min_messages=fatal \
      >"$d/server.log" 2>&1 &
    PG_PID=$!
    srv_wait "$PG_PID" pg_ready && return 0
    kill -9 "$PG_PID" 2>/dev/null; wait "$PG_PID" 2>/dev/null; PG_PID=""
  done
  echo "conformance-sql: PostgreSQL did not come up within ${SERVER_WAIT}s:"
  sed 's/^/    /' "$d/server.log" | tail -5
  return 1
}

maria_start() {
  d=$SRV_TMP/maria
  srv_dir maria || return 1
  if ! $AS_USER "$MARIA_INSTALL_DB" --no-defaults --datadir="$d/data" --skip-test-db \
       --auth-root-authentication-method=normal ${SRV_OWNER:+--user=nobody} \
       >"$d/install.log" 2>&1; then
    echo "conformance-sql: mariadb-install-db failed:"; sed 's/^/    /' "$d/install.log" | tail -5
    return 1
  fi
  for attempt in 1 2; do
    MARIA_PORT=$(free_port) || { echo "conformance-sql: no free port"; return 1; }
    $AS_USER "$MARIADBD" --no-defaults --datadir="$d/data" --socket="$d/mysqld.sock" \
      --pid-file="$d/mysqld.pid" --bind-address=127.0.0.1 --port="$MARIA_PORT" \
      --skip-grant-tables --skip-name-resolve --innodb-buffer-pool-size=32M \
      --innodb-flush-log-at-trx-commit=0 --innodb-log-file-size=8M --skip-log-bin \
      --max-connections=200 --innodb-lock-wait-timeout=50 \
      ${SRV_OWNER:+--user=nobody} >"$d/server.log" 2>&1 &
    MARIA_PID=$!
    srv_wait "$MARIA_PID" maria_ready && return 0
    kill -9 "$MARIA_PID" 2>/dev/null; wait "$MARIA_PID" 2>/dev/null; MARIA_PID=""
  done
  echo "conformance-sql: MariaDB did not come up within ${SERVER_WAIT}s:"
  sed 's/^/    /' "$d/server.log" | tail -5
  return 1
}

# stop_pid PID: SIGTERM (both servers shut down fast on it; for postgres it
# is "smart" shutdown, so SIGINT, "fast", is sent), then SIGKILL after 10 s.
stop_pid() {
  [ -n "$1" ] || return 0
  kill -"$2" "$1" 2>/dev/null || return 0
  t=0
  while [ $t -lt 100 ] && kill -0 "$1" 2>/dev/null; do sleep 0.1; t=$((t + 1)); done
  kill -9 "$1" 2>/dev/null
  wait "$1" 2>/dev/null
  return 0
}

servers_stop() {
  stop_pid "$PG_PID" INT; PG_PID=""
  stop_pid "$MARIA_PID" TERM; MARIA_PID=""
}
