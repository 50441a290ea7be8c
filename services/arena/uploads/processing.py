"""The worker's side of uploads: turn a stored file into samples or document text, or reject it.

Processing holds the upload's row lock and acts only on `processing`, so a second message for
the same upload (sent again by `resend_waiting_uploads`) finds it done and does nothing.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text

from arena.db.models import Dataset, Document, Sample
from arena.uploads.parsing import PARSERS, extract_pdf, read_text

log = logging.getLogger("arena.uploads")

# Uploads still `processing` this long after they were stored (or last sent) whose task the
# broker lost or never got; claimed with SKIP LOCKED, so one being processed is left alone.
CLAIM_WAITING = {
    table: text(f"""
        UPDATE {table} SET sent_at = now()
        WHERE id IN (SELECT id FROM {table} WHERE status = 'processing'
                     AND coalesce(sent_at, created_at) < now() - make_interval(secs => :waited_s)
                     FOR UPDATE SKIP LOCKED)
        RETURNING id
    """)
    for table in ("datasets", "documents")
}
TASKS = {"datasets": "arena.process_dataset_upload", "documents": "arena.process_document"}


def resend_waiting_uploads(session_scope, send: Callable[[str, uuid.UUID], bool], waited_s: float) -> int:
    """Send again the processing task of every upload that waited `waited_s` without being processed."""
    with session_scope() as session:
        waiting = [(table, row.id) for table, claim in CLAIM_WAITING.items()
                   for row in session.execute(claim, {"waited_s": waited_s})]
    for table, upload_id in waiting:
        log.warning("%s %s is still processing %.0f s after it was sent: sending it again",
                    table[:-1], upload_id, waited_s)
        send(TASKS[table], upload_id)  # if the broker is down it is found again at the next tick
    return len(waiting)


def process_dataset_upload(session_scope, dataset_id: uuid.UUID) -> str:
    with session_scope() as session:
        dataset = session.get(Dataset, dataset_id, with_for_update=True)
        if dataset is None or dataset.status != "processing":
            return dataset.status if dataset else "missing"
        path = Path(dataset.stored_path)
        try:
            parsed = PARSERS[path.suffix.lower()](read_text(path))
            errors = parsed.errors or ([] if parsed.rows else [{"line": 0, "reason": "the file has no rows"}])
        except ValueError as exc:
            parsed, errors = None, [{"line": 0, "reason": str(exc)}]
        if errors:
            dataset.status, dataset.errors, dataset.sample_count = "rejected", errors, 0
            log.info("dataset %s rejected: %d bad row(s)", dataset.id, len(errors))
            return dataset.status
        session.add_all(Sample(dataset_id=dataset.id, position=i, input=row["input"], expected=row["expected"])
                        for i, row in enumerate(parsed.rows))
        dataset.status, dataset.sample_count, dataset.errors = "ready", len(parsed.rows), []
        log.info("dataset %s ready: %d rows", dataset.id, len(parsed.rows))
        return dataset.status


def process_document(session_scope, document_id: uuid.UUID) -> str:
    with session_scope() as session:
        document = session.get(Document, document_id, with_for_update=True)
        if document is None or document.status != "processing":
            return document.status if document else "missing"
        try:
            extracted = extract_pdf(Path(document.stored_path))
        except ValueError as exc:
            document.status, document.error = "rejected", str(exc)
            log.info("document %s rejected: %s", document.id, exc)
            return document.status
        document.status, document.page_count, document.text = "ready", extracted.page_count, extracted.text
        log.info("document %s ready: %d page(s)", document.id, extracted.page_count)
        return document.status
