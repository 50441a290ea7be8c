"""The vocabulary holds together: every step in the features matches exactly one definition (so
none depends on the order definitions are registered in), every definition is used, and the
catalogue in docs/WRITING_FEATURES.md is the one the code generates."""

from __future__ import annotations

from harness.catalogue import definitions, feature_steps, matching_definitions, render, splice
from harness.deprecation import deprecation_of
from harness.settings import REPO_ROOT


def test_every_feature_step_matches_exactly_one_definition():
    steps = feature_steps()
    assert len(steps) > 300, f"parsed only {len(steps)} feature steps"
    problems = []
    for step in steps:
        matches = matching_definitions(step)
        if len(matches) != 1:
            where = [str(m.location) for m in matches]
            problems.append(f"{step.where}: {step.keyword} {step.text!r} matches {len(matches)} definitions {where}")
    assert not problems, "\n".join(problems)


def test_every_definition_is_used_by_a_feature():
    # A function with a singular and a plural phrase counts as used when either form is. A deprecated
    # phrase is kept for features written before it was replaced (tests/harness/test_vocabulary.py).
    used = {m.func for step in feature_steps() for m in matching_definitions(step)}
    unused = [f"{d.location}: {d.pattern}" for d in definitions() if d.func not in used and not deprecation_of(d)]
    assert not unused, "step definitions no feature uses (remove them or use them):\n" + "\n".join(unused)


def test_the_catalogue_in_the_docs_is_current():
    doc = (REPO_ROOT / "docs" / "WRITING_FEATURES.md").read_text(encoding="utf-8")
    assert splice(doc, render()) == doc, "docs/WRITING_FEATURES.md is out of date: run scripts/step_catalogue.py"
