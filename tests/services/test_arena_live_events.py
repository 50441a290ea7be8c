"""Live run events pushed by LISTEN/NOTIFY (arena.api.live_events), against a fake connection:
a stream wakes on its run's notification only, a lost notification is made up for by the
safety-net read, and the listener listens again after its connection breaks."""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
import uuid
from contextlib import contextmanager
from types import SimpleNamespace

import psycopg
import pytest
from sqlalchemy.dialects import postgresql

from arena.api import live_events
from arena.api.live_events import Listener
from arena.api.routes import runs
from arena.runs.events import EVENT_CHANNEL, append_event

RUN_A, RUN_B = uuid.uuid4(), uuid.uuid4()


class FakeConnection:
    """What the listener uses of a psycopg connection. Put a payload in `notes` to notify, an
    exception to break the connection."""

    def __init__(self) -> None:
        self.notes: queue.Queue = queue.Queue()
        self.executed: list[str] = []
        self.waiting = threading.Event()  # the listener is waiting for notifications
        self.closed = False

    def execute(self, sql: str) -> None:
        self.executed.append(sql)

    def notifies(self, timeout: float):
        self.waiting.set()
        try:
            item = self.notes.get(timeout=timeout)
        except queue.Empty:
            return
        if isinstance(item, BaseException):
            raise item
        yield SimpleNamespace(channel=EVENT_CHANNEL, payload=item, pid=1)

    def close(self) -> None:
        self.closed = True


class FakeServer:
    """`connect` answers with the next of `outcomes`: a connection, or an exception to raise."""

    def __init__(self, *outcomes) -> None:
        self.outcomes = list(outcomes)
        self.attempts = 0

    def connect(self, conninfo: str, **_):
        self.attempts += 1
        outcome = self.outcomes.pop(0) if self.outcomes else psycopg.OperationalError("connection refused")
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome


def wait_until(condition, what: str, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout:g} s")
        time.sleep(0.01)


@contextmanager
def running(listener: Listener):
    listener.start()
    try:
        yield listener
    finally:
        listener.stop()


def test_append_event_notifies_the_run_in_its_transaction():
    statements = []
    session = SimpleNamespace(scalar=lambda _: 2, add=lambda _: None, flush=lambda: None, execute=statements.append)
    run = SimpleNamespace(id=RUN_A, tenant_id=uuid.uuid4())
    event = append_event(session, run, "progress", done=1)
    assert event.seq == 3
    assert len(statements) == 1, statements
    compiled = statements[0].compile(dialect=postgresql.dialect())
    assert "pg_notify" in str(compiled)
    assert sorted(compiled.params.values()) == sorted([EVENT_CHANNEL, f"{RUN_A}:3"])


def test_a_notification_wakes_the_streams_of_its_run_and_not_those_of_another(monkeypatch):
    monkeypatch.setattr(live_events, "SAFETY_NET_S", 0.3)
    connection = FakeConnection()
    with running(Listener("postgresql://fake", connect=FakeServer(connection).connect)) as listener:
        wait_until(connection.waiting.is_set, "the listener waits for notifications")

        async def scenario():
            with listener.subscribe(RUN_A) as a, listener.subscribe(RUN_B) as b:
                a.clear()
                b.clear()
                connection.notes.put(f"{RUN_A}:4")
                return await a.wait(), await b.wait()

        woken_a, woken_b = asyncio.run(scenario())
    assert connection.executed == [f"LISTEN {EVENT_CHANNEL}"]
    assert woken_a, "the notification of run A did not wake its stream"
    assert not woken_b, "the notification of run A woke the stream of run B"
    assert connection.closed


class FakeEvents:
    """The run_events table of one run, as the events route reads it."""

    def __init__(self) -> None:
        self.rows: list[dict] = []

    def append(self, type_: str) -> int:
        self.rows.append({"id": str(len(self.rows) + 1), "event": type_, "data": "{}"})
        return len(self.rows)

    def read(self, run_id, after: int) -> list[dict]:
        return [row for row in self.rows if int(row["id"]) > after]

    def has_ended(self, run_id) -> bool:
        return any(row["event"] in ("completed", "failed") for row in self.rows)


@pytest.fixture
def events_route(monkeypatch):
    """The events route over FakeEvents: its stream loop runs as it is, only its reads are fake."""
    table = FakeEvents()

    @contextmanager
    def session_scope():
        yield SimpleNamespace(scalar=lambda _: len(table.rows))

    monkeypatch.setattr(runs, "session_scope", session_scope)
    monkeypatch.setattr(runs, "tenant_run", lambda *_: None)
    monkeypatch.setattr(runs, "_read_events", table.read)
    monkeypatch.setattr(runs, "_has_ended", table.has_ended)
    request = SimpleNamespace(is_disconnected=lambda: asyncio.sleep(0, result=False))

    async def follow():
        response = await runs.run_events(RUN_A, request, tenant=None, last_event_id="")
        return response.body_iterator

    return table, follow


def test_an_event_whose_notification_was_lost_arrives_by_the_safety_net(monkeypatch, events_route):
    monkeypatch.setattr(live_events, "SAFETY_NET_S", 0.5)
    table, follow = events_route
    connection = FakeConnection()
    listener = Listener("postgresql://fake", connect=FakeServer(connection).connect)
    monkeypatch.setattr(live_events, "_listener", listener)
    with running(listener):
        wait_until(connection.waiting.is_set, "the listener waits for notifications")

        async def scenario():
            loop = asyncio.get_running_loop()
            table.append("queued")
            stream = await follow()
            received = [(await anext(stream))["event"]]
            # Stored, but its notification lost: the stream reads it at its safety-net read.
            started = time.monotonic()
            loop.call_later(0.05, table.append, "progress")
            received.append((await anext(stream))["event"])
            lost = time.monotonic() - started
            # Stored and notified: the stream reads it at once.
            started = time.monotonic()
            loop.call_later(0.05, lambda: connection.notes.put(f"{RUN_A}:{table.append('completed')}"))
            received.append((await anext(stream))["event"])
            notified = time.monotonic() - started
            with pytest.raises(StopAsyncIteration):
                await anext(stream)
            return received, lost, notified

        received, lost, notified = asyncio.run(scenario())
    assert received == ["queued", "progress", "completed"]
    assert 0.45 <= lost < 2.0, f"the event without a notification arrived after {lost:.3f} s, not by the safety net"
    assert notified < 0.45, f"the notified event arrived after {notified:.3f} s, not at its notification"


def test_without_a_listener_streams_poll_at_the_short_interval(monkeypatch, events_route):
    table, follow = events_route
    monkeypatch.setattr(live_events, "_listener", None)  # ARENA_EVENT_PUSH=false

    async def scenario():
        table.append("queued")
        stream = await follow()
        await anext(stream)
        started = time.monotonic()
        asyncio.get_running_loop().call_later(0.01, table.append, "failed")
        event = await anext(stream)
        return event["event"], time.monotonic() - started

    event, waited = asyncio.run(scenario())
    assert event == "failed"
    assert waited < live_events.SAFETY_NET_S, f"polled after {waited:.3f} s, not every {live_events.POLL_S} s"


def test_the_listener_listens_again_after_its_connection_breaks(monkeypatch, caplog):
    caplog.set_level(logging.INFO, logger=live_events.__name__)
    monkeypatch.setattr(live_events, "RECONNECT_S", (0.01, 0.02))
    first, second = FakeConnection(), FakeConnection()
    refused = psycopg.OperationalError("connection refused")
    server = FakeServer(first, refused, refused, refused, second)
    with running(Listener("postgresql://fake", connect=server.connect)) as listener:
        wait_until(first.waiting.is_set, "the listener waits on its first connection")
        first.notes.put(psycopg.OperationalError("terminating connection due to administrator command"))
        wait_until(second.waiting.is_set, "the listener waits on a new connection")
        assert listener.listening

        async def scenario():
            with listener.subscribe(RUN_A) as waiter:
                waiter.clear()
                second.notes.put(str(RUN_A))
                return await waiter.wait()

        woken = asyncio.run(scenario())
    assert first.closed and second.closed
    assert server.attempts == 5
    assert second.executed == [f"LISTEN {EVENT_CHANNEL}"]
    assert woken, "a notification on the new connection did not wake the stream"
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1, f"expected one warning for the outage, got {warnings}"
    assert "administrator command" in warnings[0]
    assert any("listening again" in r.getMessage() for r in caplog.records)
