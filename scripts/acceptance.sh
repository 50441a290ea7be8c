#!/usr/bin/env bash
# The acceptance suite: set up what is missing, run `behave --tags=@integration` against a fresh
# stack, then build the Allure HTML report. Extra arguments go to behave (e.g. --tags=@smoke,
# -D keep_stack=true).
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh || exit 1
rm -rf reports/allure-results reports/junit/TESTS-*.xml
mkdir -p reports/allure-results reports/junit
.venv/bin/behave --tags=@integration "$@"
status=$?
bash scripts/report.sh || true
exit $status
