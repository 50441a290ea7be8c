"""The API's memory while it receives uploads: baseline, and peak during each upload.

    .venv/bin/python scripts/measure_upload_memory.py

Uses the kept dev stack (`arena-stack up`; started here if needed). Uploads a dataset just under
the limit, one far over it announced by Content-Length (refused before it is read), and one far
over it sent chunked without a length (cut off as it streams). Memory is the api container's
cgroup usage, sampled every 100 ms through the Docker API.
"""

from __future__ import annotations

import json
import sys
import threading
import time

import docker
import requests

from harness.api import ArenaClient
from harness.settings import REPORTS_DIR, Settings
from harness.stack import ComposeStack
from harness.timing import PhaseTimer
from harness.uploads import oversized_dataset
from harness.waits import poll_until

MB = 1_000_000


class MemorySampler:
    def __init__(self, container) -> None:
        self.container, self.samples, self._stop = container, [], threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        for stats in self.container.stats(stream=True, decode=True):
            usage = stats.get("memory_stats", {})
            used = usage.get("usage", 0) - usage.get("stats", {}).get("inactive_file", 0)
            self.samples.append(used)
            if self._stop.is_set():
                return

    def _wait_for_samples(self, count: int) -> None:
        """Docker's stats stream delivers about one sample a second: wait for `count` more."""
        target = len(self.samples) + count
        poll_until(lambda: len(self.samples), lambda n: n >= target, timeout=15, interval=0.1,
                   what=f"{count} memory sample(s) of the api container", describe=str)

    def __enter__(self):
        self._thread.start()
        self._wait_for_samples(1)  # a baseline before the upload starts
        return self

    def __exit__(self, *exc) -> None:
        self._wait_for_samples(1)  # one taken after the upload ended
        self._stop.set()


def main() -> int:
    stack = ComposeStack(Settings.load({"keep_stack": "true"}))
    endpoints = stack.start(PhaseTimer(REPORTS_DIR / "timings-dev.json"))
    admin = ArenaClient(endpoints.api_url, admin_token=Settings.load({}).admin_token)
    tenant = admin.create_tenant("memory-probe")
    api_container = docker.from_env().containers.get(
        stack.project.run("ps", "-q", "api").stdout.strip())
    headers = {"X-API-Key": tenant["api_key"]}
    figures = {}

    def chunked(total: int):
        line = b'{"input": "What is 2 + 3?", "expected": "5"}\n'
        sent = 0
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.jsonl"\r\n\r\n'
        while sent < total:
            yield line * 2000
            sent += len(line) * 2000
        yield b"\r\n--b--\r\n"

    cases = {
        "4.9 MB under the limit": lambda: requests.post(
            f"{endpoints.api_url}/datasets/upload", headers=headers, timeout=60,
            files={"file": ("near-limit.jsonl", oversized_dataset(int(4.9 * MB)), "application/x-ndjson")}),
        "200 MB announced (Content-Length)": lambda: requests.post(
            f"{endpoints.api_url}/datasets/upload", headers=headers, timeout=60,
            files={"file": ("huge.jsonl", oversized_dataset(200 * MB), "application/x-ndjson")}),
        "200 MB chunked, no length": lambda: requests.post(
            f"{endpoints.api_url}/datasets/upload", timeout=60, data=chunked(200 * MB),
            headers={**headers, "Content-Type": "multipart/form-data; boundary=b"}),
    }
    for name, send in cases.items():
        with MemorySampler(api_container) as sampler:
            started = time.monotonic()
            try:
                response = send()
                outcome = f"{response.status_code} {response.json().get('error', {}).get('message', 'accepted')}"
            except requests.RequestException as err:  # the server may close the connection once it has refused
                outcome = f"connection ended by the server ({type(err).__name__})"
            seconds = time.monotonic() - started
        baseline, peak = sampler.samples[0], max(sampler.samples)
        figures[name] = {"outcome": outcome, "seconds": round(seconds, 2), "baseline_mb": round(baseline / MB, 1),
                         "peak_mb": round(peak / MB, 1), "growth_mb": round((peak - baseline) / MB, 1)}
        print(f"{name:36} {outcome[:60]:60} api memory {baseline / MB:6.1f} -> peak {peak / MB:6.1f} MB "
              f"({seconds:.2f} s)")
    admin.delete_tenant(tenant["id"])
    (REPORTS_DIR / "upload-memory.json").write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
