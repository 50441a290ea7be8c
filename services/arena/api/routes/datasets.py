"""Datasets of a tenant: the questions and expected answers a run evaluates."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from arena.api.auth import current_tenant
from arena.api.errors import invalid, not_found
from arena.api.schemas import DatasetCreate, DatasetOut
from arena.db.models import Dataset, Sample, Tenant
from arena.db.session import get_session

router = APIRouter(prefix="/datasets")


def tenant_dataset(session: Session, tenant: Tenant, dataset_id: uuid.UUID) -> Dataset:
    dataset = session.get(Dataset, dataset_id)
    if dataset is None or dataset.tenant_id != tenant.id:
        raise not_found("dataset", dataset_id)  # another tenant's dataset does not exist for you
    return dataset


@router.post("", status_code=201, response_model=DatasetOut)
def create_dataset(body: DatasetCreate, tenant: Tenant = Depends(current_tenant),
                   session: Session = Depends(get_session)) -> Dataset:
    if not body.samples:
        raise invalid("samples", "dataset has no samples; add at least one")
    dataset = Dataset(tenant_id=tenant.id, name=body.name, sample_count=len(body.samples))
    session.add(dataset)
    session.flush()
    session.add_all(Sample(dataset_id=dataset.id, position=i, input=s.input, expected=s.expected)
                    for i, s in enumerate(body.samples))
    return dataset


@router.get("/{dataset_id}", response_model=DatasetOut)
def get_dataset(dataset_id: uuid.UUID, tenant: Tenant = Depends(current_tenant),
                session: Session = Depends(get_session)) -> Dataset:
    return tenant_dataset(session, tenant, dataset_id)
