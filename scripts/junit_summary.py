"""Print 'N passed, N failed[, N skipped]' over every JUnit XML file in a directory.

Exit 1 when anything failed or errored, or when nothing ran at all.
"""

import sys
import xml.etree.ElementTree as ET
from pathlib import Path


def count(directory: Path) -> tuple[int, int, int]:
    passed = failed = skipped = 0
    for path in sorted(directory.glob("*.xml")):
        root = ET.parse(path).getroot()
        for case in root.iter("testcase"):
            outcome = {child.tag for child in case}
            if outcome & {"failure", "error"}:
                failed += 1
            elif "skipped" in outcome:
                skipped += 1
            else:
                passed += 1
    return passed, failed, skipped


def main() -> int:
    directory = Path(sys.argv[1] if len(sys.argv) > 1 else "reports/junit")
    passed, failed, skipped = count(directory)
    line = f"{passed} passed, {failed} failed"
    print(line + (f", {skipped} skipped" if skipped else ""))
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
