"""Reading a run's Server-Sent Events like a client would: sseclient-py over an HTTP stream."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass

import httpx
import sseclient

from harness.api import ArenaClient

TERMINAL = {"completed", "failed"}


@dataclass(frozen=True)
class RunEvent:
    id: int
    type: str
    data: dict


def read_events(api: ArenaClient, run_id: str, *, last_event_id: int | None = None,
                stop_after: int | None = None, timeout: float = 30) -> list[RunEvent]:
    """Follow the run's event stream until its terminal event, or until `stop_after` events have
    arrived (then the connection is dropped, as a client that goes away would). A watchdog closes
    the stream after `timeout` seconds, so a stream that never ends cannot hang the suite."""
    headers = dict(api.auth_headers)
    if last_event_id is not None:
        headers["Last-Event-ID"] = str(last_event_id)
    events: list[RunEvent] = []
    timed_out = threading.Event()
    with httpx.stream("GET", f"{api.base_url.rstrip('/')}/runs/{run_id}/events", headers=headers,
                      timeout=httpx.Timeout(10.0, read=timeout)) as response:
        if response.status_code != 200:
            response.read()
            raise AssertionError(f"GET /runs/{run_id}/events answered {response.status_code}: {response.text[:300]}")
        watchdog = threading.Timer(timeout, lambda: (timed_out.set(), response.close()))
        watchdog.start()
        try:
            for message in sseclient.SSEClient(response.iter_bytes()).events():
                events.append(RunEvent(int(message.id), message.event, json.loads(message.data)))
                if message.event in TERMINAL or (stop_after is not None and len(events) >= stop_after):
                    break
        except (httpx.ReadError, httpx.StreamClosed, httpx.RemoteProtocolError):
            if not timed_out.is_set():
                raise
        finally:
            watchdog.cancel()
    if timed_out.is_set() and not (events and (events[-1].type in TERMINAL or len(events) == stop_after)):
        raise AssertionError(f"the event stream of run {run_id} did not end within {timeout:g} s; "
                             f"received {[f'{e.id}:{e.type}' for e in events]}")
    return events
