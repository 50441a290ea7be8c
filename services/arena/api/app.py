"""The Arena HTTP API (FastAPI). `uvicorn arena.api.app:app`."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI

from arena.api import errors, live_events
from arena.api.requests import RequestGuard
from arena.api.routes import admin, battles, datasets, documents, health, providers, runs, usage
from arena.config import settings
from arena.db.session import POOL_CONNECTIONS

logging.basicConfig(level=settings().log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")

# Routes run in worker threads, each holding at most one pooled connection: no more threads than
# connections, so no thread ever waits on the pool (arena.db.session).
API_THREADS = POOL_CONNECTIONS

DESCRIPTION = """Evaluation runs, uploads, documents and model battles, per tenant.

Tenant operations take the tenant's key in `X-API-Key`; `/admin` operations take the
administrator's token in `X-Admin-Token`. Every error answers in one shape,
`{"error": {"code", "message", "details", "request_id"}}`, and every answer carries
`X-Request-ID`. See docs/CONTRACTS.md."""


@asynccontextmanager
async def lifespan(_: FastAPI):
    anyio.to_thread.current_default_thread_limiter().total_tokens = API_THREADS
    live_events.start()  # one LISTEN connection for the process's event streams (if push is on)
    yield
    live_events.stop()


def create_app() -> FastAPI:
    app = FastAPI(title="Arena", version="0.2.0", description=DESCRIPTION, lifespan=lifespan)
    errors.install(app)
    for module in (health, admin, providers, datasets, documents, runs, usage, battles):
        app.include_router(module.router)

    def refuse(status: int, code: str, message: str):
        # A refused body is not worth receiving: closing the connection stops the client sending it.
        return errors.error_response(status, code, message, headers={"Connection": "close"} if status == 413 else None)

    app.add_middleware(RequestGuard, refuse=refuse)
    return app


app = create_app()
