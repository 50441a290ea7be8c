"""The stack is gone after a run is interrupted: Ctrl-C (SIGINT) and SIGTERM, mid-scenario.

These start a real stack through behave in a subprocess, so they need a Docker engine and the
stack's images (scripts/setup.sh); they are skipped where there is no engine.
"""

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


class BehaveProcess:
    """behave in its own process group, its output watched line by line."""

    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "behave", *args], cwd=ROOT, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.rstrip())

    def wait_for_line(self, pattern: str, timeout: float) -> re.Match:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.lines):
                if match := re.search(pattern, line):
                    return match
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        raise AssertionError(f"behave never printed /{pattern}/ within {timeout} s; "
                             f"its output ends with: {self.lines[-20:]}")


# Where the run is when the signal comes: the line that marks the phase, and whether behave can
# still report failure (during teardown the signal is ignored, so the run may end green).
PHASES = {
    "while-starting": (r"\[stack\] starting compose project", True),
    "mid-scenario": (r"Scenario: A provider that fails once", True),
    "during-teardown": (r"\[timing\] features", False),
}


@pytest.mark.parametrize("phase", list(PHASES))
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_an_interrupted_run_leaves_no_container_network_or_volume(sig, phase):
    from harness.cleanup import leftovers

    marker, must_fail = PHASES[phase]
    # The retries feature runs for ~20 s: a signal after its first scenario starts lands mid-run.
    run = BehaveProcess("--tags=@INT-004", "-f", "plain", "--no-capture-stderr")
    project = run.wait_for_line(r"starting compose project (\S+)", timeout=120).group(1)
    run.wait_for_line(marker, timeout=300)
    os.killpg(run.proc.pid, sig)  # what a terminal does on Ctrl-C: the whole foreground group
    try:
        run.proc.wait(timeout=120)
    finally:
        if run.proc.poll() is None:
            run.proc.kill()
    left = leftovers(project)
    assert left == {"containers": [], "networks": [], "volumes": []}, (
        f"after {sig.name} {phase} the run left {left}; its output ends with {run.lines[-15:]}")
    if must_fail:
        assert run.proc.returncode != 0, "an interrupted run must not report success"
