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
MAX_JSON_BYTES = 1_000_000


def create_app() -> FastAPI:
    app = FastAPI(title="Arena", version="0.1.0")
    errors.install(app)
    for module in (health, admin, datasets, documents, runs, usage, battles):
        app.include_router(module.router)

    @app.middleware("http")
    async def limit_json_bodies(request: Request, call_next):
        # Uploads have their own, larger limit and are streamed; everything else is small JSON.
        length = request.headers.get("content-length", "")
        is_upload = request.headers.get("content-type", "").startswith("multipart/form-data")
        if not is_upload and length.isdigit() and int(length) > MAX_JSON_BYTES:
            return errors.error_response(413, "payload_too_large", f"request body is {int(length):,} bytes; "
                                         f"the limit for JSON bodies is {MAX_JSON_BYTES:,} bytes")
        return await call_next(request)

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
