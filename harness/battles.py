"""Waiting on battles, with failure messages that say where the battle got stuck."""

from __future__ import annotations

from harness.api import ArenaClient, expect
from harness.waits import poll_until

TERMINAL = {"completed", "failed"}


def start_battle_keyed_by_header(api: ArenaClient, prompt: str, contenders: list[str], judge: str, key: str):
    """Start a battle with its idempotency key in the `Idempotency-Key` header, not the body."""
    return api.request("POST", "/battles", json={"prompt": prompt, "contenders": contenders, "judge": judge},
                       headers={"Idempotency-Key": key})


def list_battles(api: ArenaClient) -> list[dict]:
    return expect(api.request("GET", "/battles"), 200)


def wait_for_battle(api: ArenaClient, battle_id: str, status: str, timeout: float) -> dict:
    battle = poll_until(lambda: api.battle(battle_id), lambda b: b["status"] in TERMINAL, timeout=timeout,
                        what=f"battle {battle_id} to finish", describe=lambda b: f"status {b['status']!r}")
    if battle["status"] != status:
        raise AssertionError(f"battle {battle_id} ended {battle['status']!r}, expected {status!r}: "
                             f"error {battle.get('error')}")
    return battle
