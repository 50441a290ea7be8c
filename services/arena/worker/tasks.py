"""Celery tasks: thin adapters from a message to arena.runs."""

from __future__ import annotations

import uuid

from arena.db.session import session_scope
from arena.runs.executor import execute_run
from arena.worker.celery_app import app


@app.task(name="arena.execute_run")
def execute_run_task(run_id: str) -> str:
    return execute_run(session_scope, uuid.UUID(run_id))
