"""What the OpenAPI document promises beyond the routes' own types: the one error body, the
statuses each operation can answer, the two security schemes, and the bodies FastAPI cannot
infer (multipart uploads, Server-Sent Events). Routes declare their statuses from here, so the
document and docs/CONTRACTS.md say what the API does.
"""

from __future__ import annotations

from fastapi.security import APIKeyHeader
from pydantic import BaseModel, Field


class ErrorDetail(BaseModel):
    code: str = Field(description="stable, snake_case: what kind of problem (validation_error, not_found, ...)")
    message: str = Field(description="what is wrong and what to do, naming the field or object")
    details: dict | None = Field(description="machine-readable particulars (e.g. the problems of a validation error)")
    request_id: str = Field(description="also in the X-Request-ID header and the API's log line for this request")


class ErrorBody(BaseModel):
    error: ErrorDetail


WHY = {
    400: "The body could not be read (not JSON, duplicate keys, nested too deeply).",
    401: "No credentials, or credentials that are not valid.",
    403: "Valid credentials that may not do this (a tenant key on an admin route).",
    404: "No such object for this tenant (another tenant's objects do not exist for you).",
    409: "The object is not in a state that allows this (e.g. not ready yet).",
    413: "The body is larger than the limit.",
    415: "The body is not of a type this operation takes.",
    422: "A field, parameter or header is missing or not valid; the message names it.",
    503: "The database is unavailable; try again shortly.",
}


def errors(*statuses: int) -> dict:
    return {status: {"model": ErrorBody, "description": WHY[status]} for status in statuses}


# Statuses shared by operations of a kind; routes add their own (404, 409, 413, 415).
TENANT_READ = errors(401, 422, 503)
TENANT_WRITE = errors(400, 401, 413, 422, 503)
ADMIN_READ = errors(401, 403, 422, 503)
ADMIN_WRITE = errors(400, 401, 403, 413, 422, 503)

tenant_key = APIKeyHeader(name="X-API-Key", scheme_name="TenantApiKey", auto_error=False,
                          description="The tenant's API key (POST /admin/tenants shows it once).")
admin_token = APIKeyHeader(name="X-Admin-Token", scheme_name="AdminToken", auto_error=False,
                           description="The administrator's token (ARENA_ADMIN_TOKEN).")


def event_stream(description: str, events: list[str]) -> dict:
    """A `text/event-stream` answer; the schema describes one event: its type, its JSON data."""
    event = {"type": "object", "required": ["event", "data"],
             "properties": {"id": {"type": "string", "pattern": "^[0-9]+$"}, "event": {"enum": events},
                            "data": {"type": "string", "description": "a JSON object"}}}
    return {200: {"description": description, "content": {"text/event-stream": {"schema": event}}}}


def multipart_upload(extensions: str, fields: dict[str, dict] | None = None) -> dict:
    """openapi_extra for an upload read from the raw request (streamed, not parsed by FastAPI)."""
    properties = {"file": {"type": "string", "format": "binary",
                           "description": f"the file ({extensions}); its name must be a plain file name"},
                  **(fields or {})}
    return {"requestBody": {"required": True, "content": {"multipart/form-data": {
        "schema": {"type": "object", "required": ["file"], "properties": properties}}}}}


def links(**targets: tuple[str, dict]) -> dict:
    """OpenAPI links from an answer to the operations that take its id (for clients and for the
    fuzzer's stateful phase): name=(operationId, {parameter: "$response.body#/id"})."""
    return {"links": {name: {"operationId": operation, "parameters": parameters}
                      for name, (operation, parameters) in targets.items()}}
