"""The hand-written bugs: each applies once, and the trial's verdict reads as this script's words."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "seeded_bugs.py"
spec = importlib.util.spec_from_file_location("seeded_bugs", SCRIPT)
seeded = importlib.util.module_from_spec(spec)
sys.modules["seeded_bugs"] = seeded  # its dataclasses look their module up
spec.loader.exec_module(seeded)


def test_every_bug_applies_exactly_once_and_compiles():
    assert seeded.check_bugs(seeded.BUGS) == [], "expected a clean bug list, saw problems"


def test_the_trials_verdict_becomes_the_outcome():
    bug = seeded.BUGS[0]
    killed = seeded.outcome_of(bug, "killed", 'ARENA-TRIAL {"verdict": "killed", "by": ["features/a.feature:3"]}', 4.0)
    assert (killed.status, killed.first_failure) == ("killed", "features/a.feature:3")
    uncovered = seeded.outcome_of(bug, "survived", 'ARENA-TRIAL {"verdict": "not covered", "lines": {}}', 0.2)
    assert uncovered.status == "survived" and uncovered.detail.startswith("not covered")
    assert seeded.outcome_of(bug, "killed", "timeout", 600.0).status == "timeout"
    assert seeded.outcome_of(bug, "incompetent", "Traceback ...", 1.0).status == "error"
