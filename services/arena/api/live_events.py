"""Live run events pushed to this API process's event streams (GET /runs/{id}/events).

Every appended event notifies EVENT_CHANNEL with '<run_id>:<seq>' in its own transaction
(arena.runs.events); PostgreSQL delivers a notification at commit only, so a stream woken by one
finds the row. One Listener per process holds a dedicated psycopg connection doing LISTEN, in a
thread of its own, and wakes the streams following that run (an asyncio.Event each, set on the
stream's loop).

The run_events table stays the record: a stream reads it after every wake-up, and at least every
SAFETY_NET_S without one, so an event whose notification was lost still arrives, only later.
While the listener is not listening (PostgreSQL restarting, or not yet connected), and with push
switched off (ARENA_EVENT_PUSH=false), streams read every POLL_S, as they did before push. The
listener reconnects with a short back-off and logs once per outage; it never takes the API down.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

import psycopg
from sqlalchemy.engine import make_url

from arena.config import settings
from arena.runs.events import EVENT_CHANNEL

log = logging.getLogger(__name__)

# Without push (switched off, or the listener down): a stream reads the table this often.
POLL_S = 0.2
# With push: a stream reads the table at least this often even when no notification came, the
# safety net for one that was lost (sent while the listener was reconnecting, say).
SAFETY_NET_S = 1.0
# Back-off between attempts to listen again after the connection broke; the last one repeats.
RECONNECT_S = (0.2, 0.5, 1.0, 2.0)
# How long the listener blocks waiting for notifications before it checks whether to stop.
STOP_CHECK_S = 0.5


class Waiter:
    """One stream's wake-up. Clear it before reading the table, then wait: a notification that
    came in between makes the wait return at once, so none is lost to that race."""

    def __init__(self, listener: Listener | None) -> None:
        self._listener = listener
        self._loop = asyncio.get_running_loop()
        self._event = asyncio.Event()

    def wake(self) -> None:
        """Called from the listener's thread."""
        with suppress(RuntimeError):  # the stream's loop is closed: nobody is waiting any more
            self._loop.call_soon_threadsafe(self._event.set)

    def clear(self) -> None:
        self._event.clear()

    async def wait(self) -> bool:
        """Until a notification for the run (True), or the safety-net or poll interval (False)."""
        pushed = self._listener is not None and self._listener.listening
        try:
            await asyncio.wait_for(self._event.wait(), SAFETY_NET_S if pushed else POLL_S)
            return True
        except TimeoutError:
            return False


class Listener:
    """LISTEN on EVENT_CHANNEL over one connection, in a daemon thread; wakes the waiters of a
    run on each of its notifications. `connect` is psycopg.connect (a fake one in unit tests)."""

    def __init__(self, conninfo: str, connect: Callable[..., psycopg.Connection] = psycopg.connect) -> None:
        self._conninfo = conninfo
        self._connect = connect
        self._waiters: dict[str, set[Waiter]] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.listening = False

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="arena-live-events", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    @contextmanager
    def subscribe(self, run_id: uuid.UUID | str) -> Iterator[Waiter]:
        key, waiter = str(run_id), Waiter(self)
        with self._lock:
            self._waiters.setdefault(key, set()).add(waiter)
        try:
            yield waiter
        finally:
            with self._lock:
                waiters = self._waiters.get(key, set())
                waiters.discard(waiter)
                if not waiters:
                    self._waiters.pop(key, None)

    def dispatch(self, payload: str) -> None:
        """A notification '<run_id>:<seq>' (or just '<run_id>'): wake that run's streams."""
        with self._lock:
            waiters = list(self._waiters.get(payload.partition(":")[0], ()))
        for waiter in waiters:
            waiter.wake()

    def _wake_all(self) -> None:
        # Listening again (notifications may have been missed) or not any more (streams change to
        # the short poll): every stream reads the table now.
        with self._lock:
            waiters = [waiter for run_waiters in self._waiters.values() for waiter in run_waiters]
        for waiter in waiters:
            waiter.wake()

    def _run(self) -> None:
        failures, down_since = 0, None
        while not self._stop.is_set():
            connection = None
            try:
                connection = self._connect(self._conninfo, autocommit=True, connect_timeout=3,
                                           application_name="arena-live-events",
                                           # A peer gone without closing (a host lost) is noticed too.
                                           keepalives=1, keepalives_idle=10, keepalives_interval=5,
                                           keepalives_count=3)
                connection.execute(f"LISTEN {EVENT_CHANNEL}")
                self.listening = True
                if down_since is not None:
                    log.info("live events: listening again after %.1f s of outage", time.monotonic() - down_since)
                failures, down_since = 0, None
                self._wake_all()
                while not self._stop.is_set():
                    for notify in connection.notifies(timeout=STOP_CHECK_S):
                        self.dispatch(notify.payload)
            except Exception as err:  # never let the thread die: the next attempt may succeed
                if down_since is None:
                    down_since = time.monotonic()
                    log.warning("live events: not listening (%s: %s); streams read every %g s until the "
                                "listener is back, retrying", type(err).__name__, " ".join(str(err).split()) or "-",
                                POLL_S)
                self.listening = False
                self._wake_all()
                self._stop.wait(RECONNECT_S[min(failures, len(RECONNECT_S) - 1)])
                failures += 1
            finally:
                if connection is not None:
                    with suppress(Exception):  # closing a broken connection: nothing more to do with it
                        connection.close()
        self.listening = False


_listener: Listener | None = None


def start() -> None:
    """Start this process's listener (from the app's lifespan); nothing when push is switched off."""
    global _listener
    if settings().event_push and _listener is None:
        url = make_url(settings().database_url).set(drivername="postgresql")  # psycopg wants plain libpq
        _listener = Listener(url.render_as_string(hide_password=False))
        _listener.start()


def stop() -> None:
    global _listener
    if _listener is not None:
        _listener.stop(timeout=1.0)  # at shutdown: a daemon thread, not worth a longer wait
        _listener = None


@contextmanager
def subscribe(run_id: uuid.UUID) -> Iterator[Waiter]:
    """A stream's waiter for its run: woken by the run's notifications when push is on."""
    if _listener is None:
        yield Waiter(None)
    else:
        with _listener.subscribe(run_id) as waiter:
            yield waiter
