#!/usr/bin/env bash
# The image chooser: decides which base images the stack runs on and writes compose/.env.
#
#   scripts/images.sh [--mode auto|official|kit] [--rebuild]
#
#   official  the pinned official images (present locally, or pulled);
#   kit       the offline kit's drop-in builds (compose/kit/), built locally from Debian
#             packages and a FerretDB binary built with the host's Go;
#   auto      (default; env ARENA_IMAGES may set it) official when all are present locally or
#             `docker pull` works, otherwise the kit.
#   --rebuild rebuild the kit's images (and the FerretDB binary) even when up to date.
#
# Idempotent and fast when everything is there: a kit image is rebuilt only when it is missing
# or its inputs changed (an inputs hash is kept in the image label org.arena.kit.inputs).
# Also stages the host's locally added CA certificates into compose/certs/ for the app image.
set -euo pipefail
cd "$(dirname "$0")/.."

# --- what the stack runs on -------------------------------------------------------------------
OFFICIAL_POSTGRES=postgres:15.10-bookworm
OFFICIAL_REDIS=redis:7.0.15-bookworm
OFFICIAL_MONGO=mongo:7.0.14
OFFICIAL_PYTHON=python:3.11.10-slim-bookworm
OFFICIAL_MONGO_HEALTHCHECK="mongosh --quiet --eval 'db.adminCommand(\"ping\").ok'"

KIT_BASE=arena-kit/debian:bookworm
KIT_POSTGRES=arena-kit/postgres:15
KIT_REDIS=arena-kit/redis:7
KIT_MONGO=arena-kit/ferretdb:1.24
KIT_PYTHON=arena-kit/python:3.11
KIT_MONGO_HEALTHCHECK="arena-ferretdb ping"

KIT_DIR=compose/kit
KIT_BUILD="$KIT_DIR/build"                   # git-ignored: FerretDB binary, staged certs
HOST_CA_DIR=/usr/local/share/ca-certificates  # where update-ca-certificates finds local CAs
APP_CERTS=compose/certs                       # COPYed by compose/app.Dockerfile
ENV_FILE=compose/.env                         # read by compose (project dir is compose/)
PULL_TIMEOUT="${ARENA_PULL_TIMEOUT:-30}"      # seconds per `docker pull`
# Bump to rebuild the base image on every machine (its inputs are not files of the repo).
BASE_RECIPE="debootstrap --variant=minbase bookworm; recipe 1"

MODE="${ARENA_IMAGES:-auto}"
REBUILD=0

log() { printf '[images] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
now() { printf '%s' "$EPOCHREALTIME"; }
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" >&2; }

parse_args() {
  while [ $# -gt 0 ]; do
    case "$1" in
      --mode) [ $# -ge 2 ] || die "--mode needs a value: auto, official or kit"; MODE="$2"; shift 2 ;;
      --mode=*) MODE="${1#--mode=}"; shift ;;
      --rebuild) REBUILD=1; shift ;;
      -h|--help) usage; exit 0 ;;
      *) usage; die "unknown argument: $1" ;;
    esac
  done
  case "$MODE" in auto|official|kit) ;; *) die "unknown mode '$MODE' (auto, official or kit)" ;; esac
}

image_present() { docker image inspect "$1" >/dev/null 2>&1; }
image_label() { docker image inspect -f "{{ index .Config.Labels \"$2\" }}" "$1" 2>/dev/null || true; }
image_id() { docker image inspect -f '{{.Id}}' "$1"; }

# Hash of files' contents (and names) plus extra strings: a kit image's inputs.
inputs_hash() {
  local extra="$1"; shift
  { printf '%s\n' "$extra"; for f in "$@"; do printf '%s\n' "$f"; cat "$f"; done; } \
    | sha256sum | cut -c1-16
}

# --- official images --------------------------------------------------------------------------
OFFICIAL_IMAGES=("$OFFICIAL_POSTGRES" "$OFFICIAL_REDIS" "$OFFICIAL_MONGO" "$OFFICIAL_PYTHON")
PULL_ERROR=""

# Pull the official images that are missing; on the first failure set PULL_ERROR and return 1.
pull_official() {
  local img out t0
  for img in "${OFFICIAL_IMAGES[@]}"; do
    image_present "$img" && continue
    t0=$(now)
    log "pulling $img (timeout ${PULL_TIMEOUT} s)"
    if ! out=$(timeout "$PULL_TIMEOUT" docker pull -q "$img" 2>&1); then
      # The daemon's own words name the registry host; say what happened instead.
      case "$out" in
        *"no such host"*|*"dial tcp"*|*"connection refused"*|*"i/o timeout"*) out="no registry reachable" ;;
        "") out="no answer within ${PULL_TIMEOUT} s" ;;
        *) out="$(printf '%s' "$out" | tail -n1 | sed -E 's#https?://[^ "]+#<registry>#g' | cut -c1-160)" ;;
      esac
      PULL_ERROR="docker pull $img failed ($out)"
      return 1
    fi
    log "pulled $img in $(since "$t0") s"
  done
}

all_official_present() {
  local img
  for img in "${OFFICIAL_IMAGES[@]}"; do image_present "$img" || return 1; done
}

# --- the offline kit --------------------------------------------------------------------------
# Run a build step quietly, with its timing; show its output only when it fails.
timed() {
  local what="$1"; shift
  local t0 out; t0=$(now); out="$(mktemp)"
  log "building $what ..."
  if ! "$@" >"$out" 2>&1; then
    tail -n 40 "$out" >&2; rm -f "$out"
    die "building $what failed after $(since "$t0") s (output above)"
  fi
  rm -f "$out"
  log "built $what in $(since "$t0") s"
}

# Build IMAGE from compose/kit/NAME/Dockerfile unless an image with the same inputs exists.
kit_image() {
  local image="$1" name="$2" hash="$3"
  if [ "$REBUILD" = 0 ] && [ "$(image_label "$image" org.arena.kit.inputs)" = "$hash" ]; then
    return 0
  fi
  local no_cache=(); [ "$REBUILD" = 0 ] || no_cache=(--no-cache)
  local old_id; old_id="$(image_id "$image" 2>/dev/null || true)"
  # The context is compose/kit/; its .dockerignore lets through only what the Dockerfiles COPY.
  timed "$image" docker build "${no_cache[@]}" --label "org.arena.kit.inputs=$hash" \
    -f "$KIT_DIR/$name/Dockerfile" -t "$image" "$KIT_DIR"
  forget_old "$image" "$old_id"
}

# After a rebuild, remove the image's previous build (now untagged) unless something uses it.
forget_old() {
  local image="$1" old_id="$2"
  [ -n "$old_id" ] && [ "$old_id" != "$(image_id "$image")" ] || return 0
  [ -z "$(docker image inspect -f '{{join .RepoTags ""}}' "$old_id" 2>/dev/null)" ] || return 0
  docker rmi "$old_id" >/dev/null 2>&1 || true
}

ROOTFS_TMP=""
cleanup() { [ -z "$ROOTFS_TMP" ] || rm -rf "$ROOTFS_TMP"; }
trap cleanup EXIT

# Note: build steps run under `timed` (an `if` context, where set -e is off): chain with &&.
make_base_rootfs_image() {
  ROOTFS_TMP="$(mktemp -d "${TMPDIR:-/tmp}/arena-kit-rootfs.XXXXXX")" || return
  local root="$ROOTFS_TMP/root"
  # No mirror argument: debootstrap's default, so the repository never names one.
  debootstrap --variant=minbase bookworm "$root" \
  && rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* \
  && tar -C "$root" -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' --change 'CMD ["bash"]' \
    --change "LABEL org.arena.kit.inputs=$1" - "$KIT_BASE" \
  && rm -rf "$ROOTFS_TMP" && ROOTFS_TMP=""
}

kit_base() {
  local hash; hash="$(inputs_hash "$BASE_RECIPE")"
  if [ "$REBUILD" = 0 ] && [ "$(image_label "$KIT_BASE" org.arena.kit.inputs)" = "$hash" ]; then
    return 0
  fi
  [ "$(id -u)" = 0 ] || die "building $KIT_BASE needs root (debootstrap); run as root"
  if ! command -v debootstrap >/dev/null 2>&1; then
    log "installing debootstrap"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
  fi
  local old_id; old_id="$(image_id "$KIT_BASE" 2>/dev/null || true)"
  timed "$KIT_BASE (debootstrap)" make_base_rootfs_image "$hash"
  forget_old "$KIT_BASE" "$old_id"
}

find_go() {
  if command -v go >/dev/null 2>&1; then command -v go
  elif [ -x /usr/local/go/bin/go ]; then echo /usr/local/go/bin/go
  else die "the kit's FerretDB is built with Go (>= 1.24), and no 'go' was found"
  fi
}

build_ferretdb_binary() {
  local go="$1"
  mkdir -p "$KIT_BUILD/ferretdb" || return
  # Static (pure-Go SQLite), with the host's Go; modules come through Go's default proxy.
  (cd "$KIT_DIR/ferretdb" && CGO_ENABLED=0 GOTOOLCHAIN=local GOOS=linux \
    "$go" build -trimpath -ldflags='-s -w' -o ../build/ferretdb/arena-ferretdb .)
}

kit_ferretdb() {
  local base_id="$1" src=("$KIT_DIR/ferretdb/main.go" "$KIT_DIR/ferretdb/go.mod" "$KIT_DIR/ferretdb/go.sum")
  local hash; hash="$(inputs_hash "$base_id" "$KIT_DIR/ferretdb/Dockerfile" "${src[@]}")"
  if [ "$REBUILD" = 0 ] && [ "$(image_label "$KIT_MONGO" org.arena.kit.inputs)" = "$hash" ]; then
    return 0
  fi
  local bin="$KIT_BUILD/ferretdb/arena-ferretdb" stamp="$KIT_BUILD/ferretdb/.inputs"
  local src_hash; src_hash="$(inputs_hash go "${src[@]}")"
  if [ "$REBUILD" = 1 ] || [ ! -x "$bin" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$src_hash" ]; then
    local go; go="$(find_go)"  # (a separate assignment, so that set -e stops here)
    timed "the FerretDB binary (go build)" build_ferretdb_binary "$go"
    printf '%s\n' "$src_hash" >"$stamp"
  fi
  kit_image "$KIT_MONGO" ferretdb "$hash"
}

# Copy the host's locally added CA certificates (possibly none) into DIR, removing stale ones.
stage_certs() {
  local dir="$1" f
  mkdir -p "$dir"
  for f in "$dir"/*.crt; do
    if [ -e "$f" ] && [ ! -e "$HOST_CA_DIR/$(basename "$f")" ]; then rm -f "$f"; fi
  done
  for f in "$HOST_CA_DIR"/*.crt; do
    [ -e "$f" ] || continue
    cmp -s "$f" "$dir/$(basename "$f")" || cp "$f" "$dir/"
  done
}

build_kit() {
  kit_base
  local base_id; base_id="$(image_id "$KIT_BASE")"
  stage_certs "$KIT_BUILD/certs"
  kit_image "$KIT_POSTGRES" postgres \
    "$(inputs_hash "$base_id" "$KIT_DIR/postgres/Dockerfile" "$KIT_DIR/postgres/docker-entrypoint.sh")"
  kit_image "$KIT_REDIS" redis "$(inputs_hash "$base_id" "$KIT_DIR/redis/Dockerfile")"
  kit_ferretdb "$base_id"
  # shellcheck disable=SC2046  # the staged certificates are inputs too (none is fine)
  kit_image "$KIT_PYTHON" python "$(inputs_hash "$base_id" "$KIT_DIR/python/Dockerfile" \
    $(find "$KIT_BUILD/certs" -name '*.crt' | LC_ALL=C sort))"
}

# --- compose/.env -----------------------------------------------------------------------------
# Rewrite our keys in compose/.env, keeping any other lines; touch the file only on a change.
write_env() {
  local source="$1" pg="$2" redis="$3" mongo="$4" py="$5" hc="$6"
  local tmp; tmp="$(mktemp)"
  {
    if [ -f "$ENV_FILE" ]; then
      grep -v -E '^(# written by scripts/images\.sh|ARENA_(IMAGE_SOURCE|POSTGRES_IMAGE|REDIS_IMAGE|MONGO_IMAGE|PYTHON_IMAGE|MONGO_HEALTHCHECK))' \
        "$ENV_FILE" || true
    fi
    echo "# written by scripts/images.sh (--mode $MODE): the base images the stack runs on"
    echo "ARENA_IMAGE_SOURCE=$source"
    echo "ARENA_POSTGRES_IMAGE=$pg"
    echo "ARENA_REDIS_IMAGE=$redis"
    echo "ARENA_MONGO_IMAGE=$mongo"
    echo "ARENA_PYTHON_IMAGE=$py"
    # Double-quoted: both compose's .env parser and a shell read it the same way.
    printf 'ARENA_MONGO_HEALTHCHECK="%s"\n' "${hc//\"/\\\"}"
  } >"$tmp"
  if cmp -s "$tmp" "$ENV_FILE"; then rm -f "$tmp"; else mv "$tmp" "$ENV_FILE"; chmod 0644 "$ENV_FILE"; fi
}

use_official() {
  log "using the official images: $1"
  write_env official "$OFFICIAL_POSTGRES" "$OFFICIAL_REDIS" "$OFFICIAL_MONGO" "$OFFICIAL_PYTHON" \
    "$OFFICIAL_MONGO_HEALTHCHECK"
}

use_kit() {
  log "using the offline kit: $1"
  build_kit
  write_env kit "$KIT_POSTGRES" "$KIT_REDIS" "$KIT_MONGO" "$KIT_PYTHON" "$KIT_MONGO_HEALTHCHECK"
}

main() {
  parse_args "$@"
  local t0; t0=$(now)
  timeout 10 docker info >/dev/null 2>&1 || die "the Docker engine does not answer (scripts/provision.sh starts it)"
  stage_certs "$APP_CERTS"
  case "$MODE" in
    official)
      pull_official || die "$PULL_ERROR; try --mode kit (or --mode auto)"
      use_official "--mode official" ;;
    kit)
      use_kit "--mode kit" ;;
    auto)
      if all_official_present; then
        use_official "all are present locally"
      elif pull_official; then
        use_official "docker pull works"
      else
        use_kit "$PULL_ERROR"
      fi ;;
  esac
  log "wrote $ENV_FILE (ARENA_IMAGE_SOURCE=$(sed -n 's/^ARENA_IMAGE_SOURCE=//p' "$ENV_FILE")) in $(since "$t0") s"
}

main "$@"
