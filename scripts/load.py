"""Many clients at once against one stack: nothing lost, nothing done twice, no 5xx; and figures.

    .venv/bin/python scripts/load.py [--clients 50] [--seconds 30]

Brings up a stack of its own (with beat). Each client is a tenant of its own, looping for a
bounded time: create a dataset of 3 questions, start a run on it, follow the run's events to the
end; its first loop (and every third) also uploads a dataset file, its second (and every other)
asks its document a question (a streamed answer). No loop starts after the time is up; those under way finish.
Then every run is checked where it lives: completed, one result per question, one provider
call per question (the gateway's call log), billed once (usage = the sum of its results), and
its follower saw the events 1..n as stored, each once. The same loop runs with one client for
the same time, for the ratio.

Prints p50/p95/p99 per operation, throughput and the count of 5xx answers, with the ratio of
N clients to one; writes reports/load.json. A figure, not a timed test: the exit status is 1 only
when something was lost, duplicated or answered 5xx.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness import fixtures  # noqa: E402
from harness.api import ArenaClient, expect  # noqa: E402
from harness.events import ask_document, read_events  # noqa: E402
from harness.gateway import GatewayClient, run_user  # noqa: E402
from harness.lifecycle import GuardedTeardown  # noqa: E402
from harness.probes import PostgresProbe  # noqa: E402
from harness.runs import wait_for_status  # noqa: E402
from harness.settings import REPORTS_DIR, Settings  # noqa: E402
from harness.stack import ComposeStack  # noqa: E402
from harness.timing import PhaseTimer  # noqa: E402
from harness.uploads import wait_for_document  # noqa: E402

QUESTIONS = fixtures.dataset_samples("arithmetic", 3)


class Recorder:
    """Latencies per operation and every status seen, from all client threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.server_errors: list[str] = []
        self.loops = 0

    def timed(self, operation: str, call, *args, **kwargs):
        started = time.perf_counter()
        try:
            result = call(*args, **kwargs)
        finally:
            elapsed = (time.perf_counter() - started) * 1000
            with self.lock:
                self.latencies[operation].append(elapsed)
        status = getattr(result, "status_code", None)
        if status is not None and status >= 500:
            with self.lock:
                self.server_errors.append(f"{operation}: {status} {result.text[:200]}")
        return result


def client_loop(api: ArenaClient, document_id: str, deadline: float, rec: Recorder) -> list[dict]:
    """One tenant's work until the deadline: what it started and what its follower saw."""
    started_runs, loop = [], 0
    while time.monotonic() < deadline:
        loop += 1
        dataset = expect(rec.timed("create dataset", api.create_dataset, f"load-{loop}", QUESTIONS), 201)
        run = expect(rec.timed("start run", api.start_run, dataset["id"], "gpt-3.5-turbo"), 202)
        events = rec.timed("follow run to its end", read_events, api, run["id"], timeout=300)
        started_runs.append({"run": run, "seen": [e.id for e in events]})
        rec.timed("read results", api.request, "GET", f"/runs/{run['id']}/results")
        if loop % 3 == 1:  # the first loop, then every third
            extra_row = f'\n{{"input": "loop {loop}", "expected": "x"}}'.encode()  # new bytes: not a reuse
            content = fixtures.upload_file("arithmetic.jsonl") + extra_row
            rec.timed("upload dataset", api.upload, "/datasets/upload", f"load-{loop}.jsonl", content)
        if loop % 2 == 0:  # the second loop, then every other
            answer = rec.timed("ask document", ask_document, api, document_id, "What is this about?", timeout=120)
            assert answer[-1].type == "answer", f"document answer ended with {answer[-1].type}: {answer[-1].data}"
        with rec.lock:
            rec.loops += 1
    return started_runs


def check(tenants: list, work: list[list[dict]], gateway: GatewayClient, db: PostgresProbe) -> list[str]:
    """Every run completed, answered, called and billed once, and followed without gap or repeat."""
    problems = []
    for (tenant, api), runs in zip(tenants, work, strict=True):
        for item in runs:
            run = wait_for_status(api, item["run"]["id"], "completed", timeout=120)
            results = api.results(run["id"])
            calls = gateway.calls(run_user(tenant["id"], run["id"]), at_least=len(QUESTIONS))
            stored = db.for_tenant(tenant["id"]).event_seqs(run["id"])
            billed = sum(r["usage"]["total_tokens"] for r in results)
            if len(results) != len(QUESTIONS) or len(calls) != len(QUESTIONS):
                problems.append(f"run {run['id']}: {len(results)} results, {len(calls)} provider calls "
                                f"for {len(QUESTIONS)} questions")
            if run["usage"]["total_tokens"] != billed:
                problems.append(f"run {run['id']}: usage {run['usage']['total_tokens']} tokens, results {billed}")
            if item["seen"] != stored:
                problems.append(f"run {run['id']}: follower saw {item['seen']}, stored {stored}")
    return problems


def pass_with(clients: int, seconds: float, admin: ArenaClient, endpoints, gateway, db) -> dict:
    rec = Recorder()
    tenants = []
    for i in range(clients):
        tenant = admin.create_tenant(f"load-{clients}-{i}-{int(time.time())}")
        tenants.append((tenant, ArenaClient(endpoints, api_key=tenant["api_key"], timeout=60)))
    documents = []
    for _, api in tenants:
        document = expect(api.upload("/documents", "handbook.pdf", fixtures.document_file("handbook.pdf"),
                                     content_type="application/pdf"), 202)
        documents.append(document["id"])
    for (_, api), document_id in zip(tenants, documents, strict=True):
        wait_for_document(api, document_id, timeout=120)
    started = time.monotonic()
    deadline = started + seconds
    with ThreadPoolExecutor(max_workers=clients) as pool:
        work = list(pool.map(lambda pair: client_loop(pair[0][1], pair[1], deadline, rec),
                             zip(tenants, documents, strict=True)))
    wall = time.monotonic() - started
    problems = check(tenants, work, gateway, db)
    for tenant, api in tenants:
        admin.delete_tenant(tenant["id"])
        api.close()
    operations = {}
    for name, values in sorted(rec.latencies.items()):
        q = statistics.quantiles(values, n=100) if len(values) >= 2 else values * 99
        operations[name] = {"count": len(values), "p50_ms": round(q[49], 1), "p95_ms": round(q[94], 1),
                            "p99_ms": round(q[98], 1)}
    runs = sum(len(w) for w in work)
    return {"clients": clients, "seconds": round(wall, 1), "loops": rec.loops, "runs": runs,
            "runs_per_s": round(runs / wall, 2), "server_errors": rec.server_errors, "problems": problems,
            "operations": operations}


def show(figures: dict) -> None:
    print(f"\n{figures['clients']} client(s): {figures['loops']} loops, {figures['runs']} runs in "
          f"{figures['seconds']} s ({figures['runs_per_s']} runs/s); {len(figures['server_errors'])} answers 5xx; "
          f"{len(figures['problems'])} problems")
    print(f"  {'operation':24} {'count':>6} {'p50 ms':>9} {'p95 ms':>9} {'p99 ms':>9}")
    for name, op in figures["operations"].items():
        print(f"  {name:24} {op['count']:>6} {op['p50_ms']:>9} {op['p95_ms']:>9} {op['p99_ms']:>9}")
    for line in figures["server_errors"][:10] + figures["problems"][:10]:
        print(f"  ! {line}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args()

    settings = Settings.load({"with_beat": "true"})
    stack = ComposeStack(settings, project_name=f"arena-load-{int(time.time())}")
    timer = PhaseTimer(REPORTS_DIR / "timings-load.json")
    teardown = GuardedTeardown(lambda: stack.stop(timer)).install()
    try:
        endpoints = stack.start(timer)
        stack.project.start_service("beat")
        admin = ArenaClient(endpoints, admin_token=settings.admin_token)
        for provider in fixtures.providers():
            admin.put_provider(provider["name"], provider["base_url"], provider["api_key"])
        gateway, db = GatewayClient(endpoints), PostgresProbe(endpoints.database_url)
        one = pass_with(1, args.seconds, admin, endpoints, gateway, db)
        show(one)
        many = pass_with(args.clients, args.seconds, admin, endpoints, gateway, db)
        show(many)
    finally:
        teardown.run()
    ratio = {name: round(op["p50_ms"] / one["operations"][name]["p50_ms"], 2)
             for name, op in many["operations"].items() if name in one["operations"]}
    throughput = round(many["runs_per_s"] / one["runs_per_s"], 2) if one["runs_per_s"] else None
    print(f"\n{args.clients} clients vs 1: throughput x{throughput}; p50 latency ratios {ratio}")
    (REPORTS_DIR / "load.json").write_text(json.dumps(
        {"one": one, "many": many, "throughput_ratio": throughput, "p50_ratio": ratio}, indent=2) + "\n")
    bad = one["server_errors"] + one["problems"] + many["server_errors"] + many["problems"]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
