"""The suite's HTTP clients on `requests`: one owner of the stack's address (a move is one
assignment), a timeout on every call, secrets masked in the exchange log. Real HTTP, on 127.0.0.1."""

from __future__ import annotations

import http.server
import json
import threading

import pytest

from harness import endpoints as addresses
from harness.api import ArenaClient, expect
from harness.endpoints import Endpoints
from harness.gateway import GatewayClient


class Answering(http.server.BaseHTTPRequestHandler):
    """Says which server answered, and echoes what it was sent."""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length).decode() if length else ""
        payload = json.dumps({"server": self.server.label, "path": self.path, "body": body,
                              "requests": [], "api_key": "sk-should-be-masked-123"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = _answer

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def two_servers():
    servers = []
    for label in ("first", "second"):
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Answering)
        server.label = label
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
    yield [f"http://127.0.0.1:{s.server_address[1]}" for s in servers]
    for server in servers:
        server.shutdown()
        server.server_close()
    addresses.set_live(None)


def endpoints_at(url: str) -> Endpoints:
    return Endpoints(api_url=url, gateway_url=url, database_url="postgresql://x", mongo_url="mongodb://x")


def test_moving_the_endpoints_repoints_every_client_in_one_assignment(two_servers):
    first, second = two_servers
    live = endpoints_at(first)
    addresses.set_live(live)
    admin = ArenaClient(live, admin_token="admin-token-xyz")
    by_url = ArenaClient(first, api_key="ak_" + "k" * 32)  # as steps make them: with the current URL
    stranger = ArenaClient(second)  # somewhere else: stays where it was pointed
    gateway = GatewayClient(live)
    assert expect(admin.request("GET", "/health"), 200)["server"] == "first"

    assert live.move_to(endpoints_at(second)) is True
    assert expect(admin.request("GET", "/health"), 200)["server"] == "second"
    assert expect(by_url.request("GET", "/health"), 200)["server"] == "second"
    assert expect(stranger.request("GET", "/health"), 200)["server"] == "second"
    assert gateway.calls("someone") == []
    assert live.move_to(endpoints_at(second)) is False  # nothing moved: nothing to say


def test_the_exchange_log_masks_keys_and_tokens_and_keeps_raw_bodies(two_servers):
    client = ArenaClient(two_servers[0], api_key="ak_" + "s" * 32)
    response = client.request("POST", "/runs", content=b'{"raw": true}', headers={"Content-Type": "application/json"})
    assert response.json()["body"] == '{"raw": true}'
    log = client.log.render()
    assert "ak_sss" not in log and "sk-should-be-masked-123" not in log
    assert '"X-API-Key": "***"' in log and '"api_key": "***"' in log and "--> 200" in log


def test_every_call_has_a_timeout():
    client = ArenaClient("http://127.0.0.1:9", timeout=0.5)  # port 9 (discard): refused at once
    with pytest.raises(Exception) as err:
        client.request("GET", "/health")
    assert "ConnectionError" in type(err.value).__name__ or "Connection" in str(err.value)
    assert "no response" in client.log.render()


def test_a_multipart_upload_is_described_not_kept(two_servers):
    client = ArenaClient(two_servers[0])
    client.upload("/datasets/upload", "big.jsonl", b"x" * 100_000)
    entry = client.log.items[-1]
    assert entry.request_body.startswith("(multipart/form-data") and "x" * 100 not in entry.request_body


def test_what_holds_a_pool_is_told_when_the_stack_moves():
    live = endpoints_at("http://127.0.0.1:1")
    moves = []
    live.watchers.append(lambda before, now: moves.append((before.api_url, now.api_url)))
    live.move_to(endpoints_at("http://127.0.0.1:1"))
    live.move_to(endpoints_at("http://127.0.0.1:2"))
    assert moves == [("http://127.0.0.1:1", "http://127.0.0.1:2")]
    assert live == endpoints_at("http://127.0.0.1:2")  # watchers take no part in equality


def test_a_connection_closed_before_any_answer_is_told_apart_from_other_failures():
    import http.client

    import requests
    import urllib3

    from harness.api import closed_unanswered

    dropped = requests.ConnectionError(urllib3.exceptions.ProtocolError(
        "Connection aborted.", http.client.RemoteDisconnected("Remote end closed connection without response")))
    assert closed_unanswered(dropped)
    assert not closed_unanswered(requests.ReadTimeout("read timed out"))
    assert not closed_unanswered(requests.ConnectionError(ConnectionRefusedError(111, "Connection refused")))


def test_an_unexpected_status_says_what_was_expected_from_which_call_and_what_was_seen():
    import requests

    from harness.api import UnexpectedResponse

    response = requests.Response()
    response.status_code = 422
    response._content = json.dumps({"error": {"code": "validation_error", "message": "x" * 500}}).encode()
    response.request = requests.Request("POST", "http://127.0.0.1:1/datasets?x=1", json={}).prepare()
    with pytest.raises(UnexpectedResponse) as err:
        expect(response, 201)
    message = str(err.value)
    start = 'expected HTTP 201 from POST /datasets, saw 422: {"error": {"code": "validation_error"'
    assert message.startswith(start), (
        f"expected the call and both statuses first, saw {message[:120]!r}")
    assert message.endswith("chars)") and len(message) < 400, f"expected the body cut short, saw {len(message)} chars"
