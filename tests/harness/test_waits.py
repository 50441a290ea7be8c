import itertools

import pytest

from harness.waits import WaitTimeout, poll_until


def test_returns_the_first_value_that_satisfies_the_condition():
    counter = itertools.count()
    assert poll_until(lambda: next(counter), lambda n: n >= 3, timeout=5, interval=0.01, what="n>=3") == 3


def test_timeout_says_what_was_awaited_and_what_was_last_seen():
    with pytest.raises(WaitTimeout) as err:
        poll_until(lambda: {"status": "running"}, lambda r: r["status"] == "completed",
                   timeout=0.3, interval=0.05, what="run 7 to complete",
                   describe=lambda r: f"status {r['status']!r}")
    assert str(err.value) == "expected run 7 to complete within 0.3 s; last seen: status 'running'"


def test_a_broken_probe_fails_at_once_instead_of_waiting():
    def probe():
        raise ConnectionError("api is down")

    with pytest.raises(ConnectionError):
        poll_until(probe, bool, timeout=5, what="anything")
