"""Sending work while the broker is unreachable: the API keeps its answer, beat sends it later."""

import subprocess
import sys
from pathlib import Path

SERVICES = Path(__file__).resolve().parents[2] / "services"

# In a child process: Arena's settings and Celery app are built once per process, from the env.
SEND = """
import logging
logging.basicConfig(level=logging.ERROR, format="%(name)s %(message)s")
from arena.worker.send import enqueue
print("sent" if enqueue("arena.process_document", "a-document-id") else "not sent")
"""


def test_a_send_to_an_unreachable_broker_is_reported_not_raised():
    # Port 9 (discard) on the loopback: nothing listens, the connection is refused.
    env = {"ARENA_REDIS_URL": "redis://127.0.0.1:9/0", "PYTHONPATH": str(SERVICES), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run([sys.executable, "-c", SEND], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "not sent", proc.stdout
    assert "could not send arena.process_document(a-document-id)" in proc.stderr, proc.stderr
