"""Every request gets an id, and every JSON body is checked before a route reads it.

The id is the client's X-Request-ID when it is a plain token, else a new one; it is sent back in
X-Request-ID, written in the access log line, and put in every error body, so an answer a
client saw can be found in the log. A pure ASGI middleware (not BaseHTTPMiddleware): the id is
set in the request's own context, where the last-resort 500 handler still sees it.

JSON bodies are refused with a 4xx naming the problem, before any route runs, when they are
larger than the limit (by Content-Length, or while they arrive without one), repeat a key in an
object (which value was meant?), or are nested deeper than any request of this API needs.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from contextvars import ContextVar

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("arena.access")
REQUEST_ID_HEADER = "X-Request-ID"
MAX_JSON_BYTES = 1_000_000
MAX_JSON_DEPTH = 32
_CLIENT_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
_request_id: ContextVar[str] = ContextVar("request_id", default="-")


def current_request_id() -> str:
    return _request_id.get()


class BodyRefused(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _no_duplicate_keys(pairs: list[tuple[str, object]]) -> dict:
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            raise BodyRefused(400, "bad_request", f"the JSON body repeats the key {key!r} in one object; "
                              "send each key once")
        seen.add(key)
    return dict(pairs)


def _depth(value: object, level: int = 1) -> int:
    if level > MAX_JSON_DEPTH:
        return level
    if isinstance(value, dict):
        return max((_depth(v, level + 1) for v in value.values()), default=level)
    if isinstance(value, list):
        return max((_depth(v, level + 1) for v in value), default=level)
    return level


def check_json_body(body: bytes) -> None:
    """Refuse what no route should see; leave malformed JSON to the routes' own 422."""
    try:
        value = json.loads(body, object_pairs_hook=_no_duplicate_keys)
    except RecursionError:
        raise BodyRefused(400, "bad_request", f"the JSON body is nested too deeply; the limit is "
                          f"{MAX_JSON_DEPTH} levels") from None
    except (ValueError, UnicodeDecodeError):
        return
    if _depth(value) > MAX_JSON_DEPTH:
        raise BodyRefused(400, "bad_request", f"the JSON body is nested too deeply; the limit is "
                          f"{MAX_JSON_DEPTH} levels")


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return ""


class RequestGuard:
    def __init__(self, app: ASGIApp, refuse) -> None:
        self.app = app
        self.refuse = refuse  # (status, code, message) -> Response, in the one error shape

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = _header(scope, b"x-request-id")
        request_id = given if _CLIENT_ID.match(given) else uuid.uuid4().hex
        _request_id.set(request_id)
        started, status = time.perf_counter(), [0]

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                headers = [(k, v) for k, v in message.get("headers", []) if k != b"x-request-id"]
                message = {**message, "headers": [*headers, (b"x-request-id", request_id.encode())]}
            await send(message)

        try:
            try:
                receive = await self._checked_body(scope, receive)
            except BodyRefused as refused:
                response = self.refuse(refused.status, refused.code, refused.message)
                await response(scope, receive, send_with_id)
            else:
                await self.app(scope, receive, send_with_id)
        finally:
            # Path only: keys travel in headers, which are never logged. (A 500 is answered
            # outside this middleware: logged here as 500, beside its traceback.)
            log.info("%s %s %s %.0fms request_id=%s", scope["method"], scope["path"], status[0] or 500,
                     (time.perf_counter() - started) * 1000, request_id)

    async def _checked_body(self, scope: Scope, receive: Receive) -> Receive:
        content_type = _header(scope, b"content-type").lower()
        if content_type.startswith("multipart/form-data"):
            return receive  # uploads have their own, larger limit and are streamed (arena.uploads)
        length = _header(scope, b"content-length")
        if length.isdigit() and int(length) > MAX_JSON_BYTES:
            raise BodyRefused(413, "payload_too_large", f"request body is {int(length):,} bytes; "
                              f"the limit for JSON bodies is {MAX_JSON_BYTES:,} bytes")
        if scope["method"] in ("GET", "HEAD", "DELETE", "OPTIONS"):
            return receive
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return receive
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_JSON_BYTES:
                raise BodyRefused(413, "payload_too_large", f"request body is over the limit for JSON "
                                  f"bodies ({MAX_JSON_BYTES:,} bytes)")
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        if body and (not content_type or "json" in content_type):
            check_json_body(body)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return replay
