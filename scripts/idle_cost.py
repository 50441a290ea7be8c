"""What an idle stack costs: the CPU a started stack (with beat) uses while nobody calls it.

    .venv/bin/python scripts/idle_cost.py [--seconds 60] [--settle 20]

Starts a stack of its own as the suite does (torn down on every end, Ctrl-C included), lets it
settle, then prints over --seconds: the machine's busy share of all its cores (/proc/stat: the
containers, their health probes, the engine) and each container's CPU-seconds (Docker's stats).
The suite runs two stacks side by side on 2 cores; what they burn idle is taken from its
scenarios. Run it on a quiet machine: the machine figure counts everything.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import docker

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from parallel import busy_cpu_seconds  # noqa: E402 - scripts/parallel.py, beside this one

from harness.lifecycle import GuardedTeardown  # noqa: E402 - after the path
from harness.settings import Settings  # noqa: E402
from harness.stack import ComposeStack  # noqa: E402
from harness.timing import PhaseTimer  # noqa: E402


def container_cpu(client: docker.DockerClient, project: str) -> dict[str, float]:
    """CPU-seconds each of the project's containers has used since it started, by service."""
    used = {}
    for container in client.containers.list(filters={"label": f"com.docker.compose.project={project}"}):
        stats = container.stats(stream=False, one_shot=True)
        used[container.labels["com.docker.compose.service"]] = stats["cpu_stats"]["cpu_usage"]["total_usage"] / 1e9
    return used


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60, help="how long to measure")
    parser.add_argument("--settle", type=float, default=20, help="seconds after the start before measuring")
    args = parser.parse_args()
    stack = ComposeStack(Settings.load({"with_beat": "true"}))
    timer = PhaseTimer(ROOT / "reports" / "timings-idle.json")
    guard = GuardedTeardown(lambda: stack.stop(timer)).install()
    client = docker.from_env()
    try:
        stack.start(timer)
        print(f"[idle] {stack.project.name} is up; settling {args.settle:g} s, then measuring {args.seconds:g} s",
              file=sys.stderr, flush=True)
        time.sleep(args.settle)  # the measurement window, not a wait for a state
        before, busy = container_cpu(client, stack.project.name), busy_cpu_seconds()
        time.sleep(args.seconds)
        after, busy = container_cpu(client, stack.project.name), busy_cpu_seconds() - busy
        cores = os.cpu_count() or 1
        print(f"machine busy: {100 * busy / (args.seconds * cores):.1f} % of {cores} cores "
              f"({busy * 60 / args.seconds:.1f} CPU-s a minute)")
        per_minute = {service: (after[service] - before.get(service, 0)) * 60 / args.seconds for service in after}
        for service, cpu in sorted(per_minute.items(), key=lambda item: -item[1]):
            print(f"  {service:10} {cpu:5.2f} CPU-s a minute")
        print(f"  {'containers':10} {sum(per_minute.values()):5.2f} CPU-s a minute")
    finally:
        client.close()
        guard.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
