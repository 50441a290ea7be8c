"""The suite's connections to the stack: made at start, and remade when a restarted service
comes back on a new host port (Docker assigns published ports anew when a container starts)."""

from __future__ import annotations

from harness.api import ArenaClient
from harness.gateway import GatewayClient
from harness.probes import MongoProbe, PostgresProbe

CLIENTS = ("admin", "gateway", "db", "mongo")


def connect(context, endpoints) -> None:
    """Set context.endpoints and the shared clients: admin API, gateway, PostgreSQL and MongoDB probes."""
    context.endpoints = endpoints
    context.admin = ArenaClient(endpoints.api_url, admin_token=context.settings.admin_token)
    context.gateway = GatewayClient(endpoints.gateway_url)
    context.db = PostgresProbe(endpoints.database_url)
    context.mongo = MongoProbe(endpoints.mongo_url)


def close(context) -> None:
    for name in CLIENTS:
        if hasattr(context, name):
            getattr(context, name).close()


def reconnect(context) -> None:
    """After a fault: rediscover the stack's ports and point every client at them, in place
    (behave would undo attributes reassigned during a scenario when the scenario ends)."""
    endpoints = context.stack.discover()
    if endpoints == context.endpoints:
        return
    print(f"[stack] a restarted service moved: now {endpoints}", flush=True)
    for session in [context.me, *context.other_tenants]:
        session.api.http.base_url = endpoints.api_url
    context.admin.http.base_url = endpoints.api_url
    context.gateway.http.base_url = endpoints.gateway_url
    context.db.rebind(endpoints.database_url)
    context.mongo.rebind(endpoints.mongo_url)
    for field, value in vars(endpoints).items():
        object.__setattr__(context.endpoints, field, value)
