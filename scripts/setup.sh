#!/usr/bin/env bash
# Everything the suite needs on this machine, idempotent and fast when already there:
# Docker engine + Compose v2, the Python venv, the stack's images, the Allure CLI.
set -euo pipefail
cd "$(dirname "$0")/.."

ALLURE_VERSION="3.18.0"
ACTIONLINT_VERSION="v1.7.12"
SCHEMATHESIS_VERSION="4.32.5"
VENV=".venv"
t0=$SECONDS
log() { printf '[setup] %s\n' "$*" >&2; }

bash scripts/provision.sh

if [ ! -x "$VENV/bin/behave" ] || [ pyproject.toml -nt "$VENV/.installed" ] || [ services/requirements.txt -nt "$VENV/.installed" ]; then
  log "creating the Python environment in $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r services/requirements.txt -e '.[dev]'
  touch "$VENV/.installed"
fi

"$VENV/bin/python" scripts/make_fixtures.py
bash scripts/images.sh

if [ ! -x .tools/allure/node_modules/.bin/allure ]; then
  log "installing the Allure CLI ${ALLURE_VERSION} from npm"
  mkdir -p .tools/allure
  npm install --prefix .tools/allure --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
    "allure@${ALLURE_VERSION}" >/dev/null
fi
# The API fuzzer (scripts/fuzz_api.py) in a venv of its own: its dependencies never move the
# suite's pinned ones.
if ! .tools/schemathesis/bin/st --version 2>/dev/null | grep -q " ${SCHEMATHESIS_VERSION}\$"; then
  log "installing Schemathesis ${SCHEMATHESIS_VERSION} into .tools/schemathesis"
  python3 -m venv .tools/schemathesis
  .tools/schemathesis/bin/pip install -q --disable-pip-version-check "schemathesis==${SCHEMATHESIS_VERSION}"
fi
# The report's browser test drives Debian's chromium through Playwright (no browser download).
if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null; then
  log "installing Debian's chromium (for tests/allure_report)"
  { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium; } \
    >/tmp/arena-setup-chromium.log 2>&1 || log "chromium did not install (see /tmp/arena-setup-chromium.log): the browser test will be skipped"
fi
# actionlint checks the GitHub workflow (tests/harness/test_shards.py); a Go module, so only
# where Go is installed (CI's unit job installs it itself).
if command -v go >/dev/null && ! .tools/bin/actionlint -version 2>/dev/null | grep -qx "$ACTIONLINT_VERSION"; then
  log "building actionlint ${ACTIONLINT_VERSION} (go install)"
  GOBIN="$(pwd)/.tools/bin" go install "github.com/rhysd/actionlint/cmd/actionlint@${ACTIONLINT_VERSION}" \
    || log "actionlint did not build: the workflow lint test will be skipped"
fi
log "ready in $((SECONDS - t0)) s"
