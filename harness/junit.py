"""What a JUnit file says of each test case: behave's, pytest's and the fuzzer's alike.

Behave marks a scenario it never ran (an interrupt, a `before_all` that failed) `status="untested"`
with no child element: not a pass. Whoever counts passes counts them here, the same way.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path


def outcome(case: ET.Element) -> str:
    """"passed", "failed", "skipped" or "untested"."""
    children = {child.tag for child in case}
    if children & {"failure", "error"} or case.get("status") == "failed":
        return "failed"
    if "skipped" in children or case.get("status") == "skipped":
        return "skipped"
    if case.get("status") == "untested":
        return "untested"
    return "passed"


def count(path: Path) -> Counter[str]:
    """How many test cases of the file had each outcome."""
    return Counter(outcome(case) for case in ET.parse(path).getroot().iter("testcase"))
