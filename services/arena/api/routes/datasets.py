"""Datasets of a tenant: the questions and expected answers a run evaluates."""

from __future__ import annotations

import asyncio
import logging
import uuid
from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from arena.api.auth import current_tenant
from arena.api.schemas import DatasetCreate, DatasetOut
from arena.config import settings
from arena.db.models import Dataset, Sample, Tenant
from arena.db.session import get_session, session_scope
from arena.errors import ApiError, invalid, not_found
from arena.uploads.parsing import has_rows, read_text
from arena.uploads.receive import move_into_store, receive_file
from arena.worker.send import enqueue

log = logging.getLogger("arena.api")
DATASET_FILES = {".jsonl": "JSON Lines, one {\"input\", \"expected\"} object per line",
                 ".csv": "CSV with the columns input and expected"}

router = APIRouter(prefix="/datasets")


def tenant_dataset(session: Session, tenant: Tenant, dataset_id: uuid.UUID) -> Dataset:
    dataset = session.get(Dataset, dataset_id)
    if dataset is None or dataset.tenant_id != tenant.id:
        raise not_found("dataset", dataset_id)  # another tenant's dataset does not exist for you
    return dataset


def tenant_store(tenant_id) -> Path:
    return Path(settings().upload_dir) / str(tenant_id)


@router.post("/upload", status_code=202, response_model=DatasetOut)
async def upload_dataset(request: Request, tenant: Tenant = Depends(current_tenant)) -> JSONResponse:
    """Receive a dataset file (multipart part `file`, optional field `name`); the worker parses it.

    Uploading content this tenant has already uploaded (same SHA-256) returns that dataset with
    200 and `"reused": true`, and stores nothing new.
    """
    received = await receive_file(request, part="file", max_bytes=settings().upload_max_bytes,
                                  store_dir=tenant_store(tenant.id), allowed_extensions=DATASET_FILES)
    try:
        text = await asyncio.to_thread(read_text, received.path)
    except ValueError as exc:
        received.path.unlink(missing_ok=True)
        raise ApiError(422, "validation_error", f"file: {exc}") from None
    if not has_rows(text, received.extension):
        received.path.unlink(missing_ok=True)
        raise ApiError(422, "validation_error", f"file: '{received.name}' has no rows; a dataset needs at least one")
    name = (received.fields.get("name") or received.name).strip()[:200]
    return await asyncio.to_thread(_register_upload, tenant, received, name)


def _register_upload(tenant: Tenant, received, name: str) -> JSONResponse:
    with session_scope() as session:
        existing = session.scalar(select(Dataset).where(
            Dataset.tenant_id == tenant.id, Dataset.checksum == received.sha256, Dataset.status != "rejected"))
        if existing is not None:
            received.path.unlink(missing_ok=True)
            body = DatasetOut.model_validate(existing, from_attributes=True).model_copy(update={"reused": True})
            return JSONResponse(status_code=200, content=body.model_dump(mode="json"))
        dataset = Dataset(tenant_id=tenant.id, name=name, sample_count=0, status="processing", source="upload",
                          file_name=received.name, size_bytes=received.size, checksum=received.sha256)
        session.add(dataset)
        session.flush()
        stored = move_into_store(received, tenant_store(tenant.id) / f"dataset-{dataset.id}{received.extension}")
        dataset.stored_path = str(stored)
        body = DatasetOut.model_validate(dataset, from_attributes=True)
    enqueue("arena.process_dataset_upload", dataset.id)
    return JSONResponse(status_code=202, content=body.model_dump(mode="json"))


@router.post("", status_code=201, response_model=DatasetOut)
def create_dataset(body: DatasetCreate, tenant: Tenant = Depends(current_tenant),
                   session: Session = Depends(get_session)) -> Dataset:
    if not body.samples:
        raise invalid("samples", "dataset has no samples; add at least one")
    dataset = Dataset(tenant_id=tenant.id, name=body.name, sample_count=len(body.samples), status="ready",
                      source="inline")
    session.add(dataset)
    session.flush()
    session.add_all(Sample(dataset_id=dataset.id, position=i, input=s.input, expected=s.expected)
                    for i, s in enumerate(body.samples))
    return dataset


@router.get("/{dataset_id}", response_model=DatasetOut)
def get_dataset(dataset_id: uuid.UUID, tenant: Tenant = Depends(current_tenant),
                session: Session = Depends(get_session)) -> Dataset:
    return tenant_dataset(session, tenant, dataset_id)
