"""What a mutant's trial runs: the lines it changed, the scenarios that run them, quickest first."""

from __future__ import annotations

from pathlib import Path

from cosmic_ray.work_item import TestOutcome as Outcome
from cosmic_ray.work_item import WorkerOutcome, WorkResult

from harness.coverage_map import STACK_START, CoverageMap
from harness.mutation.session import classify, wilson
from harness.mutation.trial import changed_lines, select


def _tree(root: Path, text: str) -> Path:
    (root / "arena").mkdir(parents=True)
    (root / "gateway").mkdir()
    (root / "arena" / "pricing.py").write_text(text)
    (root / "gateway" / "app.py").write_text("x = 1\n")
    return root


def test_the_lines_a_mutant_changed_are_found_against_the_pristine_tree(tmp_path):
    pristine = _tree(tmp_path / "pristine", "a = 1\nb = a + 2\nc = 3\n")
    lane = _tree(tmp_path / "lane", "a = 1\nb = a - 2\nc = 3\n")
    assert changed_lines(lane, pristine) == {"services/arena/pricing.py": [2]}
    (lane / "arena" / "pricing.py").write_text("a = 1\nb = a + 2\nc = 3\n")
    assert changed_lines(lane, pristine) == {}, "a restored file changes nothing"


def test_a_deleted_line_counts_as_the_line_it_was(tmp_path):
    pristine = _tree(tmp_path / "pristine", "a = 1\nb = 2\nc = 3\n")
    lane = _tree(tmp_path / "lane", "a = 1\nc = 3\n")
    assert changed_lines(lane, pristine) == {"services/arena/pricing.py": [2]}


def _map() -> CoverageMap:
    return CoverageMap({"scenarios": [
        {"id": STACK_START, "name": "start", "tags": [], "seconds": None},
        {"id": "features/slow.feature:4", "name": "slow", "tags": [], "seconds": 9.0},
        {"id": "features/quick.feature:8", "name": "quick", "tags": [], "seconds": 0.5},
        {"id": "features/health.feature:3", "name": "smoke", "tags": ["smoke"], "seconds": 0.3},
    ], "files": {"services/arena/pricing.py": {"1": [0], "2": [1, 2], "3": [2]}}})


def test_the_covering_scenarios_run_quickest_first_each_once():
    chosen = select(_map(), {"services/arena/pricing.py": [2, 3]})
    assert [s["id"] for s in chosen] == ["features/quick.feature:8", "features/slow.feature:4"]


def test_a_line_run_as_its_module_is_imported_is_tried_by_every_scenario_of_its_file_and_the_smoke_ones():
    assert [s["id"] for s in select(_map(), {"services/arena/pricing.py": [1]})] == \
        ["features/health.feature:3", "features/quick.feature:8", "features/slow.feature:4"]


def test_a_line_nobody_runs_is_tried_by_no_scenario():
    assert select(_map(), {"services/arena/pricing.py": [7]}) == []
    assert select(_map(), {"services/arena/other.py": [1]}) == []


def _result(outcome, output="", worker=WorkerOutcome.NORMAL):
    return WorkResult(worker_outcome=worker, test_outcome=outcome, output=output)


def test_each_result_has_one_word_and_timeouts_are_killed_only_when_cosmic_ray_says_so():
    assert classify(_result(Outcome.KILLED, "timeout")) == "timed out"
    assert classify(_result(Outcome.KILLED, 'ARENA-TRIAL {"verdict": "killed"}')) == "killed"
    assert classify(_result(Outcome.SURVIVED, 'ARENA-TRIAL {"verdict": "not covered"}')) == "not covered"
    assert classify(_result(Outcome.SURVIVED, 'ARENA-TRIAL {"verdict": "survived"}')) == "survived"
    assert classify(_result(None, "equivalent: why", WorkerOutcome.SKIPPED)) == "equivalent"
    assert classify(_result(None, "not in the sample", WorkerOutcome.SKIPPED)) is None
    assert classify(_result(Outcome.INCOMPETENT, "boom", WorkerOutcome.EXCEPTION)) == "error"


def test_the_interval_is_wilsons():
    low, high = wilson(12, 24)
    assert (round(low, 3), round(high, 3)) == (0.314, 0.686), "the issue's own figure: 12 of 24, 31-69 %"
    assert wilson(0, 0) == (0.0, 1.0)


def test_a_def_line_is_tried_by_the_scenarios_of_its_function_body(tmp_path):
    from harness.mutation.trial import used_by

    source = tmp_path / "m.py"
    source.write_text("LIMIT = 3\n\n\n@decorate\ndef f(a: int | None = 1,\n      b=2):\n    x = a\n    return x\n\n\n"
                      "def g():\n    return LIMIT\n")
    measured = {str(n): [0] for n in (1, 4, 5, 7, 8, 11, 12)}
    assert used_by(source, [5], measured) == [7, 8], "the def line: its body"
    assert used_by(source, [4], measured) == [7, 8], "its decorator: its body"
    assert used_by(source, [6], measured) == [7, 8], "a continued signature: its body"
    assert used_by(source, [1], measured) == [1, 4, 5, 7, 8, 11, 12], "a constant: the whole file"


def test_a_module_run_only_as_the_services_start_is_tried_by_every_scenario():
    cover = CoverageMap({"scenarios": _map().scenarios, "files": {"services/arena/contract.py": {"1": [0], "2": [0]}}})
    assert [s["id"] for s in select(cover, {"services/arena/contract.py": [2]})] == \
        ["features/health.feature:3", "features/quick.feature:8", "features/slow.feature:4"]
