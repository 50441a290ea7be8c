"""Handing work to the workers by task name: used by the API and by beat's recovery tasks."""

from __future__ import annotations

import logging

log = logging.getLogger("arena.send")

# A broker that blips (Redis restarting) gets a second and a third try within about a second.
RETRY_POLICY = {"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5}


def enqueue(task: str, object_id) -> bool:
    """Send a task to the workers. The work it names is already stored, so a broker that cannot be
    reached is not the caller's failure: log it and return False; beat's recovery sends the task
    once the broker is back (arena.runs.retries, arena.uploads.processing, arena.battles.runner)."""
    from arena.worker.celery_app import app as celery  # lazily: the API needs Celery only here

    try:
        celery.send_task(task, args=[str(object_id)], retry=True, retry_policy=RETRY_POLICY)
        return True
    except Exception as exc:  # kombu raises several kinds for an unreachable broker
        log.error("could not send %s(%s) to the workers yet: %s", task, object_id, exc)
        return False
