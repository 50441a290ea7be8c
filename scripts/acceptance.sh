#!/usr/bin/env bash
# The acceptance suite: set up what is missing, run `behave --tags=@integration` against a fresh
# stack, then build the Allure report (history kept in reports/history/). Extra arguments go to
# behave (e.g. --tags=@smoke, -D keep_stack=true).
#   scripts/acceptance.sh --rerun-failed   run only the scenarios that failed last time
#                                          (reports/rerun.txt, written by every run that fails)
set -uo pipefail
cd "$(dirname "$0")/.."

selection=(--tags=@integration)
if [ "${1:-}" = "--rerun-failed" ]; then
  shift
  if ! grep -q '^[^#[:space:]]' reports/rerun.txt 2>/dev/null; then
    echo "[rerun] nothing to re-run: the last run had no failed scenario (no reports/rerun.txt)" >&2
    exit 0
  fi
  # The scenario locations (feature:line) as arguments: behave would read paths inside an
  # @file relative to the file's folder. This run rewrites rerun.txt in turn.
  mapfile -t selection < <(grep '^[^#[:space:]]' reports/rerun.txt)
  echo "[rerun] ${#selection[@]} scenario(s) that failed last time: ${selection[*]}" >&2
fi

bash scripts/setup.sh || exit 1
# Results are per run; the report's history (reports/history/) is what remembers earlier runs.
rm -rf reports/allure-results reports/junit/TESTS-*.xml
mkdir -p reports/allure-results reports/junit
.venv/bin/behave "${selection[@]}" "$@"
status=$?
bash scripts/report.sh || true
exit $status
