"""The suite's connections to the stack: made at start, and repointed when a restarted service
comes back on a new host port (Docker assigns published ports anew when a container starts)."""

from __future__ import annotations

from harness import endpoints as addresses
from harness.api import ArenaClient
from harness.gateway import GatewayClient
from harness.probes import MongoProbe, PostgresProbe

CLIENTS = ("admin", "gateway", "db", "mongo")


def connect(context, endpoints) -> None:
    """Set context.endpoints (the one owner of the stack's address) and the shared clients: admin
    API, gateway, PostgreSQL and MongoDB probes. API and gateway clients read their URL from it."""
    context.endpoints = endpoints
    addresses.set_live(endpoints)
    context.admin = ArenaClient(endpoints, admin_token=context.settings.admin_token)
    context.gateway = GatewayClient(endpoints)
    context.db = PostgresProbe(endpoints.database_url)
    context.mongo = MongoProbe(endpoints.mongo_url)
    endpoints.watchers.append(lambda before, now: _rebind_stores(context, before, now))


def _rebind_stores(context, before, now) -> None:
    print(f"[stack] a restarted service moved: now {now}", flush=True)
    if now.database_url != before.database_url:
        context.db.rebind(now.database_url)
    if now.mongo_url != before.mongo_url:
        context.mongo.rebind(now.mongo_url)


def close(context) -> None:
    for name in CLIENTS:
        if hasattr(context, name):
            getattr(context, name).close()
    addresses.set_live(None)


def reconnect(context) -> None:
    """After a fault: rediscover the stack's ports. Moving the Endpoints is the one assignment:
    API and gateway clients read it at each call, the stores' probes rebind as it moves."""
    context.endpoints.move_to(context.stack.discover())
