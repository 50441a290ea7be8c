"""Teardown and Docker 20.10's stuck networks (moby/moby#43286): the engine may refuse to remove a
network whose containers are all gone ("has active endpoints"), for a moment or for good. A run
whose stack is otherwise gone is not failed for it; one that left containers or volumes is."""

from __future__ import annotations

import contextlib

import pytest
from docker.errors import APIError

from harness import cleanup
from harness.compose import ComposeError
from harness.settings import Settings
from harness.stack import ComposeStack

STUCK = "error while removing network: network x_default id 1 has active endpoints"


class Network:
    def __init__(self, refusals: int | None) -> None:
        self.refusals = refusals  # None: refuses for good
        self.tries = 0
        self.removed = False

    def remove(self) -> None:
        self.tries += 1
        if self.refusals is None or self.tries <= self.refusals:
            raise APIError(STUCK)
        self.removed = True


class Timer:
    def phase(self, name):
        return contextlib.nullcontext()


def test_a_network_refused_for_a_moment_is_removed_when_the_engine_lets_it(monkeypatch):
    monkeypatch.setattr(cleanup.time, "sleep", lambda s: None)
    network = Network(refusals=2)
    cleanup._remove_network(network, wait_s=10)
    assert (network.removed, network.tries) == (True, 3)


def test_a_network_refused_for_good_is_given_up_after_the_wait_and_other_errors_at_once(monkeypatch):
    monkeypatch.setattr(cleanup.time, "sleep", lambda s: None)
    clock = iter(range(0, 1000, 1))
    monkeypatch.setattr(cleanup.time, "monotonic", lambda: next(clock))
    network = Network(refusals=None)
    with pytest.raises(APIError, match="has active endpoints"):
        cleanup._remove_network(network, wait_s=5)
    assert 4 <= network.tries <= 6

    class InUse(Network):
        def remove(self):
            self.tries += 1
            raise APIError("network x_default is in use by task abc")

    other = InUse(refusals=None)
    with pytest.raises(APIError, match="in use"):
        cleanup._remove_network(other, wait_s=5)
    assert other.tries == 1


def _stack(monkeypatch, left_after: dict[str, list[str]]):
    stack = ComposeStack(Settings.load({}, environ={}), project_name="arena-at-stuck-1")

    def down():
        raise ComposeError("`docker compose down --volumes` failed with exit code 1\n" + STUCK)

    monkeypatch.setattr(stack.project, "down", down)
    seen = iter([{"containers": [], "networks": ["arena-at-stuck-1_default"], "volumes": []}, left_after])
    monkeypatch.setattr(cleanup, "leftovers", lambda project: next(seen))
    monkeypatch.setattr(cleanup, "remove_project", lambda project, network_wait_s=0: 0)
    monkeypatch.setattr(cleanup, "remove_old_app_images", lambda **kwargs: None)
    return stack


def test_a_stack_gone_but_for_a_stuck_network_is_torn_down_with_a_warning_naming_it(monkeypatch, capsys):
    stack = _stack(monkeypatch, {"containers": [], "networks": ["arena-at-stuck-1_default"], "volumes": []})
    stack.stop(Timer())
    err = capsys.readouterr().err
    assert "refuses to remove arena-at-stuck-1_default" in err
    assert "`docker compose down --volumes` failed with exit code 1; what it left was removed" in err
    assert "moby/moby#43286" in err


def test_a_teardown_that_left_containers_or_volumes_still_fails(monkeypatch):
    stack = _stack(monkeypatch, {"containers": ["arena-at-stuck-1-api-1"], "networks": [], "volumes": []})
    with pytest.raises(ComposeError, match="has active endpoints"):
        stack.stop(Timer())
    stack = _stack(monkeypatch, {"containers": [], "networks": [], "volumes": ["arena-at-stuck-1_pgdata"]})
    with pytest.raises(ComposeError):
        stack.stop(Timer())
