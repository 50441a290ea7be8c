"""Who is calling: a tenant by its API key (X-API-Key), or the administrator (X-Admin-Token)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Depends, Header
from sqlalchemy import select
from sqlalchemy.orm import Session

from arena.config import settings
from arena.db.models import Tenant
from arena.db.session import get_session
from arena.errors import ApiError


def new_api_key() -> str:
    return "ak_" + secrets.token_urlsafe(24)


def hash_key(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()


def current_tenant(x_api_key: str | None = Header(default=None),
                   session: Session = Depends(get_session)) -> Tenant:
    if not x_api_key:
        raise ApiError(401, "unauthorized", "missing API key: send it in the X-API-Key header")
    tenant = session.scalar(select(Tenant).where(Tenant.api_key_hash == hash_key(x_api_key)))
    if tenant is None:
        raise ApiError(401, "unauthorized", "the API key is not valid")
    return tenant


def require_admin(x_admin_token: str | None = Header(default=None)) -> None:
    expected = settings().admin_token
    if not x_admin_token:
        raise ApiError(401, "unauthorized", "missing admin token: send it in the X-Admin-Token header")
    if not expected or not hmac.compare_digest(x_admin_token, expected):
        raise ApiError(403, "forbidden", "this endpoint needs the admin token")
