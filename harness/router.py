"""The LiteLLM router (compose service `router`): a client for what it answers and claims, and its
ledger (the custom callback fixtures/router/arena_ledger.py writes one JSON line per call to the
router's stdout).

What the router says lives in its answers: `usage` (with `cost` in a stream's last chunk) and the
`x-litellm-*` response headers. What reached the provider lives in the gateway's call log
(harness/gateway.py); what it should cost, in fixtures/prices.json (harness/fixtures.price_of).
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import yaml
from sseclient import SSEClient

from harness.settings import FIXTURES_DIR
from harness.waits import poll_until

SERVICE = "router"
PORT = 4000
CONFIG_FILE = FIXTURES_DIR / "router" / "config.yaml"
LEDGER_PREFIX = "ARENA-LEDGER "


def config(path: Path = CONFIG_FILE) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def master_key() -> str:
    return config()["general_settings"]["master_key"]


def deployment_of(group: str) -> str:
    """The gateway model a model group is routed to (its provider prefix removed)."""
    for entry in config()["model_list"]:
        if entry["model_name"] == group:
            return entry["litellm_params"]["model"].split("/", 1)[-1]
    raise KeyError(f"fixtures/router/config.yaml has no model group {group!r}")


def model_groups() -> list[str]:
    return [entry["model_name"] for entry in config()["model_list"]]


def unique_user(tenant_id: str, label: str) -> str:
    """An OpenAI `user` for one scenario's requests: the tenant, and a run-like id of its own."""
    return f"tenant:{tenant_id}/run:{label}-{uuid.uuid4().hex[:8]}"


@dataclass
class RouterReply:
    """One answer of the router: status, body, the headers that carry its routing facts, timing."""

    status: int
    body: dict
    headers: httpx.Headers
    elapsed_s: float
    chunks: list[dict] = field(default_factory=list)  # a stream's chunks, in order

    def header(self, name: str) -> str | None:
        return self.headers.get(name)

    def header_number(self, name: str) -> float | None:
        value = self.headers.get(name)
        return float(value) if value not in (None, "") else None

    @property
    def text(self) -> str:
        if self.chunks:
            return "".join((c.get("choices") or [{}])[0].get("delta", {}).get("content") or ""
                           for c in self.chunks if c.get("choices"))
        choices = self.body.get("choices") or [{}]
        return (choices[0].get("message") or {}).get("content") or ""

    @property
    def usage(self) -> dict:
        if self.chunks:
            return next((c["usage"] for c in reversed(self.chunks) if c.get("usage")), {})
        return self.body.get("usage") or {}

    def describe(self) -> str:
        routing = {k: v for k, v in self.headers.items() if k.startswith("x-litellm-") and (
            "model" in k or "attempted" in k or k == "x-litellm-response-cost")}
        return f"status {self.status}, body {json.dumps(self.body)[:400]}, routing headers {routing}"


class RouterClient:
    """Speaks to the router as any OpenAI client would (bearer key, JSON or SSE)."""

    def __init__(self, base_url: str, api_key: str, timeout: float = 30.0) -> None:
        self.base_url = base_url
        self.http = httpx.Client(base_url=base_url, timeout=timeout,
                                 headers={"Authorization": f"Bearer {api_key}"})

    def close(self) -> None:
        self.http.close()

    def get(self, path: str) -> httpx.Response:
        return self.http.get(path)

    def models(self) -> list[str]:
        response = self.http.get("/v1/models")
        response.raise_for_status()
        return [m["id"] for m in response.json()["data"]]

    def chat(self, model: str, prompt: str, user: str, metadata: dict | None = None) -> RouterReply:
        body = {"model": model, "messages": [{"role": "user", "content": prompt}], "user": user}
        if metadata:
            body["metadata"] = metadata
        started = time.monotonic()
        response = self.http.post("/v1/chat/completions", json=body)
        elapsed = time.monotonic() - started
        try:
            payload = response.json()
        except ValueError:
            payload = {"raw": response.text[:500]}
        return RouterReply(response.status_code, payload, response.headers, elapsed)

    def chat_stream(self, model: str, prompt: str, user: str) -> RouterReply:
        body = {"model": model, "messages": [{"role": "user", "content": prompt}], "user": user,
                "stream": True, "stream_options": {"include_usage": True}}
        started = time.monotonic()
        with self.http.stream("POST", "/v1/chat/completions", json=body) as response:
            if response.status_code != 200:
                response.read()
                return RouterReply(response.status_code, {"raw": response.text[:500]}, response.headers,
                                   time.monotonic() - started)
            chunks, done = [], False
            for event in SSEClient(response.iter_bytes()).events():
                if event.data.strip() == "[DONE]":
                    done = True
                    break
                chunks.append(json.loads(event.data))
            headers = response.headers
        reply = RouterReply(200, {"done": done}, headers, time.monotonic() - started, chunks)
        return reply


def ledger_lines(logs: str) -> list[dict]:
    """Every ledger line in the router's logs (compose prefixes each line with the container)."""
    lines = []
    for line in logs.splitlines():
        _, marker, rest = line.partition(LEDGER_PREFIX)
        if marker:
            lines.append(json.loads(rest))
    return lines


def resolves(stack, name: str) -> str:
    """Whether the router's container resolves a host name: its address, or the resolver's error."""
    script = ("import socket, sys\n"
              "try: print(socket.getaddrinfo(sys.argv[1], 80)[0][4][0])\n"
              "except OSError as e: print('unresolved:', e)")
    return stack.exec_in(SERVICE, "python", "-c", script, name).strip()


def ledger_of(stack, user: str) -> list[dict]:
    """The ledger lines of one OpenAI `user`, oldest first (read from the router's whole log)."""
    return [line for line in ledger_lines(stack.logs([SERVICE], tail=1_000_000)) if line.get("user") == user]


def wait_for_ledger(stack, user: str, successes: int, failures: int = 0, timeout: float = 15) -> list[dict]:
    """Wait until the ledger holds at least `successes` successful and `failures` failed calls of
    `user` (the callback writes after the answer has gone out)."""
    def enough(lines: list[dict]) -> bool:
        done = [line for line in lines if line["outcome"] == "success"]
        failed = [line for line in lines if line["outcome"] == "failure"]
        return len(done) >= successes and len(failed) >= failures

    return poll_until(lambda: ledger_of(stack, user), enough, timeout=timeout,
                      what=f"{successes} successful and {failures} failed call(s) of {user!r} in the router's ledger",
                      describe=lambda lines: json.dumps(lines)[:1500])
