"""Handing work to the workers by task name: the API needs Celery only to send."""

from __future__ import annotations


def enqueue(task: str, object_id) -> None:
    from arena.worker.celery_app import app as celery

    celery.send_task(task, args=[str(object_id)])
