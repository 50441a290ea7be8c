"""Dispatching due retries (beat's periodic task): claim each due run once, then send it."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from sqlalchemy import text

log = logging.getLogger("arena.retries")

# Claiming flips `retrying` to `queued` in one statement; SKIP LOCKED lets two schedulers (or a
# restarted one) run at once without dispatching a run twice.
CLAIM_DUE = text("""
    UPDATE runs SET status = 'queued'
    WHERE id IN (SELECT id FROM runs WHERE status = 'retrying' AND next_attempt_at <= now()
                 ORDER BY next_attempt_at FOR UPDATE SKIP LOCKED)
    RETURNING id
""")
UNCLAIM = text("UPDATE runs SET status = 'retrying' WHERE id = :id AND status = 'queued'")


def dispatch_due_retries(session_scope, send: Callable[[uuid.UUID], None]) -> list[uuid.UUID]:
    with session_scope() as session:
        due = [row.id for row in session.execute(CLAIM_DUE)]
    for run_id in due:
        try:
            send(run_id)
            log.info("dispatched retry of run %s", run_id)
        except Exception as exc:  # the broker is down: leave it for the next tick
            log.error("could not dispatch run %s: %s", run_id, exc)
            with session_scope() as session:
                session.execute(UNCLAIM, {"id": run_id})
    return due
