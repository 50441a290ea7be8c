"""A stack that fails to start shows in the report as a global error, each failing service's log
attached, and leaves reports/logs/stack.log. (A real stack, given too little time to be healthy.)"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "reports" / "allure-results"
STACK_LOG = ROOT / "reports" / "logs" / "stack.log"

pytestmark = pytest.mark.docker


def test_a_failed_start_is_a_global_error_with_the_failing_services_logs():
    started = time.time()
    proc = subprocess.run([sys.executable, "-m", "behave", "--tags=@smoke", "--no-junit", "-D", "up_timeout=1"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)
    assert proc.returncode != 0, "a run whose stack did not start must fail"
    assert "did not become healthy" in proc.stdout + proc.stderr
    fresh = [p for p in RESULTS.glob("*-globals.json") if p.stat().st_mtime >= started]
    globals_ = [json.loads(p.read_text()) for p in fresh]
    errors = [e for g in globals_ for e in g.get("errors", [])]
    attachments = [a for g in globals_ for a in g.get("attachments", [])]
    assert any(e["message"].startswith("Stack did not start: ") for e in errors), globals_
    assert attachments and all(a["name"].endswith("log (secrets masked)") for a in attachments), globals_
    assert all((RESULTS / a["source"]).exists() for a in attachments)
    assert STACK_LOG.exists() and STACK_LOG.stat().st_mtime >= started and STACK_LOG.stat().st_size > 0
