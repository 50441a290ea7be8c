"""Measure set-up and suite phases, print them, write reports/measure.json.

    .venv/bin/python scripts/measure.py [--cold] [--runs N] [--tags TAGS]

--cold removes this project's images (the app image and the offline kit's) first, so the image
phase is measured from nothing; the Docker engine itself stays (provisioning a fresh engine is
timed by scripts/provision.sh on a machine without one and printed there).
Each suite run is a normal `behave` run; its phase times come from reports/timings.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "reports"


def timed(cmd: list[str]) -> float:
    started = time.monotonic()
    subprocess.run(cmd, cwd=ROOT, check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    return time.monotonic() - started


def remove_project_images() -> None:
    out = subprocess.run(["docker", "images", "--format", "{{.Repository}}:{{.Tag}}"],
                         capture_output=True, text=True, check=True).stdout.split()
    ours = [image for image in out if image.startswith(("arena-app:", "arena-kit/"))]
    if ours:
        subprocess.run(["docker", "rmi", "-f", *ours], check=False, stdout=subprocess.DEVNULL)
    subprocess.run(["docker", "builder", "prune", "-af"], check=False, stdout=subprocess.DEVNULL)


def suite_run(tags: str) -> dict[str, float]:
    started = time.monotonic()
    proc = subprocess.run([str(ROOT / ".venv/bin/behave"), f"--tags={tags}", "-f", "progress"],
                          cwd=ROOT, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    wall = time.monotonic() - started
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-3000:])
        raise SystemExit(f"the suite failed (exit {proc.returncode}); figures would be meaningless")
    phases = json.loads((REPORTS / "timings.json").read_text())
    return {**phases, "wall": round(wall, 2)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cold", action="store_true", help="remove this project's images first")
    parser.add_argument("--runs", type=int, default=2, help="suite runs (the first may build)")
    parser.add_argument("--tags", default="@integration")
    args = parser.parse_args()

    figures: dict[str, object] = {}
    if args.cold:
        remove_project_images()
    figures["provision_s"] = round(timed(["bash", "scripts/provision.sh"]), 2)
    figures["images_s"] = round(timed(["bash", "scripts/images.sh"]), 2)
    runs = [suite_run(args.tags) for _ in range(args.runs)]
    figures["runs"] = runs
    warm = runs[1:] or runs
    for phase in ("build", "up_to_healthy", "seed", "features", "teardown", "wall"):
        values = [run.get(phase, 0.0) for run in warm]
        figures[f"warm_{phase}_median_s"] = round(statistics.median(values), 2)

    REPORTS.mkdir(exist_ok=True)
    (REPORTS / "measure.json").write_text(json.dumps(figures, indent=2) + "\n")
    print(f"{'phase':28} seconds")
    print(f"{'provision (engine, compose)':28} {figures['provision_s']:.1f}")
    print(f"{'images (' + ('cold' if args.cold else 'as found') + ')':28} {figures['images_s']:.1f}")
    for i, run in enumerate(runs, 1):
        print(f"run {i}: " + ", ".join(f"{k} {v:.1f}" for k, v in run.items()))
    for phase in ("build", "up_to_healthy", "features", "teardown", "wall"):
        print(f"{'warm ' + phase + ' (median)':28} {figures[f'warm_{phase}_median_s']:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
