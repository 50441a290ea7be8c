"""The worker's side of uploads: turn a stored file into samples or document text, or reject it."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

from arena.db.models import Dataset, Document, Sample
from arena.uploads.parsing import PARSERS, extract_pdf, read_text

log = logging.getLogger("arena.uploads")


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
