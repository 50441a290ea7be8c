"""Write the step catalogue (harness/catalogue.py) into docs/WRITING_FEATURES.md.

  .venv/bin/python scripts/step_catalogue.py          # rewrite the catalogue section
  .venv/bin/python scripts/step_catalogue.py --check  # exit 1 if the document is out of date
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness.catalogue import render, splice  # noqa: E402
from harness.settings import REPO_ROOT  # noqa: E402

DOC = REPO_ROOT / "docs" / "WRITING_FEATURES.md"


def main() -> int:
    current = DOC.read_text(encoding="utf-8")
    updated = splice(current, render())
    if "--check" in sys.argv:
        if updated != current:
            print(f"{DOC.relative_to(REPO_ROOT)} is out of date: run scripts/step_catalogue.py", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(updated, encoding="utf-8")
    print(f"wrote the step catalogue into {DOC.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
