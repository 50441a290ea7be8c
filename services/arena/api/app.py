"""The Arena HTTP API (FastAPI). `uvicorn arena.api.app:app`."""

from __future__ import annotations

import logging
import time

from fastapi import FastAPI, Request

from arena.api import errors
from arena.api.routes import admin, battles, datasets, documents, health, runs, usage
from arena.config import settings

logging.basicConfig(level=settings().log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
access = logging.getLogger("arena.access")


def create_app() -> FastAPI:
    app = FastAPI(title="Arena", version="0.1.0")
    errors.install(app)
    for module in (health, admin, datasets, documents, runs, usage, battles):
        app.include_router(module.router)

    @app.middleware("http")
    async def access_log(request: Request, call_next):
        started = time.perf_counter()
        response = await call_next(request)
        # Path only: keys travel in headers, which are never logged.
        access.info("%s %s %s %.0fms", request.method, request.url.path, response.status_code,
                    (time.perf_counter() - started) * 1000)
        return response

    return app


app = create_app()
