"""Datasets of a tenant: the questions and expected answers a run evaluates."""

from __future__ import annotations

import asyncio
import logging
import uuid
from pathlib import Path

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from arena.api.auth import current_tenant
from arena.api.contract import TENANT_READ, TENANT_WRITE, errors, links, multipart_upload
from arena.api.pages import CURSOR_PATTERN, DEFAULT_LIMIT, MAX_LIMIT, page
from arena.api.schemas import DatasetCreate, DatasetOut, DatasetPage
from arena.config import settings
from arena.db.models import Dataset, Sample, Tenant
from arena.db.session import session_scope
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


DATASET_LINKS = links(GetDataset=("getDataset", {"dataset_id": "$response.body#/id"}))
UPLOAD_DOC = multipart_upload(", ".join(DATASET_FILES), {
    "name": {"type": "string", "maxLength": 200, "description": "the dataset's name (default: the file's name)"}})


@router.post("/upload", status_code=202, response_model=DatasetOut, operation_id="uploadDataset",
             openapi_extra=UPLOAD_DOC,
             responses={202: DATASET_LINKS,
                        200: {"model": DatasetOut, "description": "This tenant already uploaded the same bytes: "
                                                                  "that dataset, with `reused: true`."},
                        **TENANT_WRITE, **errors(415)})
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
    given = received.fields.get("name", "")
    name = (given if given.strip() else received.name).strip()[:200]
    if "\x00" in name:
        received.path.unlink(missing_ok=True)
        raise invalid("name", "must not contain NUL characters")
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


@router.api_route("/upload", methods=["GET", "PUT", "PATCH", "DELETE"], include_in_schema=False)
def upload_is_post_only(request: Request) -> None:
    # Without this, "upload" would be read as a dataset id by GET /datasets/{dataset_id} (422).
    raise ApiError(405, "method_not_allowed", f"{request.method} is not allowed on /datasets/upload; "
                   "upload with POST", headers={"Allow": "POST"})


@router.post("", status_code=201, response_model=DatasetOut, operation_id="createDataset",
             responses={201: DATASET_LINKS, **TENANT_WRITE})
def create_dataset(body: DatasetCreate, tenant: Tenant = Depends(current_tenant)) -> DatasetOut:
    if not body.samples:
        raise invalid("samples", "dataset has no samples; add at least one")
    with session_scope() as session:
        dataset = Dataset(tenant_id=tenant.id, name=body.name, sample_count=len(body.samples), status="ready",
                          source="inline")
        session.add(dataset)
        session.flush()
        session.add_all(Sample(dataset_id=dataset.id, position=i, input=s.input, expected=s.expected)
                        for i, s in enumerate(body.samples))
        return DatasetOut.model_validate(dataset, from_attributes=True)


@router.get("", response_model=DatasetPage, responses=TENANT_READ)
def list_datasets(tenant: Tenant = Depends(current_tenant),
                  limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="datasets per page"),
                  cursor: str = Query("", pattern=CURSOR_PATTERN,
                                             description="next_cursor of the previous page")
                  ) -> DatasetPage:
    """The tenant's datasets, newest first."""
    with session_scope() as session:
        rows, next_cursor = page(session, select(Dataset).where(Dataset.tenant_id == tenant.id), Dataset,
                                 cursor, limit)
        return DatasetPage(items=[DatasetOut.model_validate(d, from_attributes=True) for d in rows],
                           next_cursor=next_cursor)


@router.get("/{dataset_id}", response_model=DatasetOut, operation_id="getDataset",
            responses={**TENANT_READ, **errors(404)})
def get_dataset(dataset_id: uuid.UUID, tenant: Tenant = Depends(current_tenant)) -> DatasetOut:
    with session_scope() as session:
        return DatasetOut.model_validate(tenant_dataset(session, tenant, dataset_id), from_attributes=True)
