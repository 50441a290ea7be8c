"""No API key, admin token or provider key in what a suite run leaves behind.

Runs after the acceptance suite (scripts/test.sh) over reports/: the Allure results and
attachments, the JUnit files and the collected service logs.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REPORTS = ROOT / "reports"
SCANNED = ["allure-results", "junit", "logs"]
TENANT_KEY = re.compile(r"ak_[A-Za-z0-9_-]{32}")


def known_secrets() -> list[str]:
    providers = json.loads((ROOT / "fixtures" / "providers.json").read_text())
    return [os.environ.get("ARENA_ADMIN_TOKEN", "arena-admin-dev-token"), *(p["api_key"] for p in providers)]


def report_files() -> list[Path]:
    return [path for folder in SCANNED for path in (REPORTS / folder).rglob("*") if path.is_file()]


@pytest.mark.skipif(not report_files(), reason="no reports yet: run the acceptance suite first")
def test_reports_hold_no_keys_or_tokens():
    leaks = []
    for path in report_files():
        text = path.read_text(errors="replace")
        leaks += [f"{path.relative_to(REPORTS)}: {secret[:6]}..." for secret in known_secrets() if secret in text]
        leaks += [f"{path.relative_to(REPORTS)}: a tenant API key {m[:6]}..." for m in TENANT_KEY.findall(text)]
    assert not leaks, f"secrets found in the reports: {leaks[:20]}"


def test_the_scan_would_find_a_leak(tmp_path):
    leaked = tmp_path / "attachment.txt"
    leaked.write_text("X-API-Key: ak_" + "A" * 32)
    assert TENANT_KEY.search(leaked.read_text())
