"""The API's error shape, for requests that never reach the database."""

import pytest
from fastapi.testclient import TestClient

from arena.api.app import create_app


@pytest.fixture(scope="module")
def client():
    return TestClient(create_app(), raise_server_exceptions=False)


def assert_error(response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code and error["message"], error
    return error["message"]


def test_unknown_route_is_404_naming_the_route(client):
    message = assert_error(client.get("/nowhere"), 404, "not_found")
    assert "GET /nowhere" in message


def test_wrong_method_is_405(client):
    assert_error(client.delete("/health"), 405, "method_not_allowed")


def test_admin_routes_need_the_admin_token(client):
    message = assert_error(client.post("/admin/tenants", json={"name": "x"}), 401, "unauthorized")
    assert "X-Admin-Token" in message


def test_tenant_routes_need_an_api_key(client):
    message = assert_error(client.get("/runs/00000000-0000-0000-0000-000000000000"), 401, "unauthorized")
    assert "X-API-Key" in message
