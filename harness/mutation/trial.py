"""One mutant's trial: cosmic-ray's test command (`python -m harness.mutation.trial --lane DIR`).

cosmic-ray has written the mutant into the lane's services/. The trial finds the lines it changed
(against the checkout's services/), asks the coverage map which scenarios run them, restarts the
services whose code changed, and runs those scenarios against the lane's stack, quickest first,
stopping at the first failure. Exit 1: a scenario failed (killed); exit 0: all passed (survived),
or no scenario runs those lines (survived, not covered). The last line of its output, which
cosmic-ray stores with the result, is `ARENA-TRIAL {json}`: verdict, lines, scenarios, seconds.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from harness.coverage_map import STACK_START, CoverageMap
from harness.mutation.lane import MUTATION_DIR, PACKAGES, Lane
from harness.runner import RERUN_FILE_ENV
from harness.settings import REPO_ROOT
from harness.waits import WaitTimeout, poll_until

BEHAVE = [str(REPO_ROOT / ".venv" / "bin" / "behave")]
LOG_DIR = MUTATION_DIR / "logs"
HEALTHY_WITHIN_S = 60.0
RESTART_GRACE_S = 5


class ServiceDown(RuntimeError):
    """A service of the lane's stack did not come up with the mutant: the mutant is killed."""


def changed_lines(lane_services: Path, pristine: Path = REPO_ROOT / "services") -> dict[str, list[int]]:
    """services/<file> -> the lines of the pristine file that the work copy changed (for a line
    inserted, the lines around it)."""
    found: dict[str, list[int]] = {}
    for package in PACKAGES:
        for mutated in sorted((lane_services / package).rglob("*.py")):
            relative = mutated.relative_to(lane_services)
            original = pristine / relative
            before = original.read_text(encoding="utf-8").splitlines() if original.exists() else []
            after = mutated.read_text(encoding="utf-8").splitlines()
            if before == after:
                continue
            lines: set[int] = set()
            for tag, i1, i2, _, _ in difflib.SequenceMatcher(a=before, b=after, autojunk=False).get_opcodes():
                if tag == "equal":
                    continue
                lines.update(range(i1 + 1, i2 + 1) if i2 > i1 else (max(i1, 1), i1 + 1))
            found[str(Path("services") / relative)] = sorted(lines)
    return found


def select(cover: CoverageMap, changes: dict[str, list[int]]) -> list[dict]:
    """The scenarios to run, quickest first.

    A line that runs as its module is imported (a constant, a def line with its defaults, a
    decorator) counts, in the map, for the services' start: what it sets is used later, by code
    the map does know. A def line is tried by the scenarios that run its function's body; any
    other such line by every scenario that runs a line of its file; both also by the @smoke
    scenarios (and the restart itself: a service that does not start kills it)."""
    chosen: dict[str, dict] = {}
    for path, lines in changes.items():
        covering = cover.covering(path, lines)
        if any(scenario["id"] == STACK_START for scenario in covering):
            users = [s for s in cover.covering(path, used_by(REPO_ROOT / path, lines, cover.files.get(path, {})))
                     if s["id"] != STACK_START]
            # A module only ever run as the services start (the API's contract, its settings) is
            # read by what the map cannot see (the OpenAPI document FastAPI builds): every scenario.
            covering += users or [s for s in cover.scenarios if s["id"] != STACK_START]
            covering += [s for s in cover.scenarios if "smoke" in s.get("tags", [])]
        for scenario in covering:
            if scenario["id"] != STACK_START:
                chosen.setdefault(scenario["id"], scenario)
    return sorted(chosen.values(), key=lambda s: (s.get("seconds") or 99.0, s["id"]))


def used_by(source: Path, lines: list[int], measured: dict) -> list[int]:
    """The lines whose scenarios try a change to `lines` that run as the module is imported: for a
    def line (its decorators, annotations and defaults), the body of that function, which is where
    they take effect; for anything else at import (a constant, a class attribute), every measured
    line of the file."""
    import ast

    try:
        tree = ast.parse(source.read_text(encoding="utf-8"))
    except (OSError, SyntaxError):
        return [int(number) for number in measured]
    found: set[int] = set()
    for line in lines:
        body = None
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
                head = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                if head <= line < node.body[0].lineno:
                    body = range(node.body[0].lineno, (node.end_lineno or node.body[-1].lineno) + 1)
        if body is None:
            return [int(number) for number in measured]
        found.update(body)
    return sorted(found)


def _containers(project: str):
    import docker

    client = docker.from_env()
    return client, client.containers.list(all=True, filters={"label": f"com.docker.compose.project={project}"})


def _health(container) -> str:
    container.reload()
    state = container.attrs["State"]
    if state.get("Status") != "running":
        return state.get("Status", "?")
    return (state.get("Health") or {}).get("Status", "running")


def ready_stack(lane: Lane) -> tuple[list[str], float]:
    """Restart the services whose code changed since they started, start any that is down, and
    wait until they are healthy. Returns what was restarted and the seconds it took."""
    started = time.monotonic()
    packages = lane.changed_packages()
    services = {service for package in packages for service in PACKAGES[package]}
    client, containers = _containers(lane.project)
    try:
        touched = []
        for container in containers:
            service = container.labels.get("com.docker.compose.service", "")
            if service == "migrate":
                continue
            if service in services:
                # SIGTERM first: beat removes its pidfile and the worker its ready mark on the way out;
                # killed, they would leave them to a new start that then refuses (beat) or lies (worker).
                container.restart(timeout=RESTART_GRACE_S)
                touched.append(container)
            elif container.status != "running":
                container.start()
                touched.append(container)
        lane.forget_running(packages)
        for container in touched:
            service = container.labels.get("com.docker.compose.service")
            status = poll_until(lambda c=container: _health(c), lambda seen: seen in ("healthy", "exited", "dead"),
                                timeout=HEALTHY_WITHIN_S, interval=0.1,
                                what=f"{service} of {lane.project} healthy after its restart")
            if status != "healthy":
                tail = container.logs(tail=3).decode(errors="replace").strip().splitlines()
                raise ServiceDown(f"{service} {status} on start: {tail[-1] if tail else 'no log'}")
        lane.remember_running(packages)
    finally:
        client.close()
    return sorted(services), time.monotonic() - started


def run_scenarios(lane: Lane, scenarios: list[dict], log: Path) -> tuple[int, list[str]]:
    """behave on the lane's stack, stopping at the first failure: (exit status, failed scenarios)."""
    rerun = log.with_suffix(".rerun")
    # Its Allure results and rerun list go to the lane, never over the suite's own (harness/runner.py).
    env = {**os.environ, **lane.env(), "ARENA_PROJECT": lane.project, "ARENA_WITH_BEAT": "true",
           "ARENA_COVERAGE": "false", "ARENA_COVERAGE_MAP": "false",
           "ARENA_RESULTS_DIR": str(lane.dir / "results"), RERUN_FILE_ENV: str(rerun)}
    rerun.unlink(missing_ok=True)
    with log.open("w") as out:
        status = subprocess.call([*BEHAVE, "--stop", "--no-junit", *[s["id"] for s in scenarios]], cwd=REPO_ROOT,
                                 env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
    failed = [line.strip() for line in rerun.read_text().splitlines()
              if line.strip() and not line.startswith("#")] if rerun.exists() else []
    return status, failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness.mutation.trial")
    parser.add_argument("--lane", type=Path, required=True, help="the lane's directory (harness/mutation/lane.py)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    lane = Lane(args.lane)
    changes = changed_lines(lane.services)
    record: dict = {"lines": changes}

    def verdict(word: str, status: int, **more) -> int:
        record.update(verdict=word, seconds=round(time.monotonic() - started, 1), **more)
        print("ARENA-TRIAL " + json.dumps(record), flush=True)
        return status

    if not changes:
        return verdict("no change", 0)
    scenarios = select(CoverageMap.load(), changes)
    record["covering"] = len(scenarios)
    if not scenarios:
        return verdict("not covered", 0)
    try:
        restarted, restart_s = ready_stack(lane)
    except (WaitTimeout, ServiceDown) as err:
        return verdict("killed", 1, by="the stack: " + str(err).splitlines()[0])
    record.update(restarted=restarted, restart_seconds=round(restart_s, 1))
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log = LOG_DIR / f"{lane.dir.name}-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.log"
    status, failed = run_scenarios(lane, scenarios, log)
    record["log"] = str(log.relative_to(REPO_ROOT))
    if status == 0:
        return verdict("survived", 0, ran=len(scenarios))
    return verdict("killed", 1, by=failed[:3] or [f"behave exited {status} (see the log)"])


if __name__ == "__main__":
    sys.exit(main())
