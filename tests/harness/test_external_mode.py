"""The staging path: behave configured by ARENA_* environment variables only, in external mode,
against a stack that is already running, creates no compose project of its own.

Needs a Docker engine and the stack's images (scripts/setup.sh): it brings up the stack it then
points behave at, as a staging deployment would be.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import docker
import pytest

from harness.cleanup import OWNER_LABEL, owner_id
from harness.settings import Settings
from harness.stack import ComposeStack
from harness.timing import PhaseTimer

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def running_stack(tmp_path_factory):
    # A shared staging stack runs its beat scheduler (README): "the beat scheduler is running" checks it.
    stack = ComposeStack(Settings.load({"with_beat": "true"}, environ={}),
                         project_name=f"arena-staging-test-{os.getpid()}")
    timer = PhaseTimer(tmp_path_factory.mktemp("timings") / "timings.json")
    try:
        yield stack.start(timer)
    finally:
        stack.stop(timer)


class OwnedProjects:
    """Watches the engine while behave runs: every compose project whose owner is that process."""

    def __init__(self) -> None:
        self.seen: set[str] = set()
        self.client = docker.from_env()
        self._stop = threading.Event()

    def watch(self, pid: int) -> None:
        owner = {"label": f"{OWNER_LABEL}={owner_id(pid)}"}
        while not self._stop.wait(0.5):
            for container in self.client.containers.list(all=True, filters=owner, sparse=True):
                self.seen.add(container.attrs.get("Labels", {}).get("com.docker.compose.project", "?"))

    def stop(self) -> None:
        self._stop.set()


def test_environment_variables_alone_run_the_suite_in_external_mode(running_stack):
    env = {key: value for key, value in os.environ.items() if not key.startswith("ARENA_")}
    env |= {"ARENA_MODE": "external", "ARENA_API_URL": running_stack.api_url,
            "ARENA_GATEWAY_URL": running_stack.gateway_url, "ARENA_DATABASE_URL": running_stack.database_url,
            "ARENA_MONGO_URL": running_stack.mongo_url, "CI": "true"}
    proc = subprocess.Popen([sys.executable, "-m", "behave", "--tags=@smoke", "--no-junit"], cwd=ROOT, env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    watcher = OwnedProjects()
    thread = threading.Thread(target=watcher.watch, args=(proc.pid,), daemon=True)
    thread.start()
    try:
        output, _ = proc.communicate(timeout=300)
    finally:
        watcher.stop()
        thread.join(timeout=5)
    assert proc.returncode == 0, output[-3000:]
    assert "[config] mode external" in output and "ARENA_API_URL" in output, output[:1500]
    assert f"external mode: using {running_stack.api_url}" in output
    assert "starting compose project" not in output, output[:2000]
    assert watcher.seen == set(), f"behave in external mode created compose project(s) {watcher.seen}"
    summary = re.search(r"(\d+) scenarios passed, 0 failed", output)
    assert summary and int(summary.group(1)) >= 10, output[-1500:]  # the @smoke gate, one per capability
