"""Which scenario the services are serving, for the suite's coverage map (harness/coverage_map.py).

Started in every Python process of the stack by a .pth hook of the app image, only while coverage
is measured (COVERAGE_PROCESS_START set). A thread reads CONTEXT_FILE, which the suite rewrites
as each scenario starts, and makes its content coverage's dynamic context: every line a process
runs from then on is recorded as run by that scenario. Coverage's context is one per process, so
the map is exact only while one scenario at a time drives a stack (the map run does so).

Celery's prefork children are forked without threads: each starts its own reader after the fork.
Not a coverage plug-in: the services' .coveragerc is also used where this module is not
importable (CI merging coverage data), and a plug-in there would fail the merge.
"""

from __future__ import annotations

import os
import threading
import time

CONTEXT_FILE = "/coverage/context"
POLL_S = 0.02  # a scenario's first request may come this long after its context was written


def start() -> None:
    threading.Thread(target=_follow, name="coverage-context", daemon=True).start()


def _follow() -> None:
    import coverage

    applied: str | None = None
    while True:
        time.sleep(POLL_S)
        try:
            with open(CONTEXT_FILE, encoding="utf-8") as handle:
                wanted = handle.read().strip()
        except OSError:
            continue  # no scenario yet: what runs is the stack's start
        if wanted == applied:
            continue
        measuring = coverage.Coverage.current()
        if measuring is None:
            continue
        try:
            measuring.switch_context(wanted)
        except Exception:  # noqa: BLE001 - not started yet, or stopping: try again at the next poll
            continue
        applied = wanted


os.register_at_fork(after_in_child=start)
