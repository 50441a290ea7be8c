"""The API's contract without a database: the request guard (ids, JSON bodies no route should
see) and what the OpenAPI document declares."""

import json

import pytest
from fastapi.testclient import TestClient

from arena.api.app import create_app
from arena.api.requests import MAX_JSON_DEPTH


@pytest.fixture(scope="module")
def client():
    return TestClient(create_app(), raise_server_exceptions=False)


@pytest.fixture(scope="module")
def schema(client):
    return client.get("/openapi.json").json()


def error_of(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code, error
    assert error["request_id"] == response.headers["X-Request-ID"], (error, dict(response.headers))
    return error


def test_every_answer_carries_a_request_id_and_a_plain_client_id_is_kept(client):
    assert len(client.get("/nowhere").headers["X-Request-ID"]) >= 8
    assert client.get("/nowhere", headers={"X-Request-ID": "ticket-4711"}).headers["X-Request-ID"] == "ticket-4711"
    kept = client.get("/nowhere", headers={"X-Request-ID": "bad id\twith\x7fjunk"}).headers["X-Request-ID"]
    assert "bad" not in kept


def test_a_json_body_repeating_a_key_is_refused_naming_the_key(client):
    body = b'{"name": "x", "name": "y", "samples": []}'
    error = error_of(client.post("/datasets", content=body, headers={"Content-Type": "application/json"}),
                     400, "bad_request")
    assert "'name'" in error["message"]


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 100_000])
def test_a_json_body_nested_too_deeply_is_refused(client, depth):
    body = ("[" * depth + "]" * depth).encode()
    error = error_of(client.post("/datasets", content=body, headers={"Content-Type": "application/json"}),
                     400, "bad_request")
    assert "nested too deeply" in error["message"]


def test_a_large_json_body_without_a_length_is_cut_off(client):
    def chunks():
        for _ in range(30):
            yield b"x" * 50_000
    error_of(client.post("/datasets", content=chunks(), headers={"Content-Type": "application/json"}),
             413, "payload_too_large")


def test_get_on_the_upload_route_is_405_not_a_bad_id(client):
    error = error_of(client.get("/datasets/upload"), 405, "method_not_allowed")
    assert "POST" in error["message"]


def test_every_operation_declares_its_errors_with_the_error_model(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            declared = operation["responses"]
            if path == "/health":
                assert set(declared) == {"200", "503"}
                continue
            for status in ("401", "422", "503"):
                assert status in declared, f"{method.upper()} {path} does not declare {status}"
                ref = declared[status]["content"]["application/json"]["schema"]["$ref"]
                assert ref.endswith("/ErrorBody"), (method, path, status, ref)
            scheme = "AdminToken" if path.startswith("/admin") else "TenantApiKey"
            assert operation.get("security") == [{scheme: []}], (method, path, operation.get("security"))


def test_uploads_are_multipart_and_streams_are_event_streams(schema):
    for path in ("/datasets/upload", "/documents"):
        body = schema["paths"][path]["post"]["requestBody"]["content"]
        assert list(body) == ["multipart/form-data"], (path, body)
        assert body["multipart/form-data"]["schema"]["required"] == ["file"]
    for path, method in (("/runs/{run_id}/events", "get"), ("/documents/{document_id}/ask", "post")):
        content = schema["paths"][path][method]["responses"]["200"]["content"]
        assert list(content) == ["text/event-stream"], (path, content)


def test_request_schemas_say_what_the_api_enforces(schema):
    components = schema["components"]["schemas"]
    assert components["DatasetCreate"]["properties"]["samples"]["minItems"] == 1
    assert components["RunCreate"]["properties"]["scorer"]["enum"] == ["contains", "exact_match"]
    assert components["BattleCreate"]["properties"]["contenders"]["uniqueItems"] is True
    text = components["SampleIn"]["properties"]["input"]
    assert "\\x00" in text["pattern"] and text["minLength"] == 1, json.dumps(text)
