"""Beat's periodic work: dispatch retries that are due, resume runs whose worker died, and re-send
queued runs whose message the broker lost (or never got).

PostgreSQL, not Redis, is the record of what is to be done: Redis keeps no data (a restart
empties it), so every run that is waiting is found again here. Each task claims its runs in one
UPDATE (`FOR UPDATE SKIP LOCKED`) before sending them, so two schedulers, or a restarted one,
never claim a run twice; a message sent twice anyway is harmless, as the executor ignores one
for a run another worker is visibly executing (arena.runs.executor).
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
    UPDATE runs SET status = 'queued', heartbeat_at = now()
    WHERE id IN (SELECT id FROM runs WHERE status = 'retrying' AND next_attempt_at <= now()
                 ORDER BY next_attempt_at FOR UPDATE SKIP LOCKED)
    RETURNING id
""")
UNCLAIM = text("UPDATE runs SET status = 'retrying' WHERE id = :id AND status = 'queued'")

# heartbeat_at is a waiting or running run's last sign of life: set when it is queued (or sent
# again), and while a worker executes it, every quarter of the stall window (arena.runs.executor).
# A running run silent for the whole window has lost its worker.
CLAIM_STALLED = text("""
    UPDATE runs SET status = 'queued', heartbeat_at = now()
    WHERE id IN (SELECT id FROM runs WHERE status = 'running'
                 AND heartbeat_at < now() - make_interval(secs => :stalled_s)
                 FOR UPDATE SKIP LOCKED)
    RETURNING id
""")
# A run queued this long that no worker has started: its message was lost (Redis restarted) or
# never sent (Redis was down when the run was created). Under a long queue this re-sends a run
# whose message is merely waiting; the duplicate is then ignored.
CLAIM_LOST_QUEUED = text("""
    UPDATE runs SET heartbeat_at = now()
    WHERE id IN (SELECT id FROM runs WHERE status = 'queued'
                 AND coalesce(heartbeat_at, created_at) < now() - make_interval(secs => :lost_s)
                 FOR UPDATE SKIP LOCKED)
    RETURNING id
""")


# send(task name, id) -> whether the broker took it (arena.worker.send.enqueue)
Send = Callable[[str, uuid.UUID], bool]


def dispatch_due_retries(session_scope, send: Send) -> list[uuid.UUID]:
    with session_scope() as session:
        due = [row.id for row in session.execute(CLAIM_DUE)]
    for run_id in due:
        if send("arena.execute_run", run_id):
            log.info("dispatched retry of run %s", run_id)
        else:  # the broker is down: back to retrying, for the next tick
            with session_scope() as session:
                session.execute(UNCLAIM, {"id": run_id})
    return due


def recover_stalled_runs(session_scope, send: Send, stalled_s: float, lost_s: float) -> list[uuid.UUID]:
    """Resume running runs silent for `stalled_s`, and send again queued runs that no worker
    started `lost_s` after they were last sent."""
    with session_scope() as session:
        stalled = [row.id for row in session.execute(CLAIM_STALLED, {"stalled_s": stalled_s})]
        lost = [row.id for row in session.execute(CLAIM_LOST_QUEUED, {"lost_s": lost_s})]
    for run_id in stalled:
        log.warning("run %s had no heartbeat for %.1f s: its worker is gone; resuming it", run_id, stalled_s)
    for run_id in lost:
        log.warning("run %s was queued %.1f s ago and no worker started it: sending it again", run_id, lost_s)
    for run_id in stalled + lost:
        send("arena.execute_run", run_id)  # if the broker is down it stays queued and is found again
    return stalled + lost
