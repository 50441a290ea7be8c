"""Run the acceptance features in N processes against one shared stack.

    .venv/bin/python scripts/parallel.py [--workers N] [--serial | --compare] [behave args...]

Tenant isolation (a fresh tenant per feature) makes features independent, so they can share a
stack. The script brings up one stack (with beat), runs one `behave` per feature file in
external mode — which skips @fault and @needs_stack_control scenarios, as those would disturb
the other processes — writes no JUnit files (the serial run's stay the record), prints the
wall time, and tears the stack down. --serial runs the same processes one after another, for
the speed-up figure; --compare runs both on one stack, prints the speed-up and writes
reports/parallel.json.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness.lifecycle import GuardedTeardown  # noqa: E402
from harness.settings import REPORTS_DIR, Settings  # noqa: E402
from harness.stack import ComposeStack  # noqa: E402
from harness.timing import PhaseTimer  # noqa: E402


def run_feature(feature: Path, endpoints, admin_token: str, extra: list[str]) -> tuple[str, int, float]:
    started = time.monotonic()
    cmd = [str(ROOT / ".venv/bin/behave"), str(feature.relative_to(ROOT)), "--tags=@integration",
           "-f", "null", "--no-junit", "-D", "mode=external", "-D", f"api_url={endpoints.api_url}",
           "-D", f"gateway_url={endpoints.gateway_url}", "-D", f"database_url={endpoints.database_url}",
           "-D", f"mongo_url={endpoints.mongo_url}", "-D", f"admin_token={admin_token}", *extra]
    proc = subprocess.run(cmd, cwd=ROOT, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(f"--- {feature.name} failed:\n{proc.stdout[-3000:]}{proc.stderr[-2000:]}\n")
    return feature.name, proc.returncode, time.monotonic() - started


def run_pass(features: list[Path], processes: int, endpoints, admin_token: str, extra: list[str]) -> dict:
    """Every feature once, `processes` at a time; the wall time and each feature's outcome."""
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=processes) as pool:
        outcomes = list(pool.map(lambda f: run_feature(f, endpoints, admin_token, extra), features))
    wall = time.monotonic() - started
    for name, code, seconds in sorted(outcomes, key=lambda o: -o[2]):
        print(f"  {name:28} {'ok' if code == 0 else 'FAILED':7} {seconds:6.1f} s")
    print(f"{len(features)} features in {processes} process(es): {wall:.1f} s wall; "
          f"sum of feature times {sum(o[2] for o in outcomes):.1f} s")
    return {"processes": processes, "wall_s": round(wall, 1),
            "failed": [name for name, code, _ in outcomes if code != 0]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--serial", action="store_true", help="one feature at a time (for comparison)")
    parser.add_argument("--compare", action="store_true",
                        help="a serial pass, then a parallel one, on the same stack; prints the speed-up")
    args, extra = parser.parse_known_args()

    settings = Settings.load({"with_beat": "true"})
    stack = ComposeStack(settings, project_name=f"arena-par-{int(time.time())}")
    timer = PhaseTimer(REPORTS_DIR / "timings-parallel.json")
    features = sorted((ROOT / "features").glob("*.feature"))
    passes = [1, args.workers] if args.compare else [1 if args.serial else args.workers]
    # SIGTERM and Ctrl-C included: the stack never outlives the script.
    teardown = GuardedTeardown(lambda: stack.stop(timer)).install()
    try:
        endpoints = stack.start(timer)
        stack.project.start_service("beat")
        results = [run_pass(features, n, endpoints, settings.admin_token, extra) for n in passes]
    finally:
        teardown.run()
    figures = {"features": len(features), "passes": results}
    if args.compare:
        figures["speed_up"] = round(results[0]["wall_s"] / results[1]["wall_s"], 2)
        print(f"speed-up with {args.workers} processes: {figures['speed_up']}x "
              f"({results[0]['wall_s']} s serial, {results[1]['wall_s']} s parallel)")
    (REPORTS_DIR / "parallel.json").write_text(json.dumps(figures, indent=2) + "\n")
    return 1 if any(r["failed"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
