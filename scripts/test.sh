#!/usr/bin/env bash
# The project's tests: pytest for the harness and the services, the acceptance suite, then the
# API fuzzer. Ends with one line "N passed, N failed" covering all, counted from their JUnit files.
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh || { echo "0 passed, 1 failed"; exit 1; }
mkdir -p reports/junit
rm -f reports/junit/*.xml

.venv/bin/pytest --ignore=tests/reports --junitxml=reports/junit/pytest.xml
pytest_status=$?
[ $pytest_status -eq 5 ] && pytest_status=0   # no tests collected is not a failure of ours

# Every step of every feature has a definition: a dry run (no stack) fails on an undefined step.
.venv/bin/behave --dry-run --no-junit --no-summary -f null --tags=@integration
dryrun_status=$?
[ $dryrun_status -ne 0 ] && echo "[steps] the dry run found undefined steps (snippets above)" >&2

# In CI the services' code coverage is measured too, and published in reports/coverage/ beside
# the Allure report (reports/allure-report/).
# In CI the run also writes the coverage map (which scenario ran each line of services/;
# reports/coverage-map.json), for the mutation gate below: the features then run in one process.
if [ "${CI:-}" = "true" ]; then
  ARENA_COVERAGE_MAP=true bash scripts/acceptance.sh
else
  bash scripts/acceptance.sh
fi
behave_status=$?

# The suite's power measured by a tool: a fixed-seed sample of cosmic-ray's mutants of the
# services, each tried against the scenarios the map says run its lines (scripts/mutation.py;
# mutation/gate.toml sets the sample and the bar). Its JUnit file joins the count below.
mutation_status=0
if [ "${CI:-}" = "true" ] || [ "${ARENA_MUTATION:-}" = "1" ]; then
  .venv/bin/python scripts/mutation.py --session reports/mutation/gate.sqlite gate --junit reports/junit/mutation.xml
  mutation_status=$?
fi

# The API against its own OpenAPI document: Schemathesis, all checks and its stateful phase, with
# the fixed seed and a fresh one (both printed; scripts/fuzz_api.py --seed N replays either), on
# a stack of its own. Its JUnit files join the count below.
.venv/bin/python scripts/fuzz_api.py
fuzz_status=$?

# What the suite left behind must not hold a key or a token.
.venv/bin/pytest tests/reports --junitxml=reports/junit/pytest-reports.xml
reports_status=$?

# Figures, not tests (never fail the build): the benchmark, the API under 50 clients against one,
# and the parallel speed-up (reports/bench.json, reports/load.json, reports/parallel.json).
if [ "${CI:-}" = "true" ] || [ "${ARENA_BENCH:-}" = "1" ]; then
  .venv/bin/python scripts/bench.py --peers --runs 2 --cold-build || echo "[bench] the benchmark did not complete"
  .venv/bin/python scripts/load.py --clients 50 --seconds 30 || echo "[load] something was lost, doubled or answered 5xx (above)"
  .venv/bin/python scripts/parallel.py --workers 4 || echo "[parallel] a run of the speed comparison failed (above)"
fi

.venv/bin/python scripts/junit_summary.py reports/junit
summary_status=$?
[ $pytest_status -eq 0 ] && [ $dryrun_status -eq 0 ] && [ $behave_status -eq 0 ] && [ $fuzz_status -eq 0 ] \
  && [ $mutation_status -eq 0 ] \
  && [ $reports_status -eq 0 ] && [ $summary_status -eq 0 ]
