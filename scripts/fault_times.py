"""How long each scenario that breaks or takes over a service takes: an earlier commit against
this checkout, in one run.

    .venv/bin/python scripts/fault_times.py --before <commit> [--tags EXPR]

Checks the earlier commit out beside this one (a git worktree in a temporary directory), then
runs the same selection (default: every @fault and @needs_stack_control scenario) serially with
plain behave in each tree, each on a fresh stack of its own, and prints every scenario's time
before and after with the ratio, and the totals. Writes reports/fault_times.json. A scenario
that failed in either run is marked: its time is not comparable.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
DEFAULT_TAGS = "@fault or @needs_stack_control"
# behave from the tree it runs in: the venv's editable install would import this checkout's harness.
LAUNCHER = "import sys; sys.path.insert(0, '.'); from behave.__main__ import main; sys.exit(main(sys.argv[1:]))"


def prepare(tree: Path) -> None:
    """What a checkout has that git does not: the venv, compose/.env, the generated fixtures."""
    (tree / ".venv").symlink_to(ROOT / ".venv")
    shutil.copy(ROOT / "compose" / ".env", tree / "compose" / ".env")
    shutil.copytree(ROOT / "fixtures", tree / "fixtures", dirs_exist_ok=True)


def run(tree: Path, tags: str, junit: Path) -> dict[str, tuple[float, str]]:
    """Every selected scenario's (seconds, outcome), from the run's JUnit files."""
    cmd = [str(PYTHON), "-c", LAUNCHER, "--tags=@integration", f"--tags={tags}", "--tags=not @known_defect",
           "-f", "null", "--junit", "--junit-directory", str(junit)]
    print(f"[faults] {tree.name}: {' '.join(cmd[3:])}", flush=True)
    proc = subprocess.run(cmd, cwd=tree, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          env={**os.environ, "ARENA_RESULTS_DIR": str(junit.parent / f"results-{junit.name}")})
    if proc.returncode != 0:
        print("\n".join((proc.stdout + proc.stderr).splitlines()[-15:]), file=sys.stderr)
    times = {}
    for path in junit.glob("*.xml"):
        for case in ET.parse(path).getroot().iter("testcase"):
            outcome = "failed" if any(c.tag in ("failure", "error") for c in case) else "passed"
            times[case.get("name")] = (float(case.get("time", 0)), outcome)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", required=True, help="the earlier commit, e.g. HEAD~5 or a hash")
    parser.add_argument("--tags", default=DEFAULT_TAGS, help=f"the scenarios to time (default: {DEFAULT_TAGS})")
    args = parser.parse_args()
    commit = subprocess.run(["git", "rev-parse", "--short", args.before], cwd=ROOT, capture_output=True,
                            text=True, check=True).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="arena-faults-") as tmp:
        before_tree = Path(tmp) / f"before-{commit}"
        subprocess.run(["git", "worktree", "add", "--detach", "-q", str(before_tree), commit], cwd=ROOT, check=True)
        try:
            prepare(before_tree)
            before = run(before_tree, args.tags, Path(tmp) / "junit-before")
            after = run(ROOT, args.tags, Path(tmp) / "junit-after")
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(before_tree)], cwd=ROOT)
    rows = []
    print(f"\n{'before':>7} {'after':>7} {'ratio':>6}  scenario   (before = {commit}, after = this checkout)")
    for name in sorted(set(before) | set(after), key=lambda n: -(before.get(n, (0,))[0])):
        b, a = before.get(name), after.get(name)
        ratio = round(b[0] / a[0], 2) if a and b and a[0] else None
        marks = [f"{label} {t[1]}" for label, t in (("before", b), ("after", a)) if t and t[1] != "passed"]
        note = f"  [{', '.join(marks)}]" if marks else ""
        print(f"{b[0] if b else float('nan'):7.1f} {a[0] if a else float('nan'):7.1f} "
              f"{(str(ratio) + 'x') if ratio else '-':>6}  {name[:90]}{note}")
        rows.append({"scenario": name, "before_s": b and round(b[0], 1), "after_s": a and round(a[0], 1),
                     "ratio": ratio, "outcomes": marks})
    common = [r for r in rows if r["before_s"] is not None and r["after_s"] is not None]
    total_b, total_a = sum(r["before_s"] for r in common), sum(r["after_s"] for r in common)
    print(f"{total_b:7.1f} {total_a:7.1f} {round(total_b / total_a, 2) if total_a else '-':>5}x  "
          f"total of the {len(common)} scenarios in both")
    (ROOT / "reports" / "fault_times.json").write_text(json.dumps(
        {"before": commit, "tags": args.tags, "scenarios": rows,
         "total_before_s": round(total_b, 1), "total_after_s": round(total_a, 1)}, indent=2) + "\n")
    return 1 if any(r["outcomes"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
