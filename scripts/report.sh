#!/usr/bin/env bash
# Build the Allure HTML report from reports/allure-results into reports/allure-report.
set -euo pipefail
cd "$(dirname "$0")/.."
ALLURE=.tools/allure/node_modules/.bin/allure
[ -x "$ALLURE" ] || { echo "[report] Allure CLI missing: run scripts/setup.sh" >&2; exit 1; }
rm -rf reports/allure-report
"$ALLURE" generate reports/allure-results --output reports/allure-report --report-name "Arena acceptance" >/dev/null
echo "[report] Allure report: reports/allure-report/index.html" >&2
