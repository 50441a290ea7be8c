"""The parallel runner's bookkeeping: what it passes to behave, and how it merges what comes back."""

import xml.etree.ElementTree as ET

import pytest

from harness import parallel
from harness.settings import REPO_ROOT, Settings, SettingsError


def test_feature_files_and_settings_are_taken_out_of_the_arguments_and_the_rest_passed_on():
    features, userdata, rest = parallel.split_arguments(
        ["--tags=@smoke", "features/uploads.feature", "-D", "coverage=true", "-Dup_timeout=90", "-n", "first"])
    assert features == [REPO_ROOT / "features" / "uploads.feature"]
    assert userdata == {"coverage": "true", "up_timeout": "90"}
    # -D stays on behave's command line too: every process sees the same settings.
    assert rest == ["--tags=@smoke", "-D", "coverage=true", "-Dup_timeout=90", "-n", "first"]


def test_without_feature_files_every_feature_runs():
    features, _, _ = parallel.split_arguments(["--tags=@integration"])
    assert features == sorted((REPO_ROOT / "features").glob("*.feature")) and len(features) > 10


def _suite(path, name, cases, seconds=None):
    suite = ET.Element("testsuite", {"name": name, "tests": str(len(cases)),
                                     **({"time": str(seconds)} if seconds is not None else {})})
    for case_name, outcome in cases:
        case = ET.SubElement(suite, "testcase", {"classname": name, "name": case_name, "time": "1.5"})
        if outcome:
            ET.SubElement(case, outcome)
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(suite).write(path)


def test_both_phases_of_a_feature_end_up_in_one_junit_file_with_counts_that_add_up(tmp_path, monkeypatch):
    monkeypatch.setattr(parallel, "PHASES_DIR", tmp_path / "phases")
    monkeypatch.setattr(parallel, "JUNIT_DIR", tmp_path / "junit")
    (tmp_path / "junit").mkdir()
    # behave names a feature by its file alone when given one feature file, by its path when several.
    _suite(tmp_path / "phases/process-1/TESTS-resilience.xml", "resilience.R", [("calm", None)])
    _suite(tmp_path / "phases/faults/TESTS-features.resilience.xml", "features.resilience.R",
           [("redis down", None), ("worker killed", "failure")])
    _suite(tmp_path / "phases/faults/TESTS-features.retries.xml", "features.retries.X", [("beat stopped", "error")])

    parallel.merge_junit(["process-1", "faults"])

    assert sorted(p.name for p in (tmp_path / "junit").iterdir()) == [
        "TESTS-features.resilience.xml", "TESTS-features.retries.xml"]
    merged = ET.parse(tmp_path / "junit/TESTS-features.resilience.xml").getroot()
    assert [c.get("name") for c in merged.iter("testcase")] == ["calm", "redis down", "worker killed"]
    assert (merged.get("tests"), merged.get("failures"), merged.get("errors"), merged.get("time")) == \
        ("3", "1", "0", "4.500")
    assert ET.parse(tmp_path / "junit/TESTS-features.retries.xml").getroot().get("errors") == "1"


def test_the_failed_scenarios_of_every_process_make_one_rerun_list(tmp_path, monkeypatch):
    monkeypatch.setattr(parallel, "PHASES_DIR", tmp_path / "phases")
    monkeypatch.setattr(parallel, "RESULTS_ROOT", tmp_path)
    for name, line in (("uploads", "features/uploads.feature:12"), ("faults", "features/retries.feature:30")):
        (tmp_path / "phases" / name).mkdir(parents=True)
        (tmp_path / "phases" / name / "rerun.txt").write_text(f"# -- RERUN: 1 failing scenarios\n{line}\n")
    parallel.merge_rerun(["uploads", "battles", "faults"])
    assert (tmp_path / "rerun.txt").read_text().splitlines()[1:] == \
        ["features/uploads.feature:12", "features/retries.feature:30"]
    for name in ("uploads", "faults"):
        (tmp_path / "phases" / name / "rerun.txt").unlink()
    parallel.merge_rerun(["uploads"])
    assert not (tmp_path / "rerun.txt").exists()  # a green run leaves nothing to re-run


def test_a_failure_is_shown_in_full_and_a_crash_with_its_last_lines(tmp_path):
    failed = tmp_path / "uploads.log"
    failed.write_text("Feature: Uploads  [features/uploads.feature]\n"
                      "  ok     1.0 s  An upload is stored\n"
                      "  FAIL   2.0 s  A bad file is refused\n"
                      "        at Then the upload is refused  (features/uploads.feature:30)\n"
                      "        | expected 422, got 201\n"
                      "  ok     1.0 s  Another\n")
    crashed = tmp_path / "battles.log"
    crashed.write_text("Traceback (most recent call last):\nImportError: no module named x\n")
    lines = parallel.failures_in_full([
        parallel.Outcome("uploads", 1, 4.0, failed, passed=2, failed=1),
        parallel.Outcome("battles", 1, 1.0, crashed),
        parallel.Outcome("usage", 0, 3.0, tmp_path / "missing.log", passed=4),
    ])
    text = "\n".join(lines)
    assert "A bad file is refused" in text and "expected 422, got 201" in text
    assert "An upload is stored" not in text and "Another" not in text
    assert "battles: behave exited 1" in text and "ImportError: no module named x" in text


def test_project_attaches_to_a_running_stack_and_is_checked_like_every_setting():
    assert Settings.load({"project": "arena-at-1"}, environ={}).project == "arena-at-1"
    assert Settings.load({}, environ={"ARENA_PROJECT": "arena-at-2"}).project == "arena-at-2"
    with pytest.raises(SettingsError, match=r"^-D project='Bad Name' is not allowed: project must be a compose"):
        Settings.load({"project": "Bad Name"}, environ={})
    with pytest.raises(SettingsError, match="cannot be combined with keep_stack"):
        Settings.load({"project": "arena-at-1", "keep_stack": "true"}, environ={})


def test_the_longest_features_start_first_and_a_fresh_clone_goes_by_scenario_count(tmp_path, monkeypatch):
    small, big = tmp_path / "small.feature", tmp_path / "big.feature"
    monkeypatch.setattr(parallel, "FEATURE_TIMES", tmp_path / "feature-times.json")
    assert parallel._longest_first({small: 1, big: 50}) == [big, small]  # never timed: by scenario count
    (tmp_path / "feature-times.json").write_text('{"small": 30.0, "big": 5.0}')
    assert parallel._longest_first({big: 50, small: 1}) == [small, big]  # timed: by last time


def test_features_are_shared_out_longest_first_into_the_least_loaded_process(tmp_path, monkeypatch):
    monkeypatch.setattr(parallel, "FEATURE_TIMES", tmp_path / "feature-times.json")
    (tmp_path / "feature-times.json").write_text('{"a": 40, "b": 20, "c": 15, "d": 10, "e": 5, "f": 3}')
    features = {tmp_path / f"{name}.feature": 1 for name in "fedcba"}
    shares = parallel.share_out(features, 2)
    # a 40 -> 1; b 20 -> 2; c -> 2 (35); d -> 2 (45); e -> 1 (45); f -> 1 (48)
    assert [[f.stem for f in share] for share in shares] == [["a", "e", "f"], ["b", "c", "d"]]
    assert len(parallel.share_out(dict(list(features.items())[:3]), 4)) == 3  # never an idle process


def test_a_feature_s_line_comes_from_its_junit_file_once_behave_has_written_it(tmp_path):
    lines = parallel.FeatureLines({tmp_path / "process-1": tmp_path / "process-1.log"})
    assert lines.new() == []  # no directory yet
    (tmp_path / "process-1").mkdir()
    (tmp_path / "process-1/TESTS-uploads.xml").write_text("<testsuite name='uploads.U' time='2")  # being written
    assert lines.new() == []
    _suite(tmp_path / "process-1/TESTS-uploads.xml", "uploads.U", [("a", None), ("b", "failure"), ("c", None)],
           seconds=4.5)
    [result] = lines.new()
    assert (result.name, result.passed, result.failed, result.status, result.seconds, result.log) == \
        ("uploads", 2, 1, "failed", 4.5, tmp_path / "process-1.log")
    assert lines.new() == []  # each feature once


def test_the_fault_scenarios_are_those_behave_selects_with_the_run_s_own_arguments():
    every = parallel.selected_scenarios(["features"], [], ["@fault"])
    assert len(every) >= 9 and all(loc.startswith("features/") and ":" in loc and "fault" in tags
                                   for loc, _, tags in every), every
    # The caller's tags narrow them (no smoke scenario breaks a service), its formatter is no matter.
    assert parallel.selected_scenarios(["features"], ["--tags=@smoke", "-f", "pretty"], ["@fault"]) == []


def test_one_dry_run_plans_both_stacks_and_a_feature_with_nothing_for_the_shared_one_gets_no_process():
    runner = parallel.Runner(Settings.load({}), {}, ["--tags=@integration"],
                             [REPO_ROOT / "features" / f"{name}.feature" for name in ("resilience", "usage")],
                             workers=4)
    runner.plan()
    # resilience.feature is @fault as a whole: its scenarios all go to the fault stack.
    assert {f.name: n for f, n in runner.shared_features.items()} == {"usage.feature": 3}
    [part] = runner.fault_parts
    assert part.locations and all(loc.startswith("features/resilience.feature:") for loc in part.locations)
    assert not runner.needs_router


@pytest.mark.parametrize(("args", "router"), [([], True), (["--tags=@smoke"], False)])
def test_the_router_starts_with_the_stack_only_when_a_selected_scenario_uses_it(args, router):
    runner = parallel.Runner(Settings.load({}), {}, ["--tags=@integration", *args],
                             [REPO_ROOT / "features" / f"{name}.feature" for name in ("router", "usage")], workers=4)
    runner.plan()
    assert runner.needs_router is router


def test_fault_scenarios_are_shared_out_over_the_fault_stacks_longest_first(tmp_path, monkeypatch):
    monkeypatch.setattr(parallel, "FEATURE_TIMES", tmp_path / "times.json")
    (tmp_path / "times.json").write_text('{"@fault scenarios": {"a": 18, "b": 12, "c": 10, "d": 9, "e": 3}}')
    monkeypatch.setattr(parallel, "selected_scenarios", lambda *a: [
        *[(f"features/{'xy'[i % 2]}.feature:{i}", name, {"fault"}) for i, name in enumerate("abcdef")],  # f: untimed
        ("features/z.feature:1", "for the shared stack", set())])
    runner = parallel.Runner(Settings.load({}), {}, [], [REPO_ROOT / "features" / "z.feature"], workers=4,
                             fault_stacks=2)
    runner.plan()
    parts = {p.name: (p.locations, p.estimate) for p in runner.fault_parts}
    # a 18 -> 1; b 12 -> 2; c 10 -> 2 (22); f 10 -> 1 (28); d 9 -> 2 (31); e 3 -> 1 (31). Each part
    # names a feature's scenarios together, in file order: named twice, a feature would run twice
    # and its second JUnit file replace the first. y first: x has the shortest (e), best left
    # for the end, when the features' stack shares what is left.
    assert parts == {"faults-1": (["features/y.feature:5", "features/x.feature:0", "features/x.feature:4"], 31.0),
                     "faults-2": (["features/y.feature:1", "features/y.feature:3", "features/x.feature:2"], 31.0)}
    assert [p.stack.project.name for p in runner.fault_parts] == [
        f"{runner.stack.project.name}-faults-1", f"{runner.stack.project.name}-faults-2"]


@pytest.mark.parametrize("variable", ["ARENA_WORKERS", "ARENA_FAULT_STACKS"])
def test_a_bad_count_stops_the_runner_with_a_line_naming_it(variable, monkeypatch, capsys):
    monkeypatch.setenv(variable, "four")
    with pytest.raises(SystemExit) as stop:
        parallel.main(["--tags=@nothing"])
    assert stop.value.code == 2
    assert f"{variable}='four' is not allowed" in capsys.readouterr().err


@pytest.mark.parametrize("known_defects", [False, True], ids=["gate", "then-known-defects"])
def test_the_fault_scenarios_count_and_the_features_stack_comes_down_early_unless_needed(
        known_defects, tmp_path, monkeypatch):
    from concurrent.futures import Future

    from harness.timing import PhaseTimer
    from harness.waits import poll_until

    monkeypatch.setattr(parallel, "PHASES_DIR", tmp_path / "phases")
    monkeypatch.setattr(parallel, "LOG_DIR", tmp_path / "logs")
    runner = parallel.Runner(Settings.load({}), {}, [], [], workers=4, known_defects=known_defects)
    runner.timer = PhaseTimer(tmp_path / "timings.json")
    runner.shared_features = {tmp_path / "a.feature": 2, tmp_path / "b.feature": 1}
    runner.fault_parts = [parallel.FaultPart(index=0, of=1, locations=["features/r.feature:9", "features/r.feature:3"])]
    faults = Future()
    faults.set_result(parallel.Outcome("faults", 0, 40.0, tmp_path / "faults.log", passed=9))
    runner._fault_futures = [faults]
    calls = {}

    def behave(name, targets, tags, attach_when=None, claims=False, **_):
        if attach_when:  # as the real process does in before_all (harness/stack.py)
            poll_until(attach_when.exists, bool, timeout=10, interval=0.01, what="the stack free")
        calls[name] = (targets, tags, claims, attach_when and attach_when.read_text())
        passed = 1 if name == "faults-tail" else len(targets)
        return parallel.Outcome(name, 0, 5.0, tmp_path / f"{name}.log", passed=passed)

    monkeypatch.setattr(runner, "behave", behave)
    stopped = []
    monkeypatch.setattr(runner, "stop_stack", lambda stack, log_name: stopped.append(log_name))

    outcomes = runner.run_shared()

    assert sorted((o.name, o.passed) for o in outcomes) == [
        ("faults", 9), ("faults-tail", 1), ("process-1", 1), ("process-2", 1)]
    # Once the features were done, the features' stack took the fault scenarios still left: every
    # one named to it, sharing them by claims, and it was told the stack is free.
    assert calls["faults-tail"] == (["features/r.feature:3", "features/r.feature:9"], ["@fault"], True, "ready")
    assert not calls["process-1"][2], "the features' processes take every scenario of theirs"
    # The known defects run on the features' stack afterwards: it stays up for them.
    assert stopped == ([] if known_defects else ["stack.log"])


def test_a_run_of_only_fault_scenarios_has_one_stack_and_runs_them_on_it(tmp_path, monkeypatch):
    from harness.timing import PhaseTimer

    runner = parallel.Runner(Settings.load({}), {}, ["--tags=@integration", "--tags=@fault"],
                             [REPO_ROOT / "features" / f"{name}.feature" for name in ("resilience", "usage")],
                             workers=4)
    runner.plan()
    # Nothing for a shared stack: no second stack, and no behave process without a feature.
    assert runner.shared_features == {} and runner.fault_parts == []
    monkeypatch.setattr(parallel, "PHASES_DIR", tmp_path / "phases")
    monkeypatch.setattr(parallel, "LOG_DIR", tmp_path / "logs")
    runner.timer = PhaseTimer(tmp_path / "timings.json")
    ran = []
    monkeypatch.setattr(runner, "behave", lambda name, targets, tags, **_: ran.append((name, tags)) or parallel.Outcome(
        name, 0, 5.0, tmp_path / f"{name}.log", passed=7))
    outcomes = runner.run_shared()
    assert ran == [("faults", ["@fault"])] and [(o.name, o.passed) for o in outcomes] == [("faults", 7)]


def test_when_the_fault_stack_had_begun_every_fault_scenario_the_features_stack_says_none_were_left(
        tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(parallel, "PHASES_DIR", tmp_path / "phases")
    monkeypatch.setattr(parallel, "LOG_DIR", tmp_path / "logs")
    runner = parallel.Runner(Settings.load({}), {}, [], [], workers=4)
    runner.fault_parts = [parallel.FaultPart(index=0, of=1, locations=["features/r.feature:3"])]
    monkeypatch.setattr(runner, "behave", lambda name, *_, **__: parallel.Outcome(name, 0, 1.0, tmp_path / "x.log"))
    outcome = runner.run_fault_tail(tmp_path / "free")
    assert outcome.status == "empty"
    assert "@fault scenarios (features' stack) none left: the fault stack had begun them all" in \
        " ".join(capsys.readouterr().out.split())


@pytest.mark.parametrize("coverage", [False, True])
def test_a_fault_stack_goes_down_as_its_scenarios_end_unless_its_coverage_joins_the_features_stacks(
        coverage, tmp_path, monkeypatch):
    monkeypatch.setattr(parallel, "PHASES_DIR", tmp_path / "phases")
    monkeypatch.setattr(parallel, "LOG_DIR", tmp_path / "logs")
    runner = parallel.Runner(Settings.load({"coverage": str(coverage).lower()}), {"coverage": str(coverage).lower()},
                             [], [], workers=4)
    part = parallel.FaultPart(index=0, of=1, locations=["features/r.feature:3"])
    monkeypatch.setattr(runner, "start_fault_stack", lambda part: None)
    monkeypatch.setattr(runner, "behave", lambda name, *_, **__: parallel.Outcome(name, 0, 1.0, tmp_path / "x.log"))
    stopped = []
    monkeypatch.setattr(runner, "stop_stack", lambda stack, log_name: stopped.append(log_name))
    runner.run_fault_part(part)
    # With coverage, its teardown merges what the features' stack's teardown left: it waits for it.
    assert stopped == ([] if coverage else ["stack-faults.log"])


@pytest.mark.parametrize("comes_up", [True, False])
def test_the_features_processes_start_with_the_plan_and_wait_for_the_stacks_word(comes_up, tmp_path, monkeypatch):
    from harness.timing import PhaseTimer
    from harness.waits import poll_until

    monkeypatch.setattr(parallel, "PHASES_DIR", tmp_path / "phases")
    monkeypatch.setattr(parallel, "LOG_DIR", tmp_path / "logs")
    monkeypatch.setattr(parallel.report, "write_run_metadata", lambda *_: None)
    monkeypatch.setattr(parallel, "_report_failed_start", lambda stack: None)
    monkeypatch.setattr(parallel, "_seed", lambda *_: None)
    runner = parallel.Runner(Settings.load({}), {}, [], [], workers=2, fault_stacks=0)
    runner.timer = PhaseTimer(tmp_path / "timings.json")
    features = {tmp_path / "a.feature": 2, tmp_path / "b.feature": 1}
    monkeypatch.setattr(runner, "plan", lambda: setattr(runner, "shared_features", features))
    started = []

    def behave(name, targets, tags, attach_when=None, **_):
        started.append(name)
        if attach_when is None:  # the fault scenarios, afterwards (no fault stack here)
            return parallel.Outcome(name, 0, 1.0, tmp_path / f"{name}.log")
        said = poll_until(lambda: attach_when.exists() and attach_when.read_text(), bool, timeout=10, interval=0.01,
                          what="the stack's word")
        return parallel.Outcome(name, 0 if said == "ready" else 1, 1.0, tmp_path / f"{name}.log")

    def bring_up(timer):
        # Both processes are running, and waiting, before the stack is up.
        poll_until(lambda: sorted(started), lambda names: names == ["process-1", "process-2"], timeout=10,
                   interval=0.01, what="the features' processes started")
        if not comes_up:
            raise parallel.StackError("postgres did not become healthy")
        return type("Endpoints", (), {"api_url": "http://api"})()

    monkeypatch.setattr(runner, "behave", behave)
    monkeypatch.setattr(runner.stack, "prepare", lambda timer: None)
    monkeypatch.setattr(runner.stack, "bring_up", bring_up)
    if comes_up:
        runner.start_stack()
        assert sorted((o.name, o.returncode) for o in runner.run_shared()) == [
            ("faults", 0), ("process-1", 0), ("process-2", 0)]
    else:
        with pytest.raises(parallel.StackError):
            runner.start_stack()
        runner.stop_processes()
        runner._features_pool.shutdown(wait=True)
        assert runner.stack_up.read_text() == "failed: postgres did not become healthy"
        assert sorted(f.result().returncode for f in runner._feature_futures) == [1, 1]


def test_images_that_fail_to_build_start_no_fault_stack_and_the_waiting_processes_are_told(tmp_path, monkeypatch):
    monkeypatch.setattr(parallel, "PHASES_DIR", tmp_path / "phases")
    monkeypatch.setattr(parallel, "LOG_DIR", tmp_path / "logs")
    monkeypatch.setattr(parallel.report, "write_run_metadata", lambda *_: None)
    monkeypatch.setattr(parallel, "_report_failed_start", lambda stack: None)
    runner = parallel.Runner(Settings.load({}), {}, [], [], workers=2)

    def plan():  # the dry run: a feature for the shared stack, and a fault part
        runner.shared_features = {tmp_path / "a.feature": 1}
        runner.fault_parts = [parallel.FaultPart(index=0, of=1, locations=["features/r.feature:3"])]

    monkeypatch.setattr(runner, "plan", plan)
    monkeypatch.setattr(runner, "behave", lambda name, *_, **__: parallel.Outcome(name, 1, 0.0, tmp_path / "x.log"))
    monkeypatch.setattr(runner, "run_fault_part", lambda part: pytest.fail("a fault stack started without images"))

    def prepare(timer):
        raise parallel.StackError("the app image did not build")

    monkeypatch.setattr(runner.stack, "prepare", prepare)
    with pytest.raises(parallel.StackError):
        runner.start_stack()
    assert runner.stack_up.read_text() == "failed: the app image did not build"
    assert runner._fault_futures == []
