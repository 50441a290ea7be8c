"""Write the step catalogue (harness/catalogue.py) into docs/WRITING_FEATURES.md, and its snapshot
into tests/harness/step_catalogue.snapshot.json.

  .venv/bin/python scripts/step_catalogue.py          # rewrite the catalogue section and the snapshot
  .venv/bin/python scripts/step_catalogue.py --check  # exit 1 if either is out of date

The snapshot is the vocabulary's promise: it is not rewritten while a phrase it records has gone,
or changed its words, without a deprecation (harness/deprecation.py) that has run its course.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness.catalogue import (  # noqa: E402
    SNAPSHOT,
    broken_promises,
    recorded_snapshot,
    render,
    render_snapshot,
    splice,
)
from harness.settings import REPO_ROOT  # noqa: E402

DOC = REPO_ROOT / "docs" / "WRITING_FEATURES.md"


def main() -> int:
    current = DOC.read_text(encoding="utf-8")
    updated = splice(current, render())
    snapshot = render_snapshot()
    stale = [path.relative_to(REPO_ROOT) for path, old, new in
             ((DOC, current, updated),
              (SNAPSHOT, SNAPSHOT.read_text(encoding="utf-8") if SNAPSHOT.exists() else "", snapshot))
             if old != new]
    if "--check" in sys.argv:
        for path in stale:
            print(f"{path} is out of date: run scripts/step_catalogue.py", file=sys.stderr)
        return 1 if stale else 0
    DOC.write_text(updated, encoding="utf-8")
    print(f"wrote the step catalogue into {DOC.relative_to(REPO_ROOT)}")
    broken = broken_promises(recorded_snapshot()) if SNAPSHOT.exists() else []
    if broken:
        print(f"{SNAPSHOT.relative_to(REPO_ROOT)} left as it is: phrases features may use are gone", file=sys.stderr)
        for line in broken:
            print(f"  {line}", file=sys.stderr)
        return 1
    SNAPSHOT.write_text(snapshot, encoding="utf-8")
    print(f"wrote the vocabulary's snapshot into {SNAPSHOT.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
