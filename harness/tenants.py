"""Tenants for the suite: each scenario gets a fresh one, so scenarios never see each other's data."""

from __future__ import annotations

import re
import sys
import uuid
from dataclasses import dataclass

from harness.api import ArenaClient, ExchangeLog
from harness.endpoints import Endpoints
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


def open_tenant(admin: ArenaClient, endpoints: Endpoints, db: PostgresProbe, label: str,
                log: ExchangeLog | None = None) -> TenantSession:
    """A new tenant with a client that follows the stack's address (harness.endpoints)."""
    tenant = admin.create_tenant(tenant_name(label))
    api = ArenaClient(endpoints, api_key=tenant["api_key"], log=log)
    return TenantSession(tenant=tenant, api=api, rows=db.for_tenant(tenant["id"]))


def close_tenant(admin: ArenaClient, session: TenantSession) -> None:
    """Delete the tenant and all it owns. Best effort: a scenario that broke the stack must not
    also fail its cleanup (deletion itself is checked by security.feature)."""
    session.api.close()
    try:
        admin.delete_tenant(session.id)
    except Exception as exc:  # noqa: BLE001 - reported, not raised: see above
        if "answered 404" in str(exc):
            return  # already deleted (by the scenario itself)
        print(f"[tenants] could not delete tenant {session.id}: {exc}", file=sys.stderr, flush=True)


def another_tenant(context, label: str = "other") -> TenantSession:
    """A second tenant for this scenario ("another tenant ..."): opened once, remembered as
    `context.other`, and deleted with the scenario's own tenant when the scenario ends."""
    if getattr(context, "other", None) is None:
        context.other = open_tenant(context.admin, context.endpoints, context.db, label, context.exchanges)
        context.other_tenants.append(context.other)
        context.add_cleanup(close_tenant, context.admin, context.other)
    return context.other
