"""Arena HTTP client for steps and hooks, on `requests`: a Session per client, a timeout on every
call, and every exchange recorded (secrets masked) for the report."""

from __future__ import annotations

import http.client
import json
from collections import deque
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests

from harness import secrets
from harness.endpoints import Address, Endpoints

DEFAULT_TIMEOUT = 10.0  # seconds; no call of the suite may wait for ever
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


def closed_unanswered(err: BaseException) -> bool:
    """Whether the server closed the connection before any byte of a response came back."""
    seen: BaseException | None = err
    for _ in range(6):  # requests' ConnectionError wraps urllib3's ProtocolError, which wraps it
        if seen is None:
            return False
        if isinstance(seen, http.client.RemoteDisconnected):
            return True
        inner = [a for a in getattr(seen, "args", ()) if isinstance(a, BaseException)]
        seen = inner[0] if inner else seen.__context__
    return False


@dataclass
class Exchange:
    method: str
    url: str
    request_headers: dict[str, str]
    request_body: str
    status: int | None
    response_body: str
    elapsed_ms: float
    request_id: str | None = None  # the API's X-Request-ID: finds this exchange in the API's log

    def render(self) -> str:
        request_id = f" [request id {self.request_id}]" if self.request_id else ""
        return (f"{self.method} {self.url}\n{json.dumps(self.request_headers)}\n{self.request_body}\n"
                f"--> {self.status} in {self.elapsed_ms:.0f} ms{request_id}\n{self.response_body}\n")


class ExchangeLog:
    """The last API exchanges of a scenario, attached to the report when it fails."""

    def __init__(self, size: int = 50) -> None:
        self.items: deque[Exchange] = deque(maxlen=size)

    def clear(self) -> None:
        self.items.clear()

    def render(self) -> str:
        return "\n".join(exchange.render() for exchange in self.items) or "(no API exchanges)"


def _body_text(content: bytes | str | None, limit: int = 4000) -> str:
    if content is None:
        return ""
    text = content.decode("utf-8", errors="replace") if isinstance(content, bytes) else content
    return secrets.mask(text if len(text) <= limit else text[:limit] + f"... ({len(text)} chars)")


def _request_body(request: requests.PreparedRequest) -> str:
    content_type = request.headers.get("Content-Type", "")
    body = request.body
    if content_type.startswith("multipart/") or not isinstance(body, bytes | str | None):
        # An upload: describe it, do not keep it (it may be megabytes, or a generator).
        size = len(body) if isinstance(body, bytes | str) else request.headers.get("Content-Length", "?")
        return f"({content_type or 'streamed body'}, {size} bytes)"
    return _body_text(body)


class ArenaClient:
    """Speaks to the Arena API as one tenant (an API key) or as the admin (the admin token).

    `base_url` is the suite's `Endpoints` (or that API URL), which the client reads at every
    call, so it follows the stack when a restarted container moves; any other URL stays fixed.
    """

    def __init__(self, base_url: str | Endpoints, *, api_key: str | None = None, admin_token: str | None = None,
                 log: ExchangeLog | None = None, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.address = Address(base_url, "api_url")
        self.timeout = timeout
        self.log = log if log is not None else ExchangeLog()
        self.session = requests.Session()
        if api_key:
            self.session.headers["X-API-Key"] = api_key
            secrets.register(api_key)
        if admin_token:
            self.session.headers["X-Admin-Token"] = admin_token
            secrets.register(admin_token)

    def close(self) -> None:
        self.session.close()

    def request(self, method: str, path: str, *, content: bytes | None = None, timeout: float | None = None,
                **kwargs: Any) -> requests.Response:
        """One call; `content` is a raw body (bytes sent as they are), the rest is `requests`'."""
        if content is not None:
            kwargs["data"] = content
        url = self.base_url + path
        for attempt in (1, 2):
            try:
                response = self.session.request(method, url, timeout=timeout or self.timeout, **kwargs)
                break
            except requests.RequestException as err:
                self.log.items.append(Exchange(method, url, secrets.mask_headers(dict(self.session.headers)),
                                               "", None, f"(no response: {type(err).__name__}: {err})", 0.0))
                # A kept-alive connection the server closed (its idle timeout) just as this request
                # went out: nothing was answered. An idempotent request may be sent again (RFC 9112
                # 9.3.1), once, on a new connection. Seen under scripts/load.py's 50 clients.
                if attempt == 2 or method.upper() not in IDEMPOTENT or not closed_unanswered(err):
                    raise
        request = response.request
        self.log.items.append(Exchange(
            method=method, url=request.url, request_headers=secrets.mask_headers(dict(request.headers)),
            request_body=_request_body(request), status=response.status_code,
            response_body=_body_text(response.content), elapsed_ms=response.elapsed.total_seconds() * 1000,
            request_id=response.headers.get("X-Request-ID"),
        ))
        return response

    # --- admin -------------------------------------------------------------------------------
    def create_tenant(self, name: str) -> dict:
        tenant = expect(self.request("POST", "/admin/tenants", json={"name": name}), 201)
        secrets.register(tenant["api_key"])
        return tenant

    def delete_tenant(self, tenant_id: str) -> None:
        expect(self.request("DELETE", f"/admin/tenants/{tenant_id}"), 204)

    def put_provider(self, name: str, base_url: str, api_key: str) -> dict:
        secrets.register(api_key)
        return expect(self.request("PUT", f"/admin/providers/{name}",
                                   json={"base_url": base_url, "api_key": api_key}), 200)

    # --- tenant ------------------------------------------------------------------------------
    def health(self) -> requests.Response:
        return self.request("GET", "/health")

    def create_dataset(self, name: str, samples: list[dict]) -> requests.Response:
        return self.request("POST", "/datasets", json={"name": name, "samples": samples})

    def start_run(self, dataset_id: str, model: str, *, provider: str = "gateway", scorer: str = "exact_match",
                  fallback_models: list[str] | None = None, max_attempts: int | None = None) -> requests.Response:
        body = {"dataset_id": dataset_id, "provider": provider, "model": model, "scorer": scorer}
        if fallback_models:
            body["fallback_models"] = fallback_models
        if max_attempts is not None:
            body["max_attempts"] = max_attempts
        return self.request("POST", "/runs", json=body)

    def get_run(self, run_id: str) -> requests.Response:
        return self.request("GET", f"/runs/{run_id}")

    def run(self, run_id: str) -> dict:
        return expect(self.get_run(run_id), 200)

    def results(self, run_id: str) -> list[dict]:
        return expect(self.request("GET", f"/runs/{run_id}/results"), 200)

    def upload(self, path: str, file_name: str, content: bytes, *, content_type: str = "application/octet-stream",
               part: str = "file", fields: dict | None = None) -> requests.Response:
        """POST a multipart upload; `part=None` sends the form without any file part."""
        files = {part: (file_name, content, content_type)} if part else {"placeholder": (None, b"")}
        return self.request("POST", path, files=files, data=fields or {})

    def upload_raw(self, path: str, file_name: bytes, content: bytes, part: str = "file") -> requests.Response:
        """POST a multipart body built by hand, with the file name's bytes exactly as given: what a
        hostile client sends (HTTP libraries escape control characters in names)."""
        boundary = "arena-suite-boundary"
        body = (f"--{boundary}\r\n".encode()
                + f'Content-Disposition: form-data; name="{part}"; filename="'.encode() + file_name + b'"\r\n'
                + b"Content-Type: application/octet-stream\r\n\r\n" + content + f"\r\n--{boundary}--\r\n".encode())
        return self.request("POST", path, content=body,
                            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})

    def dataset(self, dataset_id: str) -> dict:
        return expect(self.request("GET", f"/datasets/{dataset_id}"), 200)

    def document(self, document_id: str) -> dict:
        return expect(self.request("GET", f"/documents/{document_id}"), 200)

    def start_battle(self, prompt: str, contenders: list[str], judge: str,
                     idempotency_key: str | None = None) -> requests.Response:
        body = {"prompt": prompt, "contenders": contenders, "judge": judge}
        if idempotency_key:
            body["idempotency_key"] = idempotency_key
        return self.request("POST", "/battles", json=body)

    def battle(self, battle_id: str) -> dict:
        return expect(self.request("GET", f"/battles/{battle_id}"), 200)

    def list_page(self, kind: str, *, limit: int | None = None, cursor: str | None = None,
                  **filters: str) -> requests.Response:
        """One page of GET /runs or GET /datasets (`kind`), newest first."""
        params = {k: v for k, v in {"limit": limit, "cursor": cursor, **filters}.items() if v is not None}
        return self.request("GET", f"/{kind}", params=params)

    def list_all(self, kind: str, *, limit: int | None = None, max_pages: int = 50, **filters: str) -> list[list[dict]]:
        """Every page of a listing, following next_cursor until the last page."""
        pages, cursor = [], None
        while len(pages) < max_pages:
            body = expect(self.list_page(kind, limit=limit, cursor=cursor, **filters), 200)
            pages.append(body["items"])
            cursor = body["next_cursor"]
            if cursor is None:
                return pages
        raise AssertionError(f"expected GET /{kind} to end within {max_pages} pages, "
                             f"saw a next_cursor after page {max_pages}")

    def leaderboard(self) -> list[dict]:
        return expect(self.request("GET", "/leaderboard"), 200)["models"]

    def usage(self) -> dict:
        return expect(self.request("GET", "/usage"), 200)

    @property
    def base_url(self) -> str:
        return self.address.url

    @property
    def auth_headers(self) -> dict[str, str]:
        return {k: v for k, v in self.session.headers.items() if k.lower() in ("x-api-key", "x-admin-token")}


class UnexpectedResponse(AssertionError):
    pass


def expect(response: requests.Response, status: int) -> Any:
    """The JSON body of `response`, or an assertion error naming the call and what came back:
    "expected HTTP 201 from POST /datasets, saw 422: {...}" (the body cut short, secrets masked)."""
    if response.status_code != status:
        raise UnexpectedResponse(
            f"expected HTTP {status} from {response.request.method} {urlsplit(response.request.url).path}, "
            f"saw {response.status_code}: {_body_text(response.content, 300)}"
        )
    return response.json() if response.content else None


def error_of(response: requests.Response) -> dict:
    """The `error` object of an Arena error response ({} when the body is not the error shape)."""
    try:
        body = response.json()
    except ValueError:
        return {}
    return body.get("error", {}) if isinstance(body, dict) else {}
