"""One error shape for every failure: {"error": {"code", "message", "details", "request_id"}}.
The error type itself (ApiError) lives in arena.errors, so that code outside the web layer can
raise it.

Messages name the field or the object and say what to do, so a person can act on them. Every
error carries the request's id (arena.api.requests), also sent as X-Request-ID and logged, so an
answer a client saw can be found in the log.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from arena.api.requests import REQUEST_ID_HEADER, current_request_id
from arena.errors import ApiError

log = logging.getLogger("arena.api")


def error_response(status: int, code: str, message: str, details: dict | None = None, headers=None) -> JSONResponse:
    request_id = current_request_id()
    return JSONResponse(status_code=status, headers={**(headers or {}), REQUEST_ID_HEADER: request_id},
                        content={"error": {"code": code, "message": message, "details": details,
                                           "request_id": request_id}})


def _field(loc: tuple) -> str:
    parts = [str(part) for part in loc if part not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


_HTTP_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 401: "unauthorized",
               403: "forbidden"}


def _allowed_methods(request: Request) -> str:
    """The methods the OpenAPI document lists for this path: every route of the most literal
    path that matches (Starlette names only the first route's; /datasets/upload is not a
    /datasets/{dataset_id}). HEAD is left out, as the document does."""
    probe = {**request.scope, "method": "-"}
    matching = [route for route in request.app.router.routes
                if getattr(route, "include_in_schema", True) and route.matches(probe)[0] != Match.NONE]
    fewest = min((len(route.param_convertors) for route in matching), default=0)
    methods = {m for route in matching if len(route.param_convertors) == fewest
               for m in (getattr(route, "methods", None) or ())}
    return ", ".join(sorted(methods - {"HEAD"}))


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(_: Request, exc: ApiError):
        # A refused body is not worth receiving: closing the connection stops the client sending it.
        headers = {**exc.headers, **({"Connection": "close"} if exc.status == 413 else {})}
        return error_response(exc.status, exc.code, exc.message, exc.details, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError):
        problems = [{"field": "body", "problem": "the request body is not valid JSON"} if err["type"] == "json_invalid"
                    else {"field": _field(tuple(err["loc"])), "problem": err["msg"]} for err in exc.errors()]
        message = "; ".join(f"{p['field']}: {p['problem']}" for p in problems)
        return error_response(422, "validation_error", message, {"problems": problems})

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 405:
            headers["Allow"] = _allowed_methods(request)
        message = {400: "the request body could not be read as JSON",
                   404: f"no such route: {request.method} {request.url.path}",
                   405: f"{request.method} is not allowed on {request.url.path}; "
                        f"allowed: {headers.get('Allow')}"}.get(exc.status_code, str(exc.detail))
        return error_response(exc.status_code, code, message, headers=headers)

    @app.exception_handler(OperationalError)
    async def database_unavailable(_: Request, exc: OperationalError):
        log.warning("database unavailable: %s", exc.orig)
        return error_response(503, "database_unavailable",
                              "the database is unavailable; try again shortly (see GET /health)")

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception):
        # Nothing internal in the body: the request id leads to the logged traceback.
        log.exception("unexpected error in request %s", current_request_id())
        return error_response(500, "internal_error", "an unexpected error occurred; it has been logged "
                              f"with request id {current_request_id()}")
