"""The coverage map: contexts followed from the context file, read back by line."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from coverage import CoverageData

from harness import coverage_map
from harness.coverage_map import STACK_START, CoverageMap

SERVICES = Path(__file__).resolve().parents[2] / "services"


def test_a_process_records_each_line_under_the_scenario_its_context_file_names(tmp_path):
    """What the services do (services/coverage_context.py), in a process of its own: lines run
    before any scenario carry no context; after the file names a scenario, they carry its id."""
    package = tmp_path / "arena"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "work.py").write_text("def before():\n    return 1\n\n\ndef during():\n    return 2\n")
    context_file = tmp_path / "context"
    script = textwrap.dedent(f"""
        import sys, time
        sys.path[:0] = [{str(tmp_path)!r}, {str(SERVICES)!r}]
        import coverage, coverage_context
        coverage_context.CONTEXT_FILE = {str(context_file)!r}
        measure = coverage.Coverage(data_file={str(tmp_path / ".coverage")!r}, source=["arena"])
        measure.start()
        coverage_context.start()
        from arena import work
        work.before()
        open({str(context_file)!r}, "w").write("features/a.feature:7\\n")
        deadline = time.monotonic() + 5
        while measure._collector.covdata._current_context != "features/a.feature:7" and time.monotonic() < deadline:
            time.sleep(0.01)
        work.during()
        measure.stop()
        measure.save()
    """)
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
    data = CoverageData(basename=str(tmp_path / ".coverage"))
    data.read()
    measured = next(f for f in data.measured_files() if f.endswith("work.py"))
    by_line = data.contexts_by_lineno(measured)
    assert by_line[2] == [""], f"expected the line run before any scenario under no context, saw {by_line[2]}"
    assert by_line[6] == ["features/a.feature:7"], f"expected line 6 under the scenario, saw {by_line[6]}"


def _data(tmp_path: Path) -> Path:
    data = CoverageData(basename=str(tmp_path / "coverage.data"))
    data.set_context("")
    data.add_lines({"/app/services/arena/runs/pricing.py": [1, 2]})
    data.set_context("features/usage.feature:12")
    data.add_lines({"/app/services/arena/runs/pricing.py": [2, 10], "/app/services/gateway/app.py": [5]})
    data.set_context("features/runs.feature:30")
    data.add_lines({"/app/services/arena/runs/pricing.py": [10]})
    data.write()
    return tmp_path / "coverage.data"


def test_the_map_says_which_scenarios_ran_each_line_with_the_names_they_were_recorded_under(tmp_path, monkeypatch):
    records = tmp_path / "records"
    records.mkdir()
    (records / "a.jsonl").write_text(json.dumps({"id": "features/usage.feature:12", "name": "Usage is counted",
                                                 "feature": "Usage", "tags": ["smoke"], "seconds": 1.5,
                                                 "status": "passed"}) + "\n")
    monkeypatch.setattr(coverage_map, "RECORDS_DIR", records)
    out = tmp_path / "map.json"
    coverage_map.build(_data(tmp_path), out)
    cover = CoverageMap.load(out)
    assert [s["id"] for s in cover.covering("services/arena/runs/pricing.py", [10])] == \
        ["features/usage.feature:12", "features/runs.feature:30"]
    assert [s["id"] for s in cover.covering("services/arena/runs/pricing.py", [1])] == [STACK_START]
    assert [s["name"] for s in cover.covering("services/gateway/app.py", [5])] == ["Usage is counted"]
    assert cover.covering("services/arena/runs/pricing.py", [3]) == [], "a line nobody ran is covered by no one"
    assert not cover.measured("services/arena/never.py")


def test_the_command_names_the_scenarios_of_a_line_and_says_when_none_ran_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(coverage_map, "RECORDS_DIR", tmp_path / "none")
    out = tmp_path / "map.json"
    coverage_map.build(_data(tmp_path), out)
    assert coverage_map.main(["services/arena/runs/pricing.py:10", "--map", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "2 scenario(s)" in printed and "features/runs.feature:30" in printed, printed
    assert coverage_map.main(["services/arena/runs/pricing.py:3", "--map", str(out)]) == 0
    assert "no scenario ran it" in capsys.readouterr().out
    assert coverage_map.main(["services/arena/x.py:1", "--map", str(tmp_path / "missing.json")]) == 2
