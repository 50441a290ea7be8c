"""The parallel runner, interrupted while its behave processes run, stops them and leaves no stack.

Starts a real stack (needs a Docker engine and the images: scripts/setup.sh)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.docker


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_an_interrupted_parallel_run_stops_its_processes_and_leaves_nothing(sig, tmp_path):
    from harness.cleanup import leftovers

    proc = subprocess.Popen(
        [sys.executable, "-m", "harness.parallel", "features/retries.feature", "features/run_events.feature",
         "--tags=@integration"], cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, start_new_session=True,
        env={**os.environ, "ARENA_RESULTS_DIR": str(tmp_path)})
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(line.rstrip() for line in proc.stdout), daemon=True).start()

    def wait_for(pattern: str, timeout: float) -> re.Match:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and proc.poll() is None:
            for line in list(lines):
                if match := re.search(pattern, line):
                    return match
            time.sleep(0.1)
        raise AssertionError(f"the runner never printed /{pattern}/; its output ends with {lines[-20:]}")

    project = wait_for(r"features in \d+ processes on (\S+);", timeout=300).group(1)
    # Both behave processes (a feature each) attached and running scenarios: their logs say so.
    logs = [tmp_path / "logs" / "features" / f"process-{n}.log" for n in (1, 2)]
    deadline = time.monotonic() + 120
    while not all(p.exists() and "attached to" in p.read_text() for p in logs):
        assert time.monotonic() < deadline, f"the behave processes did not attach: {lines[-10:]}"
        time.sleep(0.2)
    os.killpg(proc.pid, sig)  # a terminal's Ctrl-C reaches the runner's group, not its children's sessions
    try:
        proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode != 0, "an interrupted run must not report success"
    for name in (project, f"{project}-faults"):  # the features' stack, the fault scenarios' stack
        left = leftovers(name)
        assert left == {"containers": [], "networks": [], "volumes": []}, (
            f"after {sig.name} the run left {left} of {name}; its output ends with {lines[-15:]}")
    still = subprocess.run(["pgrep", "-f", f"project={project}"], capture_output=True, text=True).stdout.split()
    assert not still, f"behave processes of {project} outlived the run: pids {still}"
