#!/usr/bin/env bash
# Starts or stops a throw-away PostgreSQL for the tests, on 127.0.0.1 in a temporary data
# directory, installing Debian's postgresql package first when it is missing.
#   scripts/postgres.sh start   prints the URL of database numo_test; state in $NUMO_PG_STATE
#   scripts/postgres.sh stop    stops it and removes the data directory
set -euo pipefail
STATE=${NUMO_PG_STATE:-/tmp/numo-pg.state}
PGPORT=${NUMO_PG_PORT:-54329}

find_pgbin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
start)
  PGBIN=$(find_pgbin)
  if [ -z "$PGBIN" ]; then
    echo "installing Debian's postgresql package" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 && apt-get install -y -qq postgresql >&2
    PGBIN=$(find_pgbin)
  fi
  if [ -f "$STATE" ]; then "$0" stop || true; fi
  PGDATA=$(mktemp -d /tmp/numo-pgdata.XXXXXX)
  if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$PGDATA"; fi
  chmod 700 "$PGDATA"
  as_postgres "$PGBIN/initdb" -D "$PGDATA" -U postgres -A trust -E UTF8 --locale=C --no-sync >/dev/null
  as_postgres "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/log" -w -t 30 \
    -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $PGDATA -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" start >/dev/null
  as_postgres "$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres numo_test
  printf 'PGBIN=%s\nPGDATA=%s\n' "$PGBIN" "$PGDATA" > "$STATE"
  echo "postgres://postgres@127.0.0.1:$PGPORT/numo_test?sslmode=disable"
  ;;
stop)
  [ -f "$STATE" ] || exit 0
  # shellcheck disable=SC1090
  . "$STATE"
  as_postgres "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$PGDATA" "$STATE"
  ;;
*)
  echo "usage: $0 start|stop" >&2
  exit 2
  ;;
esac
