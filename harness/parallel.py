"""The suite's default run: features in parallel on one stack, the fault scenarios beside them
on a second stack of their own.

    python -m harness.parallel [--workers N] [--fault-stacks N] [--known-defects] [--serial] [behave arguments ...]

1. One stack (with beat) for the features, owned here: torn down on every end, Ctrl-C and
   SIGTERM included.
2. N behave processes, each attached to that stack (`-D project=<name>`) and given a share of
   the feature files (longest first into the least loaded, by their last times), running every
   scenario but the @fault ones. They start as soon as the dry run has shared the features out,
   and wait in before_all until the stack is up; at nice 10 where a process may raise its
   priority again (the fault processes do, once their stack is up; these stay). A process per
   feature cost ~1 CPU-second each to start and attach, on a machine the run keeps busy. A
   tenant per scenario keeps them independent; @needs_stack_control scenarios start services or
   look inside containers, which disturbs nobody.
3. Meanwhile, the @fault scenarios (they stop, kill, cut off or scale services others use), in one
   behave process, serially, on a second stack (`<name>-faults`, owned and torn down the same way):
   nothing else uses a service they take down. They mostly wait (for stall windows, restarts,
   recoveries), so they overlap well with the CPU-bound features. A dry run of behave says which
   they are: none selected, no second stack (only they: they have the first stack to themselves).
   --fault-stacks N shares them over N stacks; with 0 they run after the features, on the first
   stack (half the memory, a longer run).
4. Once the features are done, their stack takes its share of the @fault scenarios still left:
   each runs in whichever process gets to it first (harness/runner.py, claims), the short ones
   last. Each stack goes down as its last scenario ends. The router (LiteLLM, slow to start)
   starts with the stack when a selected scenario is @needs_router.
5. With --known-defects, the @known_defect scenarios apart (their results go to the report; they
   have no say in the exit status).

One Allure result set (reports/allure-results), one JUnit file per feature with both phases
merged (reports/junit), one list of failed scenarios (reports/rerun.txt). The console gets a
line per feature as it finishes (behave writes its JUnit file then), then each failure in full.
Each process's output is in reports/logs/features/. Serial is `scripts/acceptance.sh --serial`
(plain behave).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from harness import fixtures, report
from harness.api import ArenaClient
from harness.compose import ComposeError
from harness.junit import count as count_outcomes
from harness.lifecycle import GuardedTeardown
from harness.runner import CLAIMS_ENV, RERUN_FILE_ENV
from harness.settings import REPO_ROOT, REPORTS_DIR, RESULTS_ROOT, Settings, SettingsError
from harness.stack import ATTACH_WHEN_ENV, LOG_SERVICES, RENICE_ENV, ComposeStack, StackError
from harness.timing import PhaseTimer
from harness.waits import WaitTimeout

# This interpreter's behave: the venv's on a host, the image's in the suite container.
BEHAVE = [sys.executable, "-m", "behave"]
JUNIT_DIR = RESULTS_ROOT / "junit"
LOG_DIR = RESULTS_ROOT / "logs" / "features"
PHASES_DIR = RESULTS_ROOT / "phases"  # per-process JUnit and rerun files, merged at the end
ROUTER_TAG = "needs_router"  # scenarios that use the router (LiteLLM): it then starts with the stack
FEATURE_TIMES = REPORTS_DIR / "feature-times.json"  # last durations: longest features start first
FAULT_TIMES_KEY = "@fault scenarios"  # in FEATURE_TIMES: each fault scenario's last time, by name
DEFAULT_FAULT_S = 10.0  # a fault scenario never timed here
# The fault scenarios mostly wait for their services (a restart, a recovery), and they end the run:
# under the features' CPU-bound load those waits stretch. 4× the CPU weight of the features' stack
# (docker's default, 1024) lets their services go first; they use little. Whole runs, alternated:
# 123.6 and 128.1 s at equal weights, 114.2 and 115.7 s at 4× (2026-11-26, 2 cores).
FAULT_STACK_CPU_SHARES = "4096"
WAITING_NICE = 10  # a behave process's while it waits for its stack (Runner.behave)
FEATURES_NICE = 10  # the features' processes' once it is up: the fault chain's containers go first
SCENARIO_LINE = re.compile(r"^  (ok  |FAIL|ERR |UNDF)\s+(?P<seconds>[\d.]+) s  (?P<name>.+)$")  # console.py's line
# What each phase adds to the selection (behave ANDs repeated --tags).
FAULT_TAG = "fault"
SHARED_STACK = f"not @{FAULT_TAG}"
FAULTS = f"@{FAULT_TAG}"
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


@dataclass
class FaultPart:
    """Some of the @fault scenarios, run one at a time on a stack of their own."""
    index: int
    of: int
    locations: list[str] = field(default_factory=list)  # "features/x.feature:LINE"
    estimate: float = 0.0
    stack: ComposeStack | None = None

    @property
    def suffix(self) -> str:
        return f"-{self.index + 1}" if self.of > 1 else ""

    @property
    def name(self) -> str:
        return f"faults{self.suffix}"

    @property
    def label(self) -> str:
        return "@fault scenarios" + (f", part {self.index + 1} of {self.of}" if self.of > 1 else "") + " (own stack)"


class Runner:
    def __init__(self, settings: Settings, userdata: dict[str, str], behave_args: list[str],
                 features: list[Path], workers: int, fault_stacks: int = 1, known_defects: bool = False) -> None:
        self.settings = settings
        self.userdata = userdata
        self.behave_args = behave_args
        self.features = features
        self.workers = workers
        self.known_defects = known_defects  # the @known_defect scenarios afterwards, on the features' stack
        self.stack_settings = Settings.load({**userdata, "with_beat": "true"})
        self.stack = ComposeStack(self.stack_settings)
        self.fault_stacks_wanted = fault_stacks  # 0: the @fault scenarios after the features, on this stack
        self.fault_parts: list[FaultPart] = []  # planned by plan()
        self.shared_features: dict[Path, int] = dict.fromkeys(features, 1)  # with their scenario counts, by plan()
        self.needs_router = False  # a selected scenario for the shared stack uses the router, by plan()
        self.timer = PhaseTimer(REPORTS_DIR / "timings.json")
        # The fault parts' threads: each starts its stack, then runs its behave process.
        self._planning: Future[None] | None = None
        self._prepared = threading.Event()  # set once the images are there, or failed to be
        self._prepare_ok = False
        self._beside: ThreadPoolExecutor | None = None
        self._early: ThreadPoolExecutor | None = None  # services started with the stack (the router)
        self._fault_futures: list[Future[Outcome]] = []
        # The features' processes, started as soon as the plan says what they run: they wait in
        # before_all for the stack (the run's first ~3 s of theirs were imports and attaching).
        self._features_pool: ThreadPoolExecutor | None = None
        self._feature_futures: dict[Future[Outcome], list[Path]] = {}
        self._fault_order = _file_and_line  # how the fault scenarios are named to behave, by plan()
        self._features_done: float | None = None
        self.feature_results: list[Outcome] = []  # a feature's own line and time, from its JUnit file
        self._procs: set[subprocess.Popen] = set()
        self._stopped: list[ComposeStack] = []
        self._lock = threading.Lock()
        self._stopping = False

    def plan(self) -> None:
        """What this run selects (one dry run of behave with its arguments, which starts no
        stack): the features with scenarios for the shared stack, their counts (how a fresh clone
        shares them out), and the @fault scenarios over the fault stacks, longest first by their
        last times."""
        selected = selected_scenarios([_relative(f) for f in self.features], self.behave_args)
        shared = Counter(_feature_of(location) for location, _, tags in selected if FAULT_TAG not in tags)
        if selected:  # else (behave refused its arguments, say) every feature, for behave to say why
            self.shared_features = {f: n for f in self.features if (n := shared.get(f.resolve(), 0))}
        self.needs_router = any(ROUTER_TAG in tags and FAULT_TAG not in tags for _, _, tags in selected)
        if self.fault_stacks_wanted < 1:
            return
        scenarios = [(location, name) for location, name, tags in selected if FAULT_TAG in tags]
        if scenarios and not self.shared_features:
            # Only @fault scenarios (--tags=@fault, say): they have the features' stack, already
            # starting, to themselves; a second one would only cost its start.
            self.fault_stacks_wanted = 0
            return
        count = min(self.fault_stacks_wanted, len(scenarios))
        if not count:
            return
        last = _last_times().get(FAULT_TIMES_KEY, {})
        shortest: dict[str, float] = {}  # each feature's shortest @fault scenario
        for location, name in scenarios:
            path = _file_and_line(location)[0]
            shortest[path] = min(shortest.get(path, float("inf")), float(last.get(name, DEFAULT_FAULT_S)))
        self._fault_order = lambda loc: (-shortest[_file_and_line(loc)[0]], _file_and_line(loc))
        parts = [FaultPart(index=i, of=count) for i in range(count)]
        for location, name in sorted(scenarios, key=lambda s: -float(last.get(s[1], DEFAULT_FAULT_S))):
            part = min(parts, key=lambda p: p.estimate)  # the least loaded so far
            part.locations.append(location)
            part.estimate += float(last.get(name, DEFAULT_FAULT_S))
        for part in parts:
            # A feature's scenarios together, in file order: a feature named twice on behave's
            # command line runs twice, and its second JUnit file replaces the first. A feature with
            # short scenarios last: those are left for the end, when the features' stack takes
            # its share (run_fault_tail).
            part.locations.sort(key=self._fault_order)
            part.stack = ComposeStack(self.stack_settings, merges_coverage=True,
                                      project_name=f"{self.stack.project.name}-faults{part.suffix}")
            part.stack.project.env["ARENA_CPU_SHARES"] = FAULT_STACK_CPU_SHARES
        self.fault_parts = parts

    # --- the stack -------------------------------------------------------------------------------
    @property
    def stack_up(self) -> Path:
        """Where start_stack says "ready" (or why not) to the features' processes waiting for it."""
        return PHASES_DIR / "stack-up"

    def start_stack(self) -> None:
        """The features' stack; the fault scenarios' stacks start beside it once the images are
        built (while the machine is still idle, rather than under the features' load) and the
        dry run has said which fault scenarios there are, which it does meanwhile (from the
        start: it needs no image); so do the features' processes, which then wait for this stack."""
        try:
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="plan-faults") as planner:
                self._planning = planner.submit(self._plan_and_start_faults)
                try:
                    self.stack.prepare(self.timer)
                    self._prepare_ok = True
                finally:
                    self._prepared.set()
                endpoints = self.stack.bring_up(self.timer)
            report.write_run_metadata(self.stack.settings, self.stack.project.name)
            with self.timer.phase("seed"):
                _seed(self.stack, endpoints, self.settings.admin_token)
        except StackError as err:
            _say(self.stack_up, f"failed: {err}")
            report.write_run_metadata(self.stack.settings, self.stack.project.name)
            _report_failed_start(self.stack)
            raise
        except BaseException:
            _say(self.stack_up, "failed: the run was interrupted")
            raise
        _say(self.stack_up, "ready")
        print(f"[stack] ready: Arena API at {endpoints.api_url}", file=sys.stderr, flush=True)

    def _plan_and_start_faults(self) -> None:
        self.plan()
        with self._lock:
            if self._stopping:
                return
            self.start_features(attach_when=self.stack_up)
        self._prepared.wait()  # the router and the fault stacks start on the images prepare made
        with self._lock:
            if self._stopping or not self._prepare_ok:
                return
            if self.needs_router:
                # LiteLLM takes ~8 CPU-seconds to start (its imports): begun with the stack, not
                # by router.feature's first scenario, the longest feature no longer starts with it.
                self._early = ThreadPoolExecutor(max_workers=1, thread_name_prefix="router")
                self._early.submit(self._start_early, "router")
            if not self.fault_parts:
                return
            self._beside = ThreadPoolExecutor(max_workers=len(self.fault_parts))
            self._fault_futures = [self._beside.submit(self.run_fault_part, part) for part in self.fault_parts]

    def start_features(self, attach_when: Path | None = None) -> None:
        """The features' behave processes, once: each given a share of the features, attached
        to the stack (once `attach_when` says it is up, if given)."""
        if self._features_pool is not None:
            return
        shares = share_out(self.shared_features, self.workers)
        # One thread more: the process that takes the @fault scenarios left when the features end.
        self._features_pool = ThreadPoolExecutor(max_workers=len(shares) + 1, thread_name_prefix="features")
        self._feature_futures = {
            self._features_pool.submit(self.behave, name, [_relative(f) for f in share], [SHARED_STACK],
                                       attach_when=attach_when, nice_when_up=FEATURES_NICE): share
            for name, share in zip(self.feature_process_names(len(shares)), shares, strict=True)}

    @staticmethod
    def feature_process_names(count: int) -> list[str]:
        return [f"process-{i + 1}" for i in range(count)]

    def _start_early(self, service: str) -> None:
        try:
            self.stack.start_early(service)
        except (ComposeError, WaitTimeout) as err:  # the feature's own step starts it, and says why not
            print(f"[stack] {service} not started with the stack: {err}", file=sys.stderr, flush=True)

    def _planned(self) -> None:
        """Once the fault scenarios are planned (and their stacks starting); a failure to plan is raised."""
        if self._planning is not None:
            self._planning.result()

    def start_fault_stack(self, part: FaultPart) -> None:
        """A fault part's stack, started beside the features' (images are built by then)."""
        stack = part.stack
        started = time.monotonic()
        try:
            timer = PhaseTimer(PHASES_DIR / f"timings-{part.name}.json", label=f"{part.name} stack ")
            endpoints = stack.bring_up(timer, progress=False)
        except StackError:
            _report_failed_start(stack)
            raise
        _seed(stack, endpoints, self.settings.admin_token)
        print(f"[stack] ready for @fault scenarios: {stack.project.name} after {time.monotonic() - started:.1f} s",
              file=sys.stderr, flush=True)

    def stop(self) -> None:
        self.stop_processes()
        if self._planning is not None:
            self._planning.exception()  # planned (or failed to): no fault stack starts after this
        # A fault stack still starting finishes its `up` first: torn down half-made, compose could
        # go on creating containers after `down`. Its behave process, once stopping, never starts.
        for pool in (self._beside, self._early, self._features_pool):
            if pool is not None:
                pool.shutdown(wait=True)
        # The features' stack first: with coverage, the fault stack's data joins its data.
        self.stop_stack(self.stack, "stack.log")
        for part in self.fault_parts:
            self.stop_stack(part.stack, f"stack-faults{part.suffix}.log")

    def stop_stack(self, stack: ComposeStack, log_name: str) -> None:
        """Its services' logs saved, then taken down; once."""
        if stack in self._stopped:
            return
        if stack.endpoints is not None or stack.failure:
            path = REPORTS_DIR / "logs" / log_name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(stack.logs(LOG_SERVICES + ["postgres", "redis", "mongo"], tail=2000))
        stack.stop(self.timer)
        self._stopped.append(stack)

    # --- behave processes ------------------------------------------------------------------------
    def behave(self, name: str, targets: list[str], tags: list[str], junit: bool = True,
               behave_args: list[str] | None = None, stack: ComposeStack | None = None,
               attach_when: Path | None = None, claims: bool = False, nice_when_up: int = 0) -> Outcome:
        log = LOG_DIR / f"{name}.log"
        phase_dir = PHASES_DIR / name
        phase_dir.mkdir(parents=True, exist_ok=True)
        claims_dir = PHASES_DIR / "claims"  # a file per @fault scenario a process has taken (harness/runner.py)
        claims_dir.mkdir(exist_ok=True)
        args = self.behave_args if behave_args is None else behave_args
        cmd = [*BEHAVE, *targets, *args, *[f"--tags={t}" for t in tags],
               "-D", f"project={(stack or self.stack).project.name}",
               *(["--junit-directory", str(phase_dir)] if junit else ["--no-junit"])]
        # A process that waits for its stack yields the CPU to the stacks coming up meanwhile (on
        # cgroup v1, one busy host process weighs as much as all the containers together), and
        # takes `nice_when_up` once the stack is up; only where it may raise it again (CAP_SYS_NICE).
        niced = attach_when is not None and _may_renice()
        env = {**os.environ, RERUN_FILE_ENV: str(phase_dir / "rerun.txt"),
               **({ATTACH_WHEN_ENV: str(attach_when)} if attach_when else {}),
               **({RENICE_ENV: str(nice_when_up)} if niced else {}),
               **({CLAIMS_ENV: str(claims_dir)} if claims else {})}
        started = time.monotonic()
        with log.open("w") as out:
            proc = subprocess.Popen(cmd, cwd=REPO_ROOT, stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=subprocess.STDOUT, env=env, start_new_session=True,
                                    preexec_fn=(lambda: os.nice(WAITING_NICE)) if niced else None)
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
        """The features shared out over `workers` processes, a line per feature as it ends; the
        fault scenarios beside them on their own stack (or after them, on this one)."""
        self._planned()
        self.start_features()  # started with the plan, unless the stack was up before it
        shares = list(self._feature_futures.values())
        stacks = "a stack" if len(self.fault_parts) == 1 else f"{len(self.fault_parts)} stacks"
        where = (f"the @fault scenarios meanwhile, on {stacks} of their own" if self.fault_parts
                 else "no @fault scenario selected" if self.fault_stacks_wanted else
                 "then the @fault scenarios, one at a time")
        print(f"[parallel] {len(self.shared_features)} features in {len(shares)} processes on "
              f"{self.stack.project.name}; {where}" if shares else
              f"[parallel] only @fault scenarios selected: one at a time on {self.stack.project.name}",
              file=sys.stderr, flush=True)
        outcomes = []
        started = time.monotonic()
        names = self.feature_process_names(len(shares))
        lines = FeatureLines({PHASES_DIR / name: LOG_DIR / f"{name}.log" for name in names})
        free = PHASES_DIR / "faults-tail" / "stack-free"  # written once the features are done
        tail: Future[Outcome] | None = None
        futures = self._feature_futures
        with self._features_pool as pool:
            try:
                pending = set(futures)
                while pending:
                    done, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
                    self._print_features(lines.new())
                    for future in done:
                        outcome = future.result()
                        outcomes.append(outcome)
                        self._print_features(lines.new())
                        self._print_unfinished(outcome, futures[future], lines)
                    if done and tail is None and self.fault_parts:
                        # Started as a core frees up, it waits in before_all: its start-up is
                        # then off the run's longest chain.
                        tail = pool.submit(self.run_fault_tail, free)
                self.timer.record("features_shared", time.monotonic() - started)
                if self.fault_parts:
                    if tail is None:
                        tail = pool.submit(self.run_fault_tail, free)
                    self._features_done = time.monotonic()
                    _say(free, "ready")
                    outcomes.append(tail.result())
                    if not self.known_defects:  # those run on this stack afterwards
                        # Down while the fault stacks finish: its teardown is then off the run's
                        # length, and its idle services (beat's ticks, probes) stop taking CPU.
                        self.stop_stack(self.stack, "stack.log")
                    outcomes += [future.result() for future in self._fault_futures]
                elif self.fault_stacks_wanted < 1:
                    outcomes.append(self.run_faults())
            except BaseException:
                # Leaving the pools waits for their threads: stop their processes first (an
                # interrupt must not wait for the features to finish).
                self.stop_processes()
                raise
        return outcomes

    def _print_features(self, results: list[Outcome]) -> None:
        for result in results:
            self.feature_results.append(result)
            _print_line(result)

    def _print_unfinished(self, outcome: Outcome, share: list[Path], lines: FeatureLines) -> None:
        """A line for each feature of an ended process without a result: none of its scenarios was
        selected, or the process ended before it (a crash, an interrupt)."""
        for feature in share:
            if feature.stem not in lines.seen:
                result = Outcome(feature.stem, 0 if outcome.returncode == 0 else outcome.returncode, 0.0, outcome.log)
                _print_line(result, label=None if outcome.returncode == 0 else
                            f"{feature.stem}.feature (no result: {outcome.name} exited {outcome.returncode})")

    def run_fault_part(self, part: FaultPart) -> Outcome:
        """Its behave process starts at once and waits, in before_all, for the stack this thread
        brings up: its ~2 s of start-up (imports, step definitions) are then off the run's longest
        chain. Its time is counted from the stack being up."""
        started = time.monotonic()
        stack_up = PHASES_DIR / part.name / "stack-up"
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix=part.name) as one:
            run = one.submit(self.behave, part.name, part.locations, [FAULTS], stack=part.stack, attach_when=stack_up,
                             claims=True)
            try:
                self.start_fault_stack(part)
            except StackError as err:
                _say(stack_up, f"failed: {err}")
                run.result()
                log = LOG_DIR / f"{part.name}.log"
                log.write_text(f"the fault scenarios' stack did not start:\n{err}\n")
                outcome = Outcome(part.name, 1, time.monotonic() - started, log)
                _print_line(outcome, label=part.label)
                return outcome
            except BaseException:
                _say(stack_up, "failed: the run was interrupted")
                raise
            up = time.monotonic()
            _say(stack_up, "ready")
            outcome = run.result()
        outcome.seconds = time.monotonic() - up
        _print_line(outcome, label=part.label)
        if not self.stack_settings.coverage:
            # Down at once, beside the features' stack's last scenarios or teardown: not after
            # them. (With coverage, its data joins what the features' stack's teardown left.)
            self.stop_stack(part.stack, f"stack-faults{part.suffix}.log")
        return outcome

    def run_fault_tail(self, free: Path) -> Outcome:
        """The @fault scenarios no fault stack has begun by the time the features are done, on the
        features' stack, which is then free (nothing else uses it): each scenario runs in whichever
        process gets to it first (harness/runner.py, claims). The fault stacks are left the
        longest scenarios, first; here the short ones at the end, which now end sooner."""
        locations = sorted({loc for part in self.fault_parts for loc in part.locations}, key=self._fault_order)
        outcome = self.behave("faults-tail", locations, [FAULTS], attach_when=free, claims=True)
        outcome.seconds = max(0.0, time.monotonic() - (self._features_done or time.monotonic()))
        label = "@fault scenarios (features' stack)"
        if outcome.status == "empty":
            print(f"[parallel] {MARKS['empty']} {label:34} none left: the fault stack had begun them all", flush=True)
        else:
            _print_line(outcome, label=label)
        return outcome

    def run_faults(self) -> Outcome:
        """The scenarios that stop, kill or scale services, serially, after the features, on their stack."""
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


def _report_failed_start(stack: ComposeStack) -> None:
    """The diagnosis of a stack that did not start, with its failing services' logs, in the report."""
    logs = {s: stack.logs([s], tail=200) for s in stack.failing_services}
    report.report_failed_start(stack.failure or f"the stack {stack.project.name} did not start", logs)


def _seed(stack: ComposeStack, endpoints, admin_token: str) -> None:
    """What a stack of the parallel run needs before behave attaches: beat, and the providers."""
    stack.project.start_service("beat")
    admin = ArenaClient(endpoints, admin_token=admin_token)
    try:
        for provider in fixtures.providers():
            admin.put_provider(provider["name"], provider["base_url"], provider["api_key"])
    finally:
        admin.close()


def _may_renice() -> bool:
    """Whether a process of ours may raise its priority again: CAP_SYS_NICE (bit 23) is effective
    (root on a host; not in a container with Docker's default capabilities)."""
    try:
        caps = next(line for line in Path("/proc/self/status").read_text().splitlines() if line.startswith("CapEff:"))
    except (OSError, StopIteration):
        return False
    return bool(int(caps.split()[1], 16) >> 23 & 1)


def _say(signal_file: Path, text: str) -> None:
    """Written whole (a rename), so that the process polling for it never reads half of it."""
    signal_file.parent.mkdir(parents=True, exist_ok=True)
    partial = signal_file.with_suffix(".partial")
    partial.write_text(text)
    partial.replace(signal_file)


def _relative(feature: Path) -> str:
    return str(feature.relative_to(REPO_ROOT)) if feature.is_relative_to(REPO_ROOT) else str(feature)


def _signal(proc: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)  # its own session: behave and anything it started


def _count(junit_file: Path) -> tuple[int, int]:
    """Passed and failed scenarios; one never run (an interrupted process's) is neither."""
    outcomes = count_outcomes(junit_file)
    return outcomes["passed"], outcomes["failed"]


def _print_line(outcome: Outcome, label: str | None = None) -> None:
    counts = f"{outcome.passed} passed" + (f", {outcome.failed} failed" if outcome.failed else "")
    if outcome.returncode != 0 and not outcome.failed:
        counts += f" (behave exited {outcome.returncode})"
    print(f"[parallel] {MARKS[outcome.status]} {label or outcome.name + '.feature':34} {counts:28} "
          f"{outcome.seconds:5.1f} s", flush=True)


def _file_and_line(location: str) -> tuple[str, int]:
    path, _, line = location.rpartition(":")
    return path, int(line)


def _last_times() -> dict:
    try:
        return json.loads(FEATURE_TIMES.read_text())
    except (OSError, ValueError):
        return {}


def _estimates(features: dict[Path, int]) -> dict[Path, float]:
    """Last run's times; on a fresh clone (a feature never timed here) their scenario counts."""
    last = _last_times()
    if all(f.stem in last for f in features):
        return {f: float(last[f.stem]) for f in features}
    return {f: float(count) for f, count in features.items()}


def _longest_first(features: dict[Path, int]) -> list[Path]:
    estimates = _estimates(features)
    return sorted(features, key=lambda f: -estimates[f])


def share_out(features: dict[Path, int], processes: int) -> list[list[Path]]:
    """The features (with their scenario counts) over at most `processes` behave processes:
    longest first, each into the least loaded so far; in each, the longest first."""
    estimates = _estimates(features)
    shares: list[list[Path]] = [[] for _ in range(min(processes, len(features)))]
    for feature in _longest_first(features):
        min(shares, key=lambda share: sum(estimates[f] for f in share)).append(feature)
    return shares


class FeatureLines:
    """Each feature's result as its JUnit file appears: behave writes one as each feature ends."""

    def __init__(self, logs: dict[Path, Path]) -> None:
        self.logs = logs  # each process's JUnit directory: its console output
        self.seen: set[str] = set()

    def new(self) -> list[Outcome]:
        results = []
        for directory, log in self.logs.items():
            for path in sorted(directory.glob("TESTS-*.xml")):
                name = _junit_name(path).removeprefix("features.")
                if name in self.seen:
                    continue
                try:
                    root = ET.parse(path).getroot()
                except ET.ParseError:
                    continue  # still being written: the next look
                passed, failed = _count(path)
                self.seen.add(name)
                results.append(Outcome(name, 1 if failed else 0, float(root.get("time") or 0), log,
                                       passed=passed, failed=failed))
        return results


def _remember_times(features: list[Outcome], outcomes: list[Outcome]) -> None:
    """Each feature's time, and each @fault scenario's (from the fault parts' console lines)."""
    times = _last_times()
    times.update({o.name: round(o.seconds, 1) for o in features if o.status != "empty"})
    faults = times.setdefault(FAULT_TIMES_KEY, {})
    for outcome in outcomes:
        if outcome.name.startswith("faults") and outcome.log.exists():
            for line in outcome.log.read_text(errors="replace").splitlines():
                if match := SCENARIO_LINE.match(line):
                    faults[match["name"]] = float(match["seconds"])
    FEATURE_TIMES.write_text(json.dumps(times, indent=2, sort_keys=True) + "\n")


def selected_scenarios(targets: list[str], behave_args: list[str], tags: tuple[str, ...] = ()
                       ) -> list[tuple[str, str, set[str]]]:
    """(location, name, tags with the feature's) of each scenario behave selects with these
    arguments and tags: a dry run, which starts no stack, so that only what will run is planned."""
    args, skip = [], False
    for arg in behave_args:  # the dry run writes JSON to a file: no formatter or output of the caller's
        if skip:
            skip = False
            continue
        if arg in ("-f", "--format", "-o", "--outfile"):
            skip = True
            continue
        if not arg.startswith(("--format=", "--outfile=", "-f", "-o")):
            args.append(arg)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "scenarios.json"
        subprocess.run([*BEHAVE, *targets, *args, *[f"--tags={t}" for t in tags], "--dry-run", "--no-junit",
                        "--no-summary", "--no-capture", "-f", "json", "-o", str(out)], cwd=REPO_ROOT,
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        try:
            features = json.loads(out.read_text() or "[]")
        except (OSError, ValueError):
            return []
    return [(element["location"], element["name"], {*feature.get("tags", []), *(element.get("tags") or [])})
            for feature in features for element in feature.get("elements", []) if element.get("type") != "background"]


def _feature_of(location: str) -> Path:
    return (REPO_ROOT / location.rpartition(":")[0]).resolve()


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
            merged = suites.setdefault(f"TESTS-{_junit_name(path)}.xml", ET.Element("testsuite", root.attrib))
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


def _junit_name(path: Path) -> str:
    """The feature a behave JUnit file is of, named as a run of several feature files names it
    ("features.uploads"); a run of one names it by its file alone ("uploads")."""
    name = path.name.removeprefix("TESTS-").removesuffix(".xml")
    return name if name.startswith("features.") else f"features.{name}"


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


def _int_env(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    if not value:
        return default
    if not value.strip().isdigit():
        print(f"[config] {name}={value!r} is not allowed: it must be a whole number", file=sys.stderr)
        raise SystemExit(2)
    return int(value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness.parallel", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=_int_env("ARENA_WORKERS", 4),
                        help="behave processes at once (default 4, or ARENA_WORKERS)")
    parser.add_argument("--serial", action="store_true", help="plain behave, one scenario after another")
    parser.add_argument("--fault-stacks", type=int, default=_int_env("ARENA_FAULT_STACKS", 1),
                        help="stacks of their own for the @fault scenarios, which run beside the features "
                             "(default 1, or ARENA_FAULT_STACKS; on 2 cores, 2 were slower than 1: each stack "
                             "costs CPU); 0 runs them after the features, on the features' stack")
    parser.add_argument("--known-defects", action="store_true",
                        help="afterwards, run the @known_defect scenarios apart (no say in the status)")
    own, args = parser.parse_known_args(argv)
    if own.workers < 1:
        print(f"[config] --workers={own.workers} is not allowed: it must be 1 or more", file=sys.stderr)
        return 2
    if own.fault_stacks < 0:
        print(f"[config] --fault-stacks={own.fault_stacks} is not allowed: it must be 0 or more", file=sys.stderr)
        return 2
    features, userdata, behave_args = split_arguments(args)
    try:
        settings = Settings.load(userdata)
    except SettingsError as err:
        print(f"ConfigError: {err}", file=sys.stderr)
        return 2
    if settings.coverage_map and own.workers != 1:
        # Coverage keeps one context per process of the stack: one scenario at a time drives each stack.
        print(f"[coverage-map] the features run in 1 process, not {own.workers}: the map needs one scenario at "
              "a time on each stack", file=sys.stderr)
        own.workers = 1
    if own.serial or settings.mode != "compose" or settings.project or settings.keep_stack:
        # Asked for, or nothing to share out (external mode, a stack of someone else's): behave as it is.
        return subprocess.call([*BEHAVE, *[_relative(f) for f in features if f.is_relative_to(REPO_ROOT)],
                                *behave_args], cwd=REPO_ROOT)

    for directory in (PHASES_DIR, LOG_DIR):
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True, exist_ok=True)
    JUNIT_DIR.mkdir(parents=True, exist_ok=True)
    print(f"[config] {settings.describe()}", file=sys.stderr, flush=True)
    runner = Runner(settings, userdata, behave_args, features, own.workers, fault_stacks=own.fault_stacks,
                    known_defects=own.known_defects)
    teardown = GuardedTeardown(runner.stop).install()
    outcomes: list[Outcome] = []
    started = time.monotonic()
    try:
        runner.start_stack()
        features_started = time.monotonic()
        outcomes = runner.run_shared()
        runner.timer.record("features", time.monotonic() - features_started)
        _remember_times(runner.feature_results, outcomes)
        if runner.known_defects:
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
