#!/usr/bin/env bash
# Everything the suite needs on this machine, idempotent and fast when already there:
# Docker engine + Compose v2, uv, the Python venv, the stack's images, the Allure CLI, Schemathesis,
# chromium, actionlint.
#
# What does not depend on each other runs at once: the kit's FerretDB `go build` starts before
# the engine is even installed (actionlint's after it); the venv, the Allure CLI and Schemathesis
# install while scripts/images.sh builds the images, the helpers at a lower CPU priority. Each
# step that does something prints a timing line; a failing step prints its output and fails the
# set-up (the other steps are stopped).
#
#   ARENA_SETUP_JOBS=1      one step at a time, in the old order (and ARENA_KIT_JOBS=1 for
#                           images.sh): the comparison scripts/measure_setup.py makes
#   ARENA_VENV, ARENA_TOOLS where the venv (.venv) and the tools (.tools) go; the suite's
#                           scripts expect the defaults (a measurement uses temporary ones)
#   ARENA_TIMINGS           a file to which each step appends "step<TAB>start<TAB>end"
set -euo pipefail
cd "$(dirname "$0")/.."

ALLURE_VERSION="3.18.0"
ACTIONLINT_VERSION="v1.7.12"
SCHEMATHESIS_VERSION="4.32.5"
UV_VERSION="0.9.5"
VENV="${ARENA_VENV:-.venv}"
TOOLS="${ARENA_TOOLS:-.tools}"
SETUP_JOBS="${ARENA_SETUP_JOBS:-all}"
t0=$EPOCHREALTIME

log() { printf '[setup] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }
record() { [ -z "${ARENA_TIMINGS:-}" ] || printf '%s\t%s\t%s\n' "$1" "$2" "$EPOCHREALTIME" >>"$ARENA_TIMINGS"; }

case "$SETUP_JOBS" in
  1) export ARENA_KIT_JOBS="${ARENA_KIT_JOBS:-1}" ;;
  all) ;;
  *) die "ARENA_SETUP_JOBS is '$SETUP_JOBS': 1 (one step at a time) or all" ;;
esac

RUN_DIR="$(mktemp -d "${TMPDIR:-/tmp}/arena-setup.XXXXXX")"
trap 'stop_jobs; rm -rf "$RUN_DIR"' EXIT
trap 'log "interrupted: stopping"; exit 130' INT TERM

# Run a step's commands quietly, with a timing line; on failure show their output, return 1.
# KEY names the step in ARENA_TIMINGS.
timed() {
  local key="$1" what="$2"; shift 2
  local t; t=$EPOCHREALTIME
  local out; out="$(mktemp "$RUN_DIR/out.XXXXXX")"
  log "$what ..."
  if ! "$@" >"$out" 2>&1; then
    tail -n 40 "$out" >&2
    log "$what failed after $(since "$t") s (output above)"
    return 1
  fi
  log "$what: done in $(since "$t") s"
  record "$key" "$t"
}

# Background jobs: start_job, await, stop_jobs.
# shellcheck source=scripts/jobs.sh
source scripts/jobs.sh  # (the working directory is the repository)

# --- the steps (each a fast no-op when its result is there) -------------------------------------
# Note: what runs under `timed` is in an `if` context, where set -e is off: chain with &&.
step_provision() {
  local t=$EPOCHREALTIME
  bash scripts/provision.sh
  record provision "$t"
}

# uv installs the two venvs: it fetches in parallel and compiles the bytecode on both cores, where
# pip took 42 s and 34 CPU-seconds for the suite's venv (uv: 8 s, 11). Installed with pip, into
# the tools; where it cannot be had, pip does the installs (slower, the same pins).
UV="$TOOLS/uv/bin/uv"
install_uv() {
  rm -rf "$TOOLS/uv.new" \
  && python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore --no-deps \
    --target "$TOOLS/uv.new" "uv==${UV_VERSION}" \
  && rm -rf "$TOOLS/uv" && mv "$TOOLS/uv.new" "$TOOLS/uv"
}
step_uv() {
  venv_current && schemathesis_current && return 0
  "$UV" --version 2>/dev/null | grep -qx "uv ${UV_VERSION}" && return 0
  timed uv "uv ${UV_VERSION} (pip)" install_uv || log "uv did not install: pip makes the venvs"
}

# A venv at $1 with the packages (pip's arguments) after it.
make_python_env() {
  local env="$1"; shift
  if [ -x "$UV" ]; then
    "$UV" venv -q --allow-existing --python python3 "$env" \
      && VIRTUAL_ENV="$env" "$UV" pip install -q --compile-bytecode "$@"
  else
    python3 -m venv "$env" && "$env/bin/pip" install -q --disable-pip-version-check "$@"
  fi
}

venv_current() {
  [ -x "$VENV/bin/behave" ] && ! [ pyproject.toml -nt "$VENV/.installed" ] \
    && ! [ services/requirements.txt -nt "$VENV/.installed" ]
}
make_venv() {
  make_python_env "$VENV" -r services/requirements.txt -e '.[dev]' && touch "$VENV/.installed"
}
step_venv() { venv_current || timed venv "the Python environment in $VENV" make_venv; }

# The PDFs of fixtures/documents: deterministic, so made again only when this venv has not made
# them from this script yet (its stamp), or one is missing (python's start-up costs half a second).
fixtures_current() {
  local stamp="$VENV/.fixtures" f
  [ "$stamp" -nt scripts/make_fixtures.py ] && [ "$stamp" -nt "$VENV/.installed" ] || return 1
  for f in handbook encrypted corrupt; do [ -s "fixtures/documents/$f.pdf" ] || return 1; done
}
step_fixtures() {
  fixtures_current && return 0
  timed fixtures "the fixture documents" "$VENV/bin/python" scripts/make_fixtures.py
  touch "$VENV/.fixtures"
}

# Started before the engine: images.sh --ferretdb-binary builds the binary into its cache when the
# kit may need it. Its failure does not fail the set-up: images.sh, the judge of what the stack
# needs, builds it again (and fails with the output) if the kit needs it.
prefetch_ferretdb_binary() {
  bash scripts/images.sh --ferretdb-binary \
    || log "the early FerretDB build failed; scripts/images.sh tries again if the kit needs it"
}

step_images() {
  local t=$EPOCHREALTIME
  bash scripts/images.sh
  record images "$t"
}

install_allure() {
  mkdir -p "$TOOLS/allure" \
  && npm install --prefix "$TOOLS/allure" --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
    "allure@${ALLURE_VERSION}"
}
step_allure() {
  [ -x "$TOOLS/allure/node_modules/.bin/allure" ] && return 0
  timed allure "the Allure CLI ${ALLURE_VERSION} (npm)" install_allure
}

# The API fuzzer (scripts/fuzz_api.py) in a venv of its own: its dependencies never move the
# suite's pinned ones. Checked by its installed metadata (`st --version` takes half a second).
install_schemathesis() { make_python_env "$TOOLS/schemathesis" "schemathesis==${SCHEMATHESIS_VERSION}"; }
schemathesis_current() {
  local meta
  for meta in "$TOOLS"/schemathesis/lib/python3*/site-packages/schemathesis-"${SCHEMATHESIS_VERSION}".dist-info; do
    [ -x "$TOOLS/schemathesis/bin/st" ] && [ -d "$meta" ] && return 0
  done
  return 1
}
step_schemathesis() {
  schemathesis_current && return 0
  timed schemathesis "Schemathesis ${SCHEMATHESIS_VERSION} in $TOOLS/schemathesis" install_schemathesis
}

# The report's browser test drives Debian's chromium through Playwright (no browser download).
install_chromium() {
  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium
}
step_chromium() {
  [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null || return 0
  timed chromium "Debian's chromium (for tests/allure_report)" install_chromium \
    || log "chromium did not install: the browser test will be skipped"
}

# actionlint checks the GitHub workflow (tests/harness/test_shards.py); a Go module, so only
# where Go is installed (CI's unit job installs it itself).
step_actionlint() {
  command -v go >/dev/null || return 0
  "$TOOLS/bin/actionlint" -version 2>/dev/null | grep -qx "$ACTIONLINT_VERSION" && return 0
  timed actionlint "actionlint ${ACTIONLINT_VERSION} (go install)" \
    env GOBIN="$(realpath -m "$TOOLS/bin")" go install -trimpath -ldflags='-s -w' \
    "github.com/rhysd/actionlint/cmd/actionlint@${ACTIONLINT_VERSION}" \
    || log "actionlint did not build: the workflow lint test will be skipped"
}

# Run a step at a lower CPU priority: on 2 cores the helpers that nothing waits for (the Allure
# CLI, Schemathesis, actionlint) must not slow the longest chains (the FerretDB go build; the
# engine, the base image and the images on it).
niced() {
  renice -n "$1" -p "$BASHPID" >/dev/null
  shift
  "$@"
}

# The Go builds one after the other: with an empty GOCACHE two at once would both compile the
# standard library; in a row actionlint finds it compiled by the FerretDB build.
go_builds() {
  prefetch_ferretdb_binary
  niced 10 step_actionlint
}

# --- the order -----------------------------------------------------------------------------------
if [ "$SETUP_JOBS" = 1 ]; then
  # One at a time, as before: the baseline scripts/measure_setup.py compares against.
  step_provision; step_uv; step_venv; step_fixtures; step_images; step_allure; step_schemathesis
  step_chromium; step_actionlint
else
  # The FerretDB binary needs no engine: its `go build` runs while the engine is installed
  # (images.sh decides whether the kit may need it; two at once build it once), then actionlint's.
  start_job "the Go builds" go_builds
  start_job "uv" step_uv
  step_provision
  start_job "the images" step_images
  await "uv"
  start_job "the venv" step_venv
  start_job "the Allure CLI" niced 10 step_allure
  start_job "Schemathesis" niced 10 step_schemathesis
  await "the venv"
  step_fixtures
  await "the images"
  # apt is free again (provisioning and the kit's debootstrap install are done).
  start_job "chromium" step_chromium
  await
fi
record setup "$t0"
log "ready in $(since "$t0") s"
