"""A stack whose suite process died (SIGKILL, power loss) is removed by the next run, by label."""

from __future__ import annotations

import subprocess

import pytest

from harness.cleanup import leftovers, owner_id, remove_stale_stacks
from harness.compose import ComposeProject

pytestmark = pytest.mark.docker


def dead_owner() -> str:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return owner_id(proc.pid)


def test_a_stack_left_by_a_dead_run_is_removed_and_a_live_one_is_kept():
    stale = ComposeProject(name="arena-at-test-stale", env={"ARENA_STACK_OWNER": dead_owner()})
    alive = ComposeProject(name="arena-at-test-alive", env={"ARENA_STACK_OWNER": owner_id()})
    try:
        for project in (stale, alive):
            project.run("up", "--detach", "--wait", "redis", timeout=120)
        removed = remove_stale_stacks()
        assert "arena-at-test-stale" in removed
        assert "arena-at-test-alive" not in removed
        assert leftovers("arena-at-test-stale") == {"containers": [], "networks": [], "volumes": []}
        assert leftovers("arena-at-test-alive")["containers"], "the live run's stack must be left alone"
    finally:
        for project in (stale, alive):
            project.down()
