"""Guaranteed teardown: on a normal end, a failure, Ctrl-C (SIGINT) or SIGTERM.

behave turns a KeyboardInterrupt into an aborted run and still calls `after_all`; SIGTERM is made
to behave the same way. The teardown itself is idempotent and shielded from further signals, and
an `atexit` hook catches the paths that skip `after_all`. A SIGKILL cannot be caught: the next
run removes that stack by label (harness.cleanup).
"""

from __future__ import annotations

import atexit
import signal
import sys
import threading
from collections.abc import Callable


class GuardedTeardown:
    def __init__(self, teardown: Callable[[], None]) -> None:
        self._teardown = teardown
        self._done = False
        self._lock = threading.Lock()

    def install(self) -> GuardedTeardown:
        signal.signal(signal.SIGTERM, self._on_sigterm)
        # A process started in the background by a non-interactive shell inherits SIGINT ignored
        # (CI runners do this); a `kill -INT` must still stop the run and tear the stack down.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        atexit.register(self.run)
        return self

    @staticmethod
    def _on_sigterm(signum, frame):  # noqa: ARG004 - signal handler signature
        print("\n[stack] SIGTERM received: stopping the run and tearing the stack down",
              file=sys.stderr, flush=True)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise KeyboardInterrupt("SIGTERM")

    def run(self) -> None:
        with self._lock:
            if self._done:
                return
            self._done = True
        previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
        for sig in previous:
            signal.signal(sig, signal.SIG_IGN)
        try:
            self._teardown()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
