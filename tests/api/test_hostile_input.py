"""The long tail of hostile input, against a real stack: each answers a 4xx in the one error shape
naming the problem, never a 500, and stores nothing in PostgreSQL, MongoDB or the upload store.
(The rows a QA person reads are in errors.feature and uploads.feature; Schemathesis covers what
the schema describes: scripts/fuzz_api.py.)
"""

from __future__ import annotations

import json
import os

import pytest

from harness import fixtures
from harness.api import ArenaClient
from harness.footprint import footprint
from harness.probes import MongoProbe, PostgresProbe
from harness.settings import Settings
from harness.stack import ComposeStack
from harness.tenants import open_tenant
from harness.timing import PhaseTimer

pytestmark = pytest.mark.docker
JSON = {"Content-Type": "application/json"}
SAMPLE = {"input": "What is 2 + 3?", "expected": "5"}


@pytest.fixture(scope="module")
def arena(tmp_path_factory):
    stack = ComposeStack(Settings.load({}, environ={}), project_name=f"arena-hostile-{os.getpid()}")
    timer = PhaseTimer(tmp_path_factory.mktemp("timings") / "timings.json")
    try:
        endpoints = stack.start(timer)
        admin = ArenaClient(endpoints, admin_token=stack.settings.admin_token)
        for provider in fixtures.providers():
            admin.put_provider(provider["name"], provider["base_url"], provider["api_key"])
        tenant = open_tenant(admin, endpoints, PostgresProbe(endpoints.database_url), "hostile")
        dataset = tenant.api.create_dataset("mine", [SAMPLE]).json()
        yield stack, tenant, MongoProbe(endpoints.mongo_url), dataset
    finally:
        stack.stop(timer)


def multipart(name: bytes, content: bytes, boundary: str = "hostile-boundary") -> tuple[bytes, dict]:
    body = (f"--{boundary}\r\n".encode() + b'Content-Disposition: form-data; name="file"; filename="' + name
            + b'"\r\nContent-Type: application/octet-stream\r\n\r\n' + content + f"\r\n--{boundary}--\r\n".encode())
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def nested(depth: int) -> bytes:
    start = json.dumps({"name": "x", "samples": [SAMPLE]})[:-1].encode()
    return start + b', "deep": ' + b"[" * depth + b"]" * depth + b"}"


CASES = {
    # name: (method, path, body, headers, status, words the message must hold)
    "NUL in a sample": ("POST", "/datasets", json.dumps({"name": "x", "samples": [{**SAMPLE, "input": "a\x00b"}]}),
                        JSON, 422, "NUL"),
    "lone surrogate": ("POST", "/datasets", b'{"name": "x", "samples": [{"input": "\\udc00", "expected": "5"}]}',
                       JSON, 422, "samples.0.input"),
    "invalid UTF-8 in the body": ("POST", "/datasets", b'{"name": "\xff\xfe", "samples": []}', JSON, 400, "JSON"),
    "huge number": ("POST", "/runs", '{"dataset_id": "<mine>", "provider": "gateway", "model": "gpt-3.5-turbo", '
                                     '"max_attempts": 1e308}', JSON, 422, "max_attempts"),
    "negative number": ("POST", "/runs", '{"dataset_id": "<mine>", "provider": "gateway", "model": "gpt-3.5-turbo", '
                                         '"max_attempts": -5}', JSON, 422, "max_attempts"),
    "deeply nested JSON": ("POST", "/datasets", nested(5_000), JSON, 400, "nested too deeply"),
    "very large JSON": ("POST", "/datasets", json.dumps({"name": "x", "samples": [SAMPLE] * 40_000}), JSON, 413,
                        "limit"),
    "duplicate keys": ("POST", "/battles", '{"prompt": "Hi", "prompt": "Bye", "contenders": ["gpt-4o-mini", '
                                           '"gpt-3.5-turbo"], "judge": "gpt-4o-mini"}', JSON, 400, "'prompt'"),
    "path traversal in an upload name": ("POST", "/datasets/upload", *multipart(b"../../etc/passwd.csv", b"a,b\n"),
                                         422, "path separators"),
    "invalid UTF-8 in an upload name": ("POST", "/datasets/upload", *multipart(b"\xff\xfe.txt", b"a"), 415,
                                        "unsupported file type"),
    "malformed multipart": ("POST", "/documents", b"--hostile-boundary\r\nnonsense--hostile-boundary--\r\n",
                            {"Content-Type": "multipart/form-data; boundary=hostile-boundary"}, 400, "multipart"),
    "a key of raw bytes": ("GET", "/usage", None, {"X-API-Key": "\xff\xfek"}, 401, "not valid"),
    "a Last-Event-ID of 40 digits": ("GET", "/runs/<run>/events", None, {"Last-Event-ID": "9" * 40}, 422,
                                     "last-event-id"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_input_is_a_4xx_naming_the_problem_and_stores_nothing(arena, case):
    stack, tenant, mongo, dataset = arena
    method, path, body, headers, status, words = CASES[case]
    before = footprint(tenant, mongo, stack)
    path = path.replace("<run>", "00000000-0000-0000-0000-000000000000")
    content = body.replace("<mine>", dataset["id"]) if isinstance(body, str) else body
    response = tenant.api.request(method, path, content=content.encode() if isinstance(content, str) else content,
                                  headers=headers)
    assert response.status_code == status, (
        f"{case}: expected {status}, got {response.status_code}: {response.text[:300]}")
    error = response.json()["error"]
    assert words.lower() in error["message"].lower(), f"{case}: the message should name {words!r}: {error}"
    assert error["request_id"] == response.headers["X-Request-ID"], error
    assert footprint(tenant, mongo, stack).changes_from(before) == [], f"{case}: something was stored"

