"""The test gateway's inspection API: which provider calls Arena made, filtered by `user`."""

from __future__ import annotations

import requests

from harness.endpoints import Address, Endpoints


def run_user(tenant_id: str, run_id: str) -> str:
    """The OpenAI `user` field Arena sends for a run (see docs/CONTRACTS.md)."""
    return f"tenant:{tenant_id}/run:{run_id}"


class GatewayClient:
    def __init__(self, base_url: str | Endpoints, timeout: float = 10.0) -> None:
        self.address = Address(base_url, "gateway_url")  # follows the stack when it moves
        self.timeout = timeout
        self.session = requests.Session()

    def close(self) -> None:
        self.session.close()

    def calls(self, user: str, model: str | None = None) -> list[dict]:
        params = {"user": user} | ({"model": model} if model else {})
        response = self.session.get(f"{self.address.url}/_gateway/requests", params=params, timeout=self.timeout)
        response.raise_for_status()
        return response.json()["requests"]

    def reset(self, user: str | None = None) -> None:
        self.session.post(f"{self.address.url}/_gateway/reset", params={"user": user} if user else None,
                          timeout=self.timeout).raise_for_status()
