"""Beat's periodic work: dispatch retries that are due, and resume runs whose worker died.

Both claim a run in one UPDATE (`FOR UPDATE SKIP LOCKED`) before sending it, so two schedulers,
or a restarted one, never dispatch a run twice.
"""

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

# A running run updates heartbeat_at at its start and after every answered question; one that
# stays silent longer than the longest provider call can take has lost its worker.
CLAIM_STALLED = text("""
    UPDATE runs SET status = 'queued'
    WHERE id IN (SELECT id FROM runs WHERE status = 'running'
                 AND heartbeat_at < now() - make_interval(secs => :stalled_s)
                 FOR UPDATE SKIP LOCKED)
    RETURNING id
""")


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


def recover_stalled_runs(session_scope, send: Callable[[uuid.UUID], None], stalled_s: float) -> list[uuid.UUID]:
    with session_scope() as session:
        stalled = [row.id for row in session.execute(CLAIM_STALLED, {"stalled_s": stalled_s})]
    for run_id in stalled:
        log.warning("run %s had no heartbeat for %.0f s: its worker is gone; resuming it", run_id, stalled_s)
        send(run_id)  # a failure here leaves it queued; the broker keeps it until a worker is back
    return stalled
