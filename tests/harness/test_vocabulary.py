"""The vocabulary is a public interface: the phrases of the checked-in snapshot keep working (as
themselves, or as deprecated aliases until their date), and the features written with the old
words still find their steps. No stack: a dry run and behave's step registry.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from harness import deprecation
from harness.catalogue import (
    REFRESH,
    SNAPSHOT,
    broken_promises,
    definitions,
    matching_definitions,
    recorded_snapshot,
    render_snapshot,
)
from harness.settings import REPO_ROOT

OLD_FEATURE = Path(__file__).parent / "vocabulary" / "written_two_weeks_ago.feature"
BEHAVE = Path(sys.executable).parent / "behave"


def test_no_phrase_of_the_snapshot_has_gone_or_changed_its_words():
    problems = broken_promises(recorded_snapshot())
    assert not problems, "\n".join(problems)


def test_the_snapshot_records_every_phrase_of_today():
    assert SNAPSHOT.read_text(encoding="utf-8") == render_snapshot(), (
        f"{SNAPSHOT.relative_to(REPO_ROOT)} is out of date (a phrase was added or deprecated): run {REFRESH}")


def test_a_phrase_gone_without_a_deprecation_is_named():
    gone = {"keyword": "then", "phrase": "the run completes within {seconds:d} minutes", "deprecated": False}
    [problem] = broken_promises([gone])
    assert problem.startswith("expected Then 'the run completes within {seconds:d} minutes' (not deprecated), "
                              "saw the closest 'the run completes within {seconds} seconds'"), problem


def test_a_phrase_that_changed_its_keyword_is_named():
    moved = {"keyword": "when", "phrase": "they cannot list its results", "deprecated": False}
    [problem] = broken_promises([moved])
    assert "expected When 'they cannot list its results'" in problem, problem
    assert "saw Then 'they cannot list its results'" in problem, problem


def test_a_deprecated_phrase_may_go_only_after_its_date():
    gone = {"keyword": "then", "phrase": "the run is somehow fine", "deprecated": True,
            "instead": "Then the run completes within 20 seconds", "removable_after": "2027-03-08"}
    assert broken_promises([gone], today=date(2027, 3, 9)) == []
    [problem] = broken_promises([gone], today=date(2027, 3, 8))
    assert "(deprecated until 2027-03-08)" in problem, problem


def test_a_step_definition_serves_every_keyword():
    # "the beat scheduler is stopped" was a Given, and is a @step today: a Given still finds it.
    stopped = {"keyword": "given", "phrase": "the beat scheduler is stopped", "deprecated": False}
    assert broken_promises([stopped]) == []


def _old_steps():
    from behave.parser import parse_file

    from harness.catalogue import FeatureStep

    feature = parse_file(str(OLD_FEATURE))
    return [FeatureStep(step.step_type, step.name, f"{OLD_FEATURE.name}:{step.line}")
            for scenario in feature.walk_scenarios() for step in scenario.steps]


def test_every_old_step_matches_exactly_one_definition():
    problems = []
    for step in _old_steps():
        matches = matching_definitions(step)
        if len(matches) != 1:
            problems.append(f"{step.where}: {step.keyword} {step.text!r} matches {[str(m.location) for m in matches]}")
    assert not problems, "\n".join(problems)


def test_every_deprecated_phrase_is_in_the_old_feature():
    used = {m.pattern for step in _old_steps() for m in matching_definitions(step)}
    retired = {d.pattern for d in definitions() if deprecation.deprecation_of(d)}
    assert retired <= used, f"deprecated phrases the old feature does not use: {sorted(retired - used)}"


def _dry_run(feature: Path) -> subprocess.CompletedProcess:
    # From the repository root, whose steps/ and environment.py behave finds walking up from the
    # feature; this checkout's harness first (the venv may be installed from another checkout).
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([str(BEHAVE), "--dry-run", "--no-junit", "--no-summary", "-f", "plain", "--no-color",
                           str(feature)], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)


@pytest.mark.skipif(not BEHAVE.exists(), reason="behave is not installed beside this Python")
def test_the_old_feature_has_no_undefined_step_in_a_dry_run():
    result = _dry_run(OLD_FEATURE)
    assert result.returncode == 0 and "undefined" not in result.stdout.lower(), result.stdout + result.stderr


@pytest.mark.skipif(not BEHAVE.exists(), reason="behave is not installed beside this Python")
def test_the_dry_run_does_fail_on_an_undefined_step(tmp_path):
    # The check above can fail: a step nobody defines makes the same dry run fail. The feature sits
    # under the repository (behave looks for steps/ above it), in a directory removed afterwards.
    where = REPO_ROOT / "tests" / "harness" / "vocabulary" / f"tmp-{os.getpid()}"
    where.mkdir()
    try:
        feature = where / "undefined.feature"
        feature.write_text("Feature: f\n  Scenario: s\n    Then the run is somehow fine\n", encoding="utf-8")
        result = _dry_run(feature)
    finally:
        for path in where.iterdir():
            path.unlink()
        where.rmdir()
    assert result.returncode != 0 and "undefined" in (result.stdout + result.stderr).lower(), result.stdout


def test_a_deprecated_step_says_what_to_write_instead_once_per_run(capfd, monkeypatch):
    monkeypatch.setattr(deprecation, "_announced", set())
    attached = []
    monkeypatch.setattr(deprecation.allure, "attach", lambda body, **kwargs: attached.append(body))
    notice = deprecation.Deprecation("then", 'MongoDB holds exactly one battle with key "{key:Text}"',
                                     'Then MongoDB holds exactly 1 battle with key "{key}"')
    first = deprecation.announce(notice, key="order-42")
    deprecation.announce(notice, key="order-42")
    err = capfd.readouterr().err
    assert err.count("[vocabulary]") == 1, err
    assert 'write instead: Then MongoDB holds exactly 1 battle with key "order-42"' in first
    assert "removable after 2027-03-08" in first
    assert attached == [first, first], "the report should carry the notice on every use"


class _Context:
    """What an alias uses of behave's context: the step's table, and execute_steps."""

    def __init__(self, table=None):
        self.table, self.ran = table, []

    def execute_steps(self, text):
        self.ran.append(text)


def _run(keyword, pattern, text, context):
    """Run the definition of `pattern` on the step `text`, as behave would, outside a behave run."""
    [definition] = [d for d in definitions() if d.step_type == keyword and d.pattern == pattern]
    match = definition.match(text)
    definition.func(context, **{argument.name: argument.value for argument in match.arguments})


def test_an_alias_runs_its_replacement_with_the_old_phrase_s_values(monkeypatch):
    monkeypatch.setattr(deprecation, "announce", lambda notice, **values: notice.message(**values))
    context = _Context()
    _run("then", 'MongoDB holds exactly one battle of my tenant with idempotency key "{key:Text}"',
         'MongoDB holds exactly one battle of my tenant with idempotency key "order-42"', context)
    assert context.ran == ['Then MongoDB holds exactly 1 battle of my tenant with idempotency key "order-42"']


def test_an_alias_passes_its_table_on(monkeypatch):
    from behave.parser import parse_steps

    monkeypatch.setattr(deprecation, "announce", lambda notice, **values: notice.message(**values))
    [step] = parse_steps("Then each of these dependencies is reported up with a latency\n"
                         "  | dependency |\n  | postgres |\n  | redis |\n")
    context = _Context(step.table)
    _run("then", "each of these dependencies is reported up with a latency", step.name, context)
    [ran] = parse_steps(context.ran[0])
    assert ran.name == "each of these dependencies is reported up with a latency:"
    assert [row["dependency"] for row in ran.table] == ["postgres", "redis"]


def test_a_phrase_that_could_pass_only_on_nothing_says_what_to_write(monkeypatch):
    monkeypatch.setattr(deprecation, "announce", lambda notice, **values: notice.message(**values))
    context = _Context()
    with pytest.raises(AssertionError, match="write the step with a colon and a table"):
        _run("then", "each of these dependencies is reported up with a latency",
             "each of these dependencies is reported up with a latency", context)
    assert context.ran == []
