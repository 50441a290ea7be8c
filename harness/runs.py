"""Waiting on runs, with failure messages that say where the run got stuck."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import requests

from harness.api import ArenaClient, ExchangeLog
from harness.endpoints import Endpoints
from harness.waits import poll_until

TERMINAL = {"completed", "failed"}


def describe_run(run: dict) -> str:
    progress = run.get("progress") or {}
    return (f"status {run.get('status')!r}, attempts {run.get('attempts')}, "
            f"progress {progress.get('done')}/{progress.get('total')}, error {run.get('error')!r}")


def wait_for_status(api: ArenaClient, run_id: str, status: str, timeout: float) -> dict:
    """Poll the run until it reaches `status`; fail early if it ends in another terminal state."""
    run = poll_until(
        lambda: api.run(run_id),
        lambda r: r["status"] == status or r["status"] in TERMINAL,
        timeout=timeout, interval=0.2,
        what=f"run {run_id} to reach {status!r}", describe=describe_run,
    )
    if run["status"] != status:
        raise AssertionError(f"expected run {run_id} to reach {status!r}, saw it end {run['status']!r}: "
                             f"{describe_run(run)}")
    return run


def wait_while_status(api: ArenaClient, run_id: str, status: str, duration: float) -> dict:
    """The run keeps `status` for `duration` seconds (fails the moment it changes)."""
    from harness.waits import hold_for

    return hold_for(lambda: api.run(run_id), lambda r: r["status"] == status, duration=duration,
                    what=f"run {run_id} to stay {status!r}", describe=describe_run)


def start_runs_at_once(endpoints: Endpoints, api_key: str, dataset_id: str, model: str, clients: int,
                       log: ExchangeLog) -> list[requests.Response]:
    """`clients` clients, each on a connection of its own, start a run each at the same moment
    (they wait at a barrier, then all send): what a burst of users does to the API's pool."""
    barrier = threading.Barrier(clients)

    def one_client(_: int) -> requests.Response:
        client = ArenaClient(endpoints, api_key=api_key, log=log, timeout=60)
        try:
            barrier.wait(timeout=30)
            return client.start_run(dataset_id, model)
        finally:
            client.close()

    with ThreadPoolExecutor(max_workers=clients) as pool:
        return list(pool.map(one_client, range(clients)))


def send_run_again(stack, run_id: str) -> None:
    """A second message for a run, sent by Arena's own sender from inside the worker container:
    what a broker's redelivery or beat's recovery does. Needs stack control."""
    code = ("import sys; from arena.worker.send import enqueue; "
            f"sys.exit(0 if enqueue('arena.execute_run', '{run_id}') else 1)")
    stack.exec_in("worker", "python", "-c", code)
