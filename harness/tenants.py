"""Tenants for the suite: each feature gets a fresh one, so features never see each other's data."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from harness.api import ArenaClient, ExchangeLog
from harness.probes import PostgresProbe, TenantRows


@dataclass
class TenantSession:
    """A tenant, an API client acting as it, and the database rows it owns."""

    tenant: dict
    api: ArenaClient
    rows: TenantRows

    @property
    def id(self) -> str:
        return self.tenant["id"]


def tenant_name(label: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")[:40]
    return f"{slug}-{uuid.uuid4().hex[:8]}"


def open_tenant(admin: ArenaClient, api_url: str, db: PostgresProbe, label: str,
                log: ExchangeLog | None = None) -> TenantSession:
    tenant = admin.create_tenant(tenant_name(label))
    api = ArenaClient(api_url, api_key=tenant["api_key"], log=log)
    return TenantSession(tenant=tenant, api=api, rows=db.for_tenant(tenant["id"]))


def close_tenant(admin: ArenaClient, session: TenantSession) -> None:
    session.api.close()
    admin.delete_tenant(session.id)
