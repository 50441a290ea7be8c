"""A behave process the parallel runner starts before the stack it attaches to is up waits for
the runner's word (ARENA_ATTACH_WHEN): it attaches once the stack is "ready", and stops without
reporting anything when the runner says the stack did not come up (the runner reports that)."""

from __future__ import annotations

import threading
import time

import pytest

from harness import cleanup
from harness.settings import Settings
from harness.stack import ATTACH_WHEN_ENV, ComposeStack, StackError, StackNotUpForAttach


@pytest.fixture
def attaching(tmp_path, monkeypatch):
    signal_file = tmp_path / "stack-up"
    monkeypatch.setenv(ATTACH_WHEN_ENV, str(signal_file))
    looked = []
    monkeypatch.setattr(cleanup, "running_stack", lambda name: looked.append(time.monotonic()) or None)
    return ComposeStack(Settings.load({"project": "arena-at-test-attach"}, environ={})), signal_file, looked


def test_it_waits_for_the_word_then_attaches(attaching):
    attacher, signal_file, looked = attaching
    said = time.monotonic() + 0.6
    threading.Timer(0.6, lambda: signal_file.write_text("ready")).start()
    with pytest.raises(StackError, match="no running stack named arena-at-test-attach"):
        attacher.start(None)  # ready, then attaching: no such stack here
    assert looked and looked[0] >= said - 0.05, "it looked for the stack before the runner said it was up"


def test_a_stack_that_did_not_come_up_stops_it_with_the_runner_s_reason(attaching):
    attacher, signal_file, looked = attaching
    signal_file.write_text("failed: postgres did not become healthy")
    with pytest.raises(StackNotUpForAttach, match="did not come up: failed: postgres did not become healthy"):
        attacher.start(None)
    assert looked == []
