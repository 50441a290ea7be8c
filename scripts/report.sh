#!/usr/bin/env bash
# Build the Allure report from reports/allure-results into reports/allure-report/index.html: one
# self-contained file that opens from disk by double-click (allurerc.mjs: singleFile), with the
# history of earlier builds kept in reports/history/ (trend, flakiness, durations).
#   scripts/report.sh          build
#   scripts/report.sh --open   build, then serve it on 127.0.0.1 and print the URL (Ctrl-C stops)
set -euo pipefail
cd "$(dirname "$0")/.."
ALLURE=.tools/allure/node_modules/.bin/allure
open=false
for arg in "$@"; do
  case "$arg" in
    --open) open=true ;;
    *) echo "usage: scripts/report.sh [--open]" >&2; exit 2 ;;
  esac
done
[ -x "$ALLURE" ] || { echo "[report] Allure CLI missing: run scripts/setup.sh" >&2; exit 1; }
if [ -z "$(ls -A reports/allure-results 2>/dev/null)" ]; then
  echo "[report] no results in reports/allure-results: run the suite first (scripts/acceptance.sh)" >&2
  exit 1
fi
mkdir -p reports/logs reports/history
rm -rf reports/allure-report
t0=$(date +%s%N)
if ! "$ALLURE" generate reports/allure-results --config allurerc.mjs >reports/logs/allure-generate.log 2>&1; then
  tail -20 reports/logs/allure-generate.log >&2
  echo "[report] the Allure CLI failed (log: reports/logs/allure-generate.log)" >&2
  exit 1
fi
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
runs=$(wc -l < reports/history/history.jsonl 2>/dev/null || echo 0)
echo "[report] $(pwd)/reports/allure-report/index.html (one file, opens from disk) built in $((ms / 1000)).$(printf %03d $((ms % 1000))) s; history: ${runs// /} build(s)" >&2
if $open; then
  exec .venv/bin/python scripts/serve_report.py reports/allure-report
fi
