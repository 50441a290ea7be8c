"""Reading Server-Sent Events like a client would: sseclient-py over a `requests` stream
(its documented pairing).

Used for a run's live events (GET /runs/{id}/events) and a document's streamed answer
(POST /documents/{id}/ask).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import requests
import sseclient
import urllib3

from harness.api import ArenaClient

RUN_TERMINAL = {"completed", "failed"}


@dataclass(frozen=True)
class Event:
    id: int | None
    type: str
    data: dict
    received_at: datetime = field(default_factory=lambda: datetime.now(UTC))  # for latency figures


def read_stream(api: ArenaClient, method: str, path: str, *, stop: Callable[[list[Event]], bool],
                headers: dict | None = None, body: dict | None = None, timeout: float = 30) -> list[Event]:
    """Read events until `stop(events)` holds or the server ends the stream. A watchdog closes the
    connection after `timeout` seconds, so a stream that never ends cannot hang the suite."""
    events: list[Event] = []
    timed_out = threading.Event()
    # A session of its own: the stream holds its connection while the scenario goes on calling
    # the API (from other threads too). (connect, read) timeouts bound a silent stream; the
    # watchdog bounds the whole read.
    with requests.Session() as session, session.request(
            method, f"{api.base_url}{path}", json=body, stream=True, timeout=(10.0, timeout),
            headers={**api.auth_headers, "Accept": "text/event-stream", **(headers or {})}) as response:
        if response.status_code != 200:
            raise AssertionError(f"expected HTTP 200 from {method} {path}, saw {response.status_code}: "
                                 f"{response.text[:300]}")
        watchdog = threading.Timer(timeout, lambda: (timed_out.set(), response.close()))
        watchdog.start()
        try:
            for message in sseclient.SSEClient(response).events():
                event_id = int(message.id) if message.id else None
                events.append(Event(event_id, message.event, json.loads(message.data)))
                if stop(events):
                    break
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError, AttributeError, ValueError):
            # Closing the response under a blocked read surfaces as one of these, depending on
            # where the read was; only the watchdog's own close is expected.
            if not timed_out.is_set():
                raise
        finally:
            watchdog.cancel()
    if timed_out.is_set() and not (events and stop(events)):
        raise AssertionError(f"expected the event stream of {path} to end within {timeout:g} s, saw it still open; "
                             f"received {[f'{e.id}:{e.type}' for e in events]}")
    return events


def read_events(api: ArenaClient, run_id: str, *, last_event_id: int | None = None,
                stop_after: int | None = None, until_closed: bool = False, timeout: float = 30) -> list[Event]:
    """Follow a run's events until its terminal event, or drop the connection after `stop_after`
    events, as a client that goes away would. With `until_closed` the client never hangs up
    itself: the server must end the stream (after the terminal event) within `timeout`."""
    def stop(events: list[Event]) -> bool:
        if stop_after is not None and len(events) >= stop_after:
            return True
        return not until_closed and events[-1].type in RUN_TERMINAL

    headers = {"Last-Event-ID": str(last_event_id)} if last_event_id is not None else None
    return read_stream(api, "GET", f"/runs/{run_id}/events", stop=stop, headers=headers, timeout=timeout)


def resume_events(api: ArenaClient, run_id: str, first_connection: list[Event], *, until_closed: bool,
                  timeout: float = 30) -> list[Event]:
    """Reconnect after the last event `first_connection` received (Last-Event-ID) and read on: to
    the terminal event, or with `until_closed` until the server ends the stream."""
    assert first_connection, "expected events on the first connection to resume from, saw none"
    return read_events(api, run_id, last_event_id=first_connection[-1].id, until_closed=until_closed,
                       timeout=timeout)


def ask_document(api: ArenaClient, document_id: str, question: str, model: str | None = None,
                 timeout: float = 30) -> list[Event]:
    body = {"question": question} | ({"model": model} if model else {})
    return read_stream(api, "POST", f"/documents/{document_id}/ask", body=body,
                       stop=lambda events: events[-1].type in {"answer", "error"}, timeout=timeout)
