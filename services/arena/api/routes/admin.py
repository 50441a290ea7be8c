"""Administration: tenants and providers. Every route needs the admin token."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

from fastapi import APIRouter, Depends, Response
from fastapi import Path as PathParam
from sqlalchemy import select

from arena.api.auth import hash_key, new_api_key, require_admin
from arena.api.contract import ADMIN_READ, ADMIN_WRITE, errors
from arena.api.schemas import NAME_PATTERN, ProviderOut, ProviderUpsert, TenantCreate, TenantCreated
from arena.battles import store as battle_store
from arena.config import settings
from arena.db.models import Provider, Tenant
from arena.db.session import session_scope
from arena.errors import not_found

router = APIRouter(prefix="/admin", dependencies=[Depends(require_admin)])


@router.post("/tenants", status_code=201, response_model=TenantCreated, responses=ADMIN_WRITE)
def create_tenant(body: TenantCreate) -> TenantCreated:
    api_key = new_api_key()
    with session_scope() as session:
        tenant = Tenant(name=body.name, api_key_hash=hash_key(api_key))
        session.add(tenant)
        session.flush()
        # The key is shown once, here; only its hash is stored.
        return TenantCreated(id=tenant.id, name=tenant.name, api_key=api_key, created_at=tenant.created_at)


@router.delete("/tenants/{tenant_id}", status_code=204, responses={**ADMIN_READ, **errors(404)})
def delete_tenant(tenant_id: uuid.UUID) -> Response:
    with session_scope() as session:
        tenant = session.get(Tenant, tenant_id)
        if tenant is None:
            raise not_found("tenant", tenant_id)
        session.delete(tenant)  # datasets, runs and results go with it (ON DELETE CASCADE)
        session.flush()
        # Its uploaded files go too: they live in the upload store, outside the database.
        shutil.rmtree(Path(settings().upload_dir) / str(tenant_id), ignore_errors=True)
        battle_store.battles().delete_many({"tenant_id": str(tenant_id)})  # and its battle documents
    return Response(status_code=204)


@router.put("/providers/{name}", response_model=ProviderOut, responses=ADMIN_WRITE)
def upsert_provider(body: ProviderUpsert,
                    name: str = PathParam(min_length=1, max_length=100, pattern=NAME_PATTERN)) -> ProviderOut:
    with session_scope() as session:
        provider = session.scalar(select(Provider).where(Provider.name == name))
        if provider is None:
            provider = Provider(name=name, base_url=body.base_url, api_key=body.api_key)
            session.add(provider)
        else:
            provider.base_url, provider.api_key = body.base_url, body.api_key
        session.flush()
        return ProviderOut(name=provider.name, base_url=provider.base_url, created_at=provider.created_at)
