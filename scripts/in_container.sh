#!/usr/bin/env bash
# The acceptance suite in a container, for a host that has Docker and nothing else (no Python):
#
#   scripts/acceptance.sh --in-container [behave arguments]   (hands over to this script)
#   scripts/in_container.sh [behave arguments]
#   scripts/in_container.sh --build-only                      (the image only; compose/suite.yml)
#
# 1. scripts/images.sh on the host: the stack's base images, compose/.env, compose/certs/.
# 2. The suite image arena-suite:src-<hash of its inputs> (compose/suite.Dockerfile), built only
#    when no image has that tag; its context is staged in a temporary directory: the suite's files,
#    the host's CA certificates and the host's static docker CLI and Compose v2 plugin.
# 3. `docker run --rm --init --sig-proxy=true` with the Docker socket, the repository mounted at its
#    host path (compose's bind mounts resolve on the host; reports/ lands there) and the host's
#    uid:gid (plus the socket's group): behave with ARENA_ADDRESSING=network joins the stack's
#    network and calls services by name (harness/network.py). No arguments: the gate's selection,
#    as scripts/acceptance.sh uses it. Exit status: behave's.
#
# Teardown: Ctrl-C or SIGTERM reaches behave in the container (the CLI proxies it; the trap below
# sends it too, for a signal to this script alone), which tears its stack down; the trap waits for
# that, stops the container if it hangs, and removes whatever stack is still labelled with the
# container as its owner (org.arena.acceptance.owner=container:<id>:<pid>). A stack of a container
# that died some other way is stale for the next run, on the host or in a container.
set -uo pipefail
cd "$(dirname "$0")/.."
REPO="$(pwd -P)"

IMAGE_REPO=arena-suite
NAME="arena-suite-$$-$RANDOM"
ACCEPTANCE_LABEL=org.arena.acceptance=true
OWNER_LABEL=org.arena.acceptance.owner
PROJECT_LABEL=com.docker.compose.project
TEARDOWN_WAIT=180  # seconds behave may take to tear down after a signal (coverage collection included)

log() { printf '[in-container] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 2; }
since() { printf '%s' "$((SECONDS - $1))"; }

BUILD_ONLY=false
if [ "${1:-}" = "--build-only" ]; then BUILD_ONLY=true; shift; fi

TMP="$(mktemp -d "${TMPDIR:-/tmp}/arena-suite.XXXXXX")" || die "no temporary directory"
CIDFILE="$TMP/cid"
RUN_PID=""
trap 'rm -rf "$TMP"' EXIT

# --- the engine -------------------------------------------------------------------------------
SOCKET=/var/run/docker.sock
case "${DOCKER_HOST:-}" in
  "") ;;
  unix://*) SOCKET="${DOCKER_HOST#unix://}" ;;
  *) die "DOCKER_HOST=$DOCKER_HOST: the suite container needs the engine's unix socket to mount" ;;
esac
[ -S "$SOCKET" ] || die "no Docker socket at $SOCKET"
timeout 10 docker info >/dev/null 2>&1 || die "the Docker engine does not answer at $SOCKET"

# The host's docker CLI and Compose v2 plugin, copied into the image (static binaries).
DOCKER_BIN="$(readlink -f "$(command -v docker)")"
COMPOSE_BIN="$(docker info --format '{{range .ClientInfo.Plugins}}{{if eq .Name "compose"}}{{.Path}}{{end}}{{end}}' 2>/dev/null)"
if [ -z "$COMPOSE_BIN" ]; then
  for dir in "${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins" /usr/local/lib/docker/cli-plugins \
             /usr/local/libexec/docker/cli-plugins /usr/lib/docker/cli-plugins /usr/libexec/docker/cli-plugins; do
    [ -x "$dir/docker-compose" ] && { COMPOSE_BIN="$dir/docker-compose"; break; }
  done
fi
[ -n "$COMPOSE_BIN" ] || die "no Compose v2 plugin (docker compose) on this host (scripts/provision.sh installs one)"
COMPOSE_BIN="$(readlink -f "$COMPOSE_BIN")"

# --- the stack's images (host side: bash and docker only) --------------------------------------
t0=$SECONDS
bash scripts/images.sh || exit 1
PYTHON_IMAGE="$(sed -n 's/^ARENA_PYTHON_IMAGE=//p' compose/.env)"
[ -n "$PYTHON_IMAGE" ] || die "compose/.env names no ARENA_PYTHON_IMAGE (scripts/images.sh writes it)"
PYTHON_IMAGE_ID="$(docker image inspect -f '{{.Id}}' "$PYTHON_IMAGE" 2>/dev/null)" \
  || die "the Python base image $PYTHON_IMAGE is missing (scripts/images.sh)"

# --- the suite image, content-addressed ---------------------------------------------------------
# The files it is built from (repository paths), sorted: what the tag hashes and the context holds.
suite_inputs() {
  {
    printf '%s\n' compose/suite.Dockerfile pyproject.toml services/requirements.txt environment.py \
      scripts/make_fixtures.py
    find harness steps features fixtures compose/certs -type f \
      ! -path '*/__pycache__/*' ! -name '*.pyc' ! -path 'fixtures/documents/*'
  } | LC_ALL=C sort
}

suite_tag() {
  {
    printf 'base %s\n' "$PYTHON_IMAGE_ID"
    while IFS= read -r f; do printf '%s\n' "$f"; cat "$f"; done < <(suite_inputs)
    cat "$DOCKER_BIN" "$COMPOSE_BIN"
  } | sha256sum | cut -c1-16
}

build_image() {
  local image="$1" ctx="$TMP/context" out="$TMP/build.log" t0=$SECONDS
  mkdir -p "$ctx/docker-cli"
  while IFS= read -r f; do
    mkdir -p "$ctx/$(dirname "$f")" && cp "$f" "$ctx/$f"
  done < <(suite_inputs)
  cp "$DOCKER_BIN" "$ctx/docker-cli/docker"
  cp "$COMPOSE_BIN" "$ctx/docker-cli/docker-compose"
  log "building $image on $PYTHON_IMAGE (its inputs changed, or the first time: about a minute)"
  if ! docker build --build-arg "PYTHON_IMAGE=$PYTHON_IMAGE" -f "$ctx/compose/suite.Dockerfile" \
       -t "$image" -t "$IMAGE_REPO:latest" "$ctx" >"$out" 2>&1; then
    tail -n 40 "$out" >&2
    die "building $image failed after $(since "$t0") s (output above)"
  fi
  rm -rf "$ctx"
  log "built $image in $(since "$t0") s"
  # Earlier builds of this image (other code): removed, unless a running suite still uses one.
  docker images "$IMAGE_REPO" --format '{{.Tag}}' | grep '^src-' | grep -vx "${image#*:}" \
    | while IFS= read -r old; do docker rmi "$IMAGE_REPO:$old" >/dev/null 2>&1 || true; done
}

IMAGE="$IMAGE_REPO:src-$(suite_tag)"
if docker image inspect "$IMAGE" >/dev/null 2>&1; then
  docker tag "$IMAGE" "$IMAGE_REPO:latest"
  log "image $IMAGE is up to date (images checked in $(since "$t0") s)"
else
  build_image "$IMAGE"
fi
$BUILD_ONLY && { log "built only: run it with scripts/in_container.sh or compose/suite.yml"; exit 0; }

# --- the run ----------------------------------------------------------------------------------
# Compose projects whose owner label names container $1, from containers, networks and volumes.
stacks_of() {
  {
    docker ps -a --filter "label=$ACCEPTANCE_LABEL" --format "{{.Label \"$OWNER_LABEL\"}} {{.Label \"$PROJECT_LABEL\"}}"
    docker network ls --filter "label=$ACCEPTANCE_LABEL" --format "{{.Label \"$OWNER_LABEL\"}} {{.Label \"$PROJECT_LABEL\"}}"
    docker volume ls --filter "label=$ACCEPTANCE_LABEL" --format "{{.Label \"$OWNER_LABEL\"}} {{.Label \"$PROJECT_LABEL\"}}"
  } 2>/dev/null | awk -v owner="container:$1:" 'index($1, owner) == 1 && $2 != "" { print $2 }' | sort -u
}

remove_stack() {
  local project="$1" selector="label=$PROJECT_LABEL=$1"
  docker ps -aq --filter "$selector" | xargs -r docker rm -fv >/dev/null 2>&1
  docker network ls -q --filter "$selector" | xargs -r docker network rm >/dev/null 2>&1
  docker volume ls -q --filter "$selector" | xargs -r docker volume rm -f >/dev/null 2>&1
  log "removed the stack $project the suite container left behind"
}

remove_leftovers() {
  local cid project
  cid="$(cat "$CIDFILE" 2>/dev/null)" || return 0
  [ -n "$cid" ] || return 0
  for project in $(stacks_of "$cid"); do remove_stack "$project"; done
}

container_running() { [ "$(docker inspect -f '{{.State.Running}}' "$NAME" 2>/dev/null)" = true ]; }

on_signal() {
  local sig="$1" code="$2" i
  trap '' INT TERM  # a second Ctrl-C does not cut the teardown short
  log "$sig: the suite container tears its stack down (up to $TEARDOWN_WAIT s)"
  container_running && docker kill -s "$sig" "$NAME" >/dev/null 2>&1
  for ((i = 0; i < TEARDOWN_WAIT * 2; i++)); do
    { [ -n "$RUN_PID" ] && kill -0 "$RUN_PID" 2>/dev/null; } || container_running || break
    sleep 0.5
  done
  if container_running; then
    log "the suite container did not end within $TEARDOWN_WAIT s: stopping it"
    docker stop -t 10 "$NAME" >/dev/null 2>&1
  fi
  [ -n "$RUN_PID" ] && wait "$RUN_PID" 2>/dev/null
  remove_leftovers
  exit "$code"
}
trap 'on_signal INT 130' INT
trap 'on_signal TERM 143' TERM

args=("$@")
[ ${#args[@]} -gt 0 ] || args=(--tags=@integration --tags="not @known_defect")  # the gate's selection

# Results are per run, as on the host (scripts/acceptance.sh); created here, so they are the user's.
rm -rf reports/allure-results reports/junit/TESTS-*.xml
mkdir -p reports/allure-results reports/junit

tty=()
[ -t 0 ] && [ -t 1 ] && tty=(--interactive --tty)
# The host's settings and CI's variables, as a host run would see them.
passthrough=()
while IFS= read -r var; do
  case "$var" in ARENA_ADDRESSING|ARENA_IMAGES_READY) ;; *) passthrough+=(-e "$var") ;; esac
done < <(compgen -e | grep -E '^(ARENA_|GITHUB_|CI$)')

log "running the suite in container $NAME ($IMAGE): behave ${args[*]}"
t_run=$SECONDS
# In the background and waited for: a signal to this script runs its trap at once (bash runs a
# trap only after a foreground command ends). Stdin stays the terminal for an interactive run.
docker run --rm --init --sig-proxy=true --name "$NAME" --cidfile "$CIDFILE" "${tty[@]}" \
  --user "$(id -u):$(id -g)" --group-add "$(stat -c %g "$SOCKET")" \
  -v "$SOCKET:/var/run/docker.sock" -v "$REPO:$REPO" -w "$REPO" \
  -e ARENA_ADDRESSING=network -e ARENA_IMAGES_READY=1 -e PYTHONPATH="$REPO" "${passthrough[@]}" \
  "$IMAGE" "${args[@]}" <&0 &
RUN_PID=$!
wait "$RUN_PID"
status=$?
RUN_PID=""
remove_leftovers
log "behave exited with $status after $(since "$t_run") s; results in reports/allure-results, reports/junit"
exit "$status"
