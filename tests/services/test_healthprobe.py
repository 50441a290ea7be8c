"""The containers' health probe answers 0 only for a 200 from the path it asks."""

import socket
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

PROBE = Path(__file__).resolve().parents[2] / "services" / "healthprobe.py"


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        self.send_response({"/ok": 200, "/degraded": 503}.get(self.path, 404))
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def port():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()


def probe(port: int, path: str) -> int:
    # As Docker runs it: isolated, without site packages.
    return subprocess.run([sys.executable, "-I", "-S", str(PROBE), str(port), path], timeout=10).returncode


def test_a_200_is_healthy(port):
    assert probe(port, "/ok") == 0


@pytest.mark.parametrize("path", ["/degraded", "/missing"])
def test_any_other_status_is_unhealthy(port, path):
    assert probe(port, path) == 1


def test_nothing_listening_is_unhealthy():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        free = sock.getsockname()[1]
    assert probe(free, "/ok") == 1
