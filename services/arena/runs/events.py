"""The run event history: appended by the API and the worker, read by the SSE endpoint.

Events get per-run sequence numbers 1, 2, 3 ... (the SSE `id`), so a client can resume with
Last-Event-ID and see every event exactly once. Callers hold the run's row lock while appending,
which makes the numbering race-free.

Each append also notifies EVENT_CHANNEL with '<run_id>:<seq>', in the same transaction: PostgreSQL
delivers a notification at commit only, so the API's listener (arena.api.live_events) wakes the
streams following the run when the row is there to read. The table stays the record; a lost
notification only delays an event until the stream's next read.
"""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from arena.db.models import Run, RunEvent, utcnow

TERMINAL_EVENTS = {"completed", "failed"}
EVENT_TYPES = {"queued", "started", "progress", "retrying", "fallback", *TERMINAL_EVENTS}
EVENT_CHANNEL = "arena_run_events"  # LISTEN/NOTIFY channel; payload '<run_id>:<seq>'


def append_event(session: Session, run: Run, type_: str, **data) -> RunEvent:
    last = session.scalar(select(func.max(RunEvent.seq)).where(RunEvent.run_id == run.id)) or 0
    at = utcnow()
    event = RunEvent(run_id=run.id, tenant_id=run.tenant_id, seq=last + 1, type=type_, created_at=at,
                     data={"run_id": str(run.id), "type": type_, "at": at.isoformat(), **data})
    session.add(event)
    session.flush()
    session.execute(select(func.pg_notify(EVENT_CHANNEL, f"{run.id}:{event.seq}")))
    return event


def events_after(session: Session, run_id: uuid.UUID, after_seq: int, limit: int = 500) -> list[RunEvent]:
    return list(session.scalars(select(RunEvent).where(RunEvent.run_id == run_id, RunEvent.seq > after_seq)
                                .order_by(RunEvent.seq).limit(limit)))
