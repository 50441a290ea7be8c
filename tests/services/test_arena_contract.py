"""The API's contract without a database: the request guard (ids, JSON bodies no route should
see) and what the OpenAPI document declares."""

import json
import re

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


@pytest.fixture
def uploader(tmp_path, monkeypatch):
    """A client whose tenant is given (no database) and whose upload store is a temporary dir:
    enough for refusals that happen while the body is read."""
    import uuid

    from arena.api import auth
    from arena.api.routes import datasets, documents
    from arena.db.models import Tenant

    monkeypatch.setattr(datasets, "tenant_store", lambda tenant_id: tmp_path / str(tenant_id))
    monkeypatch.setattr(documents, "tenant_store", lambda tenant_id: tmp_path / str(tenant_id))
    app = create_app()
    app.dependency_overrides[auth.current_tenant] = lambda: Tenant(id=uuid.uuid4(), name="t", api_key_hash="x")
    return TestClient(app, raise_server_exceptions=False), tmp_path


def _multipart(boundary: str, *parts: bytes) -> bytes:
    return b"".join(f"--{boundary}\r\n".encode() + part + b"\r\n" for part in parts) + f"--{boundary}--\r\n".encode()


def test_a_malformed_multipart_body_is_400_and_leaves_no_file(uploader):
    client, store = uploader
    boundary = "0d37f771f3609e9baf6be26654101f5f"
    response = client.post("/documents", content=f"--{boundary}\r\nTrue--{boundary}--\r\n".encode(),
                           headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert "multipart body cannot be read" in error_of(response, 400, "bad_request")["message"]
    assert not [p for p in store.rglob("*") if p.is_file()], list(store.rglob("*"))


def test_part_names_of_any_bytes_are_read_not_a_crash(uploader):
    client, store = uploader
    boundary = "22099472114d1390ba194be83a71a18e"
    body = _multipart(boundary,
                      b'Content-Disposition: form-data; name="\xc3\x9b\xf1\x86\xb3\xb1-f\xc2\x80%0D"\r\n\r\n-31363',
                      b'Content-Disposition: form-data; name="name"\r\n\r\n')
    response = client.post("/datasets/upload", content=body,
                           headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert "no file part" in error_of(response, 422, "validation_error")["message"]
    assert not [p for p in store.rglob("*") if p.is_file()], list(store.rglob("*"))


def test_docs_contracts_and_the_openapi_document_name_the_same_operations(schema):
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "CONTRACTS.md").read_text()
    named = re.findall(r"`(GET|POST|PUT|DELETE) (/[^`?\s]*)", text)
    not_arena = ("/_gateway", "/v1/", "/health/", "/openapi.json")
    documented = {(m, re.sub(r"\{[^}]+\}", "{}", p)) for m, p in named
                  if not p.startswith(not_arena) and (m, p) != ("GET", "/datasets/upload")}
    served = {(m.upper(), re.sub(r"\{[^}]+\}", "{}", p)) for p, ops in schema["paths"].items() for m in ops}
    assert documented == served, (f"in docs/CONTRACTS.md only: {sorted(documented - served)}; "
                                  f"in /openapi.json only: {sorted(served - documented)}")


def _patterns(node) -> list[str]:
    if isinstance(node, dict):
        own = [node["pattern"]] if isinstance(node.get("pattern"), str) else []
        return own + [p for value in node.values() for p in _patterns(value)]
    if isinstance(node, list):
        return [p for value in node for p in _patterns(value)]
    return []


def test_no_schema_pattern_uses_a_class_each_regex_engine_reads_its_own_way(schema):
    # The fuzzer judges "schema-valid" with ECMA-262 regexes, pydantic enforces with Rust's, the
    # app's own checks are Python's: `\s`, `\w`, `\d`, `\b` mean a different set in each.
    patterns = _patterns(schema)
    assert len(patterns) >= 5, patterns
    shorthand = [p for p in patterns if re.search(r"(?<!\\)(?:\\\\)*\\[sSwWdDbB]", p)]
    assert shorthand == [], f"patterns with an engine-dependent class: {shorthand}"


def _disagreements(codes, value_of, pattern: str, check, refused: type[Exception]) -> list[str]:
    """The code points whose value the pattern (Python's engine) and the API's check judge apart."""
    disagree = []
    for code in codes:
        value = value_of(code)
        by_pattern = re.fullmatch(pattern, value) is not None
        try:
            check(value)
            by_check = True
        except refused:
            by_check = False
        if by_pattern != by_check:
            disagree.append(f"U+{code:04X} pattern={by_pattern} check={by_check}")
    return disagree


def test_a_blank_text_is_what_str_strip_removes_in_the_pattern_and_the_check_alike():
    from pydantic import TypeAdapter, ValidationError

    from arena.api.schemas import TEXT_PATTERN, Text

    text = TypeAdapter(Text(10))
    codes = [code for code in range(0x10000) if not 0xD800 <= code <= 0xDFFF]
    assert _disagreements(codes, chr, TEXT_PATTERN, text.validate_python, ValidationError) == []


def test_a_base_url_is_judged_alike_by_the_schema_pattern_and_by_the_api():
    # Seen from the fuzzer (seed 1103913542): "http://\x85..." matched the old pattern's
    # [^\s\x00] in ECMA-262 and not in pydantic's engine, so a schema-valid body got a 422.
    from pydantic import ValidationError

    from arena.api.schemas import BASE_URL_PATTERN, ProviderUpsert

    assert _disagreements([*range(0x3001), 0xFEFF, 0x1F600], lambda code: f"http://gateway{chr(code)}:8080",
                          BASE_URL_PATTERN, lambda url: ProviderUpsert(base_url=url, api_key="k"),
                          ValidationError) == []
    with pytest.raises(ValidationError, match="base_url"):
        ProviderUpsert(base_url="http://\x85d", api_key="k")
