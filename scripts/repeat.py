"""Run the whole acceptance suite N times in a row and say how many runs were fully green.

    .venv/bin/python scripts/repeat.py [N] [behave args...]

Each run is a normal `behave --tags=@integration` with its own fresh stack. Failing scenarios of
each run are listed from its JUnit files, so a flake can be traced; figures go to
reports/repeat.json.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def failing_scenarios() -> list[str]:
    failed = []
    for path in (ROOT / "reports" / "junit").glob("TESTS-*.xml"):
        for case in ET.parse(path).getroot().iter("testcase"):
            if any(child.tag in ("failure", "error") for child in case):
                failed.append(f"{case.get('classname')}: {case.get('name')}")
    return failed


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 10
    extra = sys.argv[2:] if len(sys.argv) > 1 and sys.argv[1].isdigit() else sys.argv[1:]
    outcomes = []
    for i in range(1, runs + 1):
        for old in (ROOT / "reports" / "junit").glob("TESTS-*.xml"):
            old.unlink()
        started = time.monotonic()
        proc = subprocess.run([str(ROOT / ".venv/bin/behave"), "--tags=@integration", "-f", "null", *extra],
                              cwd=ROOT, stdin=subprocess.DEVNULL, capture_output=True, text=True)
        seconds = time.monotonic() - started
        failed = failing_scenarios()
        outcomes.append({"run": i, "exit": proc.returncode, "seconds": round(seconds, 1), "failed": failed})
        print(f"run {i:2}: {'green' if proc.returncode == 0 else 'RED'} in {seconds:5.1f} s {failed or ''}",
              flush=True)
    green = sum(1 for o in outcomes if o["exit"] == 0)
    print(f"{green} of {runs} runs fully green")
    (ROOT / "reports" / "repeat.json").write_text(json.dumps(outcomes, indent=2) + "\n")
    return 0 if green == runs else 1


if __name__ == "__main__":
    sys.exit(main())
