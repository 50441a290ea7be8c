"""Benchmark: stack phases, Arena's throughput and latencies, and peer tools on the same stack.

    .venv/bin/python scripts/bench.py [--workers 1,2,3] [--samples 60] [--peers] [--cold-build]
                                      [--only events,api,...]

Prints a table and writes reports/bench.json. Figures, not assertions: nothing here fails on a
slow number. Everything runs against this machine's Docker engine and 127.0.0.1 only.
`--only events` brings up one stack and measures the live events alone (about a minute).

  phases       up to healthy and teardown through the harness (and, with --peers, through
               testcontainers-python's DockerCompose and plain `docker compose up --wait`/`down -v`
               on the same compose file, with the ratio to the harness)
  throughput   samples per second through worker and gateway (a provider with 0.4 s latency),
               for each worker count
  events       live-event latency: the worker's timestamp on an event to an SSE client receiving it,
               with push (LISTEN/NOTIFY) and with push off (ARENA_EVENT_PUSH=false: the API
               recreated, streams poll the table), on the same stack; the ratio poll / push
  api          latency of GET /health and of POST /runs (seed 001 asks < 100 ms and < 1 s)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness.api import ArenaClient, expect  # noqa: E402
from harness.events import read_events  # noqa: E402
from harness.fixtures import dataset_samples, providers  # noqa: E402
from harness.runs import wait_for_status  # noqa: E402
from harness.settings import COMPOSE_FILE, REPORTS_DIR, Settings  # noqa: E402
from harness.stack import ComposeStack  # noqa: E402
from harness.timing import PhaseTimer  # noqa: E402


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def timed(action) -> float:
    started = time.monotonic()
    action()
    return time.monotonic() - started


def harness_phases(runs: int) -> dict:
    ups, downs = [], []
    for _ in range(runs):
        stack = ComposeStack(Settings.load({}), project_name=f"arena-bench-{int(time.time() * 1000)}")
        timer = PhaseTimer(REPORTS_DIR / "timings-bench.json")
        stack.start(timer)
        ups.append(timer.phases["up_to_healthy"])
        downs.append(timed(stack.project.down))
    return {"up_s": statistics.median(ups), "down_s": statistics.median(downs)}


def plain_compose_phases(runs: int, env: dict) -> dict:
    ups, downs = [], []
    for i in range(runs):
        base = ["docker", "compose", "-p", f"arena-plain-{i}", "-f", str(COMPOSE_FILE)]
        ups.append(timed(lambda b=base: subprocess.run([*b, "up", "-d", "--wait"], env=env, check=True,
                                                       capture_output=True)))
        downs.append(timed(lambda b=base: subprocess.run([*b, "down", "-v"], env=env, check=True,
                                                         capture_output=True)))
    return {"up_s": statistics.median(ups), "down_s": statistics.median(downs)}


def testcontainers_phases(runs: int, env: dict) -> dict:
    from testcontainers.compose import DockerCompose

    ups, downs = [], []
    for i in range(runs):
        os.environ.update({**env, "COMPOSE_PROJECT_NAME": f"arena-tc-{i}"})
        compose = DockerCompose(COMPOSE_FILE.parent, compose_file_name=COMPOSE_FILE.name, wait=True)
        ups.append(timed(compose.start))
        downs.append(timed(compose.stop))
    os.environ.pop("COMPOSE_PROJECT_NAME", None)
    return {"up_s": statistics.median(ups), "down_s": statistics.median(downs)}


def throughput(stack: ComposeStack, api: ArenaClient, workers: list[int], samples: int) -> dict:
    questions = dataset_samples("arithmetic")
    dataset = expect(api.create_dataset("bench", [questions[i % len(questions)] for i in range(samples)]), 201)
    figures = {}
    for count in workers:
        stack.project.run("up", "-d", "--wait", "--scale", f"worker={count}", "worker", timeout=180)
        started = time.monotonic()
        # Several runs at once, so that several workers have something to share.
        # A provider with latency (0.4 s a call), as real ones have: workers wait on it in parallel.
        run_ids = [expect(api.start_run(dataset["id"], "gpt-3.5-turbo-slow-bench"), 202)["id"]
                   for _ in range(count * 2)]
        for run_id in run_ids:
            wait_for_status(api, run_id, "completed", timeout=300)
        seconds = time.monotonic() - started
        figures[count] = round(samples * len(run_ids) / seconds, 1)
    stack.project.run("up", "-d", "--wait", "--scale", "worker=1", "worker", timeout=180)
    return figures


def event_latency(api: ArenaClient, samples: int) -> dict:
    dataset = expect(api.create_dataset("events", dataset_samples("arithmetic") * (samples // 5 or 1)), 201)
    delays = []
    for _ in range(3):
        run = expect(api.start_run(dataset["id"], "gpt-3.5-turbo-slow-bench"), 202)
        delays += [(e.received_at - datetime.fromisoformat(e.data["at"])).total_seconds() * 1000
                   for e in read_events(api, run["id"], timeout=120) if e.type in ("progress", "completed")]
    return {"events": len(delays), "p50_ms": round(pct(delays, 0.5), 1), "p95_ms": round(pct(delays, 0.95), 1)}


def set_event_push(stack: ComposeStack, endpoints, push: bool) -> None:
    """Recreate the api service alone with ARENA_EVENT_PUSH set; it comes back on another host
    port, which `endpoints` (and the clients made with them) follow."""
    stack.project.env["ARENA_EVENT_PUSH"] = "true" if push else "false"
    stack.project.run("up", "--detach", "--wait", "--no-deps", "api", timeout=180)
    endpoints.move_to(stack.discover())


def event_push_vs_poll(stack: ComposeStack, endpoints, api: ArenaClient, samples: int) -> dict:
    """Live-event latency with push (the stack as started) and with push off, then push again."""
    figures = {"load_average_1m_before": round(os.getloadavg()[0], 1), "push": event_latency(api, samples)}
    set_event_push(stack, endpoints, False)
    try:
        figures["poll"] = event_latency(api, samples)
    finally:
        set_event_push(stack, endpoints, True)
    for q in ("p50_ms", "p95_ms"):
        figures[f"{q.removesuffix('_ms')}_ratio_poll_to_push"] = round(
            figures["poll"][q] / max(figures["push"][q], 0.1), 1)
    # Milliseconds figures on a shared machine: say how busy it was (1-minute load average).
    figures["load_average_1m_after"] = round(os.getloadavg()[0], 1)
    return figures


def api_latency(api: ArenaClient, n: int = 50) -> dict:
    dataset = expect(api.create_dataset("latency", dataset_samples("arithmetic", 1)), 201)
    health = [timed(lambda: api.health()) * 1000 for _ in range(n)]
    create = [timed(lambda: expect(api.start_run(dataset["id"], "gpt-3.5-turbo"), 202)) * 1000 for _ in range(n)]
    return {"health_p50_ms": round(pct(health, 0.5), 1), "health_p95_ms": round(pct(health, 0.95), 1),
            "create_run_p50_ms": round(pct(create, 0.5), 1), "create_run_p95_ms": round(pct(create, 0.95), 1)}


def setup_phases(stack: ComposeStack, cold: bool) -> dict:
    """Provisioning and base images as found (a no-op on a ready machine), the app image rebuilt
    from scratch (every layer, dependencies included) when `cold`, then a warm rebuild."""
    figures = {
        "provision_s": round(timed(lambda: subprocess.run(["bash", "scripts/provision.sh"], cwd=ROOT, check=True,
                                                          capture_output=True)), 2),
        "images_s": round(timed(lambda: subprocess.run(["bash", "scripts/images.sh"], cwd=ROOT, check=True,
                                                       capture_output=True)), 2),
    }
    if cold:
        figures["app_image_cold_build_s"] = round(timed(lambda: stack.project.build(no_cache=True)), 2)
    figures["app_image_warm_build_s"] = round(timed(stack.project.build), 2)
    return figures


def feature_times() -> dict:
    """Per-feature wall time of the last suite run, from its JUnit files."""
    import xml.etree.ElementTree as ET

    times = {}
    for path in sorted((REPORTS_DIR / "junit").glob("TESTS-*.xml")):
        suite = ET.parse(path).getroot()
        times[path.stem.removeprefix("TESTS-")] = round(float(suite.get("time", 0)), 1)
    return times


PARTS = ("setup", "api", "events", "throughput", "phases")  # phases: bring-up/teardown, and --peers


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", default="1,2,3")
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--event-samples", type=int, default=20,
                        help="questions per run of the events part (3 runs each with push and without)")
    parser.add_argument("--peers", action="store_true", help="also time testcontainers and plain compose")
    parser.add_argument("--runs", type=int, default=3, help="bring-up/teardown repetitions per tool")
    parser.add_argument("--cold-build", action="store_true",
                        help="also rebuild the app image without the layer cache (needs the package index)")
    parser.add_argument("--only", default=",".join(PARTS),
                        help=f"comma-separated parts to measure, of {','.join(PARTS)} (default: all)")
    args = parser.parse_args()
    parts = set(args.only.split(","))
    if unknown := parts - set(PARTS):
        parser.error(f"--only: unknown part(s) {', '.join(sorted(unknown))}; choose among {', '.join(PARTS)}")
    figures: dict = {}

    stack = ComposeStack(Settings.load({}), project_name=f"arena-bench-{os.getpid()}")
    stack.project.env["ARENA_EVENT_PUSH"] = "true"  # the events part switches it off and on again
    env = {**os.environ, **stack.project.env}
    if "setup" in parts:
        figures["setup"] = setup_phases(stack, args.cold_build)
        figures["features_last_run_s"] = feature_times()
        if (REPORTS_DIR / "timings.json").exists():
            figures["suite_last_run_phases_s"] = json.loads((REPORTS_DIR / "timings.json").read_text())
    if parts & {"api", "events", "throughput"}:
        try:
            stack.start(PhaseTimer(REPORTS_DIR / "timings-bench.json"))
            endpoints = stack.discover()
            admin = ArenaClient(endpoints, admin_token=Settings.load({}).admin_token)
            for provider in providers():
                admin.put_provider(provider["name"], provider["base_url"], provider["api_key"])
            tenant = admin.create_tenant("bench")
            api = ArenaClient(endpoints, api_key=tenant["api_key"])
            if "api" in parts:
                figures["api"] = api_latency(api)
            if "events" in parts:
                figures["events"] = event_push_vs_poll(stack, endpoints, api, args.event_samples)
            if "throughput" in parts:
                figures["throughput_samples_per_s"] = throughput(
                    stack, api, [int(w) for w in args.workers.split(",")], args.samples)
        finally:
            stack.project.down()

    if "phases" not in parts:
        return write(figures)
    figures["harness"] = harness_phases(args.runs)
    if args.peers:
        figures["plain_compose"] = plain_compose_phases(args.runs, env)
        figures["testcontainers"] = testcontainers_phases(args.runs, env)
        for peer in ("plain_compose", "testcontainers"):
            figures[peer]["up_ratio_to_harness"] = round(figures[peer]["up_s"] / figures["harness"]["up_s"], 2)
            figures[peer]["down_ratio_to_harness"] = round(figures[peer]["down_s"] / figures["harness"]["down_s"], 2)

    return write(figures)


def write(figures: dict) -> int:
    (REPORTS_DIR / "bench.json").write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
