"""The providers a tenant can name in a run, a battle or a question (registered by the admin)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from pydantic import BaseModel
from sqlalchemy import select

from arena.api.auth import current_tenant
from arena.api.contract import TENANT_READ
from arena.db.models import Provider, Tenant
from arena.db.session import session_scope

router = APIRouter()


class ProviderListed(BaseModel):
    name: str
    base_url: str


@router.get("/providers", response_model=list[ProviderListed], responses=TENANT_READ)
def list_providers(_: Tenant = Depends(current_tenant)) -> list[ProviderListed]:
    """Every registered provider, by name (its key is never shown)."""
    with session_scope() as session:
        return [ProviderListed(name=p.name, base_url=p.base_url)
                for p in session.scalars(select(Provider).order_by(Provider.name))]
