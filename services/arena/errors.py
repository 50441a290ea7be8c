"""The error a request is refused with: a status, a stable code, a message a person can act on.

Neutral ground: raised by the web layer (arena.api) and by what it calls (arena.uploads), and
turned into the one error body {"error": {"code", "message", "details"}} by arena.api.errors.
"""

from __future__ import annotations


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, details: dict | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details
        self.headers = headers or {}


def not_found(kind: str, object_id: object) -> ApiError:
    return ApiError(404, "not_found", f"{kind} '{object_id}' not found")


def invalid(field: str, message: str) -> ApiError:
    return ApiError(422, "validation_error", f"{field}: {message}", {"field": field})
