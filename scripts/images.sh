#!/usr/bin/env bash
# The image chooser: decides which base images the stack runs on and writes compose/.env.
#
#   scripts/images.sh [--mode auto|official|kit] [--rebuild] [--ferretdb-binary]
#
#   official  the pinned official images (present locally, or pulled);
#   kit       the offline kit's drop-in builds (compose/kit/), built locally from Debian
#             packages and a FerretDB binary built with the host's Go;
#   auto      (default; env ARENA_IMAGES may set it) official when all are present locally or
#             `docker pull` works, otherwise the kit; once the kit is chosen (compose/.env says
#             so, or its images are there), it stays chosen without asking a registry again.
#   --rebuild rebuild the kit's images (and the FerretDB binary) even when up to date.
#   --ferretdb-binary  only make sure the kit's FerretDB binary is in its cache, when the kit may
#             need it; needs no engine (scripts/setup.sh starts it while the engine starts).
#
# Idempotent and fast when everything is there: a kit image is rebuilt only when it is missing
# or its inputs changed (an inputs hash is kept in the image label org.arena.kit.inputs).
# The kit builds what does not depend on each other at once: the FerretDB `go build` beside
# the debootstrap'd base, then the four images on that base together. ARENA_KIT_JOBS=1 builds
# one thing at a time in the old order (for comparison, scripts/measure_setup.py).
# The FerretDB binary is built once per inputs (its sources, the Go version, the recipe) into
# ${ARENA_CACHE_DIR:-${XDG_CACHE_HOME:-~/.cache}/arena}/ferretdb/<hash>/, outside the checkout,
# so another clone on the same machine reuses it; Go's module and build caches are Go's own.
# Also stages the host's locally added CA certificates into compose/certs/ for the app image.
# ARENA_ENV_FILE writes another file than compose/.env; ARENA_BUILD_NETWORK passes --network
# to the kit's builds; ARENA_TIMINGS names a file to which each step appends
# "step<TAB>start<TAB>end" (epoch seconds).
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
KIT_BUILD="$KIT_DIR/build"                   # git-ignored: what the kit's build context stages
HOST_CA_DIR=/usr/local/share/ca-certificates  # where update-ca-certificates finds local CAs
APP_CERTS=compose/certs                       # COPYed by compose/app.Dockerfile
ENV_FILE="${ARENA_ENV_FILE:-compose/.env}"    # read by compose (project dir is compose/)
PULL_TIMEOUT="${ARENA_PULL_TIMEOUT:-30}"      # seconds per `docker pull`
# Bump to rebuild the base image on every machine (its inputs are not files of the repo).
BASE_RECIPE="debootstrap --variant=minbase bookworm; recipe 1"

# The FerretDB binary: its sources, how it is built, where it is kept between runs and clones.
FERRETDB_SRC=("$KIT_DIR/ferretdb/main.go" "$KIT_DIR/ferretdb/go.mod" "$KIT_DIR/ferretdb/go.sum")
# Without FerretDB's PostgreSQL backend (the kit uses its SQLite one): 5 % less to compile.
FERRETDB_BUILD_FLAGS=(-tags ferretdb_no_postgresql -trimpath "-ldflags=-s -w")
FERRETDB_RECIPE="CGO_ENABLED=0 GOOS=linux GOTOOLCHAIN=local go build ${FERRETDB_BUILD_FLAGS[*]}"
FERRETDB_CACHE="${ARENA_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/arena}/ferretdb"
FERRETDB_STAGED="$KIT_BUILD/ferretdb/arena-ferretdb"  # where compose/kit/ferretdb/Dockerfile COPYs it from

MODE="${ARENA_IMAGES:-auto}"
KIT_JOBS="${ARENA_KIT_JOBS:-all}"
BUILD_NETWORK=()
[ -z "${ARENA_BUILD_NETWORK:-}" ] || BUILD_NETWORK=(--network "$ARENA_BUILD_NETWORK")
REBUILD=0
ONLY_FERRETDB_BINARY=0

log() { printf '[images] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
now() { printf '%s' "$EPOCHREALTIME"; }
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }
record() { [ -z "${ARENA_TIMINGS:-}" ] || printf '%s\t%s\t%s\n' "$1" "$2" "$EPOCHREALTIME" >>"$ARENA_TIMINGS"; }

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" >&2; }

parse_args() {
  while [ $# -gt 0 ]; do
    case "$1" in
      --mode) [ $# -ge 2 ] || die "--mode needs a value: auto, official or kit"; MODE="$2"; shift 2 ;;
      --mode=*) MODE="${1#--mode=}"; shift ;;
      --rebuild) REBUILD=1; shift ;;
      --ferretdb-binary) ONLY_FERRETDB_BINARY=1; shift ;;
      -h|--help) usage; exit 0 ;;
      *) usage; die "unknown argument: $1" ;;
    esac
  done
  case "$MODE" in auto|official|kit) ;; *) die "unknown mode '$MODE' (auto, official or kit)" ;; esac
  case "$KIT_JOBS" in 1|all) ;; *) die "ARENA_KIT_JOBS is '$KIT_JOBS': 1 (one build at a time) or all" ;; esac
}

# Scratch space of this run (build outputs, the debootstrap tree), removed at exit.
RUN_DIR="$(mktemp -d "${TMPDIR:-/tmp}/arena-images.XXXXXX")"
cleanup() {
  stop_jobs
  # A debootstrap stopped half-way can leave /proc or /sys mounted in its tree: unmount those
  # first, and never let rm cross into another file system.
  awk -v d="$RUN_DIR/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r | xargs -r umount -l 2>/dev/null || true
  rm -rf --one-file-system "$RUN_DIR"
}
trap cleanup EXIT
trap 'log "interrupted: stopping the builds"; exit 130' INT TERM

# Background jobs: start_job, await, stop_jobs.
# shellcheck source=scripts/jobs.sh
source scripts/jobs.sh  # (the working directory is the repository)

image_present() { docker image inspect "$1" >/dev/null 2>&1; }
image_label() { docker image inspect -f "{{ index .Config.Labels \"$2\" }}" "$1" 2>/dev/null || true; }
image_id() { docker image inspect -f '{{.Id}}' "$1"; }
engine_answers() { timeout 10 docker info >/dev/null 2>&1; }

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

chosen_source() { sed -n 's/^ARENA_IMAGE_SOURCE=//p' "$ENV_FILE" 2>/dev/null || true; }

all_official_present() {
  local img
  for img in "${OFFICIAL_IMAGES[@]}"; do image_present "$img" || return 1; done
}

# The kit built on this machine before (by another clone, say): no registry answered then.
all_kit_present() {
  local img
  for img in "$KIT_POSTGRES" "$KIT_REDIS" "$KIT_MONGO" "$KIT_PYTHON"; do image_present "$img" || return 1; done
}

# --- the offline kit --------------------------------------------------------------------------
# Run a build step quietly, with its timing; show its output only when it fails.
# KEY names the step in ARENA_TIMINGS.
timed() {
  local key="$1" what="$2"; shift 2
  local t0 out; t0=$(now); out="$(mktemp "$RUN_DIR/out.XXXXXX")"
  log "building $what ..."
  if ! "$@" >"$out" 2>&1; then
    tail -n 40 "$out" >&2
    die "building $what failed after $(since "$t0") s (output above)"
  fi
  log "built $what in $(since "$t0") s"
  record "$key" "$t0"
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
  timed "$name" "$image" docker build "${no_cache[@]}" "${BUILD_NETWORK[@]}" \
    --label "org.arena.kit.inputs=$hash" -f "$KIT_DIR/$name/Dockerfile" -t "$image" "$KIT_DIR"
  forget_old "$image" "$old_id"
}

# After a rebuild, remove the image's previous build (now untagged) unless something uses it.
forget_old() {
  local image="$1" old_id="$2"
  [ -n "$old_id" ] && [ "$old_id" != "$(image_id "$image")" ] || return 0
  [ -z "$(docker image inspect -f '{{join .RepoTags ""}}' "$old_id" 2>/dev/null)" ] || return 0
  docker rmi "$old_id" >/dev/null 2>&1 || true
}

# Note: build steps run under `timed` (an `if` context, where set -e is off): chain with &&.
make_base_rootfs_image() {
  local root; root="$(mktemp -d "$RUN_DIR/rootfs.XXXXXX")/root" || return
  # No mirror argument: debootstrap's default, so the repository never names one.
  debootstrap --variant=minbase bookworm "$root" \
  && rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* \
  && tar -C "$root" -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' --change 'CMD ["bash"]' \
    --change "LABEL org.arena.kit.inputs=$1" - "$KIT_BASE" \
  && rm -rf --one-file-system "$root"
}

base_hash() { inputs_hash "$BASE_RECIPE"; }
base_current() { [ "$REBUILD" = 0 ] && [ "$(image_label "$KIT_BASE" org.arena.kit.inputs)" = "$(base_hash)" ]; }

kit_base() {
  base_current && return 0
  [ "$(id -u)" = 0 ] || die "building $KIT_BASE needs root (debootstrap); run as root"
  if ! command -v debootstrap >/dev/null 2>&1; then
    log "installing debootstrap"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
  fi
  local old_id; old_id="$(image_id "$KIT_BASE" 2>/dev/null || true)"
  timed base "$KIT_BASE (debootstrap)" make_base_rootfs_image "$(base_hash)"
  forget_old "$KIT_BASE" "$old_id"
}

find_go() {
  if command -v go >/dev/null 2>&1; then command -v go
  elif [ -x /usr/local/go/bin/go ]; then echo /usr/local/go/bin/go
  else die "the kit's FerretDB is built with Go (>= 1.24), and no 'go' was found"
  fi
}

# The cached binary's path for these sources, this Go and this recipe (it may not exist yet).
ferretdb_binary_path() {
  local go version hash
  go="$(find_go)" && version="$(GOTOOLCHAIN=local "$go" version)" \
    && hash="$(inputs_hash "$FERRETDB_RECIPE; $version" "${FERRETDB_SRC[@]}")" || return 1
  printf '%s/%s/arena-ferretdb' "$FERRETDB_CACHE" "$hash"
}

compile_ferretdb() {
  local go="$1" out="$2"
  # Static (pure-Go SQLite), with the host's Go; modules come through Go's default proxy,
  # GOMODCACHE and GOCACHE are Go's defaults (outside the checkout, kept between runs).
  (cd "$KIT_DIR/ferretdb" && CGO_ENABLED=0 GOTOOLCHAIN=local GOOS=linux \
    "$go" build "${FERRETDB_BUILD_FLAGS[@]}" -o "$out" .)
}

# Make sure the cached FerretDB binary exists: `go build` it when missing (or with --rebuild).
# Two set-ups at once build it once: the second waits on the entry's lock, then finds it.
ferretdb_binary() {
  local bin go
  bin="$(ferretdb_binary_path)" && go="$(find_go)" || exit 1
  mkdir -p "${bin%/*}"
  {
    flock 9
    if [ "$REBUILD" = 1 ] || [ ! -x "$bin" ]; then
      timed ferretdb_binary "the FerretDB binary (go build)" compile_ferretdb "$go" "$bin.tmp"
      mv -f "$bin.tmp" "$bin"
    fi
  } 9>"${bin%/*}/.lock"
}

ferretdb_hash() { inputs_hash "$1" "$KIT_DIR/ferretdb/Dockerfile" "${FERRETDB_SRC[@]}"; }

# Is the FerretDB image up to date (and so the binary not needed)? Only when the base is.
ferretdb_image_current() {
  base_current || return 1
  [ "$(image_label "$KIT_MONGO" org.arena.kit.inputs)" = "$(ferretdb_hash "$(image_id "$KIT_BASE")")" ]
}

kit_ferretdb() {
  local base_id="$1" hash bin
  hash="$(ferretdb_hash "$base_id")"
  if [ "$REBUILD" = 0 ] && [ "$(image_label "$KIT_MONGO" org.arena.kit.inputs)" = "$hash" ]; then
    return 0
  fi
  # With --rebuild in the concurrent order the binary job has just rebuilt it: reuse it.
  if [ "$KIT_JOBS" = 1 ]; then ferretdb_binary; else REBUILD=0 ferretdb_binary; fi
  bin="$(ferretdb_binary_path)" || exit 1
  # The build context is compose/kit/: stage the cached binary there (atomically: a build
  # reading the context meanwhile sees the old file or the new one, never half of one).
  mkdir -p "${FERRETDB_STAGED%/*}"
  rm -f "$KIT_BUILD/ferretdb/.inputs"  # the stamp of the binary once built in the checkout
  if ! cmp -s "$bin" "$FERRETDB_STAGED"; then
    cp "$bin" "$FERRETDB_STAGED.$$"
    mv -f "$FERRETDB_STAGED.$$" "$FERRETDB_STAGED"
  fi
  kit_image "$KIT_MONGO" ferretdb "$hash"
}

postgres_hash() { inputs_hash "$1" "$KIT_DIR/postgres/Dockerfile" "$KIT_DIR/postgres/docker-entrypoint.sh"; }
redis_hash() { inputs_hash "$1" "$KIT_DIR/redis/Dockerfile"; }
# shellcheck disable=SC2046  # the staged certificates are inputs too (none is fine)
python_hash() { inputs_hash "$1" "$KIT_DIR/python/Dockerfile" $(find "$KIT_BUILD/certs" -name '*.crt' | LC_ALL=C sort); }

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

# One build at a time, in the order of old (ARENA_KIT_JOBS=1).
build_kit_serial() {
  kit_base
  local base_id; base_id="$(image_id "$KIT_BASE")"
  stage_certs "$KIT_BUILD/certs"
  kit_image "$KIT_POSTGRES" postgres "$(postgres_hash "$base_id")"
  kit_image "$KIT_REDIS" redis "$(redis_hash "$base_id")"
  kit_ferretdb "$base_id"
  kit_image "$KIT_PYTHON" python "$(python_hash "$base_id")"
}

# What does not depend on each other, at once:
#   go build (FerretDB binary) ──────────────────────────────┐
#   base (debootstrap) ─┬─ postgres, redis, python (images)  ├─ ferretdb (image)
#                       └────────────────────────────────────┘
build_kit_concurrent() {
  # The binary needs neither the engine nor the base image: it starts at once (unless the
  # FerretDB image is up to date, when nothing needs it).
  ferretdb_image_current || start_job "the FerretDB binary" ferretdb_binary
  start_job "$KIT_BASE" kit_base
  await "$KIT_BASE"
  local base_id; base_id="$(image_id "$KIT_BASE")"
  stage_certs "$KIT_BUILD/certs"
  start_job "$KIT_POSTGRES" kit_image "$KIT_POSTGRES" postgres "$(postgres_hash "$base_id")"
  start_job "$KIT_REDIS" kit_image "$KIT_REDIS" redis "$(redis_hash "$base_id")"
  start_job "$KIT_PYTHON" kit_image "$KIT_PYTHON" python "$(python_hash "$base_id")"
  await "the FerretDB binary"
  start_job "$KIT_MONGO" kit_ferretdb "$base_id"
  await
}

build_kit() {
  local t0; t0=$(now)
  if [ "$KIT_JOBS" = 1 ]; then build_kit_serial; else build_kit_concurrent; fi
  record kit "$t0"
}

# --ferretdb-binary: the binary into its cache when the kit may need it, engine or not.
# An engine that answers tells: only for --mode kit and an out-of-date FerretDB image (in auto
# mode images.sh itself starts it beside the base, once it knows the kit is needed). No engine
# installed at all (a new machine, its engine being installed): build it, the kit is this
# workplace's case. An engine installed but stopped: nothing (its images are likely there).
prefetch_ferretdb_binary() {
  [ "$MODE" != official ] || return 0
  command -v go >/dev/null 2>&1 || [ -x /usr/local/go/bin/go ] || return 0  # the kit says so, if needed
  if engine_answers; then
    [ "$MODE" = kit ] && ! ferretdb_image_current || return 0
  elif command -v dockerd >/dev/null 2>&1; then
    return 0
  fi
  ferretdb_binary
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
  if [ "$ONLY_FERRETDB_BINARY" = 1 ]; then prefetch_ferretdb_binary; return; fi
  local t0; t0=$(now)
  engine_answers || die "the Docker engine does not answer (scripts/provision.sh starts it)"
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
      elif [ "$(chosen_source)" = kit ] || all_kit_present; then
        # Asked once: a machine where no registry answered is not asked again on every run or
        # clone (each ask is a pull: traffic to a registry). --mode official asks again.
        use_kit "chosen before on this machine (no registry answered then)"
      elif pull_official; then
        use_official "docker pull works"
      else
        use_kit "$PULL_ERROR"
      fi ;;
  esac
  log "wrote $ENV_FILE (ARENA_IMAGE_SOURCE=$(chosen_source)) in $(since "$t0") s"
}

main "$@"
