"""Schemathesis against a live stack: every operation of the OpenAPI document, all checks, and
its stateful phase (create a dataset -> read it, start a run -> read it, its results and events,
start a battle -> read it, upload a document -> ask it).

    .venv/bin/python scripts/fuzz_api.py [--seed N] [--fresh-seed | --no-fresh-seed]
                                         [--max-examples N] [--api-url URL --admin-token T]

Brings up a stack of its own (the fuzzer creates tenants and providers, so it never shares the
acceptance suite's), registers the providers, creates one tenant, and runs `st run` with the
fixed seed and then with a fresh one. Both seeds are printed: `--seed N` replays either. Each
run writes JUnit (reports/junit/fuzz-seed-N.xml, counted in the test command's line) and its
log (reports/fuzz/seed-N.log); the figures (operations, cases, failures, seconds) go to
reports/fuzz.json.
Zero failures is the bar: a failure prints the request that reproduces it (as curl) and makes
the exit status 1.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness import fixtures  # noqa: E402
from harness.api import ArenaClient  # noqa: E402
from harness.lifecycle import GuardedTeardown  # noqa: E402
from harness.settings import REPORTS_DIR, Settings  # noqa: E402
from harness.stack import ComposeStack  # noqa: E402
from harness.timing import PhaseTimer  # noqa: E402

ST = ROOT / ".tools" / "schemathesis" / "bin" / "st"
CONFIG = ROOT / "scripts" / "fuzz_api.toml"  # what a schema cannot say about uploads
FIXED_SEED = 20261126
JUNIT_DIR = REPORTS_DIR / "junit"
FUZZ_DIR = REPORTS_DIR / "fuzz"


def fuzz(api_url: str, api_key: str, admin_token: str, seed: int, max_examples: int) -> dict:
    """One `st run`; its figures, read from its own report."""
    FUZZ_DIR.mkdir(parents=True, exist_ok=True)
    JUNIT_DIR.mkdir(parents=True, exist_ok=True)
    cmd = [str(ST), "--config-file", str(CONFIG), "run", f"{api_url}/openapi.json", "--checks", "all",
           "--phases", "examples,coverage,fuzzing,stateful", "--seed", str(seed),
           "--max-examples", str(max_examples), "--workers", "2", "--request-timeout", "30",
           "--generation-database", "none", "--no-color", "--output-truncate", "true",
           "-H", f"X-API-Key: {api_key}", "-H", f"X-Admin-Token: {admin_token}",
           "--report", "junit", "--report-junit-path", str(JUNIT_DIR / f"fuzz-seed-{seed}.xml")]
    print(f"[fuzz] seed {seed}: st run {api_url}/openapi.json --checks all --seed {seed} "
          f"--max-examples {max_examples} (replay: scripts/fuzz_api.py --seed {seed} --no-fresh-seed)", flush=True)
    started = time.monotonic()
    proc = subprocess.run(cmd, cwd=ROOT, stdin=subprocess.DEVNULL, text=True, capture_output=True)
    seconds = round(time.monotonic() - started, 1)
    output = proc.stdout + proc.stderr
    (FUZZ_DIR / f"seed-{seed}.log").write_text(output)
    print(output[-6000:] if proc.returncode else _summary_lines(output), flush=True)
    return {"seed": seed, "exit_status": proc.returncode, "seconds": seconds, **_figures(output)}


def _summary_lines(output: str) -> str:
    """The tail Schemathesis prints (its summary), without the progress lines above it."""
    lines = output.splitlines()
    start = next((i for i, line in enumerate(lines) if "SUMMARY" in line), max(0, len(lines) - 25))
    return "\n".join(lines[start:])


def _figures(output: str) -> dict:
    """Operations, test cases and failures, as Schemathesis's summary states them."""
    def number(pattern: str) -> int | None:
        found = re.search(pattern, output)
        return int(found.group(1)) if found else None

    return {"operations": number(r"Tested: (\d+)"), "cases": number(r"(\d+) generated"),
            "failures": number(r"(\d+) unique failures?\b") or 0}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=FIXED_SEED, help=f"the fixed seed (default {FIXED_SEED})")
    parser.add_argument("--fresh-seed", action=argparse.BooleanOptionalAction, default=True,
                        help="also run with a fresh seed (default: yes)")
    parser.add_argument("--max-examples", type=int, default=40, help="test cases per operation and phase")
    parser.add_argument("--api-url", help="fuzz a running API instead of bringing up a stack")
    parser.add_argument("--admin-token", help="the admin token of --api-url's stack")
    args = parser.parse_args()
    if not ST.exists():
        print(f"[fuzz] {ST.relative_to(ROOT)} is missing: run scripts/setup.sh", file=sys.stderr)
        return 2
    seeds = [args.seed] + ([random.SystemRandom().randrange(1, 2**31)] if args.fresh_seed else [])

    settings = Settings.load({"with_beat": "true"})  # retries wait for beat: without it a run's stream never ends
    stack = None if args.api_url else ComposeStack(settings, project_name=f"arena-fuzz-{int(time.time())}")
    timer = PhaseTimer(REPORTS_DIR / "timings-fuzz.json")
    teardown = GuardedTeardown(lambda: stack.stop(timer) if stack else None).install()
    try:
        if stack:
            api_url = stack.start(timer).api_url
            stack.project.start_service("beat")
        else:
            api_url = args.api_url
        admin = ArenaClient(api_url, admin_token=args.admin_token or settings.admin_token)
        for provider in fixtures.providers():
            admin.put_provider(provider["name"], provider["base_url"], provider["api_key"])
        tenant = admin.create_tenant(f"fuzz-{int(time.time())}")
        runs = [fuzz(api_url, tenant["api_key"], args.admin_token or settings.admin_token, seed, args.max_examples)
                for seed in seeds]
    finally:
        teardown.run()
    figures = {"runs": runs, "failures": sum(r["failures"] or 0 for r in runs)}
    (REPORTS_DIR / "fuzz.json").write_text(json.dumps(figures, indent=2) + "\n")
    for r in runs:
        exited = f", st exited {r['exit_status']}" if r["exit_status"] else ""
        print(f"[fuzz] seed {r['seed']}: {r['operations']} operations, {r['cases']} cases, "
              f"{r['failures']} failures, {r['seconds']} s{exited}")
    return 0 if all(r["exit_status"] == 0 for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
