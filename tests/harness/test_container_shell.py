"""The shell kept in a container (harness/container_shell.py), in a real container: what `ls`
tells through it, one exec for every look, and a restarted container served again.

Needs a Docker engine and the stack's images (scripts/setup.sh)."""

from __future__ import annotations

import pytest

from harness.compose import ComposeProject

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def project():
    project = ComposeProject(name="arena-at-test-shell")
    project.run("up", "--detach", "--wait", "redis", timeout=120)
    yield project
    project.down()


def test_looks_go_through_one_kept_shell_and_read_what_is_there(project):
    [redis] = project._containers("redis")
    code, _ = redis.exec_run(["sh", "-c", "mkdir -p /tmp/t && touch /tmp/t/a '/tmp/t/b c' /tmp/t/.h"])
    assert code == 0
    for _ in range(5):
        assert project.files_in("redis", "/tmp/t") == [".h", "a", "b c"]
        assert project.files_in("redis", "/tmp/not-there") == []
    redis.reload()
    # The kept shell is the container's only exec still running but its health probe (which sleeps
    # in an exec once the service is settled): five pairs of looks, one exec.
    commands = [redis.client.api.exec_inspect(exec_id)["ProcessConfig"] for exec_id in redis.attrs["ExecIDs"] or []]
    looks = [c for c in commands if "/opt/arena/settled.sh" not in c.get("arguments", [])]
    assert len(looks) == 1, commands
    code, output = project._shells[redis.id].run(["sh", "-c", "echo out; echo err >&2; exit 3"])
    assert (code, output) == (3, "out\nerr\n")


def test_a_restarted_container_is_looked_into_again(project):
    [redis] = project._containers("redis")
    project.files_in("redis", "/tmp")
    redis.restart(timeout=5)
    assert project.files_in("redis", "/tmp/not-there") == []  # the old shell is gone: a new one
    assert project.files_in("redis", "/data") == project.files_in("redis", "/data")
