#!/usr/bin/env bash
# Starts Debian's PgBouncer in transaction mode (what managed PostgreSQL's poolers run) in front of
# the local PostgreSQL, on a spare port with a small server pool, and prints its URL. Used by
# .ci/run to run the PostgreSQL suite and the chaos test through it; `stop` ends it.
#   scripts/ci/pgbouncer.sh start   → prints postgres://postgres@127.0.0.1:$PGBOUNCER_PORT/test
#   scripts/ci/pgbouncer.sh stop
set -euo pipefail

PORT="${PGBOUNCER_PORT:-6433}"
POOL_SIZE="${PGBOUNCER_POOL_SIZE:-10}"
UPSTREAM_HOST="${PGBOUNCER_UPSTREAM_HOST:-127.0.0.1}"
UPSTREAM_PORT="${PGBOUNCER_UPSTREAM_PORT:-5432}"
DIR="${PGBOUNCER_DIR:-/tmp/tollgate-pgbouncer-$PORT}"

install_pgbouncer() {
  command -v pgbouncer >/dev/null && return
  # Debian's package only: no download beyond apt.
  [ "$(id -u)" = 0 ] || { echo "FATAL: pgbouncer is missing: sudo apt-get install -y pgbouncer" >&2; exit 1; }
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbouncer >/dev/null
}

stop() {
  if [ -f "$DIR/pgbouncer.pid" ]; then
    kill "$(cat "$DIR/pgbouncer.pid")" 2>/dev/null || true
    for _ in $(seq 1 50); do [ -f "$DIR/pgbouncer.pid" ] || break; sleep 0.1; done
  fi
}

start() {
  install_pgbouncer
  stop
  mkdir -p "$DIR"
  # Any database name is passed through to the same server (the tests create one per file).
  cat >"$DIR/pgbouncer.ini" <<INI
[databases]
* = host=$UPSTREAM_HOST port=$UPSTREAM_PORT

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PORT
unix_socket_dir =
auth_type = trust
auth_file = $DIR/userlist.txt
pool_mode = transaction
default_pool_size = $POOL_SIZE
min_pool_size = 0
reserve_pool_size = 0
max_client_conn = 1000
max_db_connections = $POOL_SIZE
server_reset_query =
ignore_startup_parameters = extra_float_digits,options
server_login_retry = 1
logfile = $DIR/pgbouncer.log
pidfile = $DIR/pgbouncer.pid
admin_users = postgres
INI
  echo '"postgres" ""' >"$DIR/userlist.txt"
  local as=()
  # PgBouncer refuses to run as root.
  if [ "$(id -u)" = 0 ]; then
    chown -R postgres "$DIR"
    as=(-u postgres)
  fi
  pgbouncer -d "${as[@]}" "$DIR/pgbouncer.ini"
  for _ in $(seq 1 50); do
    pg_isready -h 127.0.0.1 -p "$PORT" -q && break
    sleep 0.1
  done
  pg_isready -h 127.0.0.1 -p "$PORT" -q || { echo "FATAL: PgBouncer did not start:" >&2; cat "$DIR/pgbouncer.log" >&2; exit 1; }
  echo "postgres://postgres@127.0.0.1:$PORT/test"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
