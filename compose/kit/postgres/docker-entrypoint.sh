#!/bin/bash
# Offline kit: the official postgres image's entrypoint, reduced to what the stack uses.
#   POSTGRES_USER (default postgres), POSTGRES_PASSWORD (required unless
#   POSTGRES_HOST_AUTH_METHOD=trust), POSTGRES_DB (default $POSTGRES_USER), PGDATA.
# `postgres ARGS...` (or just `-c ...`) runs the server; any other command is run as is.
set -Eeuo pipefail

log() { printf '[arena-kit postgres] %s\n' "$*" >&2; }

init_cluster() {
  local user="${POSTGRES_USER:-postgres}" db="${POSTGRES_DB:-${POSTGRES_USER:-postgres}}"
  local auth="${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}"
  if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "$auth" != trust ]; then
    log "POSTGRES_PASSWORD is not set: set it (or POSTGRES_HOST_AUTH_METHOD=trust)"
    exit 1
  fi
  log "initialising the cluster in $PGDATA (user $user, database $db)"
  initdb --username="$user" --pwfile=<(printf '%s\n' "${POSTGRES_PASSWORD:-}") \
    --encoding=UTF8 --locale=C.UTF-8 --auth-local=trust --auth-host="$auth" \
    -D "$PGDATA" >/dev/null
  # initdb allows only localhost over TCP; open the network, with password authentication.
  printf 'host all all all %s\n' "$auth" >>"$PGDATA/pg_hba.conf"
  if [ "$db" != postgres ]; then
    # Single-user mode: no server to start and stop just to create a database.
    printf 'CREATE DATABASE "%s";\n' "${db//\"/\"\"}" \
      | postgres --single -D "$PGDATA" postgres >/dev/null
  fi
}

if [ "${1:0:1}" = '-' ]; then set -- postgres "$@"; fi

if [ "$1" = postgres ]; then
  : "${PGDATA:=/var/lib/postgresql/data}"
  export PGDATA
  if [ "$(id -u)" = 0 ]; then
    # As root: own the data dir (a fresh volume may be root's), then run this script as postgres.
    mkdir -p "$PGDATA"
    chown postgres:postgres "$PGDATA"
    chmod 700 "$PGDATA"
    exec setpriv --reuid=postgres --regid=postgres --init-groups "$BASH_SOURCE" "$@"
  fi
  [ -s "$PGDATA/PG_VERSION" ] || init_cluster
  shift
  # exec: the server is PID 1 (or tini's child) and gets docker stop's signal itself.
  exec postgres -c listen_addresses='*' "$@"
fi

exec "$@"
