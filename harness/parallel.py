"""The suite's default run: features in parallel on one stack, then the fault scenarios serially.

    python -m harness.parallel [--workers N] [--known-defects] [--serial] [behave arguments ...]

1. One stack (with beat), owned here: torn down on every end, Ctrl-C and SIGTERM included.
2. One behave process per feature file, N at a time, each attached to that stack
   (`-D project=<name>`), running every scenario but the @fault ones. A tenant per scenario keeps
   them independent; @needs_stack_control scenarios start services or look inside containers,
   which disturbs nobody.
3. The @fault scenarios (they stop, kill, cut off or scale services others use), in one behave
   process, serially, on the same stack: nothing else runs while a service is down.
4. With --known-defects, the @known_defect scenarios apart (their results go to the report; they
   have no say in the exit status).

One Allure result set (reports/allure-results), one JUnit file per feature with both phases
merged (reports/junit), one list of failed scenarios (reports/rerun.txt). The console gets a
line per feature as it finishes, then each failure in full. Each process's output is in
reports/logs/features/. Serial is `scripts/acceptance.sh --serial` (plain behave).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from harness import fixtures, report
from harness.api import ArenaClient
from harness.lifecycle import GuardedTeardown
from harness.runner import RERUN_FILE_ENV
from harness.settings import REPO_ROOT, REPORTS_DIR, RESULTS_ROOT, Settings, SettingsError
from harness.stack import LOG_SERVICES, ComposeStack, StackError
from harness.timing import PhaseTimer

# This interpreter's behave: the venv's on a host, the image's in the suite container.
BEHAVE = [sys.executable, "-m", "behave"]
JUNIT_DIR = RESULTS_ROOT / "junit"
LOG_DIR = RESULTS_ROOT / "logs" / "features"
PHASES_DIR = RESULTS_ROOT / "phases"  # per-process JUnit and rerun files, merged at the end
FEATURE_TIMES = REPORTS_DIR / "feature-times.json"  # last durations: longest features start first
# What each phase adds to the selection (behave ANDs repeated --tags).
SHARED_STACK = "not @fault"
FAULTS = "@fault"
MARKS = {"passed": "ok  ", "failed": "FAIL", "empty": "--  "}


@dataclass
class Outcome:
    name: str
    returncode: int
    seconds: float
    log: Path
    passed: int = 0
    failed: int = 0

    @property
    def status(self) -> str:
        if self.returncode != 0 or self.failed:
            return "failed"
        return "passed" if self.passed else "empty"


class Runner:
    def __init__(self, settings: Settings, userdata: dict[str, str], behave_args: list[str],
                 features: list[Path], workers: int) -> None:
        self.settings = settings
        self.userdata = userdata
        self.behave_args = behave_args
        self.features = features
        self.workers = workers
        self.stack = ComposeStack(Settings.load({**userdata, "with_beat": "true"}))
        self.timer = PhaseTimer(REPORTS_DIR / "timings.json")
        self._procs: set[subprocess.Popen] = set()
        self._lock = threading.Lock()
        self._stopping = False

    # --- the stack -------------------------------------------------------------------------------
    def start_stack(self) -> None:
        try:
            endpoints = self.stack.start(self.timer)
        except StackError:
            report.write_run_metadata(self.stack.settings, self.stack.project.name)
            logs = {s: self.stack.logs([s], tail=200) for s in self.stack.failing_services}
            report.report_failed_start(self.stack.failure or "the stack did not start", logs)
            raise
        report.write_run_metadata(self.stack.settings, self.stack.project.name)
        with self.timer.phase("seed"):
            self.stack.project.start_service("beat")
            admin = ArenaClient(endpoints, admin_token=self.settings.admin_token)
            for provider in fixtures.providers():
                admin.put_provider(provider["name"], provider["base_url"], provider["api_key"])
            admin.close()
        print(f"[stack] ready: Arena API at {endpoints.api_url}", file=sys.stderr, flush=True)

    def stop(self) -> None:
        self.stop_processes()
        if self.stack.endpoints is not None or self.stack.failure:
            path = REPORTS_DIR / "logs" / "stack.log"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(self.stack.logs(LOG_SERVICES + ["postgres", "redis", "mongo"], tail=2000))
        self.stack.stop(self.timer)

    # --- behave processes ------------------------------------------------------------------------
    def behave(self, name: str, targets: list[str], tags: list[str], junit: bool = True,
               behave_args: list[str] | None = None) -> Outcome:
        log = LOG_DIR / f"{name}.log"
        phase_dir = PHASES_DIR / name
        phase_dir.mkdir(parents=True, exist_ok=True)
        args = self.behave_args if behave_args is None else behave_args
        cmd = [*BEHAVE, *targets, *args, *[f"--tags={t}" for t in tags],
               "-D", f"project={self.stack.project.name}",
               *(["--junit-directory", str(phase_dir)] if junit else ["--no-junit"])]
        env = {**os.environ, RERUN_FILE_ENV: str(phase_dir / "rerun.txt")}
        started = time.monotonic()
        with log.open("w") as out:
            proc = subprocess.Popen(cmd, cwd=REPO_ROOT, stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=subprocess.STDOUT, env=env, start_new_session=True)
            with self._lock:
                if self._stopping:
                    proc.kill()
                self._procs.add(proc)
            returncode = proc.wait()
            with self._lock:
                self._procs.discard(proc)
        outcome = Outcome(name, returncode, time.monotonic() - started, log)
        for path in phase_dir.glob("TESTS-*.xml"):
            passed, failed = _count(path)
            outcome.passed += passed
            outcome.failed += failed
        return outcome

    def stop_processes(self) -> None:
        """Stop every behave process still running (an interrupt): they own nothing but their tenants."""
        with self._lock:
            self._stopping = True
            procs = list(self._procs)
        for proc in procs:
            _signal(proc, signal.SIGINT)  # behave aborts the run and runs its cleanups
        deadline = time.monotonic() + 15
        for proc in procs:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal(proc, signal.SIGKILL)

    def run_shared(self) -> list[Outcome]:
        """Phase 2: a process per feature, longest first, `workers` at a time."""
        features = _longest_first(self.features)
        print(f"[parallel] {len(features)} features in {self.workers} processes on {self.stack.project.name}; "
              f"then the @fault scenarios, one at a time", file=sys.stderr, flush=True)
        outcomes = []
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            futures = [pool.submit(self.behave, feature.stem, [_relative(feature)], [SHARED_STACK])
                       for feature in features]
            for future in as_completed(futures):
                outcome = future.result()
                outcomes.append(outcome)
                _print_line(outcome)
        return outcomes

    def run_faults(self) -> Outcome:
        """Phase 3: the scenarios that stop, kill or scale services, serially, alone on the stack."""
        outcome = self.behave("faults", [_relative(f) for f in self.features], [FAULTS])
        _print_line(outcome, label="@fault scenarios, one at a time")
        return outcome

    def run_known_defects(self) -> None:
        # The gate's selection leaves them out; here they are the selection.
        outcome = self.behave("known-defects", [_relative(f) for f in self.features],
                              ["@integration", "@known_defect"], junit=False,
                              behave_args=[a for a in self.behave_args if "known_defect" not in a])
        if outcome.returncode == 0:
            print("[known defects] they all pass now: the defects are fixed upstream; remove @known_defect",
                  file=sys.stderr)
        else:
            print("[known defects] still present, as expected: see the failed @known_defect scenarios in the report",
                  file=sys.stderr)


def _relative(feature: Path) -> str:
    return str(feature.relative_to(REPO_ROOT)) if feature.is_relative_to(REPO_ROOT) else str(feature)


def _signal(proc: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)  # its own session: behave and anything it started


def _count(junit_file: Path) -> tuple[int, int]:
    passed = failed = 0
    for case in ET.parse(junit_file).getroot().iter("testcase"):
        outcome = {child.tag for child in case}
        if outcome & {"failure", "error"}:
            failed += 1
        elif "skipped" not in outcome:
            passed += 1
    return passed, failed


def _print_line(outcome: Outcome, label: str | None = None) -> None:
    counts = f"{outcome.passed} passed" + (f", {outcome.failed} failed" if outcome.failed else "")
    if outcome.returncode != 0 and not outcome.failed:
        counts += f" (behave exited {outcome.returncode})"
    print(f"[parallel] {MARKS[outcome.status]} {label or outcome.name + '.feature':34} {counts:28} "
          f"{outcome.seconds:5.1f} s", flush=True)


def _longest_first(features: list[Path]) -> list[Path]:
    """By last run's time; a feature never timed here (a fresh clone) by its size, which orders
    this suite's features roughly as their times do (the router's is the longest of both)."""
    try:
        last = json.loads(FEATURE_TIMES.read_text())
    except (OSError, ValueError):
        last = {}
    if all(f.stem in last for f in features):
        return sorted(features, key=lambda f: -float(last[f.stem]))
    return sorted(features, key=lambda f: -f.stat().st_size)


def _remember_times(outcomes: list[Outcome]) -> None:
    try:
        times = json.loads(FEATURE_TIMES.read_text())
    except (OSError, ValueError):
        times = {}
    times.update({o.name: round(o.seconds, 1) for o in outcomes if o.status != "empty"})
    FEATURE_TIMES.write_text(json.dumps(times, indent=2, sort_keys=True) + "\n")


def failures_in_full(outcomes: list[Outcome]) -> list[str]:
    """The failed scenarios' blocks from each failed process's console output (the compact
    formatter writes a failed scenario's line, then its step and error indented below it);
    a process that failed without a failed scenario (a hook, a crash) shows its last lines."""
    lines = []
    for outcome in outcomes:
        if outcome.status != "failed":
            continue
        text = outcome.log.read_text(errors="replace").splitlines()
        block, feature = [], ""
        for line in text:
            if line.startswith("Feature: "):
                feature = line
            if line.startswith(("  FAIL", "  ERR ", "  UNDF")):
                block += ["", feature, line]
            elif block and line.startswith("        "):
                block.append(line)
        if not block:
            block = ["", f"{outcome.name}: behave exited {outcome.returncode}; its last lines:", *text[-30:]]
        lines += block
    return lines


def merge_junit(names: list[str]) -> None:
    """One JUnit file per feature in reports/junit, both phases' test cases in it."""
    suites: dict[str, ET.Element] = {}
    for name in names:
        for path in sorted((PHASES_DIR / name).glob("TESTS-*.xml")):
            root = ET.parse(path).getroot()
            merged = suites.setdefault(path.name, ET.Element("testsuite", root.attrib))
            merged.extend(root.findall("testcase"))
    for filename, suite in suites.items():
        cases = suite.findall("testcase")
        kinds = [{child.tag for child in case} for case in cases]
        suite.set("tests", str(len(cases)))
        suite.set("failures", str(sum("failure" in k for k in kinds)))
        suite.set("errors", str(sum("error" in k for k in kinds)))
        suite.set("skipped", str(sum("skipped" in k for k in kinds)))
        suite.set("time", f"{sum(float(c.get('time', 0)) for c in cases):.3f}")
        ET.ElementTree(suite).write(JUNIT_DIR / filename, encoding="utf-8", xml_declaration=True)


def merge_rerun(names: list[str]) -> None:
    failed = [line for name in names if (PHASES_DIR / name / "rerun.txt").exists()
              for line in (PHASES_DIR / name / "rerun.txt").read_text().splitlines()
              if line.strip() and not line.startswith("#")]
    rerun = RESULTS_ROOT / "rerun.txt"
    if failed:
        rerun.write_text(f"# -- RERUN: {len(failed)} failing scenarios during last test run.\n"
                         + "\n".join(failed) + "\n")
    else:
        rerun.unlink(missing_ok=True)


def split_arguments(args: list[str]) -> tuple[list[Path], dict[str, str], list[str]]:
    """Feature files named on the command line (all of features/ if none), the -D settings (the
    runner needs them for its own stack), and every other argument, passed on to behave."""
    features, userdata, rest = [], {}, []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in ("-D", "--define") and i + 1 < len(args):
            key, _, value = args[i + 1].partition("=")
            userdata[key] = value
            rest += [arg, args[i + 1]]
            i += 2
            continue
        if arg.startswith("-D") and len(arg) > 2:
            key, _, value = arg[2:].partition("=")
            userdata[key] = value
        if not arg.startswith("-") and arg.endswith(".feature"):
            features.append((REPO_ROOT / arg).resolve())
        else:
            rest.append(arg)
        i += 1
    return features or sorted((REPO_ROOT / "features").glob("*.feature")), userdata, rest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness.parallel", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("ARENA_WORKERS", "4")),
                        help="behave processes at once (default 4, or ARENA_WORKERS)")
    parser.add_argument("--serial", action="store_true", help="plain behave, one scenario after another")
    parser.add_argument("--known-defects", action="store_true",
                        help="afterwards, run the @known_defect scenarios apart (no say in the status)")
    own, args = parser.parse_known_args(argv)
    if own.workers < 1:
        print(f"[config] --workers={own.workers} is not allowed: it must be 1 or more", file=sys.stderr)
        return 2
    features, userdata, behave_args = split_arguments(args)
    try:
        settings = Settings.load(userdata)
    except SettingsError as err:
        print(f"ConfigError: {err}", file=sys.stderr)
        return 2
    if own.serial or settings.mode != "compose" or settings.project or settings.keep_stack:
        # Asked for, or nothing to share out (external mode, a stack of someone else's): behave as it is.
        return subprocess.call([*BEHAVE, *[_relative(f) for f in features if f.is_relative_to(REPO_ROOT)],
                                *behave_args], cwd=REPO_ROOT)

    for directory in (PHASES_DIR, LOG_DIR):
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True, exist_ok=True)
    JUNIT_DIR.mkdir(parents=True, exist_ok=True)
    print(f"[config] {settings.describe()}", file=sys.stderr, flush=True)
    runner = Runner(settings, userdata, behave_args, features, own.workers)
    teardown = GuardedTeardown(runner.stop).install()
    outcomes: list[Outcome] = []
    started = time.monotonic()
    try:
        runner.start_stack()
        features_started = time.monotonic()
        outcomes = runner.run_shared()
        outcomes.append(runner.run_faults())
        runner.timer.record("features", time.monotonic() - features_started)
        _remember_times(outcomes[:-1])
        if own.known_defects:
            runner.run_known_defects()
    except StackError as err:
        print(f"[stack] {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\n[parallel] interrupted: stopping the behave processes and tearing the stack down",
              file=sys.stderr, flush=True)
        return 130
    finally:
        teardown.run()
        names = [o.name for o in outcomes]
        merge_junit(names)
        merge_rerun(names)
        shutil.rmtree(PHASES_DIR, ignore_errors=True)

    failures = failures_in_full(outcomes)
    if failures:
        print("\n[parallel] failures:", *failures, sep="\n", flush=True)
    passed = sum(o.passed for o in outcomes)
    failed = sum(o.failed for o in outcomes)
    broken = [o.name for o in outcomes if o.returncode != 0 and not o.failed]
    print(f"\n[parallel] {passed} scenarios passed, {failed} failed"
          + (f"; processes that failed outside a scenario: {', '.join(broken)}" if broken else "")
          + f"; {time.monotonic() - started:.1f} s wall  [timing] {runner.timer.summary()}", flush=True)
    print(f"[report] results in {RESULTS_ROOT / 'allure-results'}; the report: scripts/report.sh; "
          f"each process's output: {LOG_DIR}", flush=True)
    return 1 if failed or broken else 0


if __name__ == "__main__":
    sys.exit(main())
