"""The test gateway's inspection API: which provider calls Arena made, filtered by `user`."""

from __future__ import annotations

import requests

from harness.endpoints import Address, Endpoints
from harness.waits import WaitTimeout, poll_until


def gateway_tokens(text: str) -> int:
    """How the gateway counts tokens: whitespace-separated words (services/gateway/answers.py)."""
    return len(text.split())


def run_user(tenant_id: str, run_id: str) -> str:
    """The OpenAI `user` field Arena sends for a run (see docs/CONTRACTS.md)."""
    return f"tenant:{tenant_id}/run:{run_id}"


def document_user(tenant_id: str, document_id: str) -> str:
    return f"tenant:{tenant_id}/document:{document_id}"


def battle_user(tenant_id: str, battle_id: str) -> str:
    return f"tenant:{tenant_id}/battle:{battle_id}"


class GatewayClient:
    def __init__(self, base_url: str | Endpoints, timeout: float = 10.0) -> None:
        self.address = Address(base_url, "gateway_url")  # follows the stack when it moves
        self.timeout = timeout
        self.session = requests.Session()

    def close(self) -> None:
        self.session.close()

    def calls(self, user: str, model: str | None = None, at_least: int = 0, timeout: float = 10.0) -> list[dict]:
        """The calls made with this `user` (and model). The gateway logs a call when it answers,
        so a call Arena already gave up on (a timeout) may still be in flight: with `at_least`,
        wait until that many are logged (or the deadline passes) and return what is logged then.
        The caller still checks the exact count."""
        def logged() -> list[dict]:
            params = {"user": user} | ({"model": model} if model else {})
            response = self.session.get(f"{self.address.url}/_gateway/requests", params=params,
                                        timeout=self.timeout)
            response.raise_for_status()
            return response.json()["requests"]

        if at_least <= 0:
            return logged()
        try:
            return poll_until(logged, lambda calls: len(calls) >= at_least, timeout=timeout,
                              what=f"{at_least} provider call(s) for {user}", describe=len)
        except WaitTimeout:
            return logged()

    def reset(self, user: str | None = None) -> None:
        self.session.post(f"{self.address.url}/_gateway/reset", params={"user": user} if user else None,
                          timeout=self.timeout).raise_for_status()
