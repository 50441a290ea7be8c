"""Waiting on battles, with failure messages that say where the battle got stuck."""

from __future__ import annotations

from harness.api import ArenaClient
from harness.waits import poll_until

TERMINAL = {"completed", "failed"}


def wait_for_battle(api: ArenaClient, battle_id: str, status: str, timeout: float) -> dict:
    battle = poll_until(lambda: api.battle(battle_id), lambda b: b["status"] in TERMINAL, timeout=timeout,
                        what=f"battle {battle_id} to finish", describe=lambda b: f"status {b['status']!r}")
    if battle["status"] != status:
        raise AssertionError(f"battle {battle_id} ended {battle['status']!r}, expected {status!r}: "
                             f"error {battle.get('error')}")
    return battle
