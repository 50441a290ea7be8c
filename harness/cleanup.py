"""Find and remove what crashed runs left behind: containers, networks and volumes by label.

Every resource of a suite stack carries `org.arena.acceptance=true` and
`org.arena.acceptance.owner=<host>:<pid>` (or `container:<id>:<pid>` for a suite inside a
container, harness/network.py). A stack whose owner process (or container) is gone is stale.
Kept development stacks (owner `keep`) are left alone.
"""

from __future__ import annotations

import contextlib
import os
import socket
import sys
import time

import docker
from docker.errors import APIError, NotFound

ACCEPTANCE_LABEL = "org.arena.acceptance=true"
OWNER_LABEL = "org.arena.acceptance.owner"
PROJECT_LABEL = "com.docker.compose.project"


def owner_id(pid: int | None = None) -> str:
    return f"{socket.gethostname()}:{pid or os.getpid()}"


def _owner_alive(owner: str) -> bool:
    if owner.startswith("container:"):  # a suite in a container: alive while the container runs
        from harness import network

        return network.owner_alive(owner)
    host, _, pid = owner.rpartition(":")
    if owner in {"keep", "manual"} or host != socket.gethostname() or not pid.isdigit():
        return True  # not ours to judge: another host's run, a kept stack, or a manual `up`
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stale_projects(client: docker.DockerClient | None = None) -> set[str]:
    """Names of acceptance projects whose owning suite process no longer exists."""
    client = client or docker.from_env()
    stale = set()
    resources = (
        [(c.labels, c) for c in client.containers.list(all=True, filters={"label": ACCEPTANCE_LABEL})]
        + [(n.attrs.get("Labels") or {}, n) for n in client.networks.list(filters={"label": ACCEPTANCE_LABEL})]
        + [(v.attrs.get("Labels") or {}, v) for v in client.volumes.list(filters={"label": ACCEPTANCE_LABEL})]
    )
    for labels, _ in resources:
        project = labels.get(PROJECT_LABEL)
        if project and not _owner_alive(labels.get(OWNER_LABEL, "manual")):
            stale.add(project)
    return stale


def remove_project(project: str, client: docker.DockerClient | None = None, network_wait_s: float = 0) -> int:
    """Remove every container, network and volume of `project`; return how many were removed.
    A network the engine still counts endpoints on is tried again for up to `network_wait_s`."""
    client = client or docker.from_env()
    selector = {"label": f"{PROJECT_LABEL}={project}"}
    removed = 0
    for container in client.containers.list(all=True, filters=selector):
        removed += _quietly(lambda c=container: c.remove(force=True, v=True))
    for network in client.networks.list(filters=selector):
        removed += _quietly(lambda n=network: _remove_network(n, network_wait_s))
    for volume in client.volumes.list(filters=selector):
        removed += _quietly(lambda v=volume: v.remove(force=True))
    return removed


STUCK_NETWORK = "has active endpoints"  # the engine's refusal while it counts endpoints on a network


def _remove_network(network, wait_s: float) -> None:
    """Docker 20.10 sometimes refuses for a moment to remove a network whose containers were
    just removed, and sometimes for good (its endpoint count drifts: moby/moby#43286, cleared
    only by restarting dockerd). Retried while it refuses so, until `wait_s` has passed."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            network.remove()
            return
        except APIError as err:
            if STUCK_NETWORK not in str(err) or time.monotonic() >= deadline:
                raise
        time.sleep(0.5)  # the pace of retrying the engine's refusal, not a wait for a state


def running_stack(project: str) -> tuple[str, dict[str, str]] | None:
    """A running stack's owner label and the image each of its services runs, or None when none
    of its containers runs."""
    client = docker.from_env()
    containers = client.containers.list(filters={"label": f"{PROJECT_LABEL}={project}"})
    if not containers:
        return None
    images = {c.labels.get("com.docker.compose.service", "?"): c.attrs["Config"]["Image"] for c in containers}
    return containers[0].labels.get(OWNER_LABEL, "manual"), images


def remove_stale_stacks() -> list[str]:
    client = docker.from_env()
    projects = sorted(stale_projects(client))
    for project in projects:
        count = remove_project(project, client)
        kept = {kind: names for kind, names in leftovers(project).items() if names}
        print(f"[stack] removed stale stack {project} ({count} resources) left by a crashed run"
              + (f"; the engine kept {kept}" if kept else ""), file=sys.stderr, flush=True)
    return projects


def leftovers(project: str) -> dict[str, list[str]]:
    """What still exists of `project` (for tests that prove teardown left nothing)."""
    client = docker.from_env()
    selector = {"label": f"{PROJECT_LABEL}={project}"}
    return {
        "containers": [c.name for c in client.containers.list(all=True, filters=selector)],
        "networks": [n.name for n in client.networks.list(filters=selector)],
        "volumes": [v.name for v in client.volumes.list(filters=selector)],
    }


def _quietly(action) -> int:
    try:
        action()
        return 1
    except NotFound:
        return 0
    except APIError as err:
        print(f"[stack] could not remove a resource: {err}", file=sys.stderr)
        return 0


def remove_old_app_images(keep: str, repository: str = "arena-app") -> None:
    """Remove app images of earlier code; one still used by a running stack is refused and kept."""
    client = docker.from_env()
    for image in client.images.list(name=repository):
        tags = [tag for tag in image.tags if tag.startswith(repository + ":")]
        if tags and f"{repository}:{keep}" not in tags:
            for tag in tags:
                # In use by another stack (a concurrent run): refused, and that run's teardown gets it.
                with contextlib.suppress(APIError):
                    client.images.remove(tag, noprune=False)
    with contextlib.suppress(APIError):
        client.images.prune(filters={"dangling": True, "label": ACCEPTANCE_LABEL})
