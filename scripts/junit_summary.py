"""Print 'N passed, N failed[, N skipped]' over every JUnit XML file in a directory.

A scenario behave never ran (status "untested": an interrupt, a stack that did not start) counts
as failed: the run did not show that it works. Exit 1 when anything failed or errored, or when
nothing ran at all.
"""

import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

from harness import junit


def count(directory: Path) -> tuple[int, int, int]:
    total: Counter[str] = Counter()
    for path in sorted(directory.glob("*.xml")):
        try:
            total += junit.count(path)
        except ET.ParseError as err:  # a writer that died half-way: what it held did not pass
            print(f"[junit] {path} is not readable JUnit ({err}): counted as 1 failed", file=sys.stderr)
            total["failed"] += 1
    return total["passed"], total["failed"] + total["untested"], total["skipped"]


def main() -> int:
    directory = Path(sys.argv[1] if len(sys.argv) > 1 else "reports/junit")
    passed, failed, skipped = count(directory)
    line = f"{passed} passed, {failed} failed"
    print(line + (f", {skipped} skipped" if skipped else ""))
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
