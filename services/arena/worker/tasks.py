"""Celery tasks: thin adapters from a message to arena.runs."""

from __future__ import annotations

import uuid

from arena.config import settings
from arena.db.session import session_scope
from arena.runs.executor import execute_run
from arena.runs.retries import dispatch_due_retries, recover_stalled_runs
from arena.worker.celery_app import app
from arena.worker.send import enqueue


@app.task(name="arena.execute_run")
def execute_run_task(run_id: str) -> str:
    return execute_run(session_scope, uuid.UUID(run_id))


@app.task(name="arena.dispatch_due_retries")
def dispatch_due_retries_task() -> int:
    from arena.scheduler import record_tick

    record_tick()
    return len(dispatch_due_retries(session_scope, enqueue))


@app.task(name="arena.recover_lost_work")
def recover_lost_work_task() -> int:
    """Work that waits in PostgreSQL or MongoDB but that no worker has: runs whose worker died or
    whose message was lost, uploads still unprocessed, battles still pending."""
    from arena.battles.runner import resend_pending_battles
    from arena.uploads.processing import resend_waiting_uploads

    config = settings()
    return (len(recover_stalled_runs(session_scope, enqueue, config.stalled_run_s, config.lost_message_s))
            + resend_waiting_uploads(session_scope, enqueue, config.lost_message_s)
            + resend_pending_battles(enqueue, config.lost_message_s))


@app.task(name="arena.process_dataset_upload")
def process_dataset_upload_task(dataset_id: str) -> str:
    from arena.uploads.processing import process_dataset_upload

    return process_dataset_upload(session_scope, uuid.UUID(dataset_id))


@app.task(name="arena.process_document")
def process_document_task(document_id: str) -> str:
    from arena.uploads.processing import process_document

    return process_document(session_scope, uuid.UUID(document_id))


@app.task(name="arena.run_battle")
def run_battle_task(battle_id: str) -> str:
    from arena.battles.runner import run_battle
    from arena.runs.executor import ask_provider

    return run_battle(session_scope, battle_id, ask_provider)
