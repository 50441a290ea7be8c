"""The beat scheduler, seen from outside: GET /health reports its last tick (see docs/CONTRACTS.md)."""

from __future__ import annotations

from harness.api import ArenaClient
from harness.waits import poll_until


def scheduler_status(api: ArenaClient) -> dict:
    return api.health().json().get("scheduler") or {"status": "not reported"}


def wait_for_scheduler(api: ArenaClient, status: str, timeout: float) -> dict:
    """Poll the health report until the scheduler is `status` ("running" or "stopped")."""
    return poll_until(lambda: scheduler_status(api), lambda s: s["status"] == status, timeout=timeout,
                      what=f"the beat scheduler to be {status}", describe=repr)
