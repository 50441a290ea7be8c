"""Figures of the LiteLLM router: image build (cold, warm), start to healthy, what it adds to a
bring-up (with its profile on, and off), and its per-request overhead against the gateway.

    .venv/bin/python scripts/measure_router.py [--requests N] [--skip-cold]

Brings up a stack of its own (project `arena-at-router-measure-<pid>`) and removes it at the end.
Prints the figures and writes reports/router_measure.json. Per-request overhead: N sequential
chat completions of the same question, straight to the gateway and through the router (model
group router-terse, the same gateway model), medians and 95th percentiles compared.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness import cleanup  # noqa: E402
from harness import router as rt  # noqa: E402
from harness.compose import ComposeProject  # noqa: E402
from harness.settings import REPORTS_DIR  # noqa: E402
from harness.stack import SERVICE_PORTS, app_image_tag, ensure_images, router_image_tag  # noqa: E402

GATEWAY_KEY = "sk-arena-test-gateway-key"
DEFAULT_SERVICES = ["postgres", "redis", "mongo", "gateway", "api", "worker"]


def timed(action) -> float:
    started = time.monotonic()
    action()
    return round(time.monotonic() - started, 2)


class Figures(dict):
    """Figures printed as they are measured, so a failure later still leaves them on screen."""

    def __setitem__(self, key, value) -> None:
        super().__setitem__(key, value)
        print(f"{key:32} {value}", flush=True)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def latencies(url: str, key: str, model: str, n: int) -> list[float]:
    body = {"model": model, "messages": [{"role": "user", "content": "What is 2 + 3?"}], "user": "measure"}
    out = []
    with httpx.Client(base_url=url, timeout=30, headers={"Authorization": f"Bearer {key}"}) as http:
        for i in range(n + 3):
            started = time.monotonic()
            http.post("/v1/chat/completions", json=body).raise_for_status()
            if i >= 3:  # the first requests warm connections and caches
                out.append((time.monotonic() - started) * 1000)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--skip-cold", action="store_true", help="do not rebuild the router image from scratch")
    args = parser.parse_args()

    ensure_images()
    env = {"ARENA_STACK_OWNER": cleanup.owner_id(), "ARENA_APP_TAG": app_image_tag(),
           "ARENA_ROUTER_TAG": router_image_tag()}
    plain = ComposeProject(name=f"arena-at-router-measure-{os.getpid()}", env=env)
    with_router = ComposeProject(name=plain.name, env=env, profiles=["router"])
    figures: dict[str, object] = Figures(router_tag=env["ARENA_ROUTER_TAG"])
    try:
        if not args.skip_cold:
            figures["router_build_cold_s"] = timed(lambda: with_router.run(
                "build", "--no-cache", "router", timeout=3600))
        figures["router_build_warm_s"] = timed(lambda: with_router.run("build", "router", timeout=600))
        plain.run("build", timeout=1800)
        # The default bring-up: the router is not among its services, so it adds nothing.
        services_off = plain.run("config", "--services", timeout=60).stdout.split()
        figures["router_in_default_bring_up"] = "router" in services_off
        figures["bring_up_without_router_s"] = timed(lambda: plain.up(300))
        plain.down()
        figures["bring_up_with_router_s"] = timed(lambda: with_router.up(600))
        figures["bring_up_added_by_router_s"] = round(
            figures["bring_up_with_router_s"] - figures["bring_up_without_router_s"], 2)
        with_router.run("stop", "router", timeout=120)
        figures["router_start_to_healthy_s"] = timed(lambda: with_router.start_service("router", wait_timeout=600))

        host, port = with_router.port("gateway", SERVICE_PORTS["gateway"])
        gateway_url = f"http://{host}:{port}"
        host, port = with_router.port("router", SERVICE_PORTS["router"])
        router_url = f"http://{host}:{port}"
        direct = latencies(gateway_url, GATEWAY_KEY, rt.deployment_of("router-terse"), args.requests)
        routed = latencies(router_url, rt.master_key(), "router-terse", args.requests)
        for name, values in (("gateway", direct), ("router", routed)):
            figures[f"{name}_p50_ms"] = round(statistics.median(values), 1)
            figures[f"{name}_p95_ms"] = round(percentile(values, 0.95), 1)
        figures["router_overhead_p50_ms"] = round(figures["router_p50_ms"] - figures["gateway_p50_ms"], 1)
        figures["router_overhead_p95_ms"] = round(figures["router_p95_ms"] - figures["gateway_p95_ms"], 1)
        figures["requests"] = args.requests
        figures["load_average"] = os.getloadavg()
    finally:
        with_router.down()

    REPORTS_DIR.mkdir(exist_ok=True)
    (REPORTS_DIR / "router_measure.json").write_text(json.dumps(figures, indent=2) + "\n")
    print(f"written to {REPORTS_DIR / 'router_measure.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
