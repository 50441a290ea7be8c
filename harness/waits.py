"""One way to wait: poll a probe until a condition holds, or fail saying what was last seen."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from tenacity import RetryError, Retrying, retry_if_result, stop_after_delay, wait_fixed

T = TypeVar("T")


class WaitTimeout(AssertionError):
    """A condition did not hold within its deadline (an assertion failure for the report)."""


def poll_until(
    probe: Callable[[], T],
    condition: Callable[[T], bool],
    *,
    timeout: float,
    what: str,
    describe: Callable[[T], str] = repr,
    interval: float = 0.2,
) -> T:
    """Call `probe` every `interval` s until `condition(value)` holds; return that value.

    On timeout raise WaitTimeout: "<what> within <timeout> s; last seen: <describe(value)>".
    Exceptions from the probe propagate at once: a broken probe is not a slow condition.
    """
    retrying = Retrying(
        stop=stop_after_delay(timeout),
        wait=wait_fixed(interval),
        retry=retry_if_result(lambda value: not condition(value)),
        reraise=False,
    )
    try:
        return retrying(probe)
    except RetryError as err:
        last = err.last_attempt.result()
        raise WaitTimeout(f"expected {what} within {timeout:g} s; last seen: {describe(last)}") from None


def hold_for(
    probe: Callable[[], T],
    condition: Callable[[T], bool],
    *,
    duration: float,
    what: str,
    describe: Callable[[T], str] = repr,
    interval: float = 0.2,
) -> T:
    """Check that `condition` keeps holding for `duration` s (an observation window, e.g. "the
    run stays retrying while the scheduler is down"); fail as soon as it breaks."""
    deadline = time.monotonic() + duration
    while True:
        value = probe()
        if not condition(value):
            raise AssertionError(f"expected {what} for {duration:g} s, saw it change: {describe(value)}")
        if time.monotonic() >= deadline:
            return value
        time.sleep(interval)  # the pace of observation, not a wait for a state
