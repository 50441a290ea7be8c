"""The hand-written bugs of scripts/seeded_bugs.py, tried the way cosmic-ray's mutants are.

A bug is a text replacement in one file of services/. It is written into a lane's work copy,
tried by the same trial (harness/mutation/trial.py) through cosmic-ray's own `run_tests` (its
timeout rule included), and the file is put back: one way to run a mutant, two sources of them,
counted apart.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from cosmic_ray.testing import run_tests

from harness.mutation.lane import Lane
from harness.mutation.session import CONFIG
from harness.timing import PhaseTimer


def test_command() -> str:
    import tomllib

    return tomllib.loads(CONFIG.read_text(encoding="utf-8"))["cosmic-ray"]["test-command"]


def try_in_lane(lane: Lane, file: str, original: str, replacement: str, timeout: float) -> tuple[str, str]:
    """(cosmic-ray's outcome word, the trial's output) for one text replacement in services/<file>."""
    path: Path = lane.services / file
    source = path.read_text(encoding="utf-8")
    path.write_text(source.replace(original, replacement, 1), encoding="utf-8")
    try:
        outcome, output = run_tests(f"{test_command()} --lane {lane.dir}", timeout)
    finally:
        path.write_text(source, encoding="utf-8")
    return outcome.value, output


def try_all(bugs: Iterable, lanes: int, timeout: float, on_result: Callable, stop: threading.Event) -> None:
    """Each bug once, over `lanes` lanes (stacks started here and taken down at the end)."""
    todo: queue.Queue = queue.Queue()
    for bug in bugs:
        todo.put(bug)
    made = [Lane.create(10 + index) for index in range(lanes)]
    stacks = []

    def work(lane: Lane) -> None:
        while not stop.is_set():
            try:
                bug = todo.get_nowait()
            except queue.Empty:
                return
            on_result(bug, *try_in_lane(lane, bug.file, bug.original, bug.replacement, timeout))

    try:
        for lane in made:
            stacks.append(lane.start())
        threads = [threading.Thread(target=work, args=(lane,), daemon=True) for lane in made]
        for thread in threads:
            thread.start()
        for thread in threads:
            while thread.is_alive():
                thread.join(timeout=0.5)
    finally:
        stop.set()
        for lane, stack in zip(made, stacks, strict=False):
            stack.stop(PhaseTimer(lane.dir / "timings.json"))
