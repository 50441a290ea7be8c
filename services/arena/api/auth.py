"""Who is calling: a tenant by its API key (X-API-Key), or the administrator (X-Admin-Token).

Both are declared as security schemes (arena.api.contract), so the OpenAPI document says which
operation takes which. The tenant is looked up in a session of its own, closed before the route
runs: a request never holds two pooled connections (arena.db.session).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Security
from sqlalchemy import select

from arena.api.contract import admin_token, tenant_key
from arena.config import settings
from arena.db.models import Tenant
from arena.db.session import session_scope
from arena.errors import ApiError


def new_api_key() -> str:
    return "ak_" + secrets.token_urlsafe(24)


def hash_key(api_key: str) -> str:
    return hashlib.sha256(api_key.encode("utf-8", "surrogateescape")).hexdigest()


def current_tenant(x_api_key: str | None = Security(tenant_key)) -> Tenant:
    if not x_api_key:
        raise ApiError(401, "unauthorized", "missing API key: send it in the X-API-Key header")
    with session_scope() as session:
        tenant = session.scalar(select(Tenant).where(Tenant.api_key_hash == hash_key(x_api_key)))
        if tenant is None:
            raise ApiError(401, "unauthorized", "the API key is not valid")
        session.expunge(tenant)
    return tenant


def require_admin(x_admin_token: str | None = Security(admin_token)) -> None:
    expected = settings().admin_token
    if not x_admin_token:
        raise ApiError(401, "unauthorized", "missing admin token: send it in the X-Admin-Token header")
    if not expected or not hmac.compare_digest(x_admin_token.encode("utf-8", "surrogateescape"), expected.encode()):
        raise ApiError(403, "forbidden", "this endpoint needs the admin token")
