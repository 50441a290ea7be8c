"""Two behave processes sharing scenarios by claims (harness/runner.py, ARENA_SCENARIO_CLAIMS):
each scenario runs once, in one of them, and the other leaves no trace of it in its reports."""

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from harness.runner import CLAIMS_ENV

REPO_ROOT = Path(__file__).resolve().parents[2]
FEATURE = """Feature: Shared
  @fault
  Scenario: one
    Given a step that takes a while
  @fault
  Scenario: two
    Given a step that takes a while
  Scenario: not selected
    Given a step that takes a while
  @fault
  Scenario: three
    Given a step that takes a while
  @fault
  Scenario Outline: four <n>
    Given a step that takes a while
    Examples:
      | n |
      | a |
      | b |
"""
STEPS = """import os, time
from behave import given

@given("a step that takes a while")
def step(context):
    with open(os.environ["RAN_LOG"], "a") as log:
        log.write(f"{os.environ['WHO']} {context.scenario.name}\\n")
    time.sleep(0.3)
"""


def _project(tmp_path: Path) -> Path:
    (tmp_path / "features" / "steps").mkdir(parents=True)
    (tmp_path / "features" / "shared.feature").write_text(FEATURE)
    (tmp_path / "features" / "steps" / "steps.py").write_text(STEPS)
    (tmp_path / "claims").mkdir()
    return tmp_path


def _behave(project: Path, who: str) -> subprocess.Popen:
    env = {**os.environ, CLAIMS_ENV: str(project / "claims"), "RAN_LOG": str(project / "ran.log"), "WHO": who,
           "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.Popen([sys.executable, "-m", "behave", "--runner", "harness.runner:ArenaRunner", "--tags=@fault",
                             "--no-skipped", "-f", "plain", "--junit", "--junit-directory", str(project / who)],
                            cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_each_scenario_runs_once_in_one_of_two_processes_and_only_there_is_it_reported(tmp_path):
    project = _project(tmp_path)
    procs = {who: _behave(project, who) for who in ("a", "b")}
    outputs = {who: proc.communicate(timeout=60)[0] for who, proc in procs.items()}
    assert all(proc.returncode == 0 for proc in procs.values()), outputs

    ran = sorted(line.split(" ", 1)[1] for line in (project / "ran.log").read_text().splitlines())
    assert ran == ["four a -- @1.1 ", "four b -- @1.2 ", "one", "three", "two"], f"each selected scenario once: {ran}"
    reported = []
    for who in procs:
        cases = [c for f in (project / who).glob("*.xml") for c in ET.parse(f).getroot().iter("testcase")]
        assert not [c for c in cases if c.find("skipped") is not None], f"{who} reports a skipped scenario"
        reported += [c.get("name").rsplit(": ", 1)[-1] for c in cases]
    assert len(reported) == 5 and {"one", "two", "three"} <= set(reported), reported


def test_a_scenario_claimed_already_is_left_out(tmp_path):
    project = _project(tmp_path)
    (project / "claims" / "features_shared.feature:6").touch()  # scenario "two", claimed by another process
    out = _behave(project, "a").communicate(timeout=60)[0]
    assert "1 feature passed" in out and "4 scenarios passed, 0 failed" in out, out
    ran = [line.split(" ", 1)[1] for line in (project / "ran.log").read_text().splitlines()]
    assert ran == ["one", "three", "four a -- @1.1 ", "four b -- @1.2 "], ran
