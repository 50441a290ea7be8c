"""The speed of a full run: the default (parallel) run against plain serial behave, in one go.

    .venv/bin/python scripts/parallel.py [--workers N] [--skip-serial] [--before REF]

Both are whole warm runs of every gated scenario, faults included, each on a fresh stack of its
own (images already built): `python -m harness.parallel` (what scripts/acceptance.sh runs) and
`behave --tags=@integration`. Prints each wall time, the CPU-seconds the whole machine spent
meanwhile (/proc/stat: the suite, its containers and the engine; on 2 cores a run cannot take
less wall time than half of them), the host's speed just before (a fixed loop's CPU time: it
varies by the hour, and every figure with it), the parallel run's phases and the ratio, and writes
reports/parallel.json. Their results go to a temporary directory
(ARENA_RESULTS_DIR), never into reports/: they are figures, not the suite's record.

--before REF adds, first, the parallel run of a commit's suite and stack (a temporary git worktree
of it, with this checkout's compose/.env and fixture documents; its app image is built before the
timing starts), so that a change is measured against its parent in one sitting.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GATE = ["--tags=@integration", "--tags=not @known_defect"]
SUMMARY = re.compile(r"(\d+) scenarios? passed, (\d+) failed")


def busy_cpu_seconds() -> float:
    """CPU-seconds the machine has spent busy since boot, all cores (first line of /proc/stat)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields) - idle) / os.sysconf("SC_CLK_TCK")


def host_speed_s() -> float:
    """CPU-seconds a fixed pure-Python loop takes, the best of three. This host's speed changes
    by the hour (the same run cost 89 CPU-seconds at one hour and 134 at another), and every
    figure here with it: runs are comparable when their host figures are alike."""
    best = float("inf")
    for _ in range(3):
        started, total = time.process_time(), 0
        for i in range(3_000_000):
            total += i * i % 7
        best = min(best, time.process_time() - started)
    return round(best, 3)


def timed_run(name: str, cmd: list[str], results: Path, cwd: Path = ROOT) -> dict:
    host = host_speed_s()
    started, busy = time.monotonic(), busy_cpu_seconds()
    proc = subprocess.run(cmd, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          env={**os.environ, "ARENA_RESULTS_DIR": str(results)})
    wall, cpu = time.monotonic() - started, busy_cpu_seconds() - busy
    output = proc.stdout + proc.stderr
    counts = SUMMARY.findall(output)
    passed, failed = (int(counts[-1][0]), int(counts[-1][1])) if counts else (0, 0)
    phases = [line for line in re.findall(r"\[timing\] (.*)", output) if "features" in line]
    print(f"{name:9} {wall:6.1f} s wall  {cpu:5.0f} CPU-s  exit {proc.returncode}  {passed} passed, {failed} failed"
          f"  (host loop {host:.3f} s)"
          + (f"\n          {phases[-1]}" if phases else ""), flush=True)
    if proc.returncode != 0:
        sys.stderr.write(f"--- the {name} run failed; its last lines:\n" + "\n".join(output.splitlines()[-40:]) + "\n")
    for line in output.splitlines():
        if line.startswith("[parallel] ") and ".feature" in line or "@fault scenarios" in line:
            print("          " + line, flush=True)
    return {"wall_s": round(wall, 1), "machine_cpu_s": round(cpu), "exit": proc.returncode, "passed": passed,
            "failed": failed, "host_loop_s": host}


def before_checkout(ref: str, tmp: Path) -> None:
    """A worktree of `ref` that runs as this checkout does: the files set-up writes are copied in,
    and its app image is built, so the timing excludes the build."""
    tree = tmp / "before-src"  # main() removes it
    subprocess.run(["git", "worktree", "add", "--quiet", "--detach", str(tree), ref], cwd=ROOT, check=True)
    shutil.copy2(ROOT / "compose" / ".env", tree / "compose" / ".env")
    # The same last times as this checkout's run plans with (which feature starts first, how the
    # fault scenarios are shared): without them it would plan as a fresh clone does, and lose.
    times = ROOT / "reports" / "feature-times.json"
    if times.exists():
        (tree / "reports").mkdir(exist_ok=True)
        shutil.copy2(times, tree / "reports" / "feature-times.json")
    (tree / "fixtures" / "documents").mkdir(parents=True, exist_ok=True)
    for pdf in (ROOT / "fixtures" / "documents").glob("*.pdf"):
        shutil.copy2(pdf, tree / "fixtures" / "documents" / pdf.name)
    # Its images, built as its own stacks would build them; nothing started (the kept debugging
    # stack, if any, is left alone).
    build = ("from pathlib import Path; from harness.settings import Settings; from harness.stack import ComposeStack;"
             " from harness.timing import PhaseTimer;"
             f" ComposeStack(Settings.load({{}})).prepare(PhaseTimer(Path({str(tmp / 'build.json')!r})))")
    subprocess.run([str(ROOT / ".venv/bin/python"), "-c", build], cwd=tree, check=True, stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--skip-serial", action="store_true", help="only the parallel run")
    parser.add_argument("--before", metavar="REF", help="also the parallel run of this commit, first")
    args = parser.parse_args()
    python, behave = str(ROOT / ".venv/bin/python"), str(ROOT / ".venv/bin/behave")
    figures: dict = {"workers": args.workers}
    parallel = [python, "-m", "harness.parallel", "--workers", str(args.workers), *GATE]
    with tempfile.TemporaryDirectory(prefix="arena-speed-") as tmp:
        if args.before:
            tree = Path(tmp) / "before-src"
            try:
                before_checkout(args.before, Path(tmp))
                figures["before"] = {"ref": args.before,
                                     **timed_run("before", parallel, Path(tmp) / "before", cwd=tree)}
            finally:
                subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, check=False)
        figures["parallel"] = timed_run("parallel", parallel, Path(tmp) / "parallel")
        if args.before:
            before = figures["before"]
            print(f"against {args.before}: {before['wall_s']} -> {figures['parallel']['wall_s']} s wall"
                  f" ({figures['parallel']['wall_s'] / before['wall_s']:.2f}x), {before['machine_cpu_s']} ->"
                  f" {figures['parallel']['machine_cpu_s']} CPU-s", flush=True)
        if not args.skip_serial:
            figures["serial"] = timed_run("serial", [behave, *GATE, "-f", "null"], Path(tmp) / "serial")
            figures["speed_up"] = round(figures["serial"]["wall_s"] / figures["parallel"]["wall_s"], 2)
            print(f"speed-up: {figures['speed_up']}x ({figures['serial']['wall_s']} s serial, "
                  f"{figures['parallel']['wall_s']} s parallel with {args.workers} processes; "
                  f"both whole warm runs, faults included)")
    (ROOT / "reports" / "parallel.json").write_text(json.dumps(figures, indent=2) + "\n")
    runs = [figures[k] for k in ("before", "parallel", "serial") if k in figures]
    return 1 if any(r["exit"] != 0 for r in runs) else 0


if __name__ == "__main__":
    sys.exit(main())
